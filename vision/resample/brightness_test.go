package resample

import (
	"math"
	"testing"
)

// brightness is what vision measures of a picture: the mean and spread of
// its grey cells.
func brightness(img Image) (mean, spread float64, err error) {
	cells, _, _, err := GreyCells(img)
	if err != nil {
		return 0, 0, err
	}
	mean, spread = MeanSpread(cells)
	return mean, spread, nil
}

func TestBrightness(t *testing.T) {
	flat := func(w, h int, b, g, r byte) []byte {
		pix := make([]byte, 3*w*h)
		for i := 0; i < len(pix); i += 3 {
			pix[i], pix[i+1], pix[i+2] = b, g, r
		}
		return pix
	}
	// A flat picture of any size: its grey, no spread.
	for _, sz := range [][2]int{{1, 1}, {3, 2}, {63, 47}, {64, 48}, {640, 480}, {1920, 1080}, {4000, 50}} {
		m, s, err := brightness(Image{Pix: flat(sz[0], sz[1], 10, 200, 90), Width: sz[0], Height: sz[1], Stride: 3 * sz[0]})
		if err != nil {
			t.Fatalf("%v flat: %v", sz, err)
		}
		if want := 0.114*10 + 0.587*200 + 0.299*90; math.Abs(m-want) > 0.01 || s != 0 {
			t.Errorf("%v flat: mean %v spread %v, want %.2f 0", sz, m, s, want)
		}
	}
	// Left half black, right half white: mean 127.5, spread 127.5, however
	// finely it is sampled.
	for _, sz := range [][2]int{{64, 48}, {640, 480}, {1280, 720}} {
		w, h := sz[0], sz[1]
		pix := make([]byte, 3*w*h)
		for y := range h {
			for x := w / 2; x < w; x++ {
				copy(pix[3*(y*w+x):], []byte{255, 255, 255})
			}
		}
		if m, s, err := brightness(Image{Pix: pix, Width: w, Height: h, Stride: 3 * w}); err != nil || math.Abs(m-127.5) > 0.01 || math.Abs(s-127.5) > 0.01 {
			t.Errorf("%v halves: mean %v spread %v (%v)", sz, m, s, err)
		}
	}
	// Rows with padding beyond the picture: the padding is not read.
	w, h, stride := 100, 60, 400
	pix := make([]byte, stride*h)
	for i := range pix {
		pix[i] = 255
	}
	for y := range h {
		clear(pix[y*stride : y*stride+3*w])
	}
	if m, s, err := brightness(Image{Pix: pix, Width: w, Height: h, Stride: stride}); err != nil || m != 0 || s != 0 {
		t.Errorf("padded rows: %v %v (%v)", m, s, err)
	}
	// Sizes the bytes cannot hold: an error, not the measure of a black
	// picture (which would read as a dark room).
	for _, c := range [][3]int{{0, 10, 30}, {10, 0, 30}, {10, 10, 29}, {11, 10, 30}, {10, 11, 30}, {10, 10, -30}} {
		if m, s, err := brightness(Image{Pix: make([]byte, 300), Width: c[0], Height: c[1], Stride: c[2]}); err == nil {
			t.Errorf("%v: %v %v, want an error", c, m, s)
		}
	}
}

func FuzzBrightness(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6}, 2, 1, 6)
	f.Add(make([]byte, 3*200*100), 200, 100, 600)
	f.Fuzz(func(t *testing.T, pix []byte, w, h, stride int) {
		if w > 1<<14 || h > 1<<14 || stride > 1<<16 {
			return
		}
		m, s, err := brightness(Image{Pix: pix, Width: w, Height: h, Stride: stride})
		if err != nil {
			if m != 0 || s != 0 {
				t.Fatalf("%d×%d stride %d: %v, yet mean %v spread %v", w, h, stride, err, m, s)
			}
			return
		}
		if math.IsNaN(m) || math.IsNaN(s) || m < 0 || m > 255.01 || s < 0 || s > 127.51 {
			t.Fatalf("%d×%d stride %d: mean %v spread %v", w, h, stride, m, s)
		}
	})
}
