package main

import (
	"image"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"

	"posturewatch/coach/domain"
)

// Someone who sits well for two minutes and then slumps for two is nudged
// once, soon into the slump, and not before: slouch-or-not's two sittings,
// each upright photo then each slumped one held 2 s in turn, and his middle
// sitting framed at the shoulder line (the top 63 % of each photo, his
// upright shoulders at the bottom edge; slumped, they sink out of it).
// Against the view learnt from his upright minutes every slumped frame of
// the middle sitting is bad at full severity, but the sit-up score names 16
// of its 19 photos a head forward and 3 sunk in the chair; while the coach
// timed the two apart, each name's median fell under exit at every switch
// and the slump went without a nudge (coach's shared sit-up track). Framed
// at the shoulder line, the slumped frames that lost the shoulders were
// judged "close to how you sat best lately" although his eyes sat an eye
// width lower (posture's sunkWithoutShoulders). His high sitting so framed
// shows no shoulder while he sits well, so no view of the shoulders comes:
// until a view of his face alone was learnt (posture's Learner.FaceView),
// his slump was judged by the defaults, on the face alone, and went without
// a nudge.
func TestReplaySlumpAfterSittingWellIsNudged(t *testing.T) {
	needModel(t)
	for _, c := range []struct {
		name, sitting string
		keep          float64 // the share of each photo's height kept, from the top
		from, to      float64 // seconds into the slump the nudge comes within
		faceAlone     bool    // the view is of the face alone (no shoulder shows upright)
	}{
		{"middle", "middle", 1, 15, 30, false},
		{"high", "high", 1, 15, 30, false},
		{"middle framed at the shoulder line", "middle", 0.63, 5, 30, false},
		// His high sitting so framed shows no shoulder upright: the view
		// is of his face alone, and his eyes sink below it.
		{"high framed at the shoulder line", "high", 0.63, 15, 30, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			up, sunk := slouchOrNotSitting(t, c.sitting)
			s := upThenSlumped(t, topOf(t, up, c.keep), topOf(t, sunk, c.keep), c.from, c.to)
			view, kind := s.Learnt, "the camera's view"
			if c.faceAlone {
				view, kind = s.FaceView, "a view of his face alone"
			}
			if view == nil || *view > slumpPhase {
				t.Errorf("summary %+v: want %s learnt while he sat well", s, kind)
			}
		})
	}
}

// slumpPhase is how long the slump sessions sit well before the slump (s).
const slumpPhase = 120

// slouchOrNotSitting is slouch-or-not's upright and slumped photos of one
// sitting (middle, high), closed when the test ends, or the test is
// skipped.
func slouchOrNotSitting(t *testing.T, sitting string) (upright, slumped []gocv.Mat) {
	t.Helper()
	up, _ := filepath.Glob(filepath.Join(dataDir(t), "slouch-or-not", "upright", sitting+"-*.jpg"))
	sunk, _ := filepath.Glob(filepath.Join(dataDir(t), "slouch-or-not", "slouching", sitting+"-*.jpg"))
	if len(up) < 10 || len(sunk) < 10 {
		t.Skipf("%d upright and %d slumped frames of slouch-or-not's %s sitting", len(up), len(sunk), sitting)
	}
	return readFrames(t, up), readFrames(t, sunk)
}

// upThenSlumped plays slumpPhase seconds of the upright frames and then as
// long of the slumped ones, each held 2 s, at 2 frames a second, checks
// that the session is nudged once, for a sit-up fault, from to to seconds
// into the slump, and returns its summary.
func upThenSlumped(t *testing.T, upright, slumped []gocv.Mat, from, to float64) replayLine {
	t.Helper()
	const fps, hold = 2, 2 // frames a second, s
	clip := writeClip(t, fps, 2*fps*slumpPhase, 10, func(i int) gocv.Mat {
		k := i / (fps * hold)
		if i < fps*slumpPhase {
			return upright[k%len(upright)]
		}
		return slumped[k%len(slumped)]
	})
	ls := replayJSON(t, clip)
	nudges := linesOf(ls, "nudge")
	if len(nudges) != 1 {
		t.Fatalf("want one nudge, soon into the slump (from %d s); got %+v", slumpPhase, nudges)
	}
	if n := nudges[0]; n.TS < slumpPhase+from || n.TS > slumpPhase+to || !domain.FaultName(n.Fault).SitUp() {
		t.Errorf("nudge %s at %.1f s, want a sit-up fault %.0f–%.0f s after the slump began at %d s", n.Fault, n.TS, from, to, slumpPhase)
	}
	s := linesOf(ls, "summary")
	if len(s) != 1 {
		t.Fatalf("summaries %+v, want one", s)
	}
	return s[0]
}

// topOf is each frame's top share of its height (all of it at 1), closed
// when the test ends.
func topOf(t *testing.T, frames []gocv.Mat, share float64) []gocv.Mat {
	t.Helper()
	if share >= 1 {
		return frames
	}
	out := make([]gocv.Mat, len(frames))
	for i, f := range frames {
		top := f.Region(image.Rect(0, 0, f.Cols(), int(float64(f.Rows())*share)))
		out[i] = closedWithTest(t, top.Clone())
		top.Close()
	}
	return out
}
