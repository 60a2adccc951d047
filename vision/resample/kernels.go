package resample

import (
	"encoding/binary"
)

// The packed kernels (plans with den ≤ maxPackedDen) work on 16-bit lanes in
// uint64 words. The vertical pass reads 8 source bytes at a time, splits them
// into even and odd bytes (4 lanes each), multiplies by the row's weight and
// sums the rows; it then interleaves the two words back into source order, so
// that a pixel's B, G, R are three consecutive lanes of one unaligned uint64
// read. The horizontal pass then needs one multiply-add per tap for all three
// channels. No lane overflows: a sum is at most 255·den < 1<<16.
//
// The loops slice with three indexes (s[i:i+8:i+8]): the compiler then
// proves the reads in bounds without masking, which keeps this as fast as
// unchecked code.

// scratch is one worker's row buffers.
type scratch struct {
	// lanes holds an output row after the vertical pass, each source byte's
	// weighted sum as a 16-bit little-endian value in source order, then
	// slack for the horizontal windows that reach past the row (whatever
	// is there is read at weight 0).
	lanes []byte
	acc   []uint64 // even/odd sums for outputs of more than 5 source rows
	// pads are zero-padded copies of source rows whose 8-byte reads would
	// pass the end of Pix (the last rows).
	pads [5][]byte

	wide []uint32 // unpacked plans: vertical sums
	sums []uint64 // unpacked plans: horizontal sums
	q8   []uint8
}

func (s *scratch) grow(p *plan, srcWidth int) {
	rowBytes := 3 * srcWidth
	if p.packed {
		n := readBytes(rowBytes)
		if need := 2*n + 6*p.hnWidth + 8; len(s.lanes) < need {
			s.lanes = make([]byte, need)
		}
		if p.y.maxTaps > 5 && len(s.acc) < n/4 {
			s.acc = make([]uint64, n/4)
		}
		for k := range s.pads {
			if len(s.pads[k]) < n {
				s.pads[k] = make([]byte, n)
			}
		}
		return
	}
	if len(s.wide) < rowBytes {
		s.wide = make([]uint32, rowBytes)
	}
	if n := 3 * p.key.outW; len(s.sums) < n {
		s.sums = make([]uint64, n)
		s.q8 = make([]uint8, n)
	}
}

// readBytes is how much of a source row the packed kernels read: whole
// 8-byte words. The bytes past the row only reach lanes of no weight.
func readBytes(rowBytes int) int { return (rowBytes + 7) &^ 7 }

const evenBytes = 0x00FF00FF00FF00FF

var le = binary.LittleEndian

// rowsPacked computes output rows [lo, hi) of a packed plan.
func (s *scratch) rowsPacked(j *job, lut *[256]float32, lo, hi int) {
	p, src, dst := j.p, j.src, j.dst
	rowBytes := 3 * src.Width
	n := readBytes(rowBytes)
	plane := dst.Width * dst.Height
	w := j.place.Width
	x0, x1 := p.x.live[0], p.x.live[1]
	for oy := lo; oy < hi; oy++ {
		// Lanes 0, 1, 2 are the source's B, G, R; the planes are R, G, B.
		at := (j.place.Top+oy)*dst.Width + j.place.Left
		r := dst.Data[at : at+w]
		g := dst.Data[plane+at:][:w]
		b := dst.Data[2*plane+at:][:w]
		taps := p.y.taps[p.y.start[oy]:p.y.start[oy+1]]
		if !blackOutside(r, g, b, lut[0], len(taps) > 0, x0, x1) {
			continue
		}
		s.vertical(src, taps, uint32(p.y.unit), n, rowBytes)
		r, g, b = r[x0:x1], g[x0:x1], b[x0:x1]
		switch {
		case p.h3 != nil:
			horiz3(r, g, b, s.lanes, p.h3[x0:x1], p.quant, lut)
		case p.h4 != nil:
			horiz4(r, g, b, s.lanes, p.h4[x0:x1], p.quant, lut)
		case p.h5 != nil:
			horiz5(r, g, b, s.lanes, p.h5[x0:x1], p.quant, lut)
		case p.h8 != nil:
			horiz8(r, g, b, s.lanes, p.h8[x0:x1], p.quant, lut)
		default:
			stride := 1 + p.hnWidth
			horizN(r, g, b, s.lanes, p.hn[x0*stride:x1*stride], p.hnWidth, p.quant, lut)
		}
	}
}

// blackOutside fills the parts of an output row that only cover the margin
// (all of it unless live, else outside columns [x0, x1)) with black, the
// value of a zero sum, and reports whether anything is left to compute. The
// detector's second look, in a frame bordered by half its size, saves most
// of its work this way.
func blackOutside(r, g, b []float32, black float32, live bool, x0, x1 int) bool {
	if !live {
		x0, x1 = len(r), len(r)
	}
	for _, p := range [3][]float32{r, g, b} {
		fill(p[:x0], black)
		fill(p[x1:], black)
	}
	return x0 < x1
}

// row returns source row y's first n bytes, from Pix or, near its end, from
// the zero-padded copy k.
func (s *scratch) row(src Image, k int, y int32, n, rowBytes int) []byte {
	off := int(y) * src.Stride
	if off+n <= len(src.Pix) {
		return src.Pix[off : off+n : off+n]
	}
	pad := s.pads[k][:n:n]
	copy(pad, src.Pix[off:off+rowBytes])
	clear(pad[rowBytes:])
	return pad
}

// vertical sums an output row's source rows into s.lanes. taps are
// consecutive rows, all of weight unit but the first and the last.
func (s *scratch) vertical(src Image, taps []tap, unit uint32, n, rowBytes int) {
	lanes := s.lanes[: 2*n : 2*n]
	row := func(k int) []byte { return s.row(src, k, taps[k].src, n, rowBytes) }
	switch len(taps) {
	case 0: // all in the margin
		clear(lanes)
	case 1:
		r0 := row(0)
		vert3(lanes, r0, r0, r0, uint64(taps[0].w), 0, 0)
	case 2:
		r0 := row(0)
		vert3(lanes, r0, r0, row(1), uint64(taps[0].w), 0, uint64(taps[1].w))
	case 3:
		vert3(lanes, row(0), row(1), row(2), uint64(taps[0].w), uint64(unit), uint64(taps[2].w))
	case 4:
		vert4(lanes, row(0), row(1), row(2), row(3), uint64(taps[0].w), uint64(unit), uint64(taps[3].w))
	case 5:
		vert5(lanes, row(0), row(1), row(2), row(3), row(4), uint64(taps[0].w), uint64(unit), uint64(taps[4].w))
	default:
		acc := s.acc[: n/4 : n/4]
		clear(acc)
		for k := 0; k < len(taps); k += 4 {
			// Up to four rows a pass; missing ones repeat row k at weight 0.
			var rows [4][]byte
			var ws [4]uint64
			for i := range 4 {
				rows[i] = rows[0]
				if k+i < len(taps) {
					rows[i], ws[i] = s.row(src, i, taps[k+i].src, n, rowBytes), uint64(taps[k+i].w)
				}
			}
			add4(acc, rows[0], rows[1], rows[2], rows[3], ws[0], ws[1], ws[2], ws[3])
		}
		interleave(lanes, acc)
	}
}

// vert3 writes the lanes of a·r0 + q·r1 + b·r2.
func vert3(lanes, r0, r1, r2 []byte, a, q, b uint64) {
	n := len(r0)
	r1, r2, lanes = r1[:n], r2[:n], lanes[:2*n]
	for i := 0; i+8 <= n; i += 8 {
		x0 := le.Uint64(r0[i : i+8 : i+8])
		x1 := le.Uint64(r1[i : i+8 : i+8])
		x2 := le.Uint64(r2[i : i+8 : i+8])
		e := (x0&evenBytes)*a + (x1&evenBytes)*q + (x2&evenBytes)*b
		o := (x0>>8&evenBytes)*a + (x1>>8&evenBytes)*q + (x2>>8&evenBytes)*b
		putInterleaved(lanes[2*i:2*i+16:2*i+16], e, o)
	}
}

// vert4 writes the lanes of a·r0 + q·(r1+r2) + b·r3.
func vert4(lanes, r0, r1, r2, r3 []byte, a, q, b uint64) {
	n := len(r0)
	r1, r2, r3, lanes = r1[:n], r2[:n], r3[:n], lanes[:2*n]
	for i := 0; i+8 <= n; i += 8 {
		x0 := le.Uint64(r0[i : i+8 : i+8])
		x1 := le.Uint64(r1[i : i+8 : i+8])
		x2 := le.Uint64(r2[i : i+8 : i+8])
		x3 := le.Uint64(r3[i : i+8 : i+8])
		e := (x0&evenBytes)*a + ((x1&evenBytes)+(x2&evenBytes))*q + (x3&evenBytes)*b
		o := (x0>>8&evenBytes)*a + ((x1>>8&evenBytes)+(x2>>8&evenBytes))*q + (x3>>8&evenBytes)*b
		putInterleaved(lanes[2*i:2*i+16:2*i+16], e, o)
	}
}

// vert5 writes the lanes of a·r0 + q·(r1+r2+r3) + b·r4.
func vert5(lanes, r0, r1, r2, r3, r4 []byte, a, q, b uint64) {
	n := len(r0)
	r1, r2, r3, r4, lanes = r1[:n], r2[:n], r3[:n], r4[:n], lanes[:2*n]
	for i := 0; i+8 <= n; i += 8 {
		x0 := le.Uint64(r0[i : i+8 : i+8])
		x1 := le.Uint64(r1[i : i+8 : i+8])
		x2 := le.Uint64(r2[i : i+8 : i+8])
		x3 := le.Uint64(r3[i : i+8 : i+8])
		x4 := le.Uint64(r4[i : i+8 : i+8])
		e := (x0&evenBytes)*a + ((x1&evenBytes)+(x2&evenBytes)+(x3&evenBytes))*q + (x4&evenBytes)*b
		o := (x0>>8&evenBytes)*a + ((x1>>8&evenBytes)+(x2>>8&evenBytes)+(x3>>8&evenBytes))*q + (x4>>8&evenBytes)*b
		putInterleaved(lanes[2*i:2*i+16:2*i+16], e, o)
	}
}

// add4 adds w0·r0 + … + w3·r3 to the even/odd word pairs in acc.
func add4(acc []uint64, r0, r1, r2, r3 []byte, w0, w1, w2, w3 uint64) {
	n := len(r0)
	r1, r2, r3, acc = r1[:n], r2[:n], r3[:n], acc[:n/4]
	for i := 0; i+8 <= n; i += 8 {
		x0 := le.Uint64(r0[i : i+8 : i+8])
		x1 := le.Uint64(r1[i : i+8 : i+8])
		x2 := le.Uint64(r2[i : i+8 : i+8])
		x3 := le.Uint64(r3[i : i+8 : i+8])
		a := acc[i/4 : i/4+2 : i/4+2]
		a[0] += (x0&evenBytes)*w0 + (x1&evenBytes)*w1 + (x2&evenBytes)*w2 + (x3&evenBytes)*w3
		a[1] += (x0>>8&evenBytes)*w0 + (x1>>8&evenBytes)*w1 + (x2>>8&evenBytes)*w2 + (x3>>8&evenBytes)*w3
	}
}

// interleave writes the lanes of the even/odd word pairs in acc.
func interleave(lanes []byte, acc []uint64) {
	acc = acc[:len(lanes)/8]
	for i := 0; i+2 <= len(acc); i += 2 {
		putInterleaved(lanes[8*i:8*i+16:8*i+16], acc[i], acc[i+1])
	}
}

// putInterleaved stores the lanes of even bytes e = [b0 b2 b4 b6] and odd
// bytes o = [b1 b3 b5 b7] as [b0 b1 b2 b3] [b4 b5 b6 b7].
func putInterleaved(v []byte, e, o uint64) {
	const alternate = 0x0000FFFF0000FFFF
	el, ol := uint64(uint32(e)), uint64(uint32(o))
	eh, oh := e>>32, o>>32
	le.PutUint64(v[0:8], (el|el<<16)&alternate|(ol|ol<<16)&alternate<<16)
	le.PutUint64(v[8:16], (eh|eh<<16)&alternate|(oh|oh<<16)&alternate<<16)
}

// The horizontal kernels sum each output pixel's window of taps, all three
// channels in one multiply-add per tap, and write the normalised values.
// One per window width, so the window's reads need no bounds checks.

func horiz3(r, g, b []float32, lanes []byte, hk []taps3, quant *[1 << 16]uint8, lut *[256]float32) {
	r, g, b = r[:len(hk)], g[:len(hk)], b[:len(hk)]
	for i := range hk {
		t := &hk[i]
		o := int(t.off)
		v := lanes[o : o+20 : o+20]
		acc := uint64(t.w[0])*le.Uint64(v[0:8]) + uint64(t.w[1])*le.Uint64(v[6:14]) + uint64(t.w[2])*le.Uint64(v[12:20])
		b[i] = lut[quant[uint16(acc)]]
		g[i] = lut[quant[uint16(acc>>16)]]
		r[i] = lut[quant[uint16(acc>>32)]]
	}
}

func horiz4(r, g, b []float32, lanes []byte, hk []taps4, quant *[1 << 16]uint8, lut *[256]float32) {
	r, g, b = r[:len(hk)], g[:len(hk)], b[:len(hk)]
	for i := range hk {
		t := &hk[i]
		o := int(t.off)
		v := lanes[o : o+26 : o+26]
		acc := uint64(t.w[0])*le.Uint64(v[0:8]) + uint64(t.w[1])*le.Uint64(v[6:14]) + uint64(t.w[2])*le.Uint64(v[12:20]) +
			uint64(t.w[3])*le.Uint64(v[18:26])
		b[i] = lut[quant[uint16(acc)]]
		g[i] = lut[quant[uint16(acc>>16)]]
		r[i] = lut[quant[uint16(acc>>32)]]
	}
}

func horiz5(r, g, b []float32, lanes []byte, hk []taps5, quant *[1 << 16]uint8, lut *[256]float32) {
	r, g, b = r[:len(hk)], g[:len(hk)], b[:len(hk)]
	for i := range hk {
		t := &hk[i]
		o := int(t.off)
		v := lanes[o : o+32 : o+32]
		acc := uint64(t.w[0])*le.Uint64(v[0:8]) + uint64(t.w[1])*le.Uint64(v[6:14]) + uint64(t.w[2])*le.Uint64(v[12:20]) +
			uint64(t.w[3])*le.Uint64(v[18:26]) + uint64(t.w[4])*le.Uint64(v[24:32])
		b[i] = lut[quant[uint16(acc)]]
		g[i] = lut[quant[uint16(acc>>16)]]
		r[i] = lut[quant[uint16(acc>>32)]]
	}
}

func horiz8(r, g, b []float32, lanes []byte, hk []taps8, quant *[1 << 16]uint8, lut *[256]float32) {
	r, g, b = r[:len(hk)], g[:len(hk)], b[:len(hk)]
	for i := range hk {
		t := &hk[i]
		o := int(t.off)
		v := lanes[o : o+50 : o+50]
		acc := uint64(t.w[0])*le.Uint64(v[0:8]) + uint64(t.w[1])*le.Uint64(v[6:14]) + uint64(t.w[2])*le.Uint64(v[12:20]) +
			uint64(t.w[3])*le.Uint64(v[18:26]) + uint64(t.w[4])*le.Uint64(v[24:32]) + uint64(t.w[5])*le.Uint64(v[30:38]) +
			uint64(t.w[6])*le.Uint64(v[36:44]) + uint64(t.w[7])*le.Uint64(v[42:50])
		b[i] = lut[quant[uint16(acc)]]
		g[i] = lut[quant[uint16(acc>>16)]]
		r[i] = lut[quant[uint16(acc>>32)]]
	}
}

// horizN is the kernel for windows wider than 8 pixels (scales above 7).
func horizN(r, g, b []float32, lanes []byte, hk []uint32, width int, quant *[1 << 16]uint8, lut *[256]float32) {
	stride := 1 + width
	n := len(hk) / stride
	r, g, b = r[:n], g[:n], b[:n]
	for i := range n {
		t := hk[i*stride : (i+1)*stride]
		o := int(t[0])
		var acc uint64
		for k, w := range t[1:] {
			at := o + 6*k
			acc += uint64(w) * le.Uint64(lanes[at:at+8:at+8])
		}
		b[i] = lut[quant[uint16(acc)]]
		g[i] = lut[quant[uint16(acc>>16)]]
		r[i] = lut[quant[uint16(acc>>32)]]
	}
}

// rowsWide computes output rows [lo, hi) with 32-bit vertical sums and
// 64-bit horizontal ones, for scales whose sums overflow 16 bits.
func (s *scratch) rowsWide(j *job, lut *[256]float32, lo, hi int) {
	p, src, dst := j.p, j.src, j.dst
	rowBytes := 3 * src.Width
	vs := s.wide[:rowBytes]
	w := j.place.Width
	sums, q8 := s.sums[:3*w], s.q8[:3*w]
	plane := dst.Width * dst.Height
	x0, x1 := p.x.live[0], p.x.live[1]
	for oy := lo; oy < hi; oy++ {
		at := (j.place.Top+oy)*dst.Width + j.place.Left
		r := dst.Data[at : at+w]
		g := dst.Data[plane+at:][:w]
		b := dst.Data[2*plane+at:][:w]
		taps := p.y.taps[p.y.start[oy]:p.y.start[oy+1]]
		if !blackOutside(r, g, b, lut[0], len(taps) > 0, x0, x1) {
			continue
		}
		clear(vs)
		for _, t := range taps {
			off := int(t.src) * src.Stride
			row := src.Pix[off : off+len(vs) : off+len(vs)]
			b := t.w
			for i, v := range row {
				vs[i] += b * uint32(v)
			}
		}
		hs := p.x.start[:w+1]
		for ox := x0; ox < x1; ox++ {
			var s0, s1, s2 uint64
			for _, t := range p.x.taps[hs[ox]:hs[ox+1]] {
				a := uint64(t.w)
				at := 3 * int(t.src)
				px := vs[at : at+3 : at+3]
				s0 += a * uint64(px[0])
				s1 += a * uint64(px[1])
				s2 += a * uint64(px[2])
			}
			sums[3*ox], sums[3*ox+1], sums[3*ox+2] = s0, s1, s2
		}
		p.quantize(q8[3*x0:3*x1], sums[3*x0:3*x1])
		for ox := x0; ox < x1; ox++ {
			px := q8[3*ox : 3*ox+3 : 3*ox+3]
			b[ox], g[ox], r[ox] = lut[px[0]], lut[px[1]], lut[px[2]]
		}
	}
}
