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

// centreBias is the reference decoder's constant: the person-centre heatmap
// is divided by (distance to the heatmap's centre + 1.8) and each keypoint
// heatmap by (distance to the keypoint's regressed position + 1.8). Both are
// read from the graph (truediv_2_recip and add_5/y, see models/README.md).
const centreBias = 1.8

// Decode re-implements the graph's post-processing that the ONNX cut leaves out:
//  1. the person centre = argmax of center / (dist to (24,24) + 1.8), which
//     prefers the person nearest the middle of the frame;
//  2. rough keypoints = centre + regress at the centre;
//  3. each keypoint = argmax of heatmap / (dist to its rough position + 1.8);
//  4. position = (cell + offset at that cell) / 48, score = heatmap there.
func Decode(h Heads) [NumKeypoints]NormKeypoint {
	const n = HeatmapSize
	const plane = n * n
	best, cy, cx := -1.0, 0, 0
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			d := math.Hypot(float64(y-n/2), float64(x-n/2))
			v := float64(h.Center[y*n+x]) / (d + centreBias)
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
				v := float64(hm[y*n+x]) / (math.Sqrt(dy*dy+dx*dx) + centreBias)
				if v > kb {
					kb, ky, kx = v, y, x
				}
			}
		}
		oy := float64(h.Offsets[(2*k)*plane+ky*n+kx])
		ox := float64(h.Offsets[(2*k+1)*plane+ky*n+kx])
		out[k] = NormKeypoint{
			Y:     (float64(ky) + oy) / n,
			X:     (float64(kx) + ox) / n,
			Score: float64(hm[ky*n+kx]),
		}
	}
	return out
}
