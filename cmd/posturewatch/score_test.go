package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"posturewatch/coach/domain"
	"posturewatch/vision"
	"posturewatch/vision/posture"
	"posturewatch/vision/posture/fit"
)

// copyInto copies the files into dir (made as needed) and returns the
// copies' paths by the originals' base names.
func copyInto(t *testing.T, dir string, files ...string) map[string]string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		to := filepath.Join(dir, filepath.Base(f))
		if err := os.WriteFile(to, b, 0o644); err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = to
	}
	return out
}

// score sorts development photos into folders named by class, as someone
// scoring their own photos would, and scores them: every photo gets the
// class `make eval` gives it from its features (fit.Outcome on what
// `posturewatch features` records), so the figures the held-out targets
// are set in are measured the same way on any folder. An unreadable photo
// is scored wrong and makes the exit code 1; a photo in no class folder is
// skipped and named.
func TestScoreAgreesWithEval(t *testing.T) {
	d := dataDir(t)
	needModel(t)
	glob := func(dir string) []string {
		fs, _ := filepath.Glob(filepath.Join(d, dir, "*"))
		if len(fs) == 0 {
			t.Skipf("no files in %s", dir)
		}
		return fs
	}
	root := t.TempDir()
	// two sets: a person's photos in class folders, and folders named in
	// other spellings beside an empty scene and an unreadable photo
	copiedTo := map[string]string{ // development folder → class folder
		"slouch-or-not/upright":        filepath.Join(root, "sitter", "good"),
		"slouch-or-not/slouching":      filepath.Join(root, "sitter", "sit_up_straight"),
		"neck-forward/1-forward-worst": filepath.Join(root, "masked", "Sit up straight"),
		"misc":                         filepath.Join(root, "masked", "away"),
	}
	for from, to := range copiedTo {
		if from != "misc" {
			copyInto(t, to, glob(from)...)
		}
	}
	copyInto(t, copiedTo["misc"], filepath.Join(d, "misc", "coffee.png"))
	broken := copyInto(t, filepath.Join(root, "masked", "good"), filepath.Join(d, "bad", "truncated.jpg"))["truncated.jpg"]
	stray := copyInto(t, root, filepath.Join(d, "misc", "grace_hopper.jpg"))["grace_hopper.jpg"]

	// what make eval makes of the same photos
	an, err := vision.NewAnalyzer(vision.AnalyzerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var lines bytes.Buffer
	enc := json.NewEncoder(&lines)
	err = vision.WalkDataset(an, d, vision.DatasetOptions{Only: []string{"slouch-or-not", "neck-forward/1-forward-worst", "misc/coffee"}}, func(s vision.Sample) {
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
	})
	an.Close()
	if err != nil {
		t.Fatal(err)
	}
	samples, err := fit.Load(&lines)
	if err != nil {
		t.Fatal(err)
	}
	evalSays := map[string]string{} // by the copy's path
	for i := range samples {
		s := &samples[i]
		folder := s.Folder
		if s.Set == "misc" {
			folder = "misc" // misc/coffee.png is a folder of its own
		}
		evalSays[filepath.Join(copiedTo[folder], filepath.Base(s.File))] = fit.Outcome(s, nil, posture.DefaultParams())
	}

	code, stdout, stderr := run(t, "score", "--json", root)
	if code != 1 {
		t.Errorf("exit %d with an unreadable photo, want 1; stderr: %s", code, stderr)
	}
	if !strings.Contains(stderr, "1 of 85 photos and videos could not be read") || !strings.Contains(stderr, "skipped 1 file ") || !strings.Contains(stderr, stray) {
		t.Errorf("stderr does not name the unreadable photo's count and the skipped one:\n%s", stderr)
	}
	var card fit.Scorecard
	if err := json.Unmarshal([]byte(stdout), &card); err != nil {
		t.Fatalf("not a JSON scorecard: %v\n%s", err, stdout)
	}
	right, goodBad := 0, 0
	for _, j := range card.Photos {
		if j.Path == broken {
			if j.Judged != fit.OutcomeError || j.Expected != fit.ClassGood || j.Error == "" {
				t.Errorf("the truncated photo: %+v, want an error scored against good", j)
			}
			continue
		}
		want, ok := evalSays[j.Path]
		if !ok {
			t.Errorf("%s: scored, but not among the development frames", j.Path)
			continue
		}
		if j.Judged != want {
			t.Errorf("%s: judged %s, make eval says %s (%s)", j.Path, j.Judged, want, j.Why)
		}
		if j.Right() {
			right++
		}
		if j.Expected == fit.ClassGood && (j.Judged == fit.ClassSitUp || j.Judged == fit.ClassStraighten) {
			goodBad++
		}
	}
	a := card.All
	if a.Photos != 85 || len(card.Photos) != 85 || a.Correct != right || a.Errors != 1 || a.Good != 33 || a.Person != 84 {
		t.Errorf("all: %+v over %d photos, want 85 (32 + 1 good, 33 + 18 sit up straight, 1 away), %d right, 1 error", a, len(card.Photos), right)
	}
	if a.GoodCalledBad != goodBad {
		t.Errorf("good called bad: %d, want %d", a.GoodCalledBad, goodBad)
	}
	if len(card.Sets) != 2 || card.Sets[0].Set != filepath.Join(root, "masked") || card.Sets[0].Photos != 20 || card.Sets[1].Photos != 65 {
		t.Errorf("sets: %+v, want masked (20) and sitter (65)", card.Sets)
	}
	if n := card.Confusion[fit.ClassSitUp][fit.ClassSitUp] + card.Confusion[fit.ClassSitUp][fit.ClassGood] + card.Confusion[fit.ClassSitUp][fit.ClassStraighten]; n != 51 {
		t.Errorf("confusion %v: the 51 sit-up photos not all judged", card.Confusion)
	}
	t.Logf("%d of %d right; the sit-up row %v", a.Correct, a.Photos, card.Confusion[fit.ClassSitUp])

	// the readable table says the same
	code, stdout, _ = run(t, "score", filepath.Join(root, "sitter"))
	if code != 0 {
		t.Errorf("exit %d on readable photos, want 0", code)
	}
	for _, s := range []string{"65 photos scored: 32 good, 33 sit_up_straight", "good photos called bad: ", "confusion (rows: the folder's class; columns: judged)"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("the table lacks %q:\n%s", s, stdout)
		}
	}
}

// Nothing to score is an error, not an empty scorecard, until --class says
// what the folder's name means; no folder, or a --class that names no
// class, is a usage error.
func TestScoreNeedsLabelledPhotos(t *testing.T) {
	d := dataDir(t)
	needModel(t)
	root := t.TempDir()
	copyInto(t, filepath.Join(root, "photos"), filepath.Join(d, "misc", "grace_hopper.jpg"))
	code, stdout, stderr := run(t, "score", root)
	if code != 1 || stdout != "" || !strings.Contains(stderr, "nothing to score") {
		t.Errorf("photos in no class folder: exit %d, stdout %q, stderr %q; want 1 and the folders' names", code, stdout, stderr)
	}
	// the data set's own folder name, given its class
	code, stdout, stderr = run(t, "score", "--class", "photos=good", root)
	if code != 0 || !strings.Contains(stdout, "1 photo scored: 1 good") {
		t.Errorf("--class photos=good: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	for _, bad := range []string{"photos", "photos=slouching", "=good"} {
		if code, _, stderr := run(t, "score", "--class", bad, root); code != 2 || !strings.Contains(stderr, "--class") {
			t.Errorf("--class %s: exit %d, %q; want 2", bad, code, stderr)
		}
	}
	if code, _, stderr := run(t, "score"); code != 2 || !strings.Contains(stderr, "no DIR given") {
		t.Errorf("no DIR: exit %d, %q", code, stderr)
	}
	if code, _, stderr := run(t, "score", filepath.Join(root, "nothing-here")); code != 1 || !strings.Contains(stderr, "no such file or directory") {
		t.Errorf("a missing DIR: exit %d, %q", code, stderr)
	}
}

// A video in a class folder is played as a sitting, as replay plays it,
// and scored by the nudges it drew: sitting well (here the clip of sitting,
// leaving and coming back) must draw none, a slump (the clip's 40 s of a
// head forward) one of its class. The nudges are replay's, to the tenth of
// a second; an unplayable video is scored wrong and the exit code is 1.
func TestScoreVideosAsSittings(t *testing.T) {
	forward, away := replayClip(t, "forward-head-session.mp4"), replayClip(t, "away-and-back.mp4")
	root := t.TempDir()
	copyInto(t, filepath.Join(root, "good"), away)
	copyInto(t, filepath.Join(root, "sit_up_straight"), forward)
	copyInto(t, filepath.Join(root, "good", "broken"), filepath.Join(dataDir(t), "bad", "truncated.mp4"))

	code, stdout, stderr := run(t, "score", "--json", root)
	if code != 1 {
		t.Errorf("exit %d with an unplayable video, want 1; stderr %s", code, stderr)
	}
	var card fit.Scorecard
	if err := json.Unmarshal([]byte(stdout), &card); err != nil {
		t.Fatalf("not a JSON scorecard: %v\n%s", err, stdout)
	}
	if card.All.Photos != 0 || len(card.Sessions) != 3 {
		t.Fatalf("%d photos and %d sessions, want the 3 videos as sessions", card.All.Photos, len(card.Sessions))
	}
	want := map[string][]fit.Nudge{}
	for _, clip := range []string{forward, away} {
		ns := []fit.Nudge{}
		for _, l := range linesOf(replayJSON(t, clip), "nudge") {
			ns = append(ns, fit.Nudge{Fault: domain.FaultName(l.Fault), AtS: l.TS})
		}
		want[filepath.Base(clip)] = ns
	}
	if len(want["forward-head-session.mp4"]) == 0 || len(want["away-and-back.mp4"]) != 0 {
		t.Fatalf("replay's nudges %v: the premise changed", want)
	}
	for _, s := range card.Sessions {
		base := filepath.Base(s.Path)
		if base == "truncated.mp4" {
			if s.Error == "" || s.Right() || s.Expected != fit.ClassGood {
				t.Errorf("the truncated video: %+v, want an error scored against good", s)
			}
			continue
		}
		if !s.Right() || s.Seconds < 39 {
			t.Errorf("%s (%s): %v in %.0f s, not right", base, s.Expected, s.Nudges, s.Seconds)
		}
		got := s.Nudges
		if len(got) != len(want[base]) {
			t.Errorf("%s: nudges %v, replay gives %v", base, got, want[base])
			continue
		}
		for i := range got {
			if got[i].Fault != want[base][i].Fault || math.Abs(got[i].AtS-want[base][i].AtS) > 0.05 {
				t.Errorf("%s: nudges %v, replay gives %v", base, got, want[base])
			}
		}
	}
	v := card.Videos
	if v.Videos != 3 || v.Right != 2 || v.Good != 2 || v.GoodNudged != 0 || v.Bad != 1 || v.BadNudged != 1 || v.Errors != 1 {
		t.Errorf("videos: %+v", v)
	}

	// the readable scorecard says it in words
	_, stdout, _ = run(t, "score", filepath.Join(root, "sit_up_straight"))
	for _, s := range []string{"videos played as sittings: 1, 1 of them as their folders say", "sitting badly nudged for it: 1 of 1 videos"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("the scorecard lacks %q:\n%s", s, stdout)
		}
	}
}
