package vision

import (
	"image"
	"testing"

	"gocv.io/x/gocv"
)

// The 16:9 copy of a square frame (make eval's wide-16:9) keeps the frame
// whole in its middle and adds a plain band at each side, of that side's
// edge colour: the sitter the same size against the height, the frame
// 16:9 as a laptop camera's.
func TestWidenedKeepsTheFrameBetweenPlainBands(t *testing.T) {
	src := gocv.NewMatWithSize(224, 224, gocv.MatTypeCV8UC3)
	defer src.Close()
	for y := range 224 {
		for x := range 224 {
			v := uint8(60)
			switch {
			case x < 4:
				v = 20 // the left edge dark
			case x >= 220:
				v = 200 // the right edge light
			}
			src.SetUCharAt(y, 3*x, v)
			src.SetUCharAt(y, 3*x+1, v)
			src.SetUCharAt(y, 3*x+2, uint8(y)) // red varies down the frame
		}
	}
	out := widened(src, 16.0/9)
	defer out.Close()
	if out.Cols() != 398 || out.Rows() != 224 || out.Type() != gocv.MatTypeCV8UC3 {
		t.Fatalf("widened to %d×%d type %v, want 398×224 BGR", out.Cols(), out.Rows(), out.Type())
	}
	left := (398 - 224) / 2
	mid := out.Region(image.Rect(left, 0, left+224, 224))
	defer mid.Close()
	diff := gocv.NewMat()
	defer diff.Close()
	gocv.AbsDiff(mid, src, &diff)
	if s := diff.Sum(); s.Val1+s.Val2+s.Val3 != 0 {
		t.Errorf("the frame is not kept whole in the middle (difference %v)", s)
	}
	// The bands: the mean of the side's edge, one colour top to bottom.
	for _, c := range []struct {
		x    int
		want [3]uint8
	}{{0, [3]uint8{20, 20, 112}}, {left - 1, [3]uint8{20, 20, 112}}, {left + 224, [3]uint8{200, 200, 112}}, {397, [3]uint8{200, 200, 112}}} {
		for _, y := range []int{0, 100, 223} {
			got := [3]uint8{out.GetUCharAt(y, 3*c.x), out.GetUCharAt(y, 3*c.x+1), out.GetUCharAt(y, 3*c.x+2)}
			if got != c.want {
				t.Errorf("band at (%d, %d): BGR %v, want %v", c.x, y, got, c.want)
			}
		}
	}
}
