package face

import "testing"

func squareAnchors(t *testing.T) []Anchor {
	t.Helper()
	a, err := Anchors(DetectorInputSize, DetectorInputSize)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAnchorsCountAndPositions(t *testing.T) {
	a := squareAnchors(t)
	if len(a) != NumAnchors {
		t.Fatalf("len(Anchors()) = %d, want 896", len(a))
	}
	cases := []struct {
		i    int
		want Anchor
	}{
		{0, Anchor{8, 8}},       // 16×16 head, cell (0,0), anchor 0
		{1, Anchor{8, 8}},       // same cell, anchor 1
		{2, Anchor{24, 8}},      // next cell along x
		{31, Anchor{248, 8}},    // last cell of the first row
		{32, Anchor{8, 24}},     // first cell of the second row
		{511, Anchor{248, 248}}, // last of the 16×16 head
		{512, Anchor{16, 16}},   // 8×8 head starts, stride 32
		{517, Anchor{16, 16}},   // six anchors per cell
		{518, Anchor{48, 16}},
		{895, Anchor{240, 240}}, // last anchor
	}
	for _, c := range cases {
		if a[c.i] != c.want {
			t.Errorf("anchor %d = %v, want %v", c.i, a[c.i], c.want)
		}
	}
}

func TestAnchorsGridOrder(t *testing.T) {
	a := squareAnchors(t)
	for i := range a {
		var x, y, stride int
		if i < 512 {
			cell := i / 2
			x, y, stride = cell%16, cell/16, 16
		} else {
			cell := (i - 512) / 6
			x, y, stride = cell%8, cell/8, 32
		}
		want := Anchor{float64(stride*x) + float64(stride)/2, float64(stride*y) + float64(stride)/2}
		if a[i] != want {
			t.Fatalf("anchor %d = %v, want %v (row-major y·W+x, anchors innermost)", i, a[i], want)
		}
	}
}

// A 16:9 frame's fitted canvas (256×160): 16×10 cells of two anchors, then
// 8×5 of six, in the same row order.
func TestAnchorsOfAFittedCanvas(t *testing.T) {
	a, err := Anchors(256, 160)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 16*10*2+8*5*6 {
		t.Fatalf("len = %d, want 560", len(a))
	}
	for i, want := range map[int]Anchor{0: {8, 8}, 32: {8, 24}, 319: {248, 152}, 320: {16, 16}, 559: {240, 144}} {
		if a[i] != want {
			t.Errorf("anchor %d = %v, want %v", i, a[i], want)
		}
	}
}

func TestAnchorsRefuseSidesOffTheStride(t *testing.T) {
	for _, wh := range [][2]int{{256, 144}, {0, 256}, {-32, 64}, {100, 256}} {
		if _, err := Anchors(wh[0], wh[1]); err == nil {
			t.Errorf("Anchors(%d, %d) gave no error", wh[0], wh[1])
		}
	}
}
