// Package resample prepares a detector's input tensor straight from a
// frame's 8-bit BGR bytes: the INTER_AREA downscale, the letterbox padding
// and BlobFromImage's normalisation, in one pass.
//
// It exists because OpenCV 4.6's cv::resize with INTER_AREA at a non-integer
// scale (960×540 → 256×144, a scale of 3.75) runs scalar code that cost
// 2.5 ms per frame here, and CopyMakeBorder, BlobFromImage and the copy into
// the model's buffer each walk the image again. This package does the same
// arithmetic in integers, vertical pass first, packing several channels into
// one machine word, and writes the float32 NCHW tensor in place.
//
// The result is OpenCV's to within OpenCV's own rounding. OpenCV sums the
// weighted pixels in float32 and rounds half to even (cvRound); the sums here
// are exact, so the two agree except where the exact average lies within
// float32 noise of a half (and at exact halves, where OpenCV's noise decides).
// For the scales that matter (3.75, 2.5, 7.5, whole numbers) the exact average
// is never that close to a half and the tensors are bit for bit identical.
// The quirks reproduced on purpose:
//
//   - Whole-number scales take OpenCV's separate fast path (resizeAreaFast_):
//     2×2 rounds the block mean half up ((sum+2)>>2), other blocks multiply
//     the sum by 1.f/area in float32 and round half to even. Which scales count
//     as whole follows OpenCV's double arithmetic: 1/(1/49.) is not 49, so a
//     49× downscale takes the general path.
//   - The general path (computeResizeAreaTab) drops partial overlaps of at
//     most 1e-3 source pixels without renormalising, so a constant image may
//     come out one level darker where the output size exceeds 1000 (2001→2000
//     turns some 255s into 254 in OpenCV too).
//   - Only downscaling is area interpolation in OpenCV (it emulates upscaling
//     with a bilinear variant); AreaInto rejects upscaling.
package resample

import (
	"fmt"
	"math"
	"sync"
)

// MaxSide bounds every width and height (with the margin): it keeps all the
// integer sums well inside 64 bits and matches OpenCV's own short-sized
// limits on image sides.
const MaxSide = 1 << 15

// Image is an 8-bit BGR frame (3 bytes per pixel, OpenCV's CV_8UC3 layout),
// Stride bytes from one row to the next, optionally surrounded by a virtual
// black border. A gocv.Mat's own bytes serve as is: Pix from DataPtrUint8
// (a continuous Mat), Stride from Step.
type Image struct {
	Pix           []byte
	Width, Height int
	Stride        int
	// MarginX and MarginY are a black border, in pixels on the left and
	// right and on the top and bottom, that the resize treats as part of the
	// frame without it being in Pix: the frame is then
	// (Width+2·MarginX)×(Height+2·MarginY), as after OpenCV's
	// CopyMakeBorder with a black constant, which costs a full copy of the
	// padded frame.
	MarginX, MarginY int
}

// Tensor is a float32 NCHW 1×3×Height×Width input, channels R, G, B (the
// order of BlobFromImage with swapRB), Data exactly 3·Width·Height long.
type Tensor struct {
	Data          []float32
	Width, Height int
}

// Placement is where the resized frame lands on the tensor's canvas: resized
// to Width×Height (at most the source's size: area interpolation only
// shrinks), its top-left corner Left, Top. The rest of the canvas is padding,
// the normalised value of black (CopyMakeBorder with black, then the blob).
type Placement struct {
	Left, Top     int
	Width, Height int
}

// Norm maps each resized 8-bit value v to (v − Mean)·Scale, computed in
// float32 like BlobFromImage (which subtracts the mean, then multiplies by
// its scale factor converted to float32): the detector's
// BlobFromImage(img, 1/127.5, size, mean 127.5) is Norm{127.5, 1/127.5}.
type Norm struct {
	Mean, Scale float32
}

// Resizer does the area resize and keeps what it precomputed (weight tables
// for the last few geometries, about 100 KB each, the normalisation table,
// scratch rows), so a steady stream of frames allocates nothing after the
// first call at each geometry. One per model: a Resizer is not safe for use
// by several goroutines at once. The zero value is ready to use.
type Resizer struct {
	// Workers splits the output rows across this many goroutines (the
	// caller's included); 0 or 1 runs everything on the calling goroutine.
	// On the 2-core machine this was written on, 2 workers take 960×540 →
	// 256×144 from 0.67 to 0.42 ms when the other core is idle; while
	// another model runs there, they only contend with it.
	Workers int

	plans   [maxPlans]*plan // most recently used first
	norm    Norm
	normSet bool
	lut     [256]float32 // lut[v] = (v − Mean)·Scale

	// Per call, read by the workers.
	job     job
	scratch []*scratch
	fns     []func()
	wg      sync.WaitGroup

	wide bool // tests: always the unpacked kernels
}

// maxPlans is how many geometries a Resizer remembers: a detector alternates
// between the frame and the frame with a margin, and a few more cost little.
const maxPlans = 4

// job is one call's arguments, shared with the worker goroutines.
type job struct {
	p          *plan
	dst        Tensor
	src        Image
	place      Placement
	rowsPerJob int
}

// AreaInto resizes src (with its margin) to place.Width×place.Height the way
// OpenCV's cv::resize with INTER_AREA does, places it on dst's canvas at
// place.Left, place.Top, pads the rest with black and writes every value
// normalised by norm, R plane first. It overwrites all of dst.Data.
//
// It returns an error, writing nothing, for sizes that are not positive or
// exceed MaxSide, a stride shorter than a row, a Pix too short for the sizes
// and stride, a Data not exactly 3·Width·Height long, a placement outside the
// canvas, an upscale on either axis (use bilinear interpolation for that) or
// a Norm that is not finite.
func (r *Resizer) AreaInto(dst Tensor, src Image, place Placement, norm Norm) error {
	if err := validate(dst, src, place, norm); err != nil {
		return err
	}
	p := r.planFor(src, place)
	if !r.normSet || !sameNorm(r.norm, norm) {
		for v := range r.lut {
			r.lut[v] = float32(float32(v)-norm.Mean) * norm.Scale
		}
		r.norm, r.normSet = norm, true
	}
	r.pad(dst, place)

	workers := min(max(r.Workers, 1), place.Height)
	r.ensureScratch(workers, p, src.Width)
	r.job = job{p: p, dst: dst, src: src, place: place, rowsPerJob: (place.Height + workers - 1) / workers}
	if workers == 1 {
		r.runPart(0)
		r.job = job{}
		return nil
	}
	r.wg.Add(workers - 1)
	for i := 1; i < workers; i++ {
		go r.fns[i]()
	}
	r.runPart(0)
	r.wg.Wait()
	r.job = job{}
	return nil
}

// validate checks every argument before anything is written.
func validate(dst Tensor, src Image, place Placement, norm Norm) error {
	if err := validateImage(src); err != nil {
		return err
	}
	if dst.Width <= 0 || dst.Height <= 0 || dst.Width > MaxSide || dst.Height > MaxSide {
		return fmt.Errorf("resample: tensor %d×%d: sides must be 1 to %d", dst.Width, dst.Height, MaxSide)
	}
	if need := 3 * dst.Width * dst.Height; len(dst.Data) != need {
		return fmt.Errorf("resample: tensor 3×%d×%d needs %d values, got %d", dst.Height, dst.Width, need, len(dst.Data))
	}
	if place.Width <= 0 || place.Height <= 0 {
		return fmt.Errorf("resample: resized size %d×%d: sides must be at least 1", place.Width, place.Height)
	}
	if place.Left < 0 || place.Top < 0 || place.Width > dst.Width-place.Left || place.Height > dst.Height-place.Top {
		return fmt.Errorf("resample: %d×%d at (%d,%d) does not fit in the %d×%d canvas",
			place.Width, place.Height, place.Left, place.Top, dst.Width, dst.Height)
	}
	vw, vh := src.Width+2*src.MarginX, src.Height+2*src.MarginY
	if place.Width > vw || place.Height > vh {
		return fmt.Errorf("resample: %d×%d to %d×%d is an upscale: area interpolation only shrinks (use bilinear)",
			vw, vh, place.Width, place.Height)
	}
	if !finite(norm.Mean) || !finite(norm.Scale) || !finite(float32(float32(0)-norm.Mean)*norm.Scale) || !finite(float32(float32(255)-norm.Mean)*norm.Scale) {
		return fmt.Errorf("resample: normalisation (v − %g)·%g is not finite", norm.Mean, norm.Scale)
	}
	return nil
}

// validateImage checks that src's sizes, margin and stride fit its bytes.
func validateImage(src Image) error {
	if src.Width <= 0 || src.Height <= 0 || src.Width > MaxSide || src.Height > MaxSide {
		return fmt.Errorf("resample: source %d×%d: sides must be 1 to %d", src.Width, src.Height, MaxSide)
	}
	if src.MarginX < 0 || src.MarginY < 0 || src.MarginX > MaxSide || src.MarginY > MaxSide ||
		src.Width+2*src.MarginX > MaxSide || src.Height+2*src.MarginY > MaxSide {
		return fmt.Errorf("resample: source %d×%d with margins %d×%d: the margins must be at least 0 and the bordered sides at most %d",
			src.Width, src.Height, src.MarginX, src.MarginY, MaxSide)
	}
	rowBytes := 3 * src.Width
	if src.Stride < rowBytes {
		return fmt.Errorf("resample: source stride %d is shorter than a row of %d BGR pixels (%d bytes)", src.Stride, src.Width, rowBytes)
	}
	if src.Height > 1 && src.Stride > len(src.Pix) {
		return fmt.Errorf("resample: source stride %d exceeds its %d bytes of pixels, %d rows do not fit", src.Stride, len(src.Pix), src.Height)
	}
	if need := src.Stride*(src.Height-1) + rowBytes; len(src.Pix) < need {
		return fmt.Errorf("resample: source %d×%d with stride %d needs %d bytes, got %d", src.Width, src.Height, src.Stride, need, len(src.Pix))
	}
	return nil
}

// sameNorm compares bits: −0 and +0 give different tables.
func sameNorm(a, b Norm) bool {
	return math.Float32bits(a.Mean) == math.Float32bits(b.Mean) && math.Float32bits(a.Scale) == math.Float32bits(b.Scale)
}

func finite(f float32) bool { return !math.IsNaN(float64(f)) && !math.IsInf(float64(f), 0) }

// pad fills everything outside the placement with the value of black.
func (r *Resizer) pad(dst Tensor, place Placement) {
	black := r.lut[0]
	plane := dst.Width * dst.Height
	for c := 0; c < 3; c++ {
		data := dst.Data[c*plane : (c+1)*plane]
		fill(data[:place.Top*dst.Width], black)
		fill(data[(place.Top+place.Height)*dst.Width:], black)
		if place.Width == dst.Width {
			continue
		}
		for y := place.Top; y < place.Top+place.Height; y++ {
			row := data[y*dst.Width : (y+1)*dst.Width]
			fill(row[:place.Left], black)
			fill(row[place.Left+place.Width:], black)
		}
	}
}

// fill sets s to v, doubling with copy: memmove beats a store per value
// several times over.
func fill(s []float32, v float32) {
	if len(s) == 0 {
		return
	}
	s[0] = v
	for n := 1; n < len(s); n *= 2 {
		copy(s[n:], s[:n])
	}
}

// ensureScratch sizes the per-worker buffers and worker closures; they are
// kept, so only the first call at a larger size allocates.
func (r *Resizer) ensureScratch(workers int, p *plan, srcWidth int) {
	for len(r.scratch) < workers {
		r.scratch = append(r.scratch, &scratch{})
	}
	for len(r.fns) < workers {
		i := len(r.fns)
		// A func value made once: `go r.fns[i]()` then allocates nothing,
		// where `go r.runPart(i)` would allocate a closure per call.
		r.fns = append(r.fns, func() {
			defer r.wg.Done()
			r.runPart(i)
		})
	}
	for _, s := range r.scratch[:workers] {
		s.grow(p, srcWidth)
	}
}

// runPart resizes worker i's share of the output rows.
func (r *Resizer) runPart(i int) {
	j := &r.job
	lo := i * j.rowsPerJob
	hi := min(lo+j.rowsPerJob, j.place.Height)
	if lo >= hi {
		return
	}
	s := r.scratch[i]
	if j.p.packed {
		s.rowsPacked(j, &r.lut, lo, hi)
	} else {
		s.rowsWide(j, &r.lut, lo, hi)
	}
}
