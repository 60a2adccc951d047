package vision

import (
	"math"
	"testing"
)

// synthHeads builds model outputs for one person whose centre is at cell
// (cy,cx) and whose keypoint k sits at cell kp[k] plus a sub-cell offset.
func synthHeads(cy, cx int, kp [NumKeypoints][2]int, off [2]float32) Heads {
	const n, plane = HeatmapSize, HeatmapSize * HeatmapSize
	h := Heads{
		Heatmaps: make([]float32, NumKeypoints*plane),
		Center:   make([]float32, plane),
		Regress:  make([]float32, 2*NumKeypoints*plane),
		Offsets:  make([]float32, 2*NumKeypoints*plane),
	}
	h.Center[cy*n+cx] = 0.9
	for k := 0; k < NumKeypoints; k++ {
		h.Regress[(2*k)*plane+cy*n+cx] = float32(kp[k][0] - cy)
		h.Regress[(2*k+1)*plane+cy*n+cx] = float32(kp[k][1] - cx)
		h.Heatmaps[k*plane+kp[k][0]*n+kp[k][1]] = 0.8
		h.Offsets[(2*k)*plane+kp[k][0]*n+kp[k][1]] = off[0]
		h.Offsets[(2*k+1)*plane+kp[k][0]*n+kp[k][1]] = off[1]
	}
	return h
}

func TestDecodeFindsKeypointsWithOffsets(t *testing.T) {
	var kp [NumKeypoints][2]int
	for k := range kp {
		kp[k] = [2]int{10 + k, 20 + k/2}
	}
	h := synthHeads(24, 22, kp, [2]float32{0.25, -0.5})
	got := Decode(h)
	for k, g := range got {
		wy := (float64(kp[k][0]) + 0.25) * cellScale
		wx := (float64(kp[k][1]) - 0.5) * cellScale
		if math.Abs(g.Y-wy) > 1e-6 || math.Abs(g.X-wx) > 1e-6 || math.Abs(g.Score-0.8) > 1e-6 {
			t.Errorf("keypoint %d: got (%.4f,%.4f,%.2f), want (%.4f,%.4f,0.80)", k, g.X, g.Y, g.Score, wx, wy)
		}
	}
}

// The reference decoder prefers the person nearest the middle and, for each
// keypoint, the heatmap peak nearest that person's regressed position.
func TestDecodePrefersCentralPersonAndNearPeaks(t *testing.T) {
	const n, plane = HeatmapSize, HeatmapSize * HeatmapSize
	var kp [NumKeypoints][2]int
	for k := range kp {
		kp[k] = [2]int{20, 24}
	}
	h := synthHeads(24, 24, kp, [2]float32{})
	// A second, slightly stronger person near the edge.
	h.Center[2*n+2] = 1.0
	// A stronger distractor peak for keypoint 0 far from the regressed spot.
	h.Heatmaps[0*plane+44*n+44] = 0.95
	got := Decode(h)
	if math.Abs(got[0].Y-20*cellScale) > 1e-6 || math.Abs(got[0].X-24*cellScale) > 1e-6 {
		t.Fatalf("keypoint 0 at (%.3f,%.3f): the far peak or the edge person won", got[0].X, got[0].Y)
	}
}

func TestLetterboxRoundTrip(t *testing.T) {
	for _, sz := range [][2]int{{960, 540}, {224, 224}, {480, 640}, {1920, 1080}, {100, 50}} {
		lb := NewLetterbox(sz[0], sz[1])
		if lb.W > InputSize || lb.H > InputSize || (lb.W != InputSize && lb.H != InputSize) {
			t.Errorf("%v: resized to %dx%d, want one side %d", sz, lb.W, lb.H, InputSize)
		}
		// The frame's corners map to the resized frame's corners in the square.
		x, y := lb.ToSource(float64(lb.PadX)/InputSize, float64(lb.PadY)/InputSize)
		if math.Abs(x) > 1e-9 || math.Abs(y) > 1e-9 {
			t.Errorf("%v: top-left maps to (%.3f,%.3f)", sz, x, y)
		}
		x, y = lb.ToSource(float64(lb.PadX+lb.W)/InputSize, float64(lb.PadY+lb.H)/InputSize)
		if math.Abs(x-float64(sz[0])) > float64(sz[0])/InputSize || math.Abs(y-float64(sz[1])) > float64(sz[1])/InputSize {
			t.Errorf("%v: bottom-right maps to (%.1f,%.1f)", sz, x, y)
		}
	}
}

func TestCentreWeightMatchesGraphTable(t *testing.T) {
	// Values read from the graph's float16 table (models/DECODER.md).
	for _, c := range []struct {
		y, x int
		want float64
	}{{24, 24, 0.5556640625}, {0, 0, 0.02798462}, {23, 23, 0.31103516}, {0, 23, 0.038726807}} {
		if got := centreWeight[c.y*HeatmapSize+c.x]; math.Abs(got-c.want) > 1e-7 {
			t.Errorf("weight(%d,%d) = %.9f, want %.9f", c.y, c.x, got, c.want)
		}
	}
}
