package vision

import (
	"image"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"

	"posturewatch/models"
	"posturewatch/vision/posture"
)

// dataDir is ../shared/posture-data seen from the repository root (see srcData).
func dataDir(t testing.TB) string { return srcData(t, ".") }

// modelPath returns the checked model or skips the test.
func modelPath(t testing.TB) string {
	t.Helper()
	p := models.DefaultPath()
	if err := models.Check(p, true); err != nil {
		t.Skipf("pose model not available (%v); run `make models`", err)
	}
	return p
}

// firstFrame opens path as the pipeline would and returns its first frame
// (the caller closes it).
func firstFrame(t testing.TB, path string, opt SourceOptions) gocv.Mat {
	t.Helper()
	src, err := OpenPath(path, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	f, err := src.Next()
	if err != nil {
		t.Fatal(err)
	}
	return f.Mat
}

// maskedAndDeskFrames are the masked person's 102 frames (960×540, every
// grade) and every tenth desk frame (140, 224²), or the test is skipped.
func maskedAndDeskFrames(t *testing.T) (masked, desk []string) {
	t.Helper()
	masked, _ = filepath.Glob(filepath.Join(dataDir(t), "neck-forward", "*", "*.jpg"))
	desk, _ = filepath.Glob(filepath.Join(dataDir(t), "desk-three-people", "*", "0[0-9][0-9]0.jpg"))
	if len(masked) < 100 || len(desk) < 100 {
		t.Skipf("only %d neck-forward and %d desk frames", len(masked), len(desk))
	}
	return masked, desk
}

// slouchOrNotFrames are slouch-or-not's 65 frames (224², both sittings,
// upright and slouching), or the test is skipped.
func slouchOrNotFrames(t *testing.T) []string {
	t.Helper()
	so, _ := filepath.Glob(filepath.Join(dataDir(t), "slouch-or-not", "*", "*.jpg"))
	if len(so) < 60 {
		t.Skipf("only %d slouch-or-not frames", len(so))
	}
	return so
}

// maskedUprightFrames are the masked person's upright grades (3–5 of
// neck-forward: the limit of acceptable, upright, the limit of extension),
// all judged good.
func maskedUprightFrames(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, grade := range []string{"3-forward-limit", "4-upright", "5-extension-limit"} {
		f, _ := filepath.Glob(filepath.Join(dataDir(t), "neck-forward", grade, "*.jpg"))
		files = append(files, f...)
	}
	return files
}

// zoomedIntoFace is img zoomed until its face box fb is fill times the
// frame's height (fill above 1: someone leaning right in, brows or chin
// cut off): a window of the frame's shape centred a little below the box's
// middle (the nose), scaled back to the frame's size. ok is false when no
// such window fits in the frame.
func zoomedIntoFace(img gocv.Mat, fb posture.Box, fill float64) (zoomed gocv.Mat, ok bool) {
	zoomed, _, ok = zoomedIntoFaceAt(img, fb, fill)
	return zoomed, ok
}

// dataFiles are the development files the patterns match (relative to the
// data folder), pattern by pattern, or the test is skipped when fewer than
// least are found (what names them in the message).
func dataFiles(t *testing.T, least int, what string, patterns ...string) []string {
	t.Helper()
	var files []string
	for _, p := range patterns {
		m, err := filepath.Glob(filepath.Join(dataDir(t), p))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < least {
		t.Skipf("%d %s found, want at least %d", len(files), what, least)
	}
	return files
}

// everyNth is files[0], files[n], files[2n]…: a sample spread over a
// sorted folder.
func everyNth(files []string, n int) []string {
	var out []string
	for i := 0; i < len(files); i += n {
		out = append(out, files[i])
	}
	return out
}

// zoomedIntoFaceAt is zoomedIntoFace, with the window it scaled.
func zoomedIntoFaceAt(img gocv.Mat, fb posture.Box, fill float64) (zoomed gocv.Mat, window image.Rectangle, ok bool) {
	ch := fb.Height() / fill
	cw := ch * float64(img.Cols()) / float64(img.Rows())
	r, ok := clampRect((fb.MinX+fb.MaxX-cw)/2, (fb.MinY+fb.MaxY-ch)/2+0.1*fb.Height(), cw, ch, img.Cols(), img.Rows())
	if !ok {
		return gocv.Mat{}, image.Rectangle{}, false
	}
	return cropResize(img, r, img.Cols(), img.Rows()), r, true
}

// nearerAbout is img seen zoom times as near, as someone sitting nearer
// the camera: the window 1/zoom of it about the point half across and 55 %
// down (that point stays where it is), scaled back to img's size.
func nearerAbout(t testing.TB, img gocv.Mat, zoom float64) gocv.Mat {
	t.Helper()
	w, h := img.Cols(), img.Rows()
	cw, ch := float64(w)/zoom, float64(h)/zoom
	r, ok := clampRect(float64(w)/2-cw/2, 0.55*float64(h)*(1-1/zoom), cw, ch, w, h)
	if !ok {
		t.Fatalf("no window %.2f times as near in a %d×%d frame", zoom, w, h)
	}
	return cropResize(img, r, w, h)
}

// freshMatInput runs the models on m afresh (no face followed from the frame
// before), as a photo is analysed, and returns what they saw.
func freshMatInput(t testing.TB, an *Analyzer, m gocv.Mat, name string) posture.Input {
	t.Helper()
	an.face.Reset()
	in, err := an.Input(Frame{Mat: m, Source: name})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// freshInput loads the image file f and runs the models on it afresh (no
// face followed from the frame before), as a photo is analysed; the caller
// closes the image.
func freshInput(t testing.TB, an *Analyzer, f string) (gocv.Mat, posture.Input) {
	t.Helper()
	img, err := loadImage(f)
	if err != nil {
		t.Fatal(err)
	}
	an.face.Reset()
	in, err := an.Input(Frame{Mat: img, Source: f})
	if err != nil {
		img.Close()
		t.Fatal(err)
	}
	return img, in
}

// paintedFrame is a w×h BGR frame whose pixel at (x, y) is paint's blue,
// green and red there, closed when the test ends: a synthetic picture
// whose every pixel a test can predict.
func paintedFrame(t testing.TB, w, h int, paint func(x, y int) [3]uint8) gocv.Mat {
	t.Helper()
	m := gocv.NewMatWithSize(h, w, gocv.MatTypeCV8UC3)
	t.Cleanup(func() { m.Close() })
	for y := range h {
		for x := range w {
			for c, v := range paint(x, y) {
				m.SetUCharAt(y, 3*x+c, v)
			}
		}
	}
	return m
}
