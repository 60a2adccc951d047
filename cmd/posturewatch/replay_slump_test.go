package main

import (
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"

	"posturewatch/coach/domain"
)

// Someone who sits well for two minutes and then slumps for two is nudged
// once, about 20 s into the slump, and not before: slouch-or-not's two
// sittings, each upright photo then each slumped one held 2 s in turn.
// Against the view learnt from his upright minutes, every slumped frame of
// the middle sitting is bad at full severity, but the sit-up score names 16
// of its 19 photos a head forward and 3 sunk in the chair; while the coach
// timed the two apart, each name's median fell under exit at every switch
// and the slump went without a nudge (coach's shared sit-up track).
func TestReplaySlumpAfterSittingWellIsNudged(t *testing.T) {
	needModel(t)
	for _, sitting := range []string{"middle", "high"} {
		t.Run(sitting, func(t *testing.T) {
			up, _ := filepath.Glob(filepath.Join(dataDir(t), "slouch-or-not", "upright", sitting+"-*.jpg"))
			sunk, _ := filepath.Glob(filepath.Join(dataDir(t), "slouch-or-not", "slouching", sitting+"-*.jpg"))
			if len(up) < 10 || len(sunk) < 10 {
				t.Skipf("%d upright and %d slumped frames of slouch-or-not's %s sitting", len(up), len(sunk), sitting)
			}
			upright, slumped := readFrames(t, up), readFrames(t, sunk)
			const fps, hold, phase = 2, 2, 120 // s
			clip := writeClip(t, fps, 2*fps*phase, 10, func(i int) gocv.Mat {
				k := i / (fps * hold)
				if i < fps*phase {
					return upright[k%len(upright)]
				}
				return slumped[k%len(slumped)]
			})
			ls := replayJSON(t, clip)
			nudges := linesOf(ls, "nudge")
			if len(nudges) != 1 {
				t.Fatalf("want one nudge, about 20 s into the slump (from %d s); got %+v", phase, nudges)
			}
			n := nudges[0]
			if n.TS < phase+15 || n.TS > phase+30 || !domain.FaultName(n.Fault).SitUp() {
				t.Errorf("nudge %s at %.1f s, want a sit-up fault 15–30 s after the slump began at %d s", n.Fault, n.TS, phase)
			}
			if s := linesOf(ls, "summary"); len(s) != 1 || s[0].Learnt == nil || *s[0].Learnt > phase {
				t.Errorf("summary %+v: want the camera's view learnt while he sat well", s)
			}
		})
	}
}
