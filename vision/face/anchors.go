package face

import "fmt"

// NumAnchors is the number of BlazeFace anchors on its 256² square:
// 16·16·2 + 8·8·6. A fitted canvas has fewer.
const NumAnchors = 896

// anchorLayer is one detector head: a map whose cells are stride input
// pixels wide, each with perCell anchors at the cell's centre.
type anchorLayer struct{ stride, perCell int }

// detectorLayers are the two heads in the order the library concatenates
// them (its generateAnchors for a 256 input: strides 16 and 32, 2 and 6
// anchors): the stride-16 head's anchors first, then the stride-32 head's.
var detectorLayers = [2]anchorLayer{{stride: 16, perCell: 2}, {stride: 32, perCell: 6}}

// Anchor is an anchor centre in detector-input pixels.
type Anchor struct{ X, Y float64 }

// Anchors returns the anchor centres of a width×height detector input (the
// square is 256×256; both sides must be multiples of DetectorStride);
// index i is Detection.Anchor. The order within a head is
// (y·columns + x)·perCell + a, the row order the graph's Reshape of the
// NHWC head produces.
func Anchors(width, height int) ([]Anchor, error) {
	if width <= 0 || height <= 0 || width%DetectorStride != 0 || height%DetectorStride != 0 {
		return nil, fmt.Errorf("face: detector input %d×%d: sides must be positive multiples of %d", width, height, DetectorStride)
	}
	var out []Anchor
	for _, l := range detectorLayers {
		for y := range height / l.stride {
			for x := range width / l.stride {
				for range l.perCell {
					out = append(out, anchorAt(l, x, y))
				}
			}
		}
	}
	return out, nil
}

func anchorAt(l anchorLayer, x, y int) Anchor {
	return Anchor{float64(l.stride) * (float64(x) + 0.5), float64(l.stride) * (float64(y) + 0.5)}
}
