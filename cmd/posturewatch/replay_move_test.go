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
	var files []string
	n := 0
	for _, r := range recs[1:] {
		if len(r) < 2 || r[1] != "grey-sweatshirt" || filepath.Dir(r[0]) != "good" {
			continue
		}
		if n++; n%2 == 1 {
			files = append(files, filepath.Join(dir, r[0]))
		}
	}
	frames := readFrames(t, files)
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

// A calibration made before the camera moved is called stale at the move,
// before it can nudge. The masked person calibrates on her upright frames;
// the session then shows the same frames through a camera tilted up (the
// picture shifted down by an eighth of its height): the face keeps its size,
// which the coach's own check of the metrics wants changed, so only the room
// behind her tells. Without it, the stale calibration read her eyes' drop as
// a head dropped forward and the coach nudged her at 41.5 s.
func TestReplayCalibrationStaleAfterACameraMove(t *testing.T) {
	needModel(t)
	dir := filepath.Join(dataDir(t), "neck-forward", "4-upright")
	names, err := filepath.Glob(filepath.Join(dir, "*.jpg"))
	if err != nil || len(names) < 10 {
		t.Skipf("neck-forward/4-upright: %d frames (%v)", len(names), err)
	}
	profile := filepath.Join(t.TempDir(), "desk.json")
	if code, _, errOut := run(t, "calibrate", "--out", profile, dir); code != 0 {
		t.Fatalf("calibrate exit %d: %s", code, errOut)
	}
	// Each upright frame, and a copy through a camera tilted up (the
	// picture shifted down by an eighth of its height).
	upright := readFrames(t, names)
	var tilted []gocv.Mat
	for _, m := range upright {
		tilted = append(tilted, closedWithTest(t, shifted(m, 0, float64(m.Rows())/8)))
	}
	// 20 s as calibrated, then 100 s through the tilted camera, each frame
	// held 2 s.
	const fps, hold = 5, 2
	clip := writeClip(t, fps, fps*120, 10, func(i int) gocv.Mat {
		s := i / fps
		k := (s / hold) % len(upright)
		if s >= 20 {
			return tilted[k]
		}
		return upright[k]
	})
	ls := replayJSON(t, "--baseline", profile, clip)
	rc := linesOf(ls, "recalibrate")
	if len(rc) != 1 || rc[0].TS < 20 || rc[0].TS > 30 {
		t.Errorf("want one recalibrate suggestion 20–30 s in (the camera tilted at 20 s), got %+v", rc)
	}
	if nudges := linesOf(ls, "nudge"); len(nudges) != 0 {
		t.Errorf("nudged %d times on good sitting with a stale calibration: %+v", len(nudges), nudges)
	}
}
