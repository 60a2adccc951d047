package face

import (
	"fmt"
	"math"
)

// DetectorInputSize is the long side of BlazeFace's input: the "back" model
// is trained on 256² squares.
const DetectorInputSize = 256

// DetectorStride is the detector's coarsest stride: both of its heads tile
// an input whose sides are multiples of it.
const DetectorStride = 32

// Letterbox describes how a source frame is fitted into the detector's
// input canvas without distorting it: resized to ResizedWidth×ResizedHeight
// (the long side fills the canvas, aspect kept), then placed PadLeft, PadTop
// pixels from the top-left corner, the rest padded. The canvas is a square
// (NewLetterbox) or fits the frame's aspect (NewFittedLetterbox).
//
// The reference library instead stretches the frame to a square by default
// (squashing faces), and its optional square padding maps boxes back with
// mixed units (its blazeface.ts marks that arithmetic as a TODO). Here the
// mapping uses the integer sizes the glue actually produces, per axis, so
// ToSource is exact for Resize followed by CopyMakeBorder.
type Letterbox struct {
	SourceWidth, SourceHeight   int
	Width, Height               int // the input canvas
	ResizedWidth, ResizedHeight int
	PadLeft, PadTop             int
}

// NewLetterbox fits a srcWidth×srcHeight frame into a size×size square,
// centred; when the leftover is odd, the extra pixel goes right or bottom.
func NewLetterbox(srcWidth, srcHeight, size int) (Letterbox, error) {
	return newLetterbox(srcWidth, srcHeight, size, size)
}

// NewFittedLetterbox fits a srcWidth×srcHeight frame into a canvas whose
// long side is size and whose short side is the resized frame's, rounded up
// to a multiple of stride (at most size): a model that takes such inputs
// then spends no work on a square's empty bands (a 16:9 frame fills 144 of
// the 256 rows). size must be a multiple of stride.
func NewFittedLetterbox(srcWidth, srcHeight, size, stride int) (Letterbox, error) {
	if stride <= 0 || size%stride != 0 {
		return Letterbox{}, fmt.Errorf("face: letterbox into %d: not a multiple of the stride %d", size, stride)
	}
	return newLetterbox(srcWidth, srcHeight, size, stride)
}

func newLetterbox(srcWidth, srcHeight, size, stride int) (Letterbox, error) {
	if srcWidth <= 0 || srcHeight <= 0 || size <= 0 {
		return Letterbox{}, fmt.Errorf("face: letterbox %d×%d into %d: sizes must be positive", srcWidth, srcHeight, size)
	}
	long := max(srcWidth, srcHeight)
	fit := func(side int) int {
		return max(1, min(size, int(math.Round(float64(side)*float64(size)/float64(long)))))
	}
	canvas := func(resized int) int { return min(size, (resized+stride-1)/stride*stride) }
	l := Letterbox{
		SourceWidth: srcWidth, SourceHeight: srcHeight,
		ResizedWidth: fit(srcWidth), ResizedHeight: fit(srcHeight),
	}
	l.Width, l.Height = canvas(l.ResizedWidth), canvas(l.ResizedHeight)
	l.PadLeft = (l.Width - l.ResizedWidth) / 2
	l.PadTop = (l.Height - l.ResizedHeight) / 2
	return l, nil
}

// PadRight is the padding right of the resized frame.
func (l Letterbox) PadRight() int { return l.Width - l.ResizedWidth - l.PadLeft }

// PadBottom is the padding below the resized frame.
func (l Letterbox) PadBottom() int { return l.Height - l.ResizedHeight - l.PadTop }

// ScaleX is input pixels per source pixel horizontally; ScaleY vertically.
// They differ slightly when rounding the short side to whole pixels.
func (l Letterbox) ScaleX() float64 { return float64(l.ResizedWidth) / float64(l.SourceWidth) }

// ScaleY is input pixels per source pixel vertically.
func (l Letterbox) ScaleY() float64 { return float64(l.ResizedHeight) / float64(l.SourceHeight) }

func (l Letterbox) valid() bool {
	return l.SourceWidth > 0 && l.SourceHeight > 0 && l.ResizedWidth > 0 && l.ResizedHeight > 0 &&
		l.Width >= l.ResizedWidth && l.Height >= l.ResizedHeight
}

// ToSource maps a point in detector-input pixels back to source pixels.
func (l Letterbox) ToSource(x, y float64) Point {
	return Point{(x - float64(l.PadLeft)) / l.ScaleX(), (y - float64(l.PadTop)) / l.ScaleY()}
}

// ToInput maps a source point into detector-input pixels.
func (l Letterbox) ToInput(p Point) Point {
	return Point{p.X*l.ScaleX() + float64(l.PadLeft), p.Y*l.ScaleY() + float64(l.PadTop)}
}

// Affine is the source → input transform in continuous coordinates.
func (l Letterbox) Affine() Affine {
	return Affine{l.ScaleX(), 0, float64(l.PadLeft), 0, l.ScaleY(), float64(l.PadTop)}
}

// WarpMatrix is the source → input matrix for gocv.WarpAffine with dsize
// Width×Height, for glue that letterboxes in one warp instead of Resize plus
// CopyMakeBorder (which is better when shrinking a lot: WarpAffine samples,
// it does not average).
func (l Letterbox) WarpMatrix() Affine { return l.Affine().pixelCentered() }
