package vision

import (
	"image"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
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
	if o := analyze("dim", dim); o.Posture != domain.PostureGood || o.Picture != "" {
		t.Errorf("lights off: %s, picture %q (%s), want good as in the light", o.Posture, o.Picture, o.Why)
	}
}

// Flatness is judged as a camera's exposure would show the frame: a dim
// room's small spread of brightness is detail, a covered lens's is not.
func TestFlatPictureAfterExposure(t *testing.T) {
	for _, c := range []struct {
		name         string
		mean, spread float64
		want         domain.PictureProblem
	}{
		{"black", 0, 0, domain.PictureDark},
		{"covered lens, a little light through", 3, 0.5, domain.PictureDark},
		{"flat grey", 150, 0, domain.PictureBlank},
		{"white wall", 200, 5, domain.PictureBlank},
		{"dim room", 15, 5, ""},
		{"darker room", 8, 2.7, ""},
		{"ordinary", 110, 40, ""},
	} {
		if got := flatPicture(c.mean, c.spread); got != c.want {
			t.Errorf("%s (mean %g, spread %g): %q, want %q", c.name, c.mean, c.spread, got, c.want)
		}
	}
	for _, c := range []struct{ mean, want float64 }{{5, maxGain}, {15, litMean / 15}, {20, litMean / 20}, {25, 65.0 / 25}, {30, 1}, {55, 1}, {200, 1}} {
		if got := modelGain(c.mean); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("modelGain(%g) = %g, want %g", c.mean, got, c.want)
		}
	}
	for _, c := range []struct {
		name                      string
		mean, spread, alpha, beta float64
	}{
		{"ordinary", 150, 56, 1, 0},
		{"dim room: the gain, no stretch", 15, 5, litMean / 15, 0},
		{"dark but not dim, flat: left as it is", 60, 20, 1, 0},
		{"washed out", 150, washedSpread / 2, 2, -150},
		{"washed out further: stretched at most maxStretch", 150, washedSpread / 5, maxStretch, 150 * (1 - maxStretch)},
		{"flat as spread goes, but just at the line", 150, washedSpread, 1, 0},
		{"flat and darker: not yet washed out", washedFrom, washedSpread / 2, 1, 0},
		{"flat, half way up the brightness ramp: half the stretch", (washedFrom + washedFull) / 2, washedSpread / 2, 1.5, 75 * (1 - 1.5)},
		{"flat, at the ramp's top: the full stretch", washedFull, washedSpread / 2, 2, -washedFull},
	} {
		alpha, beta := modelLevels(c.mean, c.spread)
		if math.Abs(alpha-c.alpha) > 1e-9 || math.Abs(beta-c.beta) > 1e-9 {
			t.Errorf("%s: modelLevels(%g, %g) = (%g, %g), want (%g, %g)", c.name, c.mean, c.spread, alpha, beta, c.alpha, c.beta)
		}
	}
}

// People in a dim room are still seen. The masked person's 102 frames and
// every tenth desk frame (140), darkened to a mean brightness of 25 and of
// 15 with a dim sensor's noise (σ 3 grey levels, seeded): before flatness
// was judged after the exposure's gain, 11 of them were unknown ("too dark")
// at 25 and 202 at 15; now 1 at 25 (a frame whose top edge cuts the eyes,
// which says so) and none at 15. The class changes with the darkness are
// counted on the masked person's 960×540 frames, shrunk for the models as a
// webcam's are (8 at 25 and 4 at 15 when this was written); the 224² desk
// crops are not, and change more with the noise (exposure.go). Her frames
// end at her shoulders, and since the body model's band below a landscape
// frame carries the frame's bottom rows (pose.go) the dark ones place them
// lower: at 15, 20 of her 102 frames lose them (out of the frame), and the
// face alone, which sees no head forward of an upright face, is judged;
// those are counted apart (less evidence, not the same judged otherwise),
// and so are changes with a verdict within nearLine of the line. Now: 1
// clear change and 15 near the line at 25, 5 and 8 at 15 (with the band
// black 3 and 5 at 25, 4 and 4 at 15, no shoulders lost).
func TestDimFramesKeepThePerson(t *testing.T) {
	an := newTestAnalyzer(t)
	nf, desk := maskedAndDeskFrames(t)
	// The noise is drawn once per frame size (seeded) and darkening runs in
	// OpenCV: byte by byte in Go, under the race detector, it took a minute.
	rng := rand.New(rand.NewPCG(3, 4))
	noise := map[image.Point]gocv.Mat{}
	defer func() {
		for _, m := range noise {
			m.Close()
		}
	}()
	darkened := func(img gocv.Mat, mean float64) gocv.Mat {
		size := image.Pt(img.Cols(), img.Rows())
		n, ok := noise[size]
		if !ok {
			v := make([]float32, 3*size.X*size.Y)
			for i := range v {
				v[i] = float32(3 * rng.NormFloat64())
			}
			var err error
			if n, err = gocv.NewMatFromBytes(size.Y, size.X, gocv.MatTypeCV32FC3, float32Bytes(v)); err != nil {
				t.Fatal(err)
			}
			noise[size] = n
		}
		m := img.Mean()
		g := mean / ((m.Val1 + m.Val2 + m.Val3) / 3)
		lit := gocv.NewMat()
		defer lit.Close()
		img.ConvertToWithParams(&lit, gocv.MatTypeCV32FC3, float32(g), 0)
		gocv.Add(lit, n, &lit)
		out := gocv.NewMat()
		lit.ConvertTo(&out, gocv.MatTypeCV8UC3) // rounded and clipped to 0–255
		return out
	}
	means := []float64{25, 15}
	lost, changed, near, unshouldered := make([]int, len(means)), make([]int, len(means)), make([]int, len(means)), make([]int, len(means))
	shoulders := func(o domain.Observation) bool {
		return slices.Contains(o.Visible, "shoulders") || slices.Contains(o.Visible, "one shoulder")
	}
	for _, f := range append(append([]string{}, nf...), desk...) {
		img, err := loadImage(f)
		if err != nil {
			t.Fatal(err)
		}
		masked := strings.Contains(f, "neck-forward")
		var was domain.Observation
		if masked {
			was = analyzeMat(t, an, img, f)
		}
		for i, mean := range means {
			dark := darkened(img, mean)
			now := analyzeMat(t, an, dark, f+"#dark")
			dark.Close()
			switch {
			case now.Posture == domain.PostureAway || now.Posture == domain.PostureUnknown:
				lost[i]++
				t.Logf("mean %.0f, %s: %s %q (%s)", mean, filepath.Base(f), now.Posture, now.Picture, now.Why)
			case masked && shoulders(was) && !shoulders(now):
				// The darkness took the shoulders (her frames end at them):
				// the face alone is judged, which sees no head forward of
				// an upright face. Counted apart: less evidence, not the
				// same evidence judged otherwise.
				unshouldered[i]++
			case masked && threeClass(now) != threeClass(was) && (nearTheLine(now) || nearTheLine(was)):
				near[i]++
			case masked && threeClass(now) != threeClass(was):
				changed[i]++
			}
		}
		img.Close()
	}
	for i, mean := range means {
		t.Logf("darkened to a mean of %.0f: %d lost; of the masked person's frames %d changed class, %d near the line, %d lost their shoulders", mean, lost[i], changed[i], near[i], unshouldered[i])
		if total := len(nf) + len(desk); lost[i]*100 > 2*total {
			t.Errorf("darkened to a mean of %.0f: %d of %d people lost, want at most 2 %%", mean, lost[i], total)
		}
		if changed[i]*100 > 15*len(nf) || near[i]*100 > 15*len(nf) {
			t.Errorf("darkened to a mean of %.0f: %d of the masked person's %d frames changed class and %d near the line, want at most 15 %% each", mean, changed[i], len(nf), near[i])
		}
		if unshouldered[i]*100 > 25*len(nf) {
			t.Errorf("darkened to a mean of %.0f: %d of the masked person's %d frames lost their shoulders, want at most 25 %%", mean, unshouldered[i], len(nf))
		}
	}
}

// A washed-out camera (a hazy lens, glare, lifted blacks) is still read. The
// masked person's 102 frames, every tenth desk frame (140) and the 65
// slouch-or-not frames, their contrast cut to 0.4 about a light grey
// (90 + 0.4·v, in OpenCV so it rounds and clips as a camera's bytes do):
// when the models saw them as they were, 12, 13 and 24 changed class (good,
// sit up straight, straighten head), 37 % of slouch-or-not's; stretched for
// the models (exposure.go), 4, 4 and 7.
func TestWashedOutFramesKeepTheirClass(t *testing.T) {
	an := newTestAnalyzer(t)
	nf, desk := maskedAndDeskFrames(t)
	so := slouchOrNotFrames(t)
	for _, set := range []struct {
		name  string
		files []string
	}{{"neck-forward", nf}, {"desk", desk}, {"slouch-or-not", so}} {
		changed := 0
		for _, f := range set.files {
			img, err := loadImage(f)
			if err != nil {
				t.Fatal(err)
			}
			was := analyzeMat(t, an, img, f)
			washed := gocv.NewMat()
			img.ConvertToWithParams(&washed, gocv.MatTypeCV8UC3, 0.4, 90)
			if mean, spread := pictureStats(washed); mean < washedFull || spread >= washedSpread {
				t.Fatalf("%s washed out: mean %.0f, spread %.0f: not a washed-out picture", f, mean, spread)
			}
			now := analyzeMat(t, an, washed, f+"#washed")
			washed.Close()
			img.Close()
			if threeClass(now) != threeClass(was) {
				changed++
				t.Logf("%s washed out: %s %s, was %s %s", filepath.Base(f), threeClass(now), faultList(now.Faults), threeClass(was), faultList(was.Faults))
			}
		}
		t.Logf("%s: %d of %d frames changed class washed out", set.name, changed, len(set.files))
		if changed*100 > 12*len(set.files) {
			t.Errorf("%s: %d of %d frames changed class washed out, want at most 12 %%", set.name, changed, len(set.files))
		}
	}
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
