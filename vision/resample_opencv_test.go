package vision

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"
	"posturewatch/vision/face"
	"posturewatch/vision/resample"
)

// These tests hold posturewatch/vision/resample to the OpenCV chain it
// replaces in the face detector's input preparation: Resize with
// InterpolationArea, CopyMakeBorder with black to the canvas, and
// BlobFromImage(1/127.5, mean 127.5, swapRB) — and, for the detector's second
// look, CopyMakeBorder of a black margin around the frame first.

const resampleFrame = "neck-forward/4-upright/IMG_0877_100.jpg"

var (
	resampleBlack = color.RGBA{}
	resampleNorm  = resample.Norm{Mean: 127.5, Scale: 1 / 127.5}
)

// opencvBlob runs OpenCV's chain on img bordered by black pixels, mx on the
// left and right, my above and below.
func opencvBlob(t testing.TB, img gocv.Mat, mx, my int, lb face.Letterbox) []float32 {
	t.Helper()
	src := img
	if mx > 0 || my > 0 {
		padded := gocv.NewMat()
		defer padded.Close()
		gocv.CopyMakeBorder(img, &padded, my, my, mx, mx, gocv.BorderConstant, resampleBlack)
		src = padded
	}
	small, canvas := gocv.NewMat(), gocv.NewMat()
	defer small.Close()
	defer canvas.Close()
	gocv.Resize(src, &small, image.Pt(lb.ResizedWidth, lb.ResizedHeight), 0, 0, gocv.InterpolationArea)
	gocv.CopyMakeBorder(small, &canvas, lb.PadTop, lb.PadBottom(), lb.PadLeft, lb.PadRight(), gocv.BorderConstant, resampleBlack)
	blob := gocv.BlobFromImage(canvas, 1/127.5, image.Pt(lb.Width, lb.Height), gocv.NewScalar(127.5, 127.5, 127.5, 0), true, false)
	defer blob.Close()
	data, err := blob.DataPtrFloat32()
	if err != nil {
		t.Fatal(err)
	}
	return append([]float32(nil), data...)
}

// resampleSource views a continuous 8-bit BGR Mat's bytes without copying.
func resampleSource(t testing.TB, img gocv.Mat, mx, my int) resample.Image {
	t.Helper()
	if img.Type() != gocv.MatTypeCV8UC3 {
		t.Fatalf("Mat type %v, want CV_8UC3", img.Type())
	}
	pix, err := img.DataPtrUint8()
	if err != nil {
		t.Fatal(err)
	}
	return resample.Image{Pix: pix, Width: img.Cols(), Height: img.Rows(), Stride: img.Step(), MarginX: mx, MarginY: my}
}

func placementOf(lb face.Letterbox) resample.Placement {
	return resample.Placement{Left: lb.PadLeft, Top: lb.PadTop, Width: lb.ResizedWidth, Height: lb.ResizedHeight}
}

// resampleBlob is the same input from resample.
func resampleBlob(t testing.TB, r *resample.Resizer, img gocv.Mat, mx, my int, lb face.Letterbox) []float32 {
	t.Helper()
	dst := resample.Tensor{Data: make([]float32, 3*lb.Width*lb.Height), Width: lb.Width, Height: lb.Height}
	if err := r.AreaInto(dst, resampleSource(t, img, mx, my), placementOf(lb), resampleNorm); err != nil {
		t.Fatal(err)
	}
	return dst.Data
}

// compareBlobs fails unless the tensors differ by at most one 8-bit level
// in at most 0.1% of the values; it returns the share that differs.
func compareBlobs(t *testing.T, name string, got, want []float32) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, OpenCV has %d", name, len(got), len(want))
	}
	differ, worst := 0, 0.0
	for i := range got {
		if got[i] != want[i] {
			differ++
			worst = max(worst, math.Abs(float64(got[i]-want[i])))
		}
	}
	frac := float64(differ) / float64(len(got))
	t.Logf("%s: %d of %d values differ from OpenCV (%.4f%%), max |Δ| %.6f", name, differ, len(got), 100*frac, worst)
	if worst > 1/127.5+1e-6 {
		t.Errorf("%s: a value differs by %v, more than one 8-bit level", name, worst)
	}
	if frac > 0.001 {
		t.Errorf("%s: %.4f%% of the values differ, more than 0.1%%", name, 100*frac)
	}
	return frac
}

// letterboxes are the detector's two canvases for a w×h frame.
func letterboxes(t *testing.T, w, h int) map[string]face.Letterbox {
	t.Helper()
	fitted, err := face.NewFittedLetterbox(w, h, face.DetectorInputSize, face.DetectorStride)
	if err != nil {
		t.Fatal(err)
	}
	square, err := face.NewLetterbox(w, h, face.DetectorInputSize)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]face.Letterbox{"fitted": fitted, "square": square}
}

func TestResampleAreaIntoMatchesOpenCVOnFrame(t *testing.T) {
	img, err := loadImage(filepath.Join(dataDir(t), resampleFrame))
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	for _, workers := range []int{1, 2} {
		r := resample.Resizer{Workers: workers}
		// The detector's first look, then its second with a margin of half
		// each side (facenet.go's nearMargin), and of half the long side.
		long := max(img.Cols(), img.Rows()) / 2
		for _, m := range [][2]int{{0, 0}, {img.Cols() / 2, img.Rows() / 2}, {long, long}} {
			for name, lb := range letterboxes(t, img.Cols()+2*m[0], img.Rows()+2*m[1]) {
				label := fmt.Sprintf("%dx%d+%dx%d %s %dx%d workers=%d", img.Cols(), img.Rows(), m[0], m[1], name, lb.Width, lb.Height, workers)
				compareBlobs(t, label, resampleBlob(t, &r, img, m[0], m[1], lb), opencvBlob(t, img, m[0], m[1], lb))
			}
		}
	}
}

func TestResampleAreaIntoMatchesOpenCVOnRandomImages(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 12))
	var r resample.Resizer
	var differ, total float64
	for _, size := range []struct{ w, h, mx, my int }{
		{640, 480, 0, 0}, {1280, 720, 0, 0}, {1920, 1080, 0, 0}, {517, 606, 0, 0}, {333, 197, 0, 0},
		{768, 432, 0, 0}, {512, 288, 0, 0}, {960, 540, 0, 0}, {257, 256, 0, 0}, {1001, 999, 0, 0},
		{640, 480, 320, 320}, {333, 197, 17, 17}, {517, 606, 100, 100}, {300, 200, 1, 1},
		{640, 480, 320, 240}, {1280, 720, 640, 360}, {517, 606, 258, 303}, {333, 197, 0, 9},
	} {
		img := gocv.NewMatWithSize(size.h, size.w, gocv.MatTypeCV8UC3)
		pix, err := img.DataPtrUint8()
		if err != nil {
			t.Fatal(err)
		}
		for i := range pix {
			pix[i] = byte(rng.UintN(256))
		}
		for name, lb := range letterboxes(t, size.w+2*size.mx, size.h+2*size.my) {
			want := opencvBlob(t, img, size.mx, size.my, lb)
			label := fmt.Sprintf("%dx%d+%dx%d %s %dx%d", size.w, size.h, size.mx, size.my, name, lb.Width, lb.Height)
			differ += compareBlobs(t, label, resampleBlob(t, &r, img, size.mx, size.my, lb), want) * float64(len(want))
			total += float64(len(want))
		}
		img.Close()
	}
	t.Logf("all random images: %.5f%% of the values differ from OpenCV", 100*differ/total)
}

// BenchmarkResampleAreaIntoVsOpenCV times the detector's input preparation
// for the 960×540 frame both ways, OpenCV on one thread (its area resize runs
// one stripe at this size anyway), including the copy into a model buffer.
func BenchmarkResampleAreaIntoVsOpenCV(b *testing.B) {
	img, err := loadImage(filepath.Join(dataDir(b), resampleFrame))
	if err != nil {
		b.Fatal(err)
	}
	defer img.Close()
	for _, m := range [][2]int{{0, 0}, {img.Cols() / 2, img.Rows() / 2}} {
		mx, my := m[0], m[1]
		lb, err := face.NewFittedLetterbox(img.Cols()+2*mx, img.Rows()+2*my, face.DetectorInputSize, face.DetectorStride)
		if err != nil {
			b.Fatal(err)
		}
		input := make([]float32, 3*lb.Width*lb.Height)
		geometry := fmt.Sprintf("%dx%d+%dx%d→%dx%d", img.Cols(), img.Rows(), mx, my, lb.Width, lb.Height)

		b.Run(geometry+"/opencv", func(b *testing.B) {
			prev := SetThreads(0) // 0 reads the count without changing it
			SetThreads(1)
			defer SetThreads(prev)
			padded, small, canvas := gocv.NewMat(), gocv.NewMat(), gocv.NewMat()
			defer padded.Close()
			defer small.Close()
			defer canvas.Close()
			for b.Loop() {
				src := img
				if mx > 0 || my > 0 {
					gocv.CopyMakeBorder(img, &padded, my, my, mx, mx, gocv.BorderConstant, resampleBlack)
					src = padded
				}
				gocv.Resize(src, &small, image.Pt(lb.ResizedWidth, lb.ResizedHeight), 0, 0, gocv.InterpolationArea)
				gocv.CopyMakeBorder(small, &canvas, lb.PadTop, lb.PadBottom(), lb.PadLeft, lb.PadRight(), gocv.BorderConstant, resampleBlack)
				blob := gocv.BlobFromImage(canvas, 1/127.5, image.Pt(lb.Width, lb.Height), gocv.NewScalar(127.5, 127.5, 127.5, 0), true, false)
				data, err := blob.DataPtrFloat32()
				if err != nil {
					b.Fatal(err)
				}
				copy(input, data)
				blob.Close()
			}
		})
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/resample/workers=%d", geometry, workers), func(b *testing.B) {
				r := resample.Resizer{Workers: workers}
				dst := resample.Tensor{Data: input, Width: lb.Width, Height: lb.Height}
				src := resampleSource(b, img, mx, my)
				if err := r.AreaInto(dst, src, placementOf(lb), resampleNorm); err != nil {
					b.Fatal(err) // the first call builds the tables
				}
				b.ReportAllocs()
				for b.Loop() {
					if err := r.AreaInto(dst, src, placementOf(lb), resampleNorm); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
