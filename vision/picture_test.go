package vision

import (
	"image"
	"math"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"

	"posturewatch/coach/domain"
	"posturewatch/vision/resample"
)

// A covered lens (black), a flat grey picture and a dark room are not
// "away": they are unknown, with what to do about it. A person in an
// ordinary frame is judged as before, and a dimly lit one is not lost.
func TestDarkAndFlatPictures(t *testing.T) {
	an, err := NewAnalyzer(AnalyzerOptions{ModelPath: modelPath(t), Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer an.Close()
	analyze := func(name string, m gocv.Mat) domain.Observation {
		t.Helper()
		obs, err := an.Analyze(Frame{Mat: m, Source: name})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return obs
	}
	black := firstFrame(t, filepath.Join(dataDir(t), "bad", "black-frame.png"), SourceOptions{})
	defer black.Close()
	if o := analyze("black", black); o.Posture != domain.PostureUnknown || o.Picture != domain.PictureDark || o.Why == "" {
		t.Errorf("covered lens: %s, picture %q, why %q", o.Posture, o.Picture, o.Why)
	}
	grey := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(150, 150, 150, 0), 480, 640, gocv.MatTypeCV8UC3)
	defer grey.Close()
	if o := analyze("grey", grey); o.Posture != domain.PostureUnknown || o.Picture != domain.PictureBlank {
		t.Errorf("flat grey: %s, picture %q", o.Posture, o.Picture)
	}

	upright := firstFrame(t, filepath.Join(dataDir(t), "neck-forward", "4-upright", "IMG_0877_100.jpg"), SourceOptions{})
	defer upright.Close()
	if o := analyze("upright", upright); o.Picture != "" || o.Posture != domain.PostureGood {
		t.Errorf("ordinary frame: %s, picture %q", o.Posture, o.Picture)
	}
	dim := gocv.NewMat()
	defer dim.Close()
	upright.ConvertToWithParams(&dim, gocv.MatTypeCV8UC3, 0.12, 0) // a room with the lights off
	o := analyze("dim", dim)
	switch {
	case o.Posture == domain.PostureAway:
		t.Errorf("a dark room is away: %+v", o)
	case o.Picture == domain.PictureDark && o.Posture != domain.PostureUnknown:
		t.Errorf("dark but judged %s", o.Posture)
	}
	t.Logf("lights off: %s, picture %q (%s)", o.Posture, o.Picture, o.Why)
}

// The measure read in Go from the frame's bytes agrees with OpenCV's area
// shrink to 64×48 on real frames of every size in the data, and a region
// of a frame (not continuous) still goes through OpenCV.
func TestBrightnessMatchesOpenCV(t *testing.T) {
	opencv := func(img gocv.Mat) (float64, float64) {
		small, grey := gocv.NewMat(), gocv.NewMat()
		defer small.Close()
		defer grey.Close()
		gocv.Resize(img, &small, image.Pt(resample.StatCols, resample.StatRows), 0, 0, gocv.InterpolationArea)
		gocv.CvtColor(small, &grey, gocv.ColorBGRToGray)
		m, s := gocv.NewMat(), gocv.NewMat()
		defer m.Close()
		defer s.Close()
		gocv.MeanStdDev(grey, &m, &s)
		return m.GetDoubleAt(0, 0), s.GetDoubleAt(0, 0)
	}
	for _, rel := range []string{
		"neck-forward/4-upright/IMG_0877_100.jpg", // 960×540
		"misc/grace_hopper.jpg",
		"desk-three-people/good/" + firstFile(t, "desk-three-people/good"), // 224²
		"misc/messi5.jpg",
		"misc/coffee.png",
	} {
		img, err := loadImage(filepath.Join(dataDir(t), rel))
		if err != nil {
			t.Fatal(err)
		}
		wm, ws := opencv(img)
		gm, gs := pictureStats(img)
		if math.Abs(gm-wm) > 0.5 || math.Abs(gs-ws) > 0.5 {
			t.Errorf("%s (%d×%d): mean %.2f spread %.2f, OpenCV %.2f %.2f", rel, img.Cols(), img.Rows(), gm, gs, wm, ws)
		}
		roi := img.Region(image.Rect(1, 1, img.Cols()-1, img.Rows()-1))
		if roi.IsContinuous() {
			t.Fatalf("%s: a region should not be continuous", rel)
		}
		rm, rs := pictureStats(roi)
		if em, es := opencv(roi); rm != em || rs != es {
			t.Errorf("%s region: %.2f %.2f, want OpenCV's %.2f %.2f", rel, rm, rs, em, es)
		}
		roi.Close()
		img.Close()
	}
}
