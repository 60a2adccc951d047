package face

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Landmark indexes Detection.Landmarks, in the detector's output order. See
// the package comment for what right and left mean.
type Landmark int

// The detector's six landmarks.
const (
	RightEye Landmark = iota // on the image's left in an unmirrored frame
	LeftEye
	Nose // nose tip
	Mouth
	RightEar // ear tragion
	LeftEar
	NumLandmarks = 6
)

// detectorValues is the number of regression values per anchor: box centre
// offset (x, y), width, height, then 6 landmarks (x, y).
const detectorValues = 16

// ErrOutputSize reports a model output slice of the wrong length: the model
// or its cut is not the one this package decodes.
var ErrOutputSize = errors.New("face: model output has the wrong size")

// Detection is one face found by BlazeFace, in source pixels.
type Detection struct {
	// Box is the detector's raw box (not enlarged; CropFromDetection does
	// that). It roughly spans brows to chin and cheek to cheek.
	Box       Box
	Landmarks [NumLandmarks]Point
	// Score is the sigmoid of the anchor's logit, 0…1.
	Score float64
	// Anchor is the index into Anchors of the input the detection came from, for
	// debugging and golden tests.
	Anchor int
}

// Shifted returns the detection moved by (dx, dy) pixels, for a detection
// made on a padded copy of the frame.
func (d Detection) Shifted(dx, dy float64) Detection {
	d.Box = Box{d.Box.MinX + dx, d.Box.MinY + dy, d.Box.MaxX + dx, d.Box.MaxY + dy}
	for i := range d.Landmarks {
		d.Landmarks[i] = Point{d.Landmarks[i].X + dx, d.Landmarks[i].Y + dy}
	}
	return d
}

// Landmark returns one of the six landmarks.
func (d Detection) Landmark(l Landmark) Point { return d.Landmarks[l] }

// DetectOptions tune the decoder's filtering.
type DetectOptions struct {
	// MinScore: anchors scoring at or below it are dropped before
	// suppression (strictly above is kept, as TF.js's nonMaxSuppression
	// scoreThreshold does). Library: face.detector.minConfidence = 0.2.
	MinScore float64
	// IoUThreshold: a box overlapping an already kept box by at least this
	// IoU is suppressed. Library: face.detector.iouThreshold = 0.1.
	IoUThreshold float64
	// MaxFaces caps the detections returned; 0 or less means no cap. The
	// library keeps face.detector.maxDetected = 1; we keep a few so that a
	// second person in the frame can be noticed.
	MaxFaces int
}

// DefaultDetectOptions are the library's thresholds with room for four faces.
func DefaultDetectOptions() DetectOptions {
	return DetectOptions{MinScore: 0.2, IoUThreshold: 0.1, MaxFaces: 4}
}

// sigmoid is the logistic function written so that neither branch can
// overflow: exp is only taken of a non-positive number.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// candidate is a detection still in input pixels.
type candidate struct {
	box       Box
	landmarks [NumLandmarks]Point
	score     float64
	anchor    int
}

// DecodeDetections decodes BlazeFace's four raw heads (NCHW, no batch axis)
// on a W×H input: scores16 2×H/16×W/16, boxes16 32×H/16×W/16, scores8
// 6×H/32×W/32, boxes8 96×H/32×W/32 (on the 256² square 2×16×16, 32×16×16,
// 6×8×8, 96×8×8), where score channel a is anchor a of each cell and box
// channel a·16+v is value v of anchor a. lb is the letterbox the input was
// made with; its canvas gives W×H. The result is sorted by score, best
// first, and contains only finite numbers.
//
// It follows the library's blazeface.ts decodeBoxes: box centre = anchor +
// (v0, v1), size = (v2, v3) in input pixels (absolute, not scaled by an
// anchor size; its divide-and-multiply by the input size cancels out),
// landmark k = anchor + (v4+2k, v5+2k); then TF.js non-max suppression in
// input pixels (greedy, best score first, ties to the lower anchor index).
// A negative width or height is taken by magnitude, as TF.js's overlap does.
// Anchors with a NaN logit or any non-finite value are skipped.
func DecodeDetections(scores16, boxes16, scores8, boxes8 []float32, lb Letterbox, opts DetectOptions) ([]Detection, error) {
	if !lb.valid() || lb.Width%DetectorStride != 0 || lb.Height%DetectorStride != 0 {
		return nil, fmt.Errorf("face: invalid letterbox %+v", lb)
	}
	cells := func(l anchorLayer) int { return (lb.Width / l.stride) * (lb.Height / l.stride) }
	c16, c8 := cells(detectorLayers[0]), cells(detectorLayers[1])
	for _, c := range []struct {
		name string
		got  int
		want int
	}{
		{"scores16", len(scores16), 2 * c16},
		{"boxes16", len(boxes16), 2 * detectorValues * c16},
		{"scores8", len(scores8), 6 * c8},
		{"boxes8", len(boxes8), 6 * detectorValues * c8},
	} {
		if c.got != c.want {
			return nil, fmt.Errorf("face: detector output %s has %d values, want %d for a %d×%d input: %w",
				c.name, c.got, c.want, lb.Width, lb.Height, ErrOutputSize)
		}
	}

	var cands []candidate
	heads := [2]struct{ scores, boxes []float32 }{{scores16, boxes16}, {scores8, boxes8}}
	anchor := 0
	for li, layer := range detectorLayers {
		cols, rows := lb.Width/layer.stride, lb.Height/layer.stride
		plane := cols * rows
		scores, boxes := heads[li].scores, heads[li].boxes
		for y := range rows {
			for x := range cols {
				cell := y*cols + x
				for a := range layer.perCell {
					idx := anchor
					anchor++
					score := sigmoid(float64(scores[a*plane+cell]))
					if !(score > opts.MinScore) { // also drops NaN
						continue
					}
					var v [detectorValues]float64
					ok := true
					for j := range v {
						v[j] = float64(boxes[(a*detectorValues+j)*plane+cell])
						ok = ok && finite(v[j])
					}
					if !ok {
						continue
					}
					c, ok := decodeAnchor(anchorAt(layer, x, y), v)
					if !ok {
						continue
					}
					c.score, c.anchor = score, idx
					cands = append(cands, c)
				}
			}
		}
	}

	kept := suppress(cands, opts)
	out := make([]Detection, 0, len(kept))
	for _, c := range kept {
		d := Detection{Score: c.score, Anchor: c.anchor}
		lo, hi := lb.ToSource(c.box.MinX, c.box.MinY), lb.ToSource(c.box.MaxX, c.box.MaxY)
		d.Box = Box{lo.X, lo.Y, hi.X, hi.Y}
		for k, p := range c.landmarks {
			d.Landmarks[k] = lb.ToSource(p.X, p.Y)
		}
		out = append(out, d)
	}
	return out, nil
}

// decodeAnchor turns one anchor's 16 values into a box and landmarks in
// input pixels; ok is false for an empty box (nothing a crop can be made of).
func decodeAnchor(a Anchor, v [detectorValues]float64) (c candidate, ok bool) {
	cx, cy := a.X+v[0], a.Y+v[1]
	hw, hh := math.Abs(v[2])/2, math.Abs(v[3])/2
	if hw == 0 || hh == 0 {
		return c, false
	}
	c.box = Box{cx - hw, cy - hh, cx + hw, cy + hh}
	for k := range c.landmarks {
		c.landmarks[k] = Point{a.X + v[4+2*k], a.Y + v[5+2*k]}
	}
	if !c.box.Center().finite() || !finite(c.box.Area()) {
		return c, false
	}
	return c, true
}

// suppress is greedy non-maximum suppression as in TF.js's
// nonMaxSuppression without soft-NMS: take the best remaining box, drop it if
// it overlaps any kept box by IoU ≥ threshold, stop at MaxFaces.
func suppress(cands []candidate, opts DetectOptions) []candidate {
	slices.SortFunc(cands, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.anchor, b.anchor))
	})
	var kept []candidate
	for _, c := range cands {
		if opts.MaxFaces > 0 && len(kept) >= opts.MaxFaces {
			break
		}
		overlaps := false
		for _, k := range kept {
			if c.box.IoU(k.box) >= opts.IoUThreshold {
				overlaps = true
				break
			}
		}
		if !overlaps {
			kept = append(kept, c)
		}
	}
	return kept
}
