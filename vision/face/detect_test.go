package face

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// faceValues builds an anchor's 16 values: centre offset, size, and six
// landmark offsets, all relative to the anchor centre in input pixels.
func faceValues(dx, dy, w, h float32, lm [6][2]float32) (v [16]float32) {
	v[0], v[1], v[2], v[3] = dx, dy, w, h
	for k, p := range lm {
		v[4+2*k], v[5+2*k] = p[0], p[1]
	}
	return v
}

var uprightLandmarks = [6][2]float32{{-10, -8}, {10, -8}, {0, 4}, {0, 16}, {-22, -2}, {22, -2}}

func TestDecodeOneHotAnchorLandscape(t *testing.T) {
	// 640×480 → 256×192 at scale 0.4, padded 32 px at the top.
	lb := mustLetterbox(t, 640, 480)
	h := newHeads(-10)
	// 16×16 head, cell x=5 y=6, anchor 1: index (6·16+5)·2+1 = 203, centre (88, 104).
	h.set(203, 2, faceValues(4, -2, 40, 48, uprightLandmarks))
	dets := h.decode(t, lb, DefaultDetectOptions())
	if len(dets) != 1 {
		t.Fatalf("got %d detections, want 1: %+v", len(dets), dets)
	}
	d := dets[0]
	if d.Anchor != 203 {
		t.Errorf("Anchor = %d, want 203", d.Anchor)
	}
	assertNear(t, "Score", d.Score, 1/(1+math.Exp(-2)), 1e-12)
	// Box centre (92, 102) input → ((92−0)/0.4, (102−32)/0.4) = (230, 175);
	// size 40×48 input → 100×120 source.
	want := Box{180, 115, 280, 235}
	for i, pair := range [][2]float64{{d.Box.MinX, want.MinX}, {d.Box.MinY, want.MinY}, {d.Box.MaxX, want.MaxX}, {d.Box.MaxY, want.MaxY}} {
		assertNear(t, []string{"MinX", "MinY", "MaxX", "MaxY"}[i], pair[0], pair[1], 1e-9)
	}
	// Landmarks: anchor (88, 104) + offset, then unletterboxed.
	for k, off := range uprightLandmarks {
		in := Point{88 + float64(off[0]), 104 + float64(off[1])}
		assertPoint(t, "landmark", d.Landmarks[k], Point{in.X / 0.4, (in.Y - 32) / 0.4}, 1e-9)
	}
	assertPoint(t, "right eye", d.Landmark(RightEye), Point{195, 160}, 1e-9)
}

func TestDecodeOneHotAnchorPortraitCoarseHead(t *testing.T) {
	// 480×640 → 192×256 at scale 0.4, padded 32 px on the left.
	lb := mustLetterbox(t, 480, 640)
	h := newHeads(-10)
	// 8×8 head, cell x=3 y=4, anchor 4: index 512+(4·8+3)·6+4 = 726, centre (112, 144).
	h.set(726, 5, faceValues(-6, 10, 60, 70, uprightLandmarks))
	dets := h.decode(t, lb, DefaultDetectOptions())
	if len(dets) != 1 || dets[0].Anchor != 726 {
		t.Fatalf("got %+v, want one detection from anchor 726", dets)
	}
	d := dets[0]
	// Centre (106, 154) input → ((106−32)/0.4, 154/0.4) = (185, 385); 150×175.
	assertPoint(t, "box min", Point{d.Box.MinX, d.Box.MinY}, Point{110, 297.5}, 1e-9)
	assertPoint(t, "box max", Point{d.Box.MaxX, d.Box.MaxY}, Point{260, 472.5}, 1e-9)
	assertPoint(t, "nose", d.Landmarks[Nose], Point{(112 - 32) / 0.4, (144 + 4) / 0.4}, 1e-9)
	assertPoint(t, "mouth", d.Landmarks[Mouth], Point{200, 400}, 1e-9)
}

func TestDecodeNegativeSizeTakenByMagnitude(t *testing.T) {
	lb := mustLetterbox(t, 256, 256)
	h := newHeads(-10)
	h.set(0, 3, faceValues(0, 0, -20, -30, uprightLandmarks))
	dets := h.decode(t, lb, DefaultDetectOptions())
	if len(dets) != 1 {
		t.Fatalf("got %d detections", len(dets))
	}
	assertNear(t, "width", dets[0].Box.Width(), 20, 1e-12)
	assertNear(t, "height", dets[0].Box.Height(), 30, 1e-12)
}

func TestDecodeNothingAboveThreshold(t *testing.T) {
	h := newHeads(-10)
	// sigmoid(−2) ≈ 0.12 < 0.2.
	h.set(100, -2, faceValues(0, 0, 30, 30, uprightLandmarks))
	if dets := h.decode(t, mustLetterbox(t, 640, 480), DefaultDetectOptions()); len(dets) != 0 {
		t.Fatalf("got %d detections, want 0", len(dets))
	}
}

func TestNMSKeepsBestOfOverlapping(t *testing.T) {
	lb := mustLetterbox(t, 256, 256)
	h := newHeads(-10)
	// Anchors 0 and 2 are cells (0,0) and (1,0), centres 16 px apart; boxes
	// 60×60 around nearly the same point overlap heavily.
	h.set(0, 1, faceValues(20, 20, 60, 60, uprightLandmarks))  // centre (28, 28)
	h.set(2, 3, faceValues(2, 22, 60, 60, uprightLandmarks))   // centre (26, 30), better
	h.set(3, 2, faceValues(-10, 18, 58, 62, uprightLandmarks)) // centre (14, 26), middle score
	dets := h.decode(t, lb, DefaultDetectOptions())
	if len(dets) != 1 || dets[0].Anchor != 2 {
		t.Fatalf("got %+v, want only anchor 2", dets)
	}
}

func TestNMSKeepsSeparateFacesSortedByScore(t *testing.T) {
	lb := mustLetterbox(t, 640, 480)
	h := newHeads(-10)
	h.set(40, 1.5, faceValues(0, 0, 40, 40, uprightLandmarks))  // cell (4,1): centre (72, 24)
	h.set(300, 4, faceValues(0, 0, 40, 40, uprightLandmarks))   // cell (6,9): centre (104, 152)
	h.set(800, 2.5, faceValues(0, 0, 50, 50, uprightLandmarks)) // 8×8 cell (0,6): centre (16, 208)
	dets := h.decode(t, lb, DefaultDetectOptions())
	if len(dets) != 3 {
		t.Fatalf("got %d detections, want 3", len(dets))
	}
	for i, a := range []int{300, 800, 40} {
		if dets[i].Anchor != a {
			t.Errorf("detection %d from anchor %d, want %d", i, dets[i].Anchor, a)
		}
		if i > 0 && dets[i].Score > dets[i-1].Score {
			t.Errorf("not sorted by score: %v then %v", dets[i-1].Score, dets[i].Score)
		}
	}
	opts := DefaultDetectOptions()
	opts.MaxFaces = 1
	if dets := h.decode(t, lb, opts); len(dets) != 1 || dets[0].Anchor != 300 {
		t.Errorf("MaxFaces 1: got %+v, want only anchor 300", dets)
	}
}

func TestNMSThresholdIsInclusive(t *testing.T) {
	lb := mustLetterbox(t, 256, 256)
	// Two 40×40 boxes on one row, d px apart horizontally: IoU = (40−d)/(40+d).
	// d = 20 gives 1/3, d = 32 gives 8/72 ≈ 0.111, d = 34 gives 6/74 ≈ 0.081.
	for _, c := range []struct {
		dx   float32
		iou  float64
		kept int
	}{{20, 1.0 / 3, 1}, {32, 8.0 / 72, 1}, {34, 6.0 / 74, 2}} {
		h := newHeads(-10)
		h.set(34, 3, faceValues(0, 0, 40, 40, uprightLandmarks))       // cell (1,1): (24, 24)
		h.set(36, 2, faceValues(c.dx-16, 0, 40, 40, uprightLandmarks)) // cell (2,1): (40, 24)
		opts := DefaultDetectOptions()
		if dets := h.decode(t, lb, opts); len(dets) != c.kept {
			t.Errorf("IoU %.3f: kept %d, want %d", c.iou, len(dets), c.kept)
		}
		// Exactly at the threshold suppresses, as in TF.js (IoU ≥ threshold).
		opts.IoUThreshold = c.iou
		if dets := h.decode(t, lb, opts); len(dets) != 1 {
			t.Errorf("threshold = IoU %.3f: kept %d, want 1", c.iou, len(dets))
		}
	}
}

func TestDecodeWrongLengths(t *testing.T) {
	lb := mustLetterbox(t, 640, 480)
	h := newHeads(0)
	names := []string{"scores16", "boxes16", "scores8", "boxes8"}
	for i := range 4 {
		s := [][]float32{h.s16, h.b16, h.s8, h.b8}
		s[i] = s[i][:len(s[i])-1]
		_, err := DecodeDetections(s[0], s[1], s[2], s[3], lb, DefaultDetectOptions())
		if !errors.Is(err, ErrOutputSize) {
			t.Errorf("%s short: err = %v, want ErrOutputSize", names[i], err)
		} else if !strings.Contains(err.Error(), names[i]) {
			t.Errorf("error %q does not name %s", err, names[i])
		}
	}
	if _, err := DecodeDetections(nil, nil, nil, nil, lb, DefaultDetectOptions()); !errors.Is(err, ErrOutputSize) {
		t.Errorf("nil slices: err = %v", err)
	}
	if _, err := DecodeDetections(h.s16, h.b16, h.s8, h.b8, Letterbox{}, DefaultDetectOptions()); err == nil {
		t.Error("zero Letterbox: no error")
	}
}

func TestDecodeNonFiniteInputs(t *testing.T) {
	lb := mustLetterbox(t, 640, 480)
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	h := newHeads(nan) // every logit NaN
	if dets := h.decode(t, lb, DefaultDetectOptions()); len(dets) != 0 {
		t.Fatalf("all-NaN logits gave %d detections", len(dets))
	}
	h = newHeads(-10)
	h.set(10, inf, faceValues(0, 0, 30, 30, uprightLandmarks))   // +Inf logit: score 1
	h.set(200, -inf, faceValues(0, 0, 30, 30, uprightLandmarks)) // −Inf: score 0
	h.set(400, 8, faceValues(nan, 0, 30, 30, uprightLandmarks))  // NaN offset
	h.set(600, 8, faceValues(0, 0, inf, 30, uprightLandmarks))   // Inf size
	bad := uprightLandmarks
	h.set(700, 8, faceValues(0, 0, 30, 30, bad))
	h.b8[(2*16+9)*64+((700-512)/6)] = -inf                     // anchor 700 is a=2: landmark 2 y
	h.set(890, 1e30, faceValues(1e30, -1e30, 3e38, 3e38, bad)) // huge but finite
	dets := h.decode(t, lb, DetectOptions{MinScore: 0.2, IoUThreshold: 0.1})
	var anchors []int
	for _, d := range dets {
		anchors = append(anchors, d.Anchor)
		vals := []float64{d.Score, d.Box.MinX, d.Box.MinY, d.Box.MaxX, d.Box.MaxY}
		for _, p := range d.Landmarks {
			vals = append(vals, p.X, p.Y)
		}
		for _, v := range vals {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("detection %+v has a non-finite value", d)
			}
		}
	}
	if len(dets) != 2 || dets[0].Anchor != 10 || dets[1].Anchor != 890 {
		t.Fatalf("kept anchors %v, want [10 890]", anchors)
	}
	assertNear(t, "score of +Inf logit", dets[0].Score, 1, 0)
}

func TestSigmoidStable(t *testing.T) {
	for _, c := range []struct{ x, want float64 }{
		{0, 0.5}, {1000, 1}, {-1000, 0}, {math.Inf(1), 1}, {math.Inf(-1), 0}, {-745.2, 0},
	} {
		if got := sigmoid(c.x); got != c.want {
			t.Errorf("sigmoid(%v) = %v, want %v", c.x, got, c.want)
		}
	}
	assertNear(t, "sigmoid(2)+sigmoid(-2)", sigmoid(2)+sigmoid(-2), 1, 1e-15)
	if !math.IsNaN(sigmoid(math.NaN())) {
		t.Error("sigmoid(NaN) should stay NaN for the caller to skip")
	}
}

func TestBoxIoU(t *testing.T) {
	a := Box{0, 0, 10, 10}
	assertNear(t, "self", a.IoU(a), 1, 0)
	assertNear(t, "half", a.IoU(Box{5, 0, 15, 10}), 50.0/150, 1e-15)
	assertNear(t, "disjoint", a.IoU(Box{20, 20, 30, 30}), 0, 0)
	assertNear(t, "touching", a.IoU(Box{10, 0, 20, 10}), 0, 0)
	assertNear(t, "empty", a.IoU(Box{3, 3, 3, 8}), 0, 0)
}

// On a 16:9 frame's fitted canvas (256×160) the heads are 16×10 and 8×5;
// a one-hot anchor in each decodes to its place in the source.
func TestDecodeOnAFittedCanvas(t *testing.T) {
	lb, err := NewFittedLetterbox(960, 540, DetectorInputSize, DetectorStride)
	if err != nil {
		t.Fatal(err)
	}
	// 960×540 → 256×144 at scale 4/15, 8 px of padding above.
	s16, b16 := make([]float32, 2*16*10), make([]float32, 32*16*10)
	s8, b8 := make([]float32, 6*8*5), make([]float32, 96*8*5)
	for _, s := range [][]float32{s16, s8} {
		for i := range s {
			s[i] = -10
		}
	}
	// Stride 16: cell x=5 y=9 (the last row), anchor 1: centre (88, 152).
	plane := 16 * 10
	cell := 9*16 + 5
	s16[1*plane+cell] = 3
	b16[(1*16+2)*plane+cell], b16[(1*16+3)*plane+cell] = 20, 20
	// Stride 32: cell x=7 y=4 (the last of all), anchor 5: centre (240, 144).
	plane, cell = 8*5, 4*8+7
	s8[5*plane+cell] = 2
	b8[(5*16+2)*plane+cell], b8[(5*16+3)*plane+cell] = 20, 20
	dets, err := DecodeDetections(s16, b16, s8, b8, lb, DefaultDetectOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(dets) != 2 {
		t.Fatalf("got %d detections, want 2: %+v", len(dets), dets)
	}
	s := 256.0 / 960
	for i, want := range []struct {
		anchor int
		in     Point
	}{{(9*16+5)*2 + 1, Point{88, 152}}, {320 + (4*8+7)*6 + 5, Point{240, 144}}} {
		d := dets[i]
		if d.Anchor != want.anchor {
			t.Errorf("detection %d from anchor %d, want %d", i, d.Anchor, want.anchor)
		}
		assertPoint(t, "box centre", d.Box.Center(), Point{want.in.X / s, (want.in.Y - 8) / s}, 1e-9)
	}
	// The square's heads do not fit this canvas.
	h := newHeads(-10)
	if _, err := DecodeDetections(h.s16, h.b16, h.s8, h.b8, lb, DefaultDetectOptions()); !errors.Is(err, ErrOutputSize) {
		t.Errorf("square heads on a 256×160 canvas: err = %v, want ErrOutputSize", err)
	}
}
