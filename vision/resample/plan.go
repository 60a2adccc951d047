package resample

import (
	"math"
)

// rounding is how a weighted sum becomes an 8-bit value, per OpenCV path.
type rounding uint8

const (
	// roundExact: the general path (ResizeArea_Invoker) sums in float32 and
	// rounds with cvRound, half to even; here the exact sum/den, half to even.
	roundExact rounding = iota
	// roundHalfUp: the 2×2 fast path, (sum+2)>>2.
	roundHalfUp
	// roundFloat: the other whole-number scales, float32(sum)·(1.f/area)
	// rounded half to even, reproduced operation for operation.
	roundFloat
)

// axis holds one axis's weights. Output i is the sum over its entries
// taps[start[i]:start[i+1]] of weight × source pixel, divided by den (the
// cell width in the axis's unit). A weight is the overlap of the output's
// cell with a source pixel, in units of 1/q source pixel where the scale is
// den/q in lowest terms, so the sums are exact integers.
type axis struct {
	start []int32
	taps  []tap
	den   int
	unit  int // q: the weight of a whole source pixel inside a cell
	// uniform: every tap between an output's first and last has weight
	// unit (always so: only a cell's ends overlap pixels partly).
	uniform bool
	maxTaps int
	// live is the range of outputs with taps: the others lie wholly in the
	// margin and are black.
	live [2]int
}

type tap struct {
	src int32  // source index, margin removed
	w   uint32 // overlap in 1/q pixel
}

type planKey struct {
	width, height    int
	marginX, marginY int
	outW, outH       int
}

// plan is everything precomputed for one geometry.
type plan struct {
	key  planKey
	x, y axis
	mode rounding
	den  uint64 // x.den·y.den, the full weight of an output pixel
	// invDen approximates 1/den for a division without a divide instruction.
	invDen  float64
	invArea float32 // roundFloat: OpenCV's 1.f/area

	// packed: den ≤ maxPackedDen, so every per-channel sum fits 16 bits and
	// the three channels of a pixel are summed as lanes of one uint64.
	packed bool
	// quant[n] is the 8-bit value of the sum n (packed only).
	quant *[1 << 16]uint8
	// h3, h4, h5, h8 or hn (by x.maxTaps) give each output pixel's taps
	// as the byte offset of its first pixel in the row of 16-bit lanes
	// (6 bytes per pixel) and the weights of it and the following pixels,
	// zero-padded to the kernel's width (packed only).
	h3 []taps3
	h4 []taps4
	h5 []taps5
	h8 []taps8
	hn []uint32 // 1+hnWidth values per output
	// hnWidth is the kernel width: 3, 4, 5, 8 or x.maxTaps.
	hnWidth int
}

// maxPackedDen keeps 255·den below 1<<16: each of a pixel's three 16-bit
// lanes then holds its whole sum without carrying into the next.
const maxPackedDen = 257

// planFor returns the cached plan for this geometry, building it once.
func (r *Resizer) planFor(src Image, place Placement) *plan {
	key := planKey{src.Width, src.Height, src.MarginX, src.MarginY, place.Width, place.Height}
	for i, p := range r.plans {
		if p != nil && p.key == key {
			copy(r.plans[1:i+1], r.plans[:i])
			r.plans[0] = p
			return p
		}
	}
	p := newPlan(key, r.wide)
	copy(r.plans[1:], r.plans[:maxPlans-1])
	r.plans[0] = p
	return p
}

// newPlan computes the tables; wide forces the unpacked kernels (tests).
func newPlan(key planKey, wide bool) *plan {
	vw, vh := key.width+2*key.marginX, key.height+2*key.marginY
	// cv::resize passes inv_scale = dsize/ssize and hal::resize takes
	// scale = 1/inv_scale: use the same doubles, they decide the fast path.
	scaleX := 1 / (float64(key.outW) / float64(vw))
	scaleY := 1 / (float64(key.outH) / float64(vh))
	ix, iy := math.Round(scaleX), math.Round(scaleY)
	const dblEpsilon = 0x1p-52
	fast := math.Abs(scaleX-ix) < dblEpsilon && math.Abs(scaleY-iy) < dblEpsilon &&
		vw%key.outW == 0 && vh%key.outH == 0 // always true when fast, for sides below 2³¹

	p := &plan{key: key}
	p.x = newAxis(vw, key.outW, key.marginX, key.width, scaleX)
	p.y = newAxis(vh, key.outH, key.marginY, key.height, scaleY)
	p.den = uint64(p.x.den) * uint64(p.y.den)
	p.invDen = 1 / float64(p.den)
	switch {
	case fast && ix == 2 && iy == 2:
		p.mode = roundHalfUp
	case fast:
		p.mode = roundFloat
		p.invArea = 1 / float32(int(ix)*int(iy))
	default:
		p.mode = roundExact
	}
	if !wide && p.den <= maxPackedDen && p.x.uniform && p.y.uniform {
		p.packed = true
		p.quant = new([1 << 16]uint8)
		n := make([]uint64, 255*p.den+1)
		for i := range n {
			n[i] = uint64(i)
		}
		p.quantize(p.quant[:len(n)], n)
		p.buildHorizontal()
	}
	return p
}

// quantize turns sums into 8-bit values by the plan's rounding.
func (p *plan) quantize(dst []uint8, sums []uint64) {
	dst = dst[:len(sums)]
	switch p.mode {
	case roundHalfUp:
		for i, n := range sums {
			dst[i] = uint8(min((n+2)>>2, 255))
		}
	case roundFloat:
		for i, n := range sums {
			// C++: int sum * float scale is a float32 product, then
			// saturate_cast<uchar>(cvRound(…)).
			f := float32(float32(n) * p.invArea)
			dst[i] = uint8(min(math.RoundToEven(float64(f)), 255))
		}
	default:
		den, inv := p.den, p.invDen
		for i, n := range sums {
			// n < 2⁵³, so the float quotient is off by at most one; the
			// remainder fixes it, then ties go to the even quotient.
			q := uint64(float64(n) * inv)
			for q*den > n {
				q--
			}
			for n-q*den >= den {
				q++
			}
			if r2 := 2 * (n - q*den); r2 > den || r2 == den && q&1 == 1 {
				q++
			}
			dst[i] = uint8(min(q, 255))
		}
	}
}

// newAxis emulates computeResizeAreaTab for a virtual side of size (the
// margin included) shrunk to out, scale = size/out as OpenCV computes it,
// keeping only the taps on the real pixels [margin, margin+real).
//
// Which source pixels take part follows OpenCV's double arithmetic exactly
// (its ceil/floor of dx·scale, the last-index clamp, the 1e-3 thresholds that
// drop slivers), while each weight is the exact overlap: OpenCV's float32
// alpha only approximates it. cellWidth = min(scale, size−fsx1) is the scale
// itself for every cell of a downscale, up to rounding, hence den.
func newAxis(size, out, margin, real int, scale float64) axis {
	g := gcd(size, out)
	den, q := size/g, out/g
	a := axis{start: make([]int32, out+1), taps: make([]tap, 0, size+out), den: den, unit: q, uniform: true}
	add := func(dx, sx int) {
		lo, hi := max(dx*den, sx*q), min((dx+1)*den, (sx+1)*q)
		if hi <= lo || sx < margin || sx >= margin+real {
			return // black margin or no real overlap: contributes nothing
		}
		a.taps = append(a.taps, tap{src: int32(sx - margin), w: uint32(hi - lo)})
	}
	for dx := 0; dx < out; dx++ {
		a.start[dx] = int32(len(a.taps))
		fsx1 := float64(dx) * scale
		fsx2 := fsx1 + scale
		sx1, sx2 := int(math.Ceil(fsx1)), int(math.Floor(fsx2))
		sx2 = min(sx2, size-1)
		sx1 = min(sx1, sx2)
		if float64(sx1)-fsx1 > 1e-3 {
			add(dx, sx1-1)
		}
		for sx := sx1; sx < sx2; sx++ {
			add(dx, sx)
		}
		if fsx2-float64(sx2) > 1e-3 {
			add(dx, sx2)
		}
	}
	a.start[out] = int32(len(a.taps))
	a.live = [2]int{out, out}
	for dx := range out {
		taps := a.taps[a.start[dx]:a.start[dx+1]]
		a.maxTaps = max(a.maxTaps, len(taps))
		if len(taps) > 0 {
			a.live[0] = min(a.live[0], dx)
			a.live[1] = dx + 1
		}
		for k := 1; k < len(taps)-1; k++ {
			a.uniform = a.uniform && taps[k].w == uint32(q) && taps[k].src == taps[k-1].src+1
		}
		if len(taps) > 1 {
			a.uniform = a.uniform && taps[len(taps)-1].src == taps[len(taps)-2].src+1
		}
	}
	return a
}

type (
	taps3 struct {
		off uint32
		w   [3]uint32
	}
	taps4 struct {
		off uint32
		w   [4]uint32
	}
	taps5 struct {
		off uint32
		w   [5]uint32
	}
	taps8 struct {
		off uint32
		w   [8]uint32
	}
)

// buildHorizontal lays out the packed horizontal taps for the narrowest
// kernel that holds them. Taps are consecutive pixels (checked by uniform),
// so an output is a window of the lane row and its weights.
func (p *plan) buildHorizontal() {
	x := p.x
	width := x.maxTaps
	switch {
	case width <= 3:
		width = 3
	case width <= 5:
	case width <= 8:
		width = 8
	}
	p.hnWidth = width
	weights := make([]uint32, width)
	for dx := range p.key.outW {
		taps := x.taps[x.start[dx]:x.start[dx+1]]
		clear(weights)
		off := uint32(0)
		if len(taps) > 0 {
			off = 6 * uint32(taps[0].src)
		}
		for k, t := range taps {
			weights[k] = t.w
		}
		switch width {
		case 3:
			p.h3 = append(p.h3, taps3{off, [3]uint32(weights)})
		case 4:
			p.h4 = append(p.h4, taps4{off, [4]uint32(weights)})
		case 5:
			p.h5 = append(p.h5, taps5{off, [5]uint32(weights)})
		case 8:
			p.h8 = append(p.h8, taps8{off, [8]uint32(weights)})
		default:
			p.hn = append(p.hn, off)
			p.hn = append(p.hn, weights...)
		}
	}
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
