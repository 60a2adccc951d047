package main

import (
	"fmt"
	"image/color"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"

	"posturewatch/coach/domain"
)

// Most laptop cameras are 4:3 or 16:9, and the body model sees the whole
// width: a sitter framed the same against the frame's height is 0.75 or
// 0.56 times as large in its input as in a square frame, and it places the
// shoulders lower and wider on them (make eval's wide-4:3 and wide-16:9
// rows: single slumped photos are caught far less often than as taken). A
// session learns the camera's view from the sitter's own upright minutes,
// through the same camera, and judges the change since: slouch-or-not's
// two sittings (square photos) widened to 4:3 and 16:9 by the frame's edge
// repeated at each side, as the slump sessions of
// TestReplaySlumpAfterSittingWellIsNudged play them. Sitting well is not
// nudged, and the slump is, once: his middle sitting 22 s into it, as taken;
// his high sitting through the wider cameras at 22 s (16:9) and 43.5 s
// (4:3), and read as sunk for 7.5 and 5 s of its two minutes (64.5 s as
// taken): the view catches the slump's start, and the smaller sitter's
// later slumped photos read close to it. Measured 2026-12-07.
func TestReplayWideCameraSittingWell(t *testing.T) {
	needModel(t)
	for _, sitting := range []string{"middle", "high"} {
		for _, aspect := range []float64{4.0 / 3, 16.0 / 9} {
			t.Run(fmt.Sprintf("%s sitting, %s", sitting, aspectName(aspect)), func(t *testing.T) {
				up, _ := filepath.Glob(filepath.Join(dataDir(t), "slouch-or-not", "upright", sitting+"-*.jpg"))
				if len(up) < 10 {
					t.Skipf("only %d upright frames of slouch-or-not's %s sitting", len(up), sitting)
				}
				frames := widenedTo(t, readFrames(t, up), aspect)
				const hold = 2 // s
				expectHeldSittingWell(t, frames, hold, max(1, 120/(hold*len(frames))), 10)
			})
		}
	}
}

// The slump sessions of TestReplayWideCameraSittingWell's note: two
// minutes upright, then two slumped, each photo held 2 s.
func TestReplayWideCameraSlumpIsNudged(t *testing.T) {
	needModel(t)
	for _, sitting := range []string{"middle", "high"} {
		for _, aspect := range []float64{4.0 / 3, 16.0 / 9} {
			t.Run(fmt.Sprintf("%s sitting, %s", sitting, aspectName(aspect)), func(t *testing.T) {
				up, _ := filepath.Glob(filepath.Join(dataDir(t), "slouch-or-not", "upright", sitting+"-*.jpg"))
				sunk, _ := filepath.Glob(filepath.Join(dataDir(t), "slouch-or-not", "slouching", sitting+"-*.jpg"))
				if len(up) < 10 || len(sunk) < 10 {
					t.Skipf("%d upright and %d slumped frames of slouch-or-not's %s sitting", len(up), len(sunk), sitting)
				}
				upright, slumped := widenedTo(t, readFrames(t, up), aspect), widenedTo(t, readFrames(t, sunk), aspect)
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
					t.Fatalf("want one nudge, in the slump (from %d s); got %+v", phase, nudges)
				}
				// The coach's onset is 20 s; the high sitting's slump through
				// a 4:3 camera is nudged 43.5 s in (see above).
				const from, to = 15, 50
				if n := nudges[0]; n.TS < phase+from || n.TS > phase+to || !domain.FaultName(n.Fault).SitUp() {
					t.Errorf("nudge %s at %.1f s, want a sit-up fault %d–%d s after the slump began at %d s", n.Fault, n.TS, from, to, phase)
				}
				if s := linesOf(ls, "summary"); len(s) != 1 || s[0].Learnt == nil || *s[0].Learnt > phase {
					t.Errorf("summary %+v: want the camera's view learnt while he sat well", s)
				}
			})
		}
	}
}

// widenedTo is each frame widened to the aspect (width over height) by its
// side edges repeated outwards, closed when the test ends: a wider camera
// framing the same sitter the same size against the height.
func widenedTo(t *testing.T, frames []gocv.Mat, aspect float64) []gocv.Mat {
	t.Helper()
	out := make([]gocv.Mat, len(frames))
	for i, f := range frames {
		pad := max(0, int(float64(f.Rows())*aspect+0.5)-f.Cols())
		m := gocv.NewMat()
		gocv.CopyMakeBorder(f, &m, 0, 0, pad/2, pad-pad/2, gocv.BorderReplicate, color.RGBA{})
		out[i] = closedWithTest(t, m)
	}
	return out
}

func aspectName(aspect float64) string {
	if aspect > 1.5 {
		return "a 16:9 camera"
	}
	return "a 4:3 camera"
}
