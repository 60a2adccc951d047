package resample

import (
	"math"
)

// This file ports OpenCV 4.6's INTER_AREA downscale for CV_8UC3 literally
// (resize.cpp: hal::resize's dispatch, computeResizeAreaTab,
// ResizeArea_Invoker<uchar, float>, resizeAreaFast_ with
// ResizeAreaFastVec), float32 operation for float32 operation, then
// CopyMakeBorder and BlobFromImage, so the pure-Go tests can compare the
// fast kernels against OpenCV's arithmetic without cgo.

// refImage is a materialised BGR image, rows packed.
type refImage struct {
	pix  []byte
	w, h int
}

// withMargin is CopyMakeBorder(src, my, my, mx, mx, BORDER_CONSTANT, black).
func withMargin(src Image) refImage {
	mx, my := src.MarginX, src.MarginY
	out := refImage{w: src.Width + 2*mx, h: src.Height + 2*my}
	out.pix = make([]byte, 3*out.w*out.h)
	for y := 0; y < src.Height; y++ {
		copy(out.pix[3*((y+my)*out.w+mx):], src.Pix[y*src.Stride:y*src.Stride+3*src.Width])
	}
	return out
}

type decimateAlpha struct {
	si, di int
	alpha  float32
}

func computeResizeAreaTab(ssize, dsize, cn int, scale float64) []decimateAlpha {
	var tab []decimateAlpha
	for dx := 0; dx < dsize; dx++ {
		fsx1 := float64(dx) * scale
		fsx2 := fsx1 + scale
		cellWidth := math.Min(scale, float64(ssize)-fsx1)
		sx1, sx2 := int(math.Ceil(fsx1)), int(math.Floor(fsx2))
		sx2 = min(sx2, ssize-1)
		sx1 = min(sx1, sx2)
		if float64(sx1)-fsx1 > 1e-3 {
			tab = append(tab, decimateAlpha{di: dx * cn, si: (sx1 - 1) * cn, alpha: float32((float64(sx1) - fsx1) / cellWidth)})
		}
		for sx := sx1; sx < sx2; sx++ {
			tab = append(tab, decimateAlpha{di: dx * cn, si: sx * cn, alpha: float32(1.0 / cellWidth)})
		}
		if fsx2-float64(sx2) > 1e-3 {
			tab = append(tab, decimateAlpha{di: dx * cn, si: sx2 * cn,
				alpha: float32(math.Min(math.Min(fsx2-float64(sx2), 1), cellWidth) / cellWidth)})
		}
	}
	return tab
}

// saturateU8 is saturate_cast<uchar>(float): cvRound (half to even), clamped.
func saturateU8(f float32) uint8 {
	return uint8(max(0, min(255, math.RoundToEven(float64(f)))))
}

// refResizeArea is cv::resize(src, dst, Size(dw, dh), 0, 0, INTER_AREA) for
// a downscale; it returns the packed BGR result.
func refResizeArea(src refImage, dw, dh int) []byte {
	const cn = 3
	dst := make([]byte, cn*dw*dh)
	if dw == src.w && dh == src.h {
		copy(dst, src.pix)
		return dst
	}
	invX, invY := float64(dw)/float64(src.w), float64(dh)/float64(src.h)
	scaleX, scaleY := 1/invX, 1/invY
	ix, iy := int(math.Round(scaleX)), int(math.Round(scaleY))
	if math.Abs(scaleX-float64(ix)) < 0x1p-52 && math.Abs(scaleY-float64(iy)) < 0x1p-52 {
		// resizeAreaFast_: every block here is whole (the sides are multiples).
		area := ix * iy
		scale := 1 / float32(area)
		for dy := 0; dy < dh; dy++ {
			for dx := 0; dx < dw*cn; dx++ {
				c, x := dx%cn, dx/cn
				sum := 0
				for sy := 0; sy < iy; sy++ {
					for sx := 0; sx < ix; sx++ {
						sum += int(src.pix[((dy*iy+sy)*src.w+x*ix+sx)*cn+c])
					}
				}
				if ix == 2 && iy == 2 {
					dst[dy*dw*cn+dx] = uint8((sum + 2) >> 2)
				} else {
					dst[dy*dw*cn+dx] = saturateU8(float32(float32(sum) * scale))
				}
			}
		}
		return dst
	}
	xtab := computeResizeAreaTab(src.w, dw, cn, scaleX)
	ytab := computeResizeAreaTab(src.h, dh, 1, scaleY)
	width := dw * cn
	buf := make([]float32, width)
	sum := make([]float32, width)
	prev := ytab[0].di
	for _, yt := range ytab {
		beta, dy, sy := yt.alpha, yt.di, yt.si
		s := src.pix[sy*src.w*cn:]
		clear(buf)
		for _, xt := range xtab {
			for c := 0; c < cn; c++ {
				buf[xt.di+c] = float32(buf[xt.di+c] + float32(float32(s[xt.si+c])*xt.alpha))
			}
		}
		if dy != prev {
			d := dst[prev*width:]
			for dx := range width {
				d[dx] = saturateU8(sum[dx])
				sum[dx] = float32(beta * buf[dx])
			}
			prev = dy
		} else {
			for dx := range width {
				sum[dx] = float32(sum[dx] + float32(beta*buf[dx]))
			}
		}
	}
	d := dst[prev*width:]
	for dx := range width {
		d[dx] = saturateU8(sum[dx])
	}
	return dst
}

// refChain is Resize, CopyMakeBorder and BlobFromImage(img, scale, size,
// mean, swapRB=true, crop=false) as the detector runs them.
func refChain(src Image, place Placement, cw, ch int, norm Norm) []float32 {
	small := refResizeArea(withMargin(src), place.Width, place.Height)
	out := make([]float32, 3*cw*ch)
	plane := cw * ch
	for y := 0; y < ch; y++ {
		for x := 0; x < cw; x++ {
			var bgr [3]byte
			if sx, sy := x-place.Left, y-place.Top; sx >= 0 && sy >= 0 && sx < place.Width && sy < place.Height {
				copy(bgr[:], small[3*(sy*place.Width+sx):])
			}
			for c := 0; c < 3; c++ {
				out[(2-c)*plane+y*cw+x] = float32(float32(bgr[c])-norm.Mean) * norm.Scale
			}
		}
	}
	return out
}
