package face

import "testing"

func TestLetterboxLandscapeAndPortrait(t *testing.T) {
	cases := []struct {
		w, h                    int
		rw, rh, left, top       int
		right, bottom           int
		inputTopLeft, srcOrigin Point
	}{
		{640, 480, 256, 192, 0, 32, 0, 32, Point{0, 32}, Point{0, 0}},
		{480, 640, 192, 256, 32, 0, 32, 0, Point{32, 0}, Point{0, 0}},
		{256, 256, 256, 256, 0, 0, 0, 0, Point{0, 0}, Point{0, 0}},
		// 300×100 → 256×85.33, rounded to 85: 171 px of padding, the odd
		// pixel at the bottom.
		{300, 100, 256, 85, 0, 85, 0, 86, Point{0, 85}, Point{0, 0}},
	}
	for _, c := range cases {
		lb := mustLetterbox(t, c.w, c.h)
		if lb.ResizedWidth != c.rw || lb.ResizedHeight != c.rh || lb.PadLeft != c.left || lb.PadTop != c.top ||
			lb.PadRight() != c.right || lb.PadBottom() != c.bottom {
			t.Errorf("%d×%d: got %+v right %d bottom %d", c.w, c.h, lb, lb.PadRight(), lb.PadBottom())
			continue
		}
		// The resized frame's corners map to the source's corners exactly.
		assertPoint(t, "top-left", lb.ToSource(float64(c.left), float64(c.top)), Point{0, 0}, 0)
		assertPoint(t, "bottom-right", lb.ToSource(float64(c.left+c.rw), float64(c.top+c.rh)), Point{float64(c.w), float64(c.h)}, 1e-12)
		assertPoint(t, "ToInput(origin)", lb.ToInput(c.srcOrigin), c.inputTopLeft, 0)
	}
}

func TestLetterboxRoundTripAndMatrices(t *testing.T) {
	for _, sz := range [][2]int{{640, 480}, {480, 640}, {1366, 768}, {1920, 1080}, {97, 1301}} {
		lb := mustLetterbox(t, sz[0], sz[1])
		for _, p := range []Point{{0, 0}, {12.25, 7.5}, {float64(sz[0]) / 3, float64(sz[1]) / 2}, {-40, 9000}} {
			q := lb.ToInput(p)
			assertPoint(t, "round trip", lb.ToSource(q.X, q.Y), p, 1e-9)
			assertPoint(t, "Affine", lb.Affine().Apply(p), q, 1e-9)
			// WarpAffine's matrix works on pixel indices (centres at
			// integers): index' + ½ = continuous map of (index + ½).
			idx := lb.WarpMatrix().Apply(Point{p.X - 0.5, p.Y - 0.5})
			assertPoint(t, "WarpMatrix", Point{idx.X + 0.5, idx.Y + 0.5}, q, 1e-9)
		}
	}
}

func TestLetterboxMidpointOf640x480(t *testing.T) {
	lb := mustLetterbox(t, 640, 480)
	// The input's centre is the source's centre; scale 0.4 on both axes.
	assertPoint(t, "centre", lb.ToSource(128, 128), Point{320, 240}, 1e-12)
	assertNear(t, "ScaleX", lb.ScaleX(), 0.4, 0)
	assertNear(t, "ScaleY", lb.ScaleY(), 0.4, 0)
}

func TestLetterboxRejectsBadSizes(t *testing.T) {
	for _, c := range [][3]int{{0, 480, 256}, {640, -1, 256}, {640, 480, 0}} {
		if _, err := NewLetterbox(c[0], c[1], c[2]); err == nil {
			t.Errorf("NewLetterbox%v: no error", c)
		}
	}
}

// A fitted canvas keeps the square's scale (the long side fills 256) and
// pads the short side only up to the next multiple of 32, split evenly.
func TestFittedLetterbox(t *testing.T) {
	cases := []struct {
		w, h          int
		cw, ch        int
		rw, rh        int
		left, top     int
		right, bottom int
	}{
		{960, 540, 256, 160, 256, 144, 0, 8, 0, 8},     // 16:9
		{640, 480, 256, 192, 256, 192, 0, 0, 0, 0},     // 4:3 fills its canvas
		{540, 960, 160, 256, 144, 256, 8, 0, 8, 0},     // portrait
		{256, 256, 256, 256, 256, 256, 0, 0, 0, 0},     // square
		{1920, 1500, 256, 224, 256, 200, 0, 12, 0, 12}, // the frame in its near-face border
		{3000, 100, 256, 32, 256, 9, 0, 11, 0, 12},     // the odd pixel at the bottom
	}
	for _, c := range cases {
		lb, err := NewFittedLetterbox(c.w, c.h, DetectorInputSize, DetectorStride)
		if err != nil {
			t.Fatal(err)
		}
		if lb.Width != c.cw || lb.Height != c.ch || lb.ResizedWidth != c.rw || lb.ResizedHeight != c.rh ||
			lb.PadLeft != c.left || lb.PadTop != c.top || lb.PadRight() != c.right || lb.PadBottom() != c.bottom {
			t.Errorf("%d×%d: got %+v right %d bottom %d", c.w, c.h, lb, lb.PadRight(), lb.PadBottom())
			continue
		}
		sq := mustLetterbox(t, c.w, c.h)
		if lb.ScaleX() != sq.ScaleX() || lb.ScaleY() != sq.ScaleY() {
			t.Errorf("%d×%d: scale %v×%v, the square's %v×%v", c.w, c.h, lb.ScaleX(), lb.ScaleY(), sq.ScaleX(), sq.ScaleY())
		}
		assertPoint(t, "top-left", lb.ToSource(float64(c.left), float64(c.top)), Point{0, 0}, 0)
		assertPoint(t, "bottom-right", lb.ToSource(float64(c.left+c.rw), float64(c.top+c.rh)), Point{float64(c.w), float64(c.h)}, 1e-12)
	}
	for _, c := range [][4]int{{640, 480, 256, 0}, {640, 480, 250, 32}, {0, 480, 256, 32}} {
		if _, err := NewFittedLetterbox(c[0], c[1], c[2], c[3]); err == nil {
			t.Errorf("NewFittedLetterbox%v: no error", c)
		}
	}
}
