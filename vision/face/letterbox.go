package face

import (
	"fmt"
	"math"
)

// DetectorInputSize is the side of BlazeFace's square input ("back" model).
const DetectorInputSize = 256

// Letterbox describes how a source frame is fitted into the detector's
// square input without distorting it: resized to ResizedWidth×ResizedHeight
// (the long side fills the square, aspect kept), then placed PadLeft, PadTop
// pixels from the top-left corner, the rest padded.
//
// The reference library instead stretches the frame to a square by default
// (squashing faces), and its optional square padding maps boxes back with
// mixed units (its blazeface.ts marks that arithmetic as a TODO). Here the
// mapping uses the integer sizes the glue actually produces, per axis, so
// ToSource is exact for Resize followed by CopyMakeBorder.
type Letterbox struct {
	SourceWidth, SourceHeight   int
	Size                        int // side of the square input
	ResizedWidth, ResizedHeight int
	PadLeft, PadTop             int
}

// NewLetterbox fits a srcWidth×srcHeight frame into a size×size square,
// centred; when the leftover is odd, the extra pixel goes right or bottom.
func NewLetterbox(srcWidth, srcHeight, size int) (Letterbox, error) {
	if srcWidth <= 0 || srcHeight <= 0 || size <= 0 {
		return Letterbox{}, fmt.Errorf("face: letterbox %d×%d into %d: sizes must be positive", srcWidth, srcHeight, size)
	}
	long := max(srcWidth, srcHeight)
	fit := func(side int) int {
		return max(1, min(size, int(math.Round(float64(side)*float64(size)/float64(long)))))
	}
	l := Letterbox{
		SourceWidth: srcWidth, SourceHeight: srcHeight, Size: size,
		ResizedWidth: fit(srcWidth), ResizedHeight: fit(srcHeight),
	}
	l.PadLeft = (size - l.ResizedWidth) / 2
	l.PadTop = (size - l.ResizedHeight) / 2
	return l, nil
}

// PadRight is the padding right of the resized frame.
func (l Letterbox) PadRight() int { return l.Size - l.ResizedWidth - l.PadLeft }

// PadBottom is the padding below the resized frame.
func (l Letterbox) PadBottom() int { return l.Size - l.ResizedHeight - l.PadTop }

// ScaleX is input pixels per source pixel horizontally; ScaleY vertically.
// They differ slightly when rounding the short side to whole pixels.
func (l Letterbox) ScaleX() float64 { return float64(l.ResizedWidth) / float64(l.SourceWidth) }

// ScaleY is input pixels per source pixel vertically.
func (l Letterbox) ScaleY() float64 { return float64(l.ResizedHeight) / float64(l.SourceHeight) }

func (l Letterbox) valid() bool {
	return l.SourceWidth > 0 && l.SourceHeight > 0 && l.ResizedWidth > 0 && l.ResizedHeight > 0 && l.Size > 0
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
// Size×Size, for glue that letterboxes in one warp instead of Resize plus
// CopyMakeBorder (which is better when shrinking a lot: WarpAffine samples,
// it does not average).
func (l Letterbox) WarpMatrix() Affine { return l.Affine().pixelCentered() }
