package face

// NumAnchors is the number of BlazeFace anchors: 16·16·2 + 8·8·6.
const NumAnchors = 896

// anchorLayer is one detector head: a grid×grid map whose cells are stride
// input pixels wide, each with perCell anchors at the cell's centre.
type anchorLayer struct{ grid, stride, perCell int }

// detectorLayers are the two heads in the order the library concatenates
// them (its generateAnchors for a 256 input: strides 16 and 32, 2 and 6
// anchors): the 16×16 head's 512 anchors first, then the 8×8 head's 384.
var detectorLayers = [2]anchorLayer{{grid: 16, stride: 16, perCell: 2}, {grid: 8, stride: 32, perCell: 6}}

// Anchor is an anchor centre in detector-input pixels.
type Anchor struct{ X, Y float64 }

var anchorTable = func() (t [NumAnchors]Anchor) {
	i := 0
	for _, l := range detectorLayers {
		for y := range l.grid {
			for x := range l.grid {
				for range l.perCell {
					t[i] = Anchor{float64(l.stride) * (float64(x) + 0.5), float64(l.stride) * (float64(y) + 0.5)}
					i++
				}
			}
		}
	}
	return t
}()

// Anchors returns the 896 anchor centres; index i is Detection.Anchor. The
// order within a head is (y·grid + x)·perCell + a, the row order the graph's
// Reshape of the NHWC head produces.
func Anchors() []Anchor {
	out := make([]Anchor, NumAnchors)
	copy(out, anchorTable[:])
	return out
}
