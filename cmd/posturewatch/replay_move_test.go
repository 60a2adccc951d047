package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"
)

// Someone sitting well is not nudged when the camera is moved. grey-
// sweatshirt's good frames of desk-three-people, in the order of its
// people.csv, were taken from several camera places (the laptop moved
// between them). Played as a session (every second frame, each held a
// second at 5 frames a second), the view learnt from the first place called
// her sinking from the second, and the coach said so at 56 s. The room
// behind her now tells the judge the camera moved, and it learns afresh.
func TestReplayNoNudgeAcrossACameraMove(t *testing.T) {
	needModel(t)
	dir := filepath.Join(dataDir(t), "desk-three-people")
	f, err := os.Open(filepath.Join(dir, "people.csv"))
	if err != nil {
		t.Skipf("desk-three-people: %v", err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var frames []gocv.Mat
	defer func() {
		for _, m := range frames {
			m.Close()
		}
	}()
	n := 0
	for _, r := range recs[1:] {
		if len(r) < 2 || r[1] != "grey-sweatshirt" || filepath.Dir(r[0]) != "good" {
			continue
		}
		if n++; n%2 == 0 {
			continue
		}
		m := gocv.IMRead(filepath.Join(dir, r[0]), gocv.IMReadColor)
		if m.Empty() {
			m.Close()
			t.Fatalf("%s: not an image", r[0])
		}
		frames = append(frames, m)
	}
	if len(frames) < 100 {
		t.Skipf("only %d of grey-sweatshirt's good frames", len(frames))
	}
	const fps = 5
	clip := writeClip(t, fps, fps*len(frames), 10, func(i int) gocv.Mat { return frames[i/fps] })
	ls := replayJSON(t, clip)
	if nudges := linesOf(ls, "nudge"); len(nudges) != 0 {
		t.Errorf("nudged %d times on good sitting across camera moves: %+v", len(nudges), nudges)
	}
}
