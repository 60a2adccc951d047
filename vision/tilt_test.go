package vision

import (
	"fmt"
	"image"
	"math"
	"path/filepath"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"posturewatch/coach/domain"
	"posturewatch/vision/posture"
	"posturewatch/vision/posture/fit"
)

// A head tilted far towards a shoulder, the shoulders level, is named a
// tilt ("straighten head"), not a head forward. Upright frames (the masked
// person's 49, slouch-or-not's 32) have their heads bent 45° about the
// neck (tiltedHead, as make eval's tilt-head copies), alternately each way.
// The body model draws the shoulder the head tilts towards up to it, and
// the neck measured to the shoulders' midpoint read a head forward at full
// severity beside the full tilt, named first: in 4 of the 81 frames (76
// straighten head) before the neck of a head tilted over level shoulders
// was taken from the lower shoulder (posture.neckAlongHead), in 2 after
// (78 straighten head): the masked person's, whose shoulder the body model
// placed as high as her eyes, the shoulder line leaning further than her
// head, as a body rolled with it would; both faults at full severity, the
// tie was named by name. In none (80 straighten head) since a tie is named
// by the fault the camera cannot fake (domain.Leads). (The 81st is her
// face bent 45° and taken for nobody: the detector at 0.73, the mesh and
// the body model lose it.)
func TestHeadBentOverLevelShouldersIsATilt(t *testing.T) {
	an := newTestAnalyzer(t)
	frames := uprightFramesToTurn(t)
	var named, forward, turned, bent int
	for i, f := range frames {
		img, err := loadImage(f)
		if err != nil {
			t.Fatal(err)
		}
		in, err := an.Input(Frame{Mat: img, Source: f + "#level"})
		if err != nil {
			img.Close()
			t.Fatal(err)
		}
		m := posture.Measure(in)
		if !m.Shoulders || !m.Eyes {
			img.Close()
			continue // nothing to bend about
		}
		deg := 45.0
		if i%2 == 1 {
			deg = -45
		}
		out, ok := tiltedHead(img, in, m, deg)
		img.Close()
		if !ok {
			t.Fatalf("%s: no neck to bend", filepath.Base(f))
		}
		o := analyzeMat(t, an, out, fmt.Sprintf("%s#bent%+.0f", f, deg))
		out.Close()
		bent++
		// The warp turns the head by the angle asked (the mesh or the
		// detector reads the roll within a third of it).
		if roll := o.Metrics[domain.MetricHeadRoll] - m.Metrics[domain.MetricHeadRoll]; math.Abs(roll-deg) < math.Abs(deg)/3 {
			turned++
		} else {
			t.Logf("%s bent %+.0f°: the head's roll changed by %.0f°", filepath.Base(f), deg, roll)
		}
		switch threeClass(o) {
		case fit.ClassStraighten:
			named++
		default:
			if o.Posture == domain.PostureBad && o.Faults[0].Name == domain.ForwardHead {
				forward++
			}
			t.Logf("%s bent %+.0f°: %s %s (%s)", filepath.Base(f), deg, o.Posture, faultList(o.Faults), o.Why)
		}
	}
	t.Logf("bent 45°: straighten head in %d of %d, forward head named first in %d; the roll followed in %d", named, bent, forward, turned)
	if bent < 75 {
		t.Fatalf("only %d of %d frames show a neck to bend", bent, len(frames))
	}
	if turned < bent*9/10 {
		t.Errorf("the head's roll followed the bend in only %d of %d frames", turned, bent)
	}
	if forward > 1 || named < bent-2 {
		t.Errorf("bent 45°: straighten head in %d of %d, forward head named first in %d; want all but 2 at most, forward head in 1 at most", named, bent, forward)
	}
}

// tiltedHead turns the head whole about the neck and leaves everything at
// and below the neck's turning point as it was.
func TestTiltedHeadBendsTheNeckOnly(t *testing.T) {
	const w, h = 320, 240
	src := paintedFrame(t, w, h, func(x, y int) [3]uint8 { return [3]uint8{uint8(x * 255 / w), uint8(y * 255 / h), 0} })
	// A white mark between the eyes.
	eyes := image.Pt(160, 80)
	mark := src.Region(image.Rect(eyes.X-2, eyes.Y-2, eyes.X+3, eyes.Y+3))
	mark.SetTo(gocv.NewScalar(255, 255, 255, 0))
	mark.Close()
	kps := make([]domain.Keypoint, 17)
	set := func(i int, x, y float64) { kps[i] = domain.Keypoint{X: x, Y: y, Score: 0.8} }
	set(posture.Nose, 160, 100)
	set(posture.LeftEye, 180, 80) // the person's left eye, on the image's right
	set(posture.RightEye, 140, 80)
	set(posture.LeftShoulder, 220, 200)
	set(posture.RightShoulder, 100, 200)
	in := posture.Input{W: w, H: h, Keypoints: kps}
	m := posture.Measure(in)
	if !m.Shoulders || !m.Eyes {
		t.Fatalf("the sitter shows no neck: %+v", m)
	}
	out, ok := tiltedHead(src, in, m, 30)
	if !ok {
		t.Fatal("no neck to bend")
	}
	defer out.Close()
	// The turning point: 15 % of the way up from the shoulders (y 200) to
	// the eyes (y 80), at the shoulders' midpoint's x.
	pivot := image.Pt(160, 182)
	below := image.Rect(0, pivot.Y, w, h)
	a, b := src.Region(below), out.Region(below)
	defer a.Close()
	defer b.Close()
	diff := gocv.NewMat()
	defer diff.Close()
	gocv.AbsDiff(a, b, &diff)
	grey := gocv.NewMat()
	defer grey.Close()
	gocv.CvtColor(diff, &grey, gocv.ColorBGRToGray)
	if n := gocv.CountNonZero(grey); n > 0 {
		t.Errorf("%d pixels at or below the neck's turning point changed", n)
	}
	// The mark turned 30° clockwise about the turning point.
	th := 30 * math.Pi / 180
	dx, dy := float64(eyes.X-pivot.X), float64(eyes.Y-pivot.Y)
	want := image.Pt(pivot.X+int(math.Round(dx*math.Cos(th)-dy*math.Sin(th))), pivot.Y+int(math.Round(dx*math.Sin(th)+dy*math.Cos(th))))
	if c := out.GetVecbAt(want.Y, want.X); c[0] < 200 || c[1] < 200 || c[2] < 200 {
		t.Errorf("the mark between the eyes is not at %v after the bend: %v there", want, c)
	}
	if c := out.GetVecbAt(eyes.Y, eyes.X); c[2] > 100 {
		t.Errorf("the mark between the eyes is still at %v after the bend", eyes)
	}
}

// A frame rolled whole by 26° or 30° (a camera on a tilted stand, a
// sitter leaning sideways in the chair) puts the head's roll past the
// verdict's line but short of the tilt's full severity. Measured on the
// image's vertical the neck is shorter by the roll's cosine, and upright
// frames read a head forward beside the tilt, often named first ("sit up
// straight" for a head that needs straightening). Where the shoulder line
// leans with the head, the neck is measured along the head's axis from the
// line on (posture.alongHead). The upright frames of the masked person and
// slouch-or-not (81), rolled ±26° and ±30° in turn: of the 72 whose tilt
// read past the line, forward head was named first in 15 before and in 11
// after, when this test was written; in 9 since a tie is named by the fault
// the camera cannot fake (domain.Leads). Of those 9, the body model kept
// the shoulders nearly level under the roll in 5 (the head then reads as
// tilted alone, as a slump's may be) and placed the masked person's
// shoulders as near her eyes as a head sunk forward in 4.
func TestPartlyRolledFrameIsATilt(t *testing.T) {
	an := newTestAnalyzer(t)
	frames := uprightFramesToTurn(t)
	var past, named, forward int
	for i, f := range frames {
		deg := []float64{26, -26, 30, -30}[i%4]
		out := rolledFrame(t, f, deg)
		o := analyzeMat(t, an, out, fmt.Sprintf("%s#rot%+.0f", f, deg))
		out.Close()
		if o.Fault(domain.HeadTilt) < 0.5 {
			continue // the roll read short of the line: another question
		}
		past++
		switch {
		case threeClass(o) == fit.ClassStraighten:
			named++
		case o.Posture == domain.PostureBad && o.Faults[0].Name == domain.ForwardHead:
			forward++
			t.Logf("%s rolled %+.0f°: %s %s (%s; head roll %.0f°, shoulder line %.0f°)", filepath.Base(f), deg, o.Posture, faultList(o.Faults), o.Why, o.Metrics[domain.MetricHeadRoll], o.Metrics[domain.MetricShoulderTilt])
		}
	}
	t.Logf("rolled 26–30°: the tilt past the line in %d of %d; straighten head in %d, forward head named first in %d", past, len(frames), named, forward)
	if past < len(frames)/2 {
		t.Fatalf("the tilt past the line in only %d of %d rolled frames", past, len(frames))
	}
	if forward*6 > past {
		t.Errorf("rolled 26–30°: forward head named first in %d of %d frames tilted past the line, want at most a sixth", forward, past)
	}
}

// uprightFramesToTurn are the upright frames the tilt tests bend and roll:
// the masked person's 49 and slouch-or-not's 32.
func uprightFramesToTurn(t *testing.T) []string {
	t.Helper()
	slouchUp, _ := filepath.Glob(filepath.Join(dataDir(t), "slouch-or-not", "upright", "*.jpg"))
	frames := append(maskedUprightFrames(t), slouchUp...)
	if len(frames) < 81 {
		t.Skipf("only %d upright neck-forward and slouch-or-not frames", len(frames))
	}
	return frames
}

// Against a baseline (a calibration, or the view learnt from the session)
// a rolled frame is named a tilt too. Each person's upright frames (the
// masked person's 13 upright, slouch-or-not's 32), judged against a
// baseline of 8 of them, rolled 26°, −30°, 35° and −45° in turn: read on
// the image's vertical, the neck's shortening since the baseline named a
// head forward (beside raised shoulders) before the tilt in 4 of the 41
// whose tilt read past the line, when this test was written; read along
// the head (posture.alongHead), in none, and a head bowed in 1 (the mesh
// read that rolled face's pitch 16° lower than the baseline's).
func TestRolledFrameAgainstABaselineIsATilt(t *testing.T) {
	an := newTestAnalyzer(t)
	p := posture.DefaultParams()
	var past, forward int
	for _, dir := range []string{"neck-forward/4-upright", "slouch-or-not/upright"} {
		files, _ := filepath.Glob(filepath.Join(dataDir(t), dir, "*.jpg"))
		if len(files) < 12 {
			t.Skipf("only %d frames in %s", len(files), dir)
		}
		var obs []domain.Observation
		for _, f := range files[:8] {
			img, in := freshInput(t, an, f)
			img.Close()
			obs = append(obs, posture.NewJudge(p, nil).Observe(domain.Observation{}, in))
		}
		b, err := domain.BuildBaseline("upright", obs, time.Unix(0, 0))
		if err != nil {
			t.Fatal(err)
		}
		j := posture.NewJudge(p, b)
		for i, f := range files {
			deg := []float64{26, -30, 35, -45}[i%4]
			out := rolledFrame(t, f, deg)
			an.face.Reset()
			in, err := an.Input(Frame{Mat: out, Source: fmt.Sprintf("%s#rot%+.0f", f, deg)})
			out.Close()
			if err != nil {
				t.Fatal(err)
			}
			o := j.Observe(domain.Observation{}, in)
			if o.Fault(domain.HeadTilt) < 0.5 {
				continue // the roll read short of the line
			}
			past++
			if o.Posture == domain.PostureBad && fit.FaultClass(o.Faults[0].Name) != fit.ClassStraighten {
				forward++
				t.Logf("%s rolled %+.0f° against the baseline: %s (%s)", filepath.Base(f), deg, faultList(o.Faults), o.Why)
			}
		}
	}
	t.Logf("rolled against a baseline: the tilt past the line in %d; sit up straight named first in %d", past, forward)
	if past < 30 {
		t.Fatalf("the tilt past the line in only %d rolled frames", past)
	}
	if forward > 1 {
		t.Errorf("rolled against a baseline: sit up straight named first in %d of %d frames tilted past the line, want 1 at most", forward, past)
	}
}

// rolledFrame is the image file f rolled whole by deg degrees (rotated);
// the caller closes it.
func rolledFrame(t *testing.T, f string, deg float64) gocv.Mat {
	t.Helper()
	img, err := loadImage(f)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	return rotated(img, deg)
}
