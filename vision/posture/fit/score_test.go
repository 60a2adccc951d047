package fit

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"posturewatch/coach/domain"
)

// A photo's class is its verdict's: the first fault names it, whatever the
// others; a verdict without a person in it is never a class.
func TestObservationClass(t *testing.T) {
	bad := func(fs ...domain.Fault) domain.Observation {
		return domain.Observation{Posture: domain.PostureBad, Faults: fs}
	}
	for _, c := range []struct {
		obs  domain.Observation
		want string
	}{
		{domain.Observation{Posture: domain.PostureGood, Faults: []domain.Fault{{Name: domain.HeadTilt, Severity: 0.3}}}, ClassGood},
		{bad(domain.Fault{Name: domain.ForwardHead, Severity: 0.8}, domain.Fault{Name: domain.HeadTilt, Severity: 0.6}), ClassSitUp},
		{bad(domain.Fault{Name: domain.HeadTilt, Severity: 0.8}, domain.Fault{Name: domain.ForwardHead, Severity: 0.6}), ClassStraighten},
		{bad(domain.Fault{Name: domain.TooClose, Severity: 1}), ClassSitUp},
		{bad(domain.Fault{Name: domain.HeadBack, Severity: 0.5}), ClassStraighten},
		{bad(domain.Fault{Name: domain.UnevenShoulders, Severity: 0.5}), ClassStraighten},
		{bad(), OutcomeUnknown}, // no fault to name: not a class
		{domain.Observation{Posture: domain.PostureAway}, ClassAway},
		{domain.Observation{Posture: domain.PostureUnknown}, OutcomeUnknown},
	} {
		if got := ObservationClass(c.obs); got != c.want {
			t.Errorf("%s %v: %s, want %s", c.obs.Posture, c.obs.Faults, got, c.want)
		}
	}
}

// Folders name classes in the spellings people write them; the innermost
// one that names a class labels the photo, and the folder holding it is
// the photo's set.
func TestLabels(t *testing.T) {
	p := filepath.FromSlash
	for _, c := range []struct {
		path, class, set string
	}{
		{"held/good/a.jpg", ClassGood, "held"},
		{"held/Sit up straight/a.jpg", ClassSitUp, "held"},
		{"held/sit-up-straight/a.jpg", ClassSitUp, "held"},
		{"held/STRAIGHTEN_HEAD/a.jpg", ClassStraighten, "held"},
		{"held/away/a.jpg", ClassAway, "held"},
		{"held/good/anna/a.jpg", ClassGood, "held"}, // people's folders inside the class's
		{"good/sit_up_straight/a.jpg", ClassSitUp, "good"},
		{"/abs/laptop/straighten head/b/c.png", ClassStraighten, "/abs/laptop"},
		{"good/a.jpg", ClassGood, "."},
	} {
		class, set, ok := Labels{}.Of(p(c.path))
		if !ok || class != c.class || set != p(c.set) {
			t.Errorf("%s: %q in set %q (%v), want %q in %q", c.path, class, set, ok, c.class, c.set)
		}
	}
	for _, path := range []string{"a.jpg", "held/bad/a.jpg", "held/goodish/a.jpg", "good.jpg", "/", ""} {
		if class, _, ok := (Labels{}).Of(p(path)); ok {
			t.Errorf("%q: labelled %s, want none", path, class)
		}
	}

	// a data set's own names, mapped to classes
	var l Labels
	for _, nc := range [][2]string{{"Bad", "sit up straight"}, {"tilted-head", "STRAIGHTEN_HEAD"}, {"empty room", "away"}} {
		if err := l.AddName(nc[0], nc[1]); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ path, class string }{
		{"set/bad/a.jpg", ClassSitUp}, {"set/Tilted Head/a.jpg", ClassStraighten},
		{"set/empty-room/a.jpg", ClassAway}, {"set/good/a.jpg", ClassGood},
	} {
		if class, set, ok := l.Of(p(c.path)); !ok || class != c.class || set != "set" {
			t.Errorf("%s with names mapped: %q in %q (%v), want %q", c.path, class, set, ok, c.class)
		}
	}
	for _, nc := range [][2]string{{"bad", "slouching"}, {"", "good"}, {"x", ""}} {
		if err := l.AddName(nc[0], nc[1]); err == nil {
			t.Errorf("%q=%q: accepted", nc[0], nc[1])
		}
	}
}

// The scorecard counts what the held-out targets are set in: right over
// all, good photos called bad, photos of a person called away or unknown,
// unreadable ones; per set and over all; and lists the misjudged photos
// with why.
func TestScorecard(t *testing.T) {
	card := NewScorecard()
	add := func(set, expected, judged string, why string) {
		card.Add(Judged{Path: set + "/" + expected + "/" + judged, Set: set, Expected: expected, Judged: judged, Why: why})
	}
	add("laptop", ClassGood, ClassGood, "upright")
	add("laptop", ClassGood, ClassSitUp, "the neck reads short")
	add("laptop", ClassSitUp, ClassSitUp, "")
	add("laptop", ClassStraighten, OutcomeUnknown, "too little shows")
	add("desk", ClassGood, ClassGood, "")
	add("desk", ClassSitUp, ClassAway, "nobody")
	add("desk", ClassAway, ClassAway, "")
	card.Add(Judged{Path: "desk/good/broken.jpg", Set: "desk", Expected: ClassGood, Judged: OutcomeError, Error: "truncated"})

	want := SetScore{Set: "all", Photos: 8, Correct: 4, Accuracy: 0.5, Good: 4, GoodCalledBad: 1, Person: 7, PersonMissed: 2, Errors: 1}
	if card.All != want {
		t.Errorf("all: %+v, want %+v", card.All, want)
	}
	if len(card.Sets) != 2 || card.Sets[0].Set != "desk" || card.Sets[1].Set != "laptop" {
		t.Fatalf("sets %+v, want desk and laptop, by name", card.Sets)
	}
	if d := card.Sets[0]; d.Photos != 4 || d.Correct != 2 || d.PersonMissed != 1 || d.Errors != 1 || d.GoodCalledBad != 0 {
		t.Errorf("desk: %+v", d)
	}
	if l := card.Sets[1]; l.Photos != 4 || l.Correct != 2 || l.GoodCalledBad != 1 || l.PersonMissed != 1 {
		t.Errorf("laptop: %+v", l)
	}
	if card.Confusion[ClassGood][OutcomeError] != 1 || card.Confusion[ClassStraighten][OutcomeUnknown] != 1 {
		t.Errorf("confusion %v", card.Confusion)
	}

	var out bytes.Buffer
	card.Write(&out, false)
	text := out.String()
	for _, s := range []string{
		"8 photos scored: 4 good, 2 sit_up_straight, 1 straighten_head, 1 away",
		"right: 4 of 8 (50.0 %)",
		"good photos called bad: 1 of 4",
		"photos of a person called away or unknown: 2 of 7",
		"could not be read or analysed: 1",
		"misjudged (4)",
		"laptop/good/sit_up_straight: good, judged sit_up_straight: the neck reads short",
		"desk/good/broken.jpg: good, judged error: truncated",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("the scorecard lacks %q:\n%s", s, text)
		}
	}
	if strings.Contains(text, "laptop/good/good") {
		t.Errorf("a photo judged right is listed without -v:\n%s", text)
	}
	out.Reset()
	card.Write(&out, true)
	lines := strings.Split(out.String(), "\n")
	if !slices.Contains(lines, "  right  laptop/good/good: good, judged good: upright") {
		t.Errorf("with every photo, the right ones are listed and marked:\n%s", out.String())
	}
}

// Whatever a folder is called, and whatever name is mapped to a class, a
// photo gets one of the four classes or none, and its set is a folder on
// its path.
func FuzzLabels(f *testing.F) {
	for _, s := range []string{"held/good/a.jpg", "a/Sit Up Straight/b/c.png", "/", "", "..", "good", "x/away/"} {
		f.Add(s, "bad")
	}
	f.Fuzz(func(t *testing.T, path, name string) {
		var l Labels
		if err := l.AddName(name, "good"); err != nil {
			t.Skip() // an empty name
		}
		if !strings.ContainsAny(name, `/\`) && name != "." && name != ".." && filepath.Base(name) == name {
			if class, _, ok := l.Of(filepath.Join("set", name, "p.jpg")); !ok || class != ClassGood {
				t.Fatalf("a folder named %q, mapped to good: %q (%v)", name, class, ok)
			}
		}
		class, set, ok := l.Of(path)
		if !ok {
			if class != "" || set != "" {
				t.Fatalf("%q: unlabelled with %q, %q", path, class, set)
			}
			return
		}
		if !slices.Contains(scoredClasses, class) {
			t.Fatalf("%q: class %q", path, class)
		}
		clean := filepath.Clean(path)
		if set != "." && !strings.HasPrefix(clean, set) {
			t.Fatalf("%q: set %q is not on the path", path, set)
		}
	})
}

// A video played as a sitting is right when it went as its folder says: no
// nudge on sitting well or an empty room, a nudge of its class on a slump;
// one that could not be played is wrong. The tally counts the videos of
// sitting well that drew a nudge, and the nudges, as your target does.
func TestSessionScore(t *testing.T) {
	nudge := func(f domain.FaultName, at float64) Nudge { return Nudge{Fault: f, AtS: at} }
	card := NewScorecard()
	for _, c := range []struct {
		s     Session
		right bool
	}{
		{Session{Path: "good/a.mp4", Expected: ClassGood, Seconds: 120}, true},
		{Session{Path: "good/b.mp4", Expected: ClassGood, Seconds: 60, Nudges: []Nudge{nudge(domain.Slouch, 20), nudge(domain.ForwardHead, 50)}}, false},
		{Session{Path: "sit/c.mp4", Expected: ClassSitUp, Seconds: 60, Nudges: []Nudge{nudge(domain.ForwardHead, 21)}}, true},
		{Session{Path: "sit/d.mp4", Expected: ClassSitUp, Seconds: 60, Nudges: []Nudge{nudge(domain.HeadTilt, 21)}}, false},
		{Session{Path: "head/e.mp4", Expected: ClassStraighten, Seconds: 60, Nudges: []Nudge{nudge(domain.ForwardHead, 5), nudge(domain.HeadTurn, 30)}}, true},
		{Session{Path: "away/f.mp4", Expected: ClassAway, Seconds: 30}, true},
		{Session{Path: "good/g.mp4", Expected: ClassGood, Error: "truncated"}, false},
	} {
		if got := c.s.Right(); got != c.right {
			t.Errorf("%s: right %v, want %v", c.s.Path, got, c.right)
		}
		card.AddSession(c.s)
	}
	want := VideoScore{Videos: 7, Right: 4, Good: 3, GoodNudged: 1, NudgesGood: 2, GoodMinutes: 3, Bad: 3, BadNudged: 2, Errors: 1}
	if card.Videos != want {
		t.Errorf("videos: %+v, want %+v", card.Videos, want)
	}
	var out bytes.Buffer
	card.Write(&out, false)
	for _, s := range []string{
		"videos played as sittings: 7, 4 of them as their folders say",
		"sitting well nudged: 1 of 3 videos (2 nudges in 3.0 minutes)",
		"sitting badly nudged for it: 2 of 3 videos",
		"good/b.mp4: good, nudged in 60 s: slouch at 20.0 s, forward_head at 50.0 s",
		"good/g.mp4: good, not played: truncated",
	} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("the scorecard lacks %q:\n%s", s, out.String())
		}
	}
	if strings.Contains(out.String(), "photos scored") || strings.Contains(out.String(), "good/a.mp4") {
		t.Errorf("photos' figures or a right video listed without -v:\n%s", out.String())
	}
}
