package resample

import (
	"math"
	"slices"
	"testing"
)

// fuzzLimit bounds the valid calls the fuzzer runs (bytes of source or
// values of tensor); larger geometries still go through validation.
const fuzzLimit = 1 << 20

// fuzzValid restates AreaInto's contract independently of validate.
func fuzzValid(dst Tensor, src Image, place Placement, norm Norm) bool {
	side := func(v int) bool { return v >= 1 && v <= MaxSide }
	if !side(src.Width) || !side(src.Height) || src.MarginX < 0 || src.MarginY < 0 ||
		!side(src.Width+2*src.MarginX) || !side(src.Height+2*src.MarginY) {
		return false
	}
	if src.Stride < 3*src.Width || len(src.Pix) < src.Stride*(src.Height-1)+3*src.Width {
		return false
	}
	if !side(dst.Width) || !side(dst.Height) || len(dst.Data) != 3*dst.Width*dst.Height {
		return false
	}
	if place.Width < 1 || place.Height < 1 || place.Left < 0 || place.Top < 0 ||
		place.Left+place.Width > dst.Width || place.Top+place.Height > dst.Height ||
		place.Width > src.Width+2*src.MarginX || place.Height > src.Height+2*src.MarginY {
		return false
	}
	for _, v := range []float64{float64(norm.Mean), float64(norm.Scale),
		float64(float32(0-norm.Mean) * norm.Scale), float64(float32(255-norm.Mean) * norm.Scale)} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

func FuzzAreaInto(f *testing.F) {
	f.Add(int16(4), int16(4), int16(0), int16(0), int16(0), int16(2), int16(2), int16(2), int16(2), int16(0), int16(0), int8(0), int8(0), float32(127.5), float32(1/127.5), uint8(1), false, []byte{1, 2, 3})
	f.Add(int16(5), int16(3), int16(1), int16(0), int16(0), int16(4), int16(3), int16(2), int16(2), int16(1), int16(1), int8(0), int8(0), float32(0), float32(1), uint8(2), true, []byte{200})
	f.Add(int16(96), int16(54), int16(0), int16(48), int16(48), int16(64), int16(64), int16(64), int16(50), int16(0), int16(7), int8(0), int8(0), float32(127.5), float32(1/127.5), uint8(3), false, []byte("frame"))
	f.Add(int16(49*3), int16(49), int16(2), int16(0), int16(0), int16(3), int16(1), int16(3), int16(1), int16(0), int16(0), int8(0), int8(0), float32(10), float32(-2), uint8(1), false, []byte{7, 9})
	f.Add(int16(7), int16(5), int16(0), int16(0), int16(0), int16(8), int16(5), int16(8), int16(5), int16(0), int16(0), int8(0), int8(0), float32(0), float32(1), uint8(1), false, []byte{1})                        // upscale
	f.Add(int16(7), int16(5), int16(0), int16(0), int16(0), int16(7), int16(5), int16(7), int16(5), int16(0), int16(0), int8(-1), int8(0), float32(0), float32(1), uint8(1), false, []byte{1})                       // short Pix
	f.Add(int16(300), int16(200), int16(0), int16(1), int16(1), int16(256), int16(192), int16(256), int16(171), int16(0), int16(10), int8(0), int8(1), float32(0), float32(1), uint8(1), false, []byte{1})           // long tensor
	f.Add(int16(96), int16(54), int16(0), int16(48), int16(27), int16(64), int16(36), int16(64), int16(36), int16(0), int16(0), int8(0), int8(0), float32(127.5), float32(1/127.5), uint8(2), false, []byte("wide")) // margins per axis
	f.Add(int16(-1), int16(5), int16(0), int16(0), int16(0), int16(1), int16(1), int16(1), int16(1), int16(0), int16(0), int8(0), int8(0), float32(0), float32(1), uint8(1), false, []byte{})
	f.Add(int16(32767), int16(32767), int16(0), int16(1), int16(1), int16(1), int16(1), int16(1), int16(1), int16(0), int16(0), int8(0), int8(0), float32(0), float32(1), uint8(1), false, []byte{})

	f.Fuzz(func(t *testing.T, sw, sh, pad, marginX, marginY, cw, ch, pw, ph, left, top int16, pixExtra, dataExtra int8,
		mean, scale float32, workers uint8, constant bool, data []byte) {
		src := Image{Width: int(sw), Height: int(sh), Stride: 3*int(sw) + int(pad), MarginX: int(marginX), MarginY: int(marginY)}
		need := src.Stride*(src.Height-1) + 3*src.Width + int(pixExtra)
		if need > fuzzLimit {
			need = 3 * fuzzLimit / 4 // too short: the call must fail
		}
		if need > 0 {
			src.Pix = make([]byte, need)
			for i := range src.Pix {
				if len(data) > 0 {
					src.Pix[i] = data[i%len(data)]
					if constant {
						src.Pix[i] = data[0]
					}
				}
			}
		}
		dst := Tensor{Width: int(cw), Height: int(ch)}
		if n := 3*dst.Width*dst.Height + int(dataExtra); n > 0 && n <= fuzzLimit {
			dst.Data = make([]float32, n)
		}
		place := Placement{Left: int(left), Top: int(top), Width: int(pw), Height: int(ph)}
		norm := Norm{Mean: mean, Scale: scale}
		for i := range dst.Data {
			dst.Data[i] = 12345
		}

		r := Resizer{Workers: int(workers % 5)}
		err := r.AreaInto(dst, src, place, norm)
		if valid := fuzzValid(dst, src, place, norm); valid != (err == nil) {
			t.Fatalf("valid=%v but AreaInto returned %v", valid, err)
		}
		if err != nil {
			if !slices.Equal(dst.Data, slices.Repeat([]float32{12345}, len(dst.Data))) {
				t.Fatal("the tensor was written despite the error")
			}
			return
		}

		// Every value is a normalised 8-bit value; the padding is black.
		lo, hi := float32(0-mean)*scale, float32(255-mean)*scale
		lo, hi = min(lo, hi), max(lo, hi)
		plane := dst.Width * dst.Height
		inside := func(i int) bool {
			x, y := i%plane%dst.Width, i%plane/dst.Width
			return x >= place.Left && x < place.Left+place.Width && y >= place.Top && y < place.Top+place.Height
		}
		for i, v := range dst.Data {
			if !(v >= lo && v <= hi) {
				t.Fatalf("value %d = %v outside [%v, %v]", i, v, lo, hi)
			}
			if !inside(i) && v != float32(0-mean)*scale {
				t.Fatalf("padding value %d = %v, want black %v", i, v, float32(0-mean)*scale)
			}
		}

		// A constant frame without margin stays constant, unless OpenCV's
		// dropped slivers (output sides above 1000) darken it.
		if constant && len(data) > 0 && src.MarginX == 0 && src.MarginY == 0 && place.Width <= 1000 && place.Height <= 1000 {
			want := float32(float32(data[0])-mean) * scale
			for i, v := range dst.Data {
				if inside(i) && v != want {
					t.Fatalf("constant %d: value %d = %v, want %v", data[0], i, v, want)
				}
			}
		}

		// The packed and wide kernels and any worker count agree exactly,
		// and the 8-bit values are OpenCV's to within one level.
		if vw, vh := src.Width+2*src.MarginX, src.Height+2*src.MarginY; vw*vh > 1<<16 {
			return
		}
		levels := func(r *Resizer) []float32 {
			out := Tensor{Data: make([]float32, len(dst.Data)), Width: dst.Width, Height: dst.Height}
			if err := r.AreaInto(out, src, place, identity); err != nil {
				t.Fatal(err)
			}
			return out.Data
		}
		packed := levels(&Resizer{})
		if wide := levels(&Resizer{wide: true, Workers: 3}); !slices.Equal(packed, wide) {
			t.Fatal("the packed and wide kernels differ")
		}
		want := refChain(src, place, dst.Width, dst.Height, identity)
		for i := range want {
			if math.Abs(float64(packed[i]-want[i])) > 1 {
				t.Fatalf("value %d = %v, OpenCV's arithmetic gives %v", i, packed[i], want[i])
			}
		}
	})
}
