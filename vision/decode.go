package vision

import "math"

// Model geometry of MoveNet SinglePose Lightning.
const (
	NumKeypoints = 17
	HeatmapSize  = 48 // heads are input/4
)

// Heads are the four raw model outputs, NCHW without the batch axis:
// Heatmaps 17×48×48 and Center 1×48×48 after their sigmoids, Regress and
// Offsets 34×48×48 with channel 2k = y and 2k+1 = x of keypoint k, in cells.
type Heads struct {
	Heatmaps, Center, Regress, Offsets []float32
}

// NormKeypoint is a keypoint normalised to the model's input square (0..1).
type NormKeypoint struct{ X, Y, Score float64 }

// The reference decoder's constants, read from the graph (models/DECODER.md)
// and kept at their float16 values so the Go decoder matches TF.js exactly:
// the person-centre heatmap is weighted by float16(1/(distance to cell
// (24,24) + 1.8)) (table truediv_2_recip), each keypoint heatmap is divided
// by (distance to its regressed position + float16(1.8)) (add_5/y), and
// positions are scaled by float16(1/48) (Reshape_13).
const (
	keypointBias = 1.7998046875
	cellScale    = 0.0208282470703125
)

// centreWeight is the graph's 48×48 centre weighting table.
var centreWeight = func() (w [HeatmapSize * HeatmapSize]float64) {
	for y := 0; y < HeatmapSize; y++ {
		for x := 0; x < HeatmapSize; x++ {
			w[y*HeatmapSize+x] = float16(1 / (math.Hypot(float64(y-HeatmapSize/2), float64(x-HeatmapSize/2)) + 1.8))
		}
	}
	return w
}()

// float16 rounds a positive normal value to IEEE half precision (11
// significant bits, ties to even).
func float16(v float64) float64 {
	m, e := math.Frexp(v)
	return math.Ldexp(math.RoundToEven(m*2048)/2048, e)
}

// Decode re-implements the graph's post-processing that the ONNX cut leaves out:
//  1. the person centre = argmax of center × centreWeight, which prefers
//     the person nearest the middle of the frame;
//  2. rough keypoints = centre + regress at the centre;
//  3. each keypoint = argmax of heatmap / (dist to its rough position + 1.8);
//  4. position = (cell + offset at that cell) / 48, score = heatmap there
//     (the raw sigmoid, not the re-weighted value).
func Decode(h Heads) [NumKeypoints]NormKeypoint {
	const n = HeatmapSize
	const plane = n * n
	best, cy, cx := -1.0, 0, 0
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			v := float64(h.Center[y*n+x]) * centreWeight[y*n+x]
			if v > best {
				best, cy, cx = v, y, x
			}
		}
	}
	var out [NumKeypoints]NormKeypoint
	for k := 0; k < NumKeypoints; k++ {
		ry := float64(cy) + float64(h.Regress[(2*k)*plane+cy*n+cx])
		rx := float64(cx) + float64(h.Regress[(2*k+1)*plane+cy*n+cx])
		hm := h.Heatmaps[k*plane : (k+1)*plane]
		kb, ky, kx := -1.0, 0, 0
		for y := 0; y < n; y++ {
			dy := float64(y) - ry
			for x := 0; x < n; x++ {
				dx := float64(x) - rx
				v := float64(hm[y*n+x]) / (math.Sqrt(dy*dy+dx*dx) + keypointBias)
				if v > kb {
					kb, ky, kx = v, y, x
				}
			}
		}
		oy := float64(h.Offsets[(2*k)*plane+ky*n+kx])
		ox := float64(h.Offsets[(2*k+1)*plane+ky*n+kx])
		out[k] = NormKeypoint{
			Y:     (float64(ky) + oy) * cellScale,
			X:     (float64(kx) + ox) * cellScale,
			Score: float64(hm[ky*n+kx]),
		}
	}
	return out
}
