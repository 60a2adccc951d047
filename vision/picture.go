package vision

import (
	"image"

	"gocv.io/x/gocv"

	"posturewatch/coach/domain"
	"posturewatch/vision/resample"
)

// A frame that cannot show anyone is told apart, so a dark room or a
// covered lens is not taken for the user having left. The measure is the
// brightness of a 64×48 grey copy (0–255): its mean and its spread
// (standard deviation). Over the 892 development photos (webcams in
// daylight and lamplight, empty scenes) the darkest mean is 55 and the
// smallest spread 37; a covered lens measures 0 and 0. A flat picture
// cannot hold a person, so the models are not run on it; a dark one with
// some detail is still given to them, and called dark only when they see
// nobody, so a dimly lit user is never lost to the rule. The spread is
// judged as a camera's exposure would show it (exposure.go): a dim room's
// frame keeps its detail at a smaller spread.
const (
	darkMean   = 20.0 // mean below: too dark
	flatSpread = 6.0  // spread below: all one colour
)

// greyPicture is the frame's 64×48 grey copy (resample.GreyCells), read in
// Go straight from a continuous BGR frame's bytes; ok is false for anything
// else (a region, another type).
type greyPicture struct {
	cells      []float64
	cols, rows int
}

func greyPictureOf(img gocv.Mat) (greyPicture, bool) {
	src, ok := frameBytes(img)
	if !ok {
		return greyPicture{}, false
	}
	cells, cols, rows, err := resample.GreyCells(src)
	if err != nil {
		return greyPicture{}, false
	}
	return greyPicture{cells, cols, rows}, true
}

// pictureStats is the mean brightness and its spread over the frame. A
// continuous BGR frame is measured in Go straight from its bytes (0.25 ms
// for 960×540, where OpenCV 4.6's area shrink to 64×48 took 2 ms: it
// counted against every frame's 20 ms); anything else through OpenCV.
func pictureStats(img gocv.Mat) (mean, spread float64) {
	_, _, mean, spread = measurePicture(img)
	return mean, spread
}

// measurePicture is pictureStats with the grey copy it was taken from, when
// Go read the frame's bytes (ok); the camera-move check compares that copy.
func measurePicture(img gocv.Mat) (g greyPicture, ok bool, mean, spread float64) {
	if g, ok = greyPictureOf(img); ok {
		mean, spread = resample.MeanSpread(g.cells)
		return g, true, mean, spread
	}
	mean, spread = pictureStatsOpenCV(img)
	return greyPicture{}, false, mean, spread
}

// pictureStatsOpenCV is pictureStats through OpenCV's area shrink, for
// frames whose bytes Go cannot read in place.
func pictureStatsOpenCV(img gocv.Mat) (mean, spread float64) {
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(img, &small, image.Pt(resample.StatCols, resample.StatRows), 0, 0, gocv.InterpolationArea)
	grey := small
	if small.Channels() >= 3 {
		g := gocv.NewMat()
		defer g.Close()
		code := gocv.ColorBGRToGray
		if small.Channels() == 4 {
			code = gocv.ColorBGRAToGray
		}
		gocv.CvtColor(small, &g, code)
		grey = g
	}
	m, s := gocv.NewMat(), gocv.NewMat()
	defer m.Close()
	defer s.Close()
	gocv.MeanStdDev(grey, &m, &s)
	return m.GetDoubleAt(0, 0), s.GetDoubleAt(0, 0)
}

// frameBytes is a continuous 8-bit BGR frame's own bytes, for the pure-Go
// passes over it (no copy); false for anything else (a region, another type).
func frameBytes(img gocv.Mat) (resample.Image, bool) {
	if img.Type() != gocv.MatTypeCV8UC3 || !img.IsContinuous() {
		return resample.Image{}, false
	}
	pix, err := img.DataPtrUint8()
	if err != nil {
		return resample.Image{}, false
	}
	return resample.Image{Pix: pix, Width: img.Cols(), Height: img.Rows(), Stride: img.Step()}, true
}

// flatPicture says whether the frame is all one colour ("" when not), and
// whether it is dark. The spread is taken after the gain that brings the
// frame to an ordinary brightness (exposureGain): a dim room's frame keeps
// its detail, only darker, where a covered lens has none to bring out.
func flatPicture(mean, spread float64) domain.PictureProblem {
	switch {
	case spread*exposureGain(mean) >= flatSpread:
		return ""
	case mean < darkMean:
		return domain.PictureDark
	default:
		return domain.PictureBlank
	}
}
