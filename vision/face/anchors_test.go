package face

import "testing"

func TestAnchorsCountAndPositions(t *testing.T) {
	a := Anchors()
	if len(a) != 896 {
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
	a := Anchors()
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

func TestAnchorsReturnsCopy(t *testing.T) {
	a := Anchors()
	a[0] = Anchor{-1, -1}
	if Anchors()[0] != (Anchor{8, 8}) {
		t.Fatal("Anchors() exposes the shared table")
	}
}
