package resample

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// blob is the detector's BlobFromImage normalisation.
var blob = Norm{Mean: 127.5, Scale: 1 / 127.5}

// identity leaves the 8-bit values as they are, for hand-computed tests.
var identity = Norm{Mean: 0, Scale: 1}

// newImage makes a w×h BGR image with pad spare bytes after each row.
func newImage(w, h, pad int, at func(x, y, c int) byte) Image {
	im := Image{Width: w, Height: h, Stride: 3*w + pad}
	im.Pix = make([]byte, im.Stride*(h-1)+3*w)
	for y := range h {
		for x := range w {
			for c := range 3 {
				im.Pix[y*im.Stride+3*x+c] = at(x, y, c)
			}
		}
	}
	return im
}

func randomImage(rng *rand.Rand, w, h, pad int) Image {
	return newImage(w, h, pad, func(int, int, int) byte { return byte(rng.UintN(256)) })
}

func newTensor(w, h int) Tensor { return Tensor{Data: make([]float32, 3*w*h), Width: w, Height: h} }

// full places the resized image over the whole canvas.
func full(w, h int) Placement { return Placement{Width: w, Height: h} }

// planes returns the tensor's R, G, B planes.
func planes(t Tensor) (r, g, b []float32) {
	n := t.Width * t.Height
	return t.Data[:n], t.Data[n : 2*n], t.Data[2*n:]
}

func TestAreaIntoIntegerScale(t *testing.T) {
	// 4×4 → 2×2 takes OpenCV's 2×2 fast path: (sum+2)>>2, ties round up.
	vals := [4][4]byte{
		{0, 1, 10, 10},
		{1, 0, 10, 11}, // block sum 2: 0.5 → 1; block sum 41: 10.25 → 10
		{100, 100, 255, 255},
		{100, 102, 255, 254}, // block sum 402: 100.5 → 101; 1019: 254.75 → 255
	}
	src := newImage(4, 4, 0, func(x, y, c int) byte {
		if c == 0 {
			return vals[y][x]
		}
		return 7 // G and R constant
	})
	dst := newTensor(2, 2)
	var r Resizer
	if err := r.AreaInto(dst, src, full(2, 2), identity); err != nil {
		t.Fatal(err)
	}
	rp, gp, bp := planes(dst)
	if want := []float32{1, 10, 101, 255}; !slices.Equal(bp, want) {
		t.Errorf("B plane %v, want %v", bp, want)
	}
	if want := []float32{7, 7, 7, 7}; !slices.Equal(rp, want) || !slices.Equal(gp, want) {
		t.Errorf("R, G planes %v %v, want 7s", rp, gp)
	}

	// 4×4 → 1×1 is the general fast path: sum·(1/16) rounded half to even.
	for _, tc := range []struct {
		sum  int
		want float32
	}{{8, 0}, {24, 2}, {40, 2}, {56, 4}, {4072, 254}, {4080, 255}} {
		rest := tc.sum
		src := newImage(4, 4, 0, func(x, y, c int) byte {
			v := min(rest, 255)
			if c == 2 {
				rest -= v
				return byte(v)
			}
			return 0
		})
		dst := newTensor(1, 1)
		if err := r.AreaInto(dst, src, full(1, 1), identity); err != nil {
			t.Fatal(err)
		}
		if rp, _, _ := planes(dst); rp[0] != tc.want {
			t.Errorf("4×4 block summing to %d: %v, want %v", tc.sum, rp[0], tc.want)
		}
	}
}

func TestAreaIntoNonIntegerScale(t *testing.T) {
	// 5×3 → 2×2: scale 2.5 across, 1.5 down. Across, cell 0 covers pixels
	// 0, 1 and half of 2 (weights .4 .4 .2), cell 1 half of 2, then 3 and 4
	// (.2 .4 .4). Down, cell 0 is row 0 and half of row 1 (2/3, 1/3), cell 1
	// half of row 1 and row 2 (1/3, 2/3).
	//
	// A plane v = 10x + 30y + c averages to 10·x̄ + 30·ȳ + c with
	// x̄ = 0.8, 3.2 and ȳ = 1/3, 5/3: 18+c, 42+c, 58+c, 82+c.
	src := newImage(5, 3, 5, func(x, y, c int) byte { return byte(10*x + 30*y + 50*c) })
	dst := newTensor(2, 2)
	var r Resizer
	if err := r.AreaInto(dst, src, full(2, 2), identity); err != nil {
		t.Fatal(err)
	}
	rp, gp, bp := planes(dst)
	for name, got := range map[string][]float32{"B": bp, "G": gp, "R": rp} {
		c := float32(strings.Index("BGR", name) * 50)
		if want := []float32{18 + c, 42 + c, 58 + c, 82 + c}; !slices.Equal(got, want) {
			t.Errorf("%s plane %v, want %v", name, got, want)
		}
	}

	// One lit pixel: (2,1) = 255 weighs .2 across and 1/3 down in all four
	// cells, 17 each; (0,0) = 100 weighs .4·2/3 in cell 0, 26.67 → 27.
	src = newImage(5, 3, 0, func(x, y, c int) byte {
		switch {
		case x == 2 && y == 1:
			return 255
		case x == 0 && y == 0:
			return 100
		}
		return 0
	})
	if err := r.AreaInto(dst, src, full(2, 2), identity); err != nil {
		t.Fatal(err)
	}
	rp, _, _ = planes(dst)
	if want := []float32{17 + 27, 17, 17, 17}; !slices.Equal(rp, want) {
		t.Errorf("lit pixels: %v, want %v", rp, want)
	}
}

func TestAreaIntoPlacementPaddingAndChannels(t *testing.T) {
	// A constant BGR (10, 20, 30) 6×4 frame → 3×2 placed at (1, 2) on a
	// 5×5 canvas: R plane first, black around, normalised like the blob.
	src := newImage(6, 4, 3, func(x, y, c int) byte { return byte(10 * (c + 1)) })
	dst := newTensor(5, 5)
	for i := range dst.Data {
		dst.Data[i] = float32(math.NaN()) // every value must be written
	}
	place := Placement{Left: 1, Top: 2, Width: 3, Height: 2}
	var r Resizer
	if err := r.AreaInto(dst, src, place, blob); err != nil {
		t.Fatal(err)
	}
	norm := func(v float32) float32 { return float32(v-127.5) * float32(1/127.5) }
	for c, want := range []float32{30, 20, 10} { // R, G, B planes
		for y := range 5 {
			for x := range 5 {
				got := dst.Data[c*25+y*5+x]
				w := norm(0)
				if x >= 1 && x < 4 && y >= 2 && y < 4 {
					w = norm(want)
				}
				if got != w {
					t.Errorf("plane %d (%d,%d) = %v, want %v", c, x, y, got, w)
				}
			}
		}
	}
	if got := dst.Data[0]; got != -1 {
		t.Errorf("black normalises to %v, want -1", got)
	}
}

func TestAreaIntoErrors(t *testing.T) {
	good := func() (Tensor, Image, Placement, Norm) {
		return newTensor(8, 6), newImage(16, 12, 2, func(x, y, c int) byte { return 1 }), full(8, 6), blob
	}
	cases := []struct {
		name   string
		modify func(*Tensor, *Image, *Placement, *Norm)
		want   string
	}{
		{"zero width", func(_ *Tensor, s *Image, _ *Placement, _ *Norm) { s.Width = 0 }, "sides must be"},
		{"negative height", func(_ *Tensor, s *Image, _ *Placement, _ *Norm) { s.Height = -3 }, "sides must be"},
		{"huge width", func(_ *Tensor, s *Image, _ *Placement, _ *Norm) { s.Width = MaxSide + 1 }, "sides must be"},
		{"short stride", func(_ *Tensor, s *Image, _ *Placement, _ *Norm) { s.Stride = 47 }, "stride"},
		{"huge stride", func(_ *Tensor, s *Image, _ *Placement, _ *Norm) { s.Stride = math.MaxInt }, "stride"},
		{"short pix", func(_ *Tensor, s *Image, _ *Placement, _ *Norm) { s.Pix = s.Pix[:len(s.Pix)-1] }, "needs"},
		{"nil pix", func(_ *Tensor, s *Image, _ *Placement, _ *Norm) { s.Pix = nil }, "stride"},
		{"negative margin", func(_ *Tensor, s *Image, _ *Placement, _ *Norm) { s.MarginX = -1 }, "margin"},
		{"negative margin y", func(_ *Tensor, s *Image, _ *Placement, _ *Norm) { s.MarginY = -1 }, "margin"},
		{"huge margin", func(_ *Tensor, s *Image, _ *Placement, _ *Norm) { s.MarginX = math.MaxInt / 2 }, "margin"},
		{"huge margin y", func(_ *Tensor, s *Image, _ *Placement, _ *Norm) { s.MarginY = math.MaxInt / 2 }, "margin"},
		{"tensor short", func(d *Tensor, _ *Image, _ *Placement, _ *Norm) { d.Data = d.Data[1:] }, "values"},
		{"tensor long", func(d *Tensor, _ *Image, _ *Placement, _ *Norm) { d.Data = append(d.Data, 0) }, "values"},
		{"tensor zero", func(d *Tensor, _ *Image, _ *Placement, _ *Norm) { d.Width = 0 }, "tensor"},
		{"resized zero", func(_ *Tensor, _ *Image, p *Placement, _ *Norm) { p.Height = 0 }, "at least 1"},
		{"placement left", func(_ *Tensor, _ *Image, p *Placement, _ *Norm) { p.Left = 1 }, "does not fit"},
		{"placement negative", func(_ *Tensor, _ *Image, p *Placement, _ *Norm) { p.Top = -1; p.Height = 5 }, "does not fit"},
		{"placement overflow", func(_ *Tensor, _ *Image, p *Placement, _ *Norm) { p.Left = math.MaxInt; p.Width = 2 }, "does not fit"},
		{"upscale", func(d *Tensor, s *Image, p *Placement, _ *Norm) { *s = newImage(7, 12, 0, nil0); *p = full(8, 6) }, "upscale"},
		{"NaN mean", func(_ *Tensor, _ *Image, _ *Placement, n *Norm) { n.Mean = float32(math.NaN()) }, "finite"},
		{"Inf scale", func(_ *Tensor, _ *Image, _ *Placement, n *Norm) { n.Scale = float32(math.Inf(1)) }, "finite"},
		{"overflowing norm", func(_ *Tensor, _ *Image, _ *Placement, n *Norm) { n.Scale = math.MaxFloat32 }, "finite"},
	}
	var r Resizer
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dst, src, place, norm := good()
			tc.modify(&dst, &src, &place, &norm)
			for i := range dst.Data {
				dst.Data[i] = 42
			}
			err := r.AreaInto(dst, src, place, norm)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "resample: ") {
				t.Fatalf("error %v, want one mentioning %q", err, tc.want)
			}
			for _, v := range dst.Data {
				if v != 42 {
					t.Fatal("the tensor was written despite the error")
				}
			}
		})
	}
	dst, src, place, norm := good()
	if err := r.AreaInto(dst, src, place, norm); err != nil {
		t.Fatalf("the unmodified arguments fail: %v", err)
	}
}

func nil0(int, int, int) byte { return 0 }

// mismatch compares two tensors in units of one 8-bit level of norm,
// rounded to a whole level (the float32 normalisation blurs it by 1e-6).
func mismatch(got, want []float32, norm Norm) (maxLevels float64, differ int) {
	level := math.Abs(float64(norm.Scale))
	for i := range got {
		if got[i] != want[i] {
			differ++
			maxLevels = max(maxLevels, math.Round(math.Abs(float64(got[i]-want[i]))/level))
		}
	}
	return maxLevels, differ
}

type refCase struct {
	w, h, margin int
	outW, outH   int // resized size
	cw, ch       int // canvas
	left, top    int
	exact        bool // no average lies near a half: must match bit for bit
}

func (c refCase) String() string {
	return fmt.Sprintf("%dx%d+%d→%dx%d", c.w, c.h, c.margin, c.outW, c.outH)
}

var refCases = []refCase{
	{960, 540, 0, 256, 144, 256, 160, 0, 8, true},
	{960, 540, 480, 256, 200, 256, 224, 0, 12, true},
	{640, 480, 0, 256, 192, 256, 192, 0, 0, true},
	{1920, 1080, 0, 256, 144, 256, 256, 0, 56, true},
	{1280, 720, 0, 256, 144, 256, 160, 0, 8, true},
	{768, 432, 0, 256, 144, 256, 144, 0, 0, true},
	{512, 288, 0, 256, 144, 256, 144, 0, 0, true},   // 2×2 fast path
	{49 * 5, 49 * 3, 0, 5, 3, 5, 3, 0, 0, false},    // 49 is "not whole" in double
	{517, 606, 0, 218, 256, 256, 256, 19, 0, false}, // den 517·303: wide kernels
	{333, 197, 0, 256, 151, 256, 160, 0, 4, false},
	{101, 77, 3, 13, 11, 16, 16, 1, 2, false},
	{7, 5, 0, 7, 5, 7, 5, 0, 0, true}, // same size: OpenCV copies
	{7, 5, 0, 7, 2, 7, 2, 0, 0, false},
	{1, 1, 0, 1, 1, 1, 1, 0, 0, true},
	{3, 1, 2, 2, 1, 2, 1, 0, 0, false},
}

func TestAreaIntoMatchesOpenCVArithmetic(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, wide := range []bool{false, true} {
		for _, c := range refCases {
			src := randomImage(rng, c.w, c.h, 5)
			src.MarginX, src.MarginY = c.margin, c.margin
			place := Placement{Left: c.left, Top: c.top, Width: c.outW, Height: c.outH}
			want := refChain(src, place, c.cw, c.ch, blob)
			dst := newTensor(c.cw, c.ch)
			r := Resizer{wide: wide}
			if err := r.AreaInto(dst, src, place, blob); err != nil {
				t.Fatalf("%v: %v", c, err)
			}
			maxLevels, differ := mismatch(dst.Data, want, blob)
			frac := float64(differ) / float64(len(want))
			t.Logf("%v wide=%v: %d of %d values differ (%.4f%%), max %.0f level", c, wide, differ, len(want), 100*frac, maxLevels)
			if maxLevels > 1 || frac > 0.001 || c.exact && differ > 0 {
				t.Errorf("%v wide=%v: %d values differ, up to %v levels", c, wide, differ, maxLevels)
			}
		}
	}
}

func TestAreaIntoRandomSizesMatchOpenCVArithmetic(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var differ, total int
	for range 300 {
		w, h := 1+rng.IntN(120), 1+rng.IntN(120)
		mx, my := 0, 0
		switch rng.IntN(6) {
		case 0, 1:
			mx = rng.IntN(40)
			my = mx
		case 2:
			mx, my = rng.IntN(40), rng.IntN(40)
		}
		ow, oh := 1+rng.IntN(w+2*mx), 1+rng.IntN(h+2*my)
		cw, ch := ow+rng.IntN(4), oh+rng.IntN(4)
		place := Placement{Left: rng.IntN(cw - ow + 1), Top: rng.IntN(ch - oh + 1), Width: ow, Height: oh}
		src := randomImage(rng, w, h, rng.IntN(4))
		src.MarginX, src.MarginY = mx, my
		want := refChain(src, place, cw, ch, blob)
		for _, wide := range []bool{false, true} {
			r := Resizer{wide: wide, Workers: 1 + rng.IntN(3)}
			dst := newTensor(cw, ch)
			if err := r.AreaInto(dst, src, place, blob); err != nil {
				t.Fatalf("%dx%d+%d,%d → %dx%d: %v", w, h, mx, my, ow, oh, err)
			}
			maxLevels, n := mismatch(dst.Data, want, blob)
			if maxLevels > 1 {
				t.Fatalf("%dx%d+%d,%d → %dx%d wide=%v: off by %v levels", w, h, mx, my, ow, oh, wide, maxLevels)
			}
			differ += n
			total += len(want)
		}
	}
	t.Logf("random sizes: %d of %d values differ from OpenCV's float arithmetic (%.4f%%)", differ, total, 100*float64(differ)/float64(total))
	if float64(differ) > 0.001*float64(total) {
		t.Errorf("%d of %d values differ", differ, total)
	}
}

func TestAreaIntoMarginIsBlackBorder(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	src := randomImage(rng, 96, 54, 1)
	for _, m := range [][2]int{{48, 48}, {48, 27}, {0, 30}, {17, 0}} {
		src.MarginX, src.MarginY = m[0], m[1]
		marginIsBlackBorder(t, src, []Placement{full(64, 50), full(96+2*m[0], 54+2*m[1]), full(37, 29), full(1, 1)})
	}
}

// marginIsBlackBorder checks that src's virtual margin resizes as the same
// border materialised does.
func marginIsBlackBorder(t *testing.T, src Image, places []Placement) {
	t.Helper()
	bordered := withMargin(src)
	plain := Image{Pix: bordered.pix, Width: bordered.w, Height: bordered.h, Stride: 3 * bordered.w}
	for _, place := range places {
		var r Resizer
		a, b := newTensor(place.Width, place.Height), newTensor(place.Width, place.Height)
		if err := r.AreaInto(a, src, place, blob); err != nil {
			t.Fatal(err)
		}
		if err := r.AreaInto(b, plain, place, blob); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a.Data, b.Data) {
			t.Errorf("margins %d×%d, %dx%d: the virtual margin differs from a materialised one", src.MarginX, src.MarginY, place.Width, place.Height)
		}
	}
}

func TestAreaIntoWorkersAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	src := randomImage(rng, 333, 197, 0)
	place := Placement{Left: 2, Top: 3, Width: 100, Height: 61}
	var want []float32
	for _, workers := range []int{0, 1, 2, 3, 7, 61, 500} {
		for _, wide := range []bool{false, true} {
			r := Resizer{Workers: workers, wide: wide}
			dst := newTensor(104, 64)
			for range 2 { // the second call reuses the plan and scratch
				if err := r.AreaInto(dst, src, place, blob); err != nil {
					t.Fatal(err)
				}
			}
			if want == nil {
				want = dst.Data
			} else if !slices.Equal(dst.Data, want) {
				t.Errorf("workers=%d wide=%v: result differs", workers, wide)
			}
		}
	}
}

func TestAreaIntoConstantStaysConstant(t *testing.T) {
	for _, v := range []byte{0, 1, 127, 128, 254, 255} {
		src := newImage(333, 197, 0, func(int, int, int) byte { return v })
		for _, place := range []Placement{full(256, 151), full(111, 66), full(333, 98), full(3, 1)} {
			var r Resizer
			dst := newTensor(place.Width, place.Height)
			if err := r.AreaInto(dst, src, place, identity); err != nil {
				t.Fatal(err)
			}
			for _, got := range dst.Data {
				if got != float32(v) {
					t.Fatalf("constant %d → %dx%d gave %v", v, place.Width, place.Height, got)
				}
			}
		}
	}
}

func TestAreaIntoSteadyStateAllocatesNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	frame := randomImage(rng, 960, 540, 0)
	far := frame
	far.MarginX, far.MarginY = 480, 270
	for _, workers := range []int{1, 2} {
		for _, wide := range []bool{false, true} {
			r := Resizer{Workers: workers, wide: wide}
			near, farT := newTensor(256, 160), newTensor(256, 160)
			run := func() {
				// A detector alternates between the frame and the frame with
				// a margin: both plans stay cached.
				if err := r.AreaInto(near, frame, Placement{Top: 8, Width: 256, Height: 144}, blob); err != nil {
					t.Fatal(err)
				}
				if err := r.AreaInto(farT, far, Placement{Top: 8, Width: 256, Height: 144}, blob); err != nil {
					t.Fatal(err)
				}
			}
			run()
			if n := testing.AllocsPerRun(20, run); n != 0 {
				t.Errorf("workers=%d wide=%v: %v allocations per steady-state call pair", workers, wide, n)
			}
		}
	}
}

func TestAreaIntoPlanCache(t *testing.T) {
	var r Resizer
	src := newImage(40, 30, 0, nil0)
	for i := range 2 * maxPlans {
		place := full(10+i, 10)
		if err := r.AreaInto(newTensor(place.Width, place.Height), src, place, blob); err != nil {
			t.Fatal(err)
		}
		if r.plans[0].key.outW != place.Width {
			t.Fatalf("the newest plan is not first")
		}
	}
	if r.plans[maxPlans-1].key.outW != 10+maxPlans {
		t.Errorf("the oldest plans were not the ones dropped")
	}
}

func benchAreaInto(b *testing.B, w, h, mx, my int, place Placement, cw, ch, workers int) {
	rng := rand.New(rand.NewPCG(11, 12))
	src := randomImage(rng, w, h, 0)
	src.MarginX, src.MarginY = mx, my
	dst := newTensor(cw, ch)
	r := Resizer{Workers: workers}
	if err := r.AreaInto(dst, src, place, blob); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := r.AreaInto(dst, src, place, blob); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAreaInto(b *testing.B) {
	for _, c := range []struct {
		name         string
		w, h, mx, my int
		place        Placement
		cw, ch       int
	}{
		{"960x540to256x144", 960, 540, 0, 0, Placement{Top: 8, Width: 256, Height: 144}, 256, 160},
		{"640x480to256x192", 640, 480, 0, 0, full(256, 192), 256, 192},
		{"1920x1080to256x144", 1920, 1080, 0, 0, Placement{Top: 8, Width: 256, Height: 144}, 256, 160},
		// The detector's second look: the 960×540 frame in a margin of half
		// its width and height on each side.
		{"960x540+480x270to256x144", 960, 540, 480, 270, Placement{Top: 8, Width: 256, Height: 144}, 256, 160},
	} {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", c.name, workers), func(b *testing.B) {
				benchAreaInto(b, c.w, c.h, c.mx, c.my, c.place, c.cw, c.ch, workers)
			})
		}
	}
}
