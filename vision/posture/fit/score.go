package fit

import (
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"posturewatch/coach/domain"
)

// Scoring photos sorted into folders by the class they should get, as the
// held-out sets are scored (`posturewatch score`): a photo is good when the
// posture is good; sit up straight or straighten head by the class of the
// fault named first (FaultClass); away, unknown and an unreadable photo are
// wrong for every photo of a person. The outcome is the one `make eval`
// gives the same frame from its features (Outcome).

// The outcomes a scored photo can have besides the classes.
const (
	OutcomeUnknown = "unknown" // someone there, too little shown to judge
	OutcomeError   = "error"   // the photo could not be read or analysed
)

// ObservationClass is the class a verdict gives a photo.
func ObservationClass(o domain.Observation) string {
	switch o.Posture {
	case domain.PostureGood:
		return ClassGood
	case domain.PostureAway:
		return ClassAway
	case domain.PostureBad:
		if len(o.Faults) > 0 { // most severe first, as the verdict names them
			return FaultClass(o.Faults[0].Name)
		}
	}
	return OutcomeUnknown
}

// scoredClasses are the classes a folder's name can give, in the order
// tables list them.
var scoredClasses = []string{ClassGood, ClassSitUp, ClassStraighten, ClassAway}

// Labels reads a photo's class from the folders on its path: folders named
// good, sit_up_straight, straighten_head or away, in any case, with hyphens
// or spaces for the underscores ("Sit up straight" is sit_up_straight), and
// folders named otherwise that Names maps to a class (a data set's own
// names: "bad" for sit_up_straight), by their name written the same way.
type Labels struct {
	Names map[string]string
}

// normalName is a folder's name as Labels compares it.
func normalName(name string) string {
	return strings.NewReplacer("-", "_", " ", "_").Replace(strings.ToLower(strings.TrimSpace(name)))
}

// AddName maps folders named name to class (one of the four), as a
// command line's "name=class" gives it.
func (l *Labels) AddName(name, class string) error {
	c, ok := folderClass(class)
	if !ok {
		return fmt.Errorf("%q: not a class (good, sit_up_straight, straighten_head, away)", class)
	}
	n := normalName(name)
	if n == "" {
		return fmt.Errorf("an empty folder name for %s", c)
	}
	if l.Names == nil {
		l.Names = map[string]string{}
	}
	l.Names[n] = c
	return nil
}

// folderClass is the class a folder's own name gives.
func folderClass(name string) (string, bool) {
	n := normalName(name)
	for _, c := range scoredClasses {
		if n == c {
			return c, true
		}
	}
	return "", false
}

// FolderClass is the class a folder's name gives the photos in it.
func (l Labels) FolderClass(name string) (string, bool) {
	if c, ok := l.Names[normalName(name)]; ok {
		return c, true
	}
	return folderClass(name)
}

// Of is the class of a photo at path: that of the innermost folder on the
// path whose name gives one (FolderClass), and the folder holding that one
// (the set the photo belongs to, "." for none).
func (l Labels) Of(path string) (class, set string, ok bool) {
	dir := filepath.Dir(filepath.Clean(path))
	for {
		if c, ok := l.FolderClass(filepath.Base(dir)); ok {
			return c, filepath.Dir(dir), true
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", "", false
		}
		dir = up
	}
}

// Judged is one scored photo.
type Judged struct {
	Path     string         `json:"path"`
	Set      string         `json:"set"` // the folder holding the class folder
	Expected string         `json:"expected"`
	Judged   string         `json:"judged"`
	Posture  domain.Posture `json:"posture,omitempty"`
	Faults   []domain.Fault `json:"faults,omitempty"`
	Why      string         `json:"why,omitempty"`
	Error    string         `json:"error,omitempty"`
}

// Right reports whether the photo got its class.
func (j Judged) Right() bool { return j.Expected == j.Judged }

// SetScore is the tally of one set of photos, or of all of them.
type SetScore struct {
	Set      string  `json:"set"`
	Photos   int     `json:"photos"`
	Correct  int     `json:"correct"`
	Accuracy float64 `json:"accuracy"`
	// Good is how many photos were labelled good, GoodCalledBad how many of
	// them were judged sit up straight or straighten head.
	Good          int `json:"good"`
	GoodCalledBad int `json:"good_called_bad"`
	// PersonMissed counts photos of a person (labelled good, sit up
	// straight or straighten head) judged away or unknown; Errors the
	// photos that could not be read or analysed, whatever their label.
	Person       int `json:"person"`
	PersonMissed int `json:"person_missed"`
	Errors       int `json:"errors"`
}

func (s *SetScore) add(j Judged) {
	s.Photos++
	if j.Right() {
		s.Correct++
	}
	s.Accuracy = float64(s.Correct) / float64(s.Photos)
	if j.Expected == ClassGood {
		s.Good++
		if j.Judged == ClassSitUp || j.Judged == ClassStraighten {
			s.GoodCalledBad++
		}
	}
	if hasPerson(j.Expected) {
		s.Person++
		if j.Judged == ClassAway || j.Judged == OutcomeUnknown {
			s.PersonMissed++
		}
	}
	if j.Judged == OutcomeError {
		s.Errors++
	}
}

// Scorecard tallies photos against the classes their folders give them,
// and videos played as sittings against what their folders say of them.
type Scorecard struct {
	All  SetScore   `json:"all"`
	Sets []SetScore `json:"sets"` // one per set, by name
	// Confusion counts photos by expected class, then by outcome.
	Confusion map[string]map[string]int `json:"confusion"`
	Photos    []Judged                  `json:"photos"`
	Videos    VideoScore                `json:"videos"`
	Sessions  []Session                 `json:"sessions,omitempty"`
}

// Session is one video played through vision and the coach as a sitting,
// from the start, the camera's view learnt as the live service learns it.
type Session struct {
	Path     string  `json:"path"`
	Set      string  `json:"set"`
	Expected string  `json:"expected"`
	Seconds  float64 `json:"seconds"` // the recording's length as played
	Nudges   []Nudge `json:"nudges"`
	Error    string  `json:"error,omitempty"`
}

// Nudge is one nudge the coach gave in a session.
type Nudge struct {
	Fault domain.FaultName `json:"fault"`
	AtS   float64          `json:"t_s"` // on the recording's timeline
}

// Right reports whether the sitting went as its folder says: sitting well
// (good) or an empty room (away) draws no nudge; sit up straight or
// straighten head draws one for a fault of that class.
func (s Session) Right() bool {
	if s.Error != "" {
		return false
	}
	switch s.Expected {
	case ClassGood, ClassAway:
		return len(s.Nudges) == 0
	}
	for _, n := range s.Nudges {
		if FaultClass(n.Fault) == s.Expected {
			return true
		}
	}
	return false
}

// VideoScore is the tally of the sessions: how many went right, how many
// of sitting well drew a nudge (your target: none), and how many slumps
// drew one for their class.
type VideoScore struct {
	Videos      int     `json:"videos"`
	Right       int     `json:"right"`
	Good        int     `json:"good"`
	GoodNudged  int     `json:"good_nudged"`
	NudgesGood  int     `json:"nudges_on_good"` // nudges in all on sitting well
	GoodMinutes float64 `json:"good_minutes"`   // of sitting well played
	Bad         int     `json:"bad"`            // sessions labelled sit up straight or straighten head
	BadNudged   int     `json:"bad_nudged"`     // of them, nudged for a fault of their class
	Errors      int     `json:"errors"`
}

// AddSession scores one played video.
func (s *Scorecard) AddSession(v Session) {
	s.Sessions = append(s.Sessions, v)
	t := &s.Videos
	t.Videos++
	if v.Right() {
		t.Right++
	}
	if v.Error != "" {
		t.Errors++
	}
	switch v.Expected {
	case ClassGood:
		t.Good++
		t.GoodMinutes += v.Seconds / 60
		t.NudgesGood += len(v.Nudges)
		if len(v.Nudges) > 0 {
			t.GoodNudged++
		}
	case ClassSitUp, ClassStraighten:
		t.Bad++
		if v.Right() {
			t.BadNudged++
		}
	}
}

// NewScorecard is an empty scorecard.
func NewScorecard() *Scorecard {
	return &Scorecard{All: SetScore{Set: "all"}, Confusion: map[string]map[string]int{}}
}

// Add scores one judged photo.
func (s *Scorecard) Add(j Judged) {
	s.Photos = append(s.Photos, j)
	s.All.add(j)
	i := sort.Search(len(s.Sets), func(i int) bool { return s.Sets[i].Set >= j.Set })
	if i == len(s.Sets) || s.Sets[i].Set != j.Set {
		s.Sets = append(s.Sets, SetScore{})
		copy(s.Sets[i+1:], s.Sets[i:])
		s.Sets[i] = SetScore{Set: j.Set}
	}
	s.Sets[i].add(j)
	if s.Confusion[j.Expected] == nil {
		s.Confusion[j.Expected] = map[string]int{}
	}
	s.Confusion[j.Expected][j.Judged]++
}

// outcomes are the columns of the confusion table.
var outcomes = []string{ClassGood, ClassSitUp, ClassStraighten, ClassAway, OutcomeUnknown, OutcomeError}

// Write prints the scorecard: the photos' figures per set and over all, the
// confusion and the photos misjudged (every photo with all), then the
// videos' sittings.
func (s *Scorecard) Write(w io.Writer, all bool) {
	if s.All.Photos > 0 {
		s.writePhotos(w, all)
	}
	if s.Videos.Videos > 0 {
		if s.All.Photos > 0 {
			fmt.Fprintln(w)
		}
		s.writeSessions(w, all)
	}
}

// writeSessions prints the videos' figures and the sessions that went wrong
// (every one with all), each with its nudges.
func (s *Scorecard) writeSessions(w io.Writer, all bool) {
	v := s.Videos
	fmt.Fprintf(w, "videos played as sittings: %d, %d of them as their folders say\n", v.Videos, v.Right)
	if v.Good > 0 {
		fmt.Fprintf(w, "sitting well nudged: %d of %d videos (%d nudges in %.1f minutes)\n", v.GoodNudged, v.Good, v.NudgesGood, v.GoodMinutes)
	}
	if v.Bad > 0 {
		fmt.Fprintf(w, "sitting badly nudged for it: %d of %d videos\n", v.BadNudged, v.Bad)
	}
	if v.Errors > 0 {
		fmt.Fprintf(w, "could not be played: %d\n", v.Errors)
	}
	for _, x := range s.Sessions {
		if !all && x.Right() {
			continue
		}
		mark := ""
		if all {
			mark = "wrong  "
			if x.Right() {
				mark = "right  "
			}
		}
		line := fmt.Sprintf("  %s%s: %s", mark, x.Path, x.Expected)
		switch {
		case x.Error != "":
			line += ", not played: " + x.Error
		case len(x.Nudges) == 0:
			line += fmt.Sprintf(", no nudge in %.0f s", x.Seconds)
		default:
			var ns []string
			for _, n := range x.Nudges {
				ns = append(ns, fmt.Sprintf("%s at %.1f s", n.Fault, n.AtS))
			}
			line += fmt.Sprintf(", nudged in %.0f s: %s", x.Seconds, strings.Join(ns, ", "))
		}
		fmt.Fprintln(w, line)
	}
}

// writePhotos prints the photos' part of the scorecard.
func (s *Scorecard) writePhotos(w io.Writer, all bool) {
	a := s.All
	fmt.Fprintf(w, "%s scored: %s\n", count(a.Photos, "photo", "photos"), s.labelCounts())
	fmt.Fprintf(w, "right: %d of %d (%.1f %%)\n", a.Correct, a.Photos, 100*a.Accuracy)
	fmt.Fprintf(w, "good photos called bad: %d of %d\n", a.GoodCalledBad, a.Good)
	fmt.Fprintf(w, "photos of a person called away or unknown: %d of %d\n", a.PersonMissed, a.Person)
	fmt.Fprintf(w, "could not be read or analysed: %d\n", a.Errors)
	if len(s.Sets) > 1 {
		fmt.Fprintln(w, "\nper set")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "set\tphotos\tright\taccuracy\tgood called bad\tperson away/unknown\terrors\t")
		for _, r := range append(append([]SetScore{}, s.Sets...), a) {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f %%\t%d of %d\t%d of %d\t%d\t\n", r.Set, r.Photos, r.Correct, 100*r.Accuracy,
				r.GoodCalledBad, r.Good, r.PersonMissed, r.Person, r.Errors)
		}
		tw.Flush()
	}
	fmt.Fprintln(w, "\nconfusion (rows: the folder's class; columns: judged)")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "\t%s\t\n", strings.Join(outcomes, "\t"))
	for _, e := range scoredClasses {
		if s.Confusion[e] == nil {
			continue
		}
		fmt.Fprint(tw, e)
		for _, o := range outcomes {
			fmt.Fprintf(tw, "\t%d", s.Confusion[e][o])
		}
		fmt.Fprintln(tw, "\t")
	}
	tw.Flush()
	title, n := "misjudged", a.Photos-a.Correct
	if all {
		title, n = "every photo", a.Photos
	}
	if n == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s (%d)\n", title, n)
	for _, j := range s.Photos {
		if all || !j.Right() {
			fmt.Fprintln(w, " ", j.line(all))
		}
	}
}

// count is "n things", in the singular for one.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// labelCounts says how many photos each class's folders held.
func (s *Scorecard) labelCounts() string {
	var parts []string
	for _, c := range scoredClasses {
		n := 0
		for _, v := range s.Confusion[c] {
			n += v
		}
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, c))
		}
	}
	return strings.Join(parts, ", ")
}

// line is one photo's line in the list: where it is, the class its folder
// gives it and what it was judged, and why; marked where right and wrong
// photos are listed together (mark).
func (j Judged) line(mark bool) string {
	s := fmt.Sprintf("%s: %s, judged %s", j.Path, j.Expected, j.Judged)
	if mark {
		m := "wrong"
		if j.Right() {
			m = "right"
		}
		s = m + "  " + s
	}
	if j.Error != "" {
		return s + ": " + j.Error
	}
	var fs []string
	for _, f := range j.Faults {
		fs = append(fs, fmt.Sprintf("%s %.2f", f.Name, f.Severity))
	}
	if len(fs) > 0 {
		s += " (" + strings.Join(fs, ", ") + ")"
	}
	if j.Why != "" {
		s += ": " + j.Why
	}
	return s
}
