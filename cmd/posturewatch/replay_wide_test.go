package main

import (
	"image/color"
	"testing"

	"gocv.io/x/gocv"
)

// Most laptop cameras are 4:3 or 16:9, and the body model sees the whole
// width: a sitter framed the same against the frame's height is 0.75 or
// 0.56 times as large in its input as in a square frame, and it places the
// shoulders lower and wider on them (make eval's wide-4:3 and wide-16:9
// rows: single slumped photos are caught far less often than as taken). A
// session learns the camera's view from the sitter's own upright minutes,
// through the same camera, and judges the change since: slouch-or-not's
// two sittings (square photos) widened to 4:3 and 16:9 by the frame's edge
// repeated at each side. Sitting well (each photo held 2 s for two
// minutes) is not nudged; sitting well and then slumping, as
// TestReplaySlumpAfterSittingWellIsNudged plays it, is nudged once: his
// middle sitting 22 s into the slump, as taken; his high sitting through
// the wider cameras at 22 s (16:9) and 43.5 s (4:3), and read as sunk for
// 7.5 and 5 s of its two minutes (64.5 s as taken): the view catches the
// slump's start, and the smaller sitter's later slumped photos read close
// to it. Widened by a plain band of the edge's colour instead (as make
// eval's copies, vision's widened), the middle sitting's slump is nudged
// as here, but the high sitting's is not, at either width: what stands
// beside the sitter moves the reading of a slump this near the line.
// Measured 2026-12-07.
func TestReplayWideCamera(t *testing.T) {
	needModel(t)
	for _, c := range []struct {
		name    string
		sitting string
		aspect  float64
	}{
		{"middle sitting, a 4:3 camera", "middle", 4.0 / 3},
		{"middle sitting, a 16:9 camera", "middle", 16.0 / 9},
		{"high sitting, a 4:3 camera", "high", 4.0 / 3},
		{"high sitting, a 16:9 camera", "high", 16.0 / 9},
	} {
		t.Run(c.name, func(t *testing.T) {
			up, sunk := slouchOrNotSitting(t, c.sitting)
			upright, slumped := widenedTo(t, up, c.aspect), widenedTo(t, sunk, c.aspect)
			t.Run("sitting well", func(t *testing.T) {
				const hold = 2 // s
				expectHeldSittingWell(t, upright, hold, max(1, 120/(hold*len(upright))), 10)
			})
			t.Run("slumped after", func(t *testing.T) {
				// The coach's onset is 20 s; the high sitting's slump through
				// a 4:3 camera is nudged 43.5 s in (see above).
				s := upThenSlumped(t, upright, slumped, 15, 50)
				if s.Learnt == nil || *s.Learnt > slumpPhase {
					t.Errorf("summary %+v: want the camera's view learnt while he sat well", s)
				}
			})
		})
	}
}

// widenedTo is each frame widened to the aspect (width over height) by its
// side edges repeated outwards, closed when the test ends: a wider camera
// framing the same sitter the same size against the height, the room
// beside him continued rather than a plain wall (vision's widened; see
// TestReplayWideCamera for what the two do to his high sitting's slump).
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
