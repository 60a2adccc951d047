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
	src := paintedFrame(t, 224, 224, func(x, y int) [3]uint8 {
		v := uint8(60)
		switch {
		case x < 4:
			v = 20 // the left edge dark
		case x >= 220:
			v = 200 // the right edge light
		}
		return [3]uint8{v, v, uint8(y)} // red varies down the frame
	})
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

// The copy seen from 1.3 times as far (make eval's far-1.30) is the frame
// shrunk about the point its nearer copies scale about (the middle across,
// 55 % down), the frame's size kept: plain bands of the edge's colour at
// the sides and above, and below, the bottom row carried on down, as the
// body goes on below a webcam's frame.
func TestFartherShrinksTheFrameAboutTheNearerCopiesPoint(t *testing.T) {
	const w, h = 260, 200
	src := paintedFrame(t, w, h, func(x, y int) [3]uint8 {
		b, g := uint8(60), uint8(60)
		switch {
		case x < 4:
			b = 20 // the left edge dark blue
		case x >= w-4:
			b = 200 // the right edge light blue
		}
		if y < 4 {
			g = 100 // the top edge greener
		}
		return [3]uint8{b, g, uint8(x)} // red varies across the frame
	})
	out := farther(src, 1.3)
	defer out.Close()
	if out.Cols() != w || out.Rows() != h || out.Type() != gocv.MatTypeCV8UC3 {
		t.Fatalf("farther gave %d×%d type %v, want %d×%d BGR", out.Cols(), out.Rows(), out.Type(), w, h)
	}
	// Shrunk to 200×154, placed 30 from the left and 25 from the top, so
	// that (130, 110) stays where it is.
	const left, top, sw, sh = 30, 25, 200, 154
	px := func(x, y int) [3]uint8 {
		return [3]uint8{out.GetUCharAt(y, 3*x), out.GetUCharAt(y, 3*x+1), out.GetUCharAt(y, 3*x+2)}
	}
	if got := px(130, 110); got[2] < 128 || got[2] > 131 {
		t.Errorf("the fixed point's red is %d, want the source's 130 there", got[2])
	}
	if got := px(left+sw/2, top+sh/2); got[0] != 60 || got[1] != 60 {
		t.Errorf("the shrunk frame's middle is %v, want the source's inside", got)
	}
	checks := []struct {
		name string
		x, y int
		want func(p [3]uint8) bool
	}{
		{"left band", 5, 100, func(p [3]uint8) bool { return p[0] < 60 && p[0] == px(0, 190)[0] }},
		{"right band", w - 5, 100, func(p [3]uint8) bool { return p[0] > 60 && p[0] == px(w-1, 190)[0] }},
		{"band above", 130, 5, func(p [3]uint8) bool { return p[1] > 60 && p == px(20, 10) }},
		{"below, carried down", 130, h - 3, func(p [3]uint8) bool { return p == px(130, top+sh-1) }},
		{"below at the side, carried down", left + 10, h - 1, func(p [3]uint8) bool { return p == px(left+10, top+sh-1) }},
	}
	for _, c := range checks {
		if p := px(c.x, c.y); !c.want(p) {
			t.Errorf("%s at (%d, %d): BGR %v", c.name, c.x, c.y, p)
		}
	}
}
