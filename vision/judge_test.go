package vision

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"posturewatch/coach/domain"
	"posturewatch/vision/face"
	"posturewatch/vision/posture"
	"posturewatch/vision/posture/fit"
)

func newTestAnalyzer(t testing.TB) *Analyzer {
	t.Helper()
	an, err := NewAnalyzer(AnalyzerOptions{ModelPath: modelPath(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { an.Close() })
	return an
}

func faultList(fs []domain.Fault) string {
	var parts []string
	for _, f := range fs {
		parts = append(parts, fmt.Sprintf("%s:%.2f", f.Name, f.Severity))
	}
	return strings.Join(parts, " ")
}

func testImage(t *testing.T, rel string) gocv.Mat {
	t.Helper()
	img, err := loadImage(filepath.Join(dataDir(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { img.Close() })
	return img
}

func analyzeMat(t *testing.T, an *Analyzer, m gocv.Mat, name string) domain.Observation {
	t.Helper()
	an.face.Reset()
	obs, err := an.Analyze(Frame{Mat: m, Source: name})
	if err != nil {
		t.Fatal(err)
	}
	return obs
}

// Golden face detection, landmarks, mesh and angles on grace_hopper.jpg
// (checked by eye on an annotated copy: box brows to chin, landmarks on the
// eyes, nose, mouth and ears; the head turned and tipped a few degrees).
func TestFaceGoldenGraceHopper(t *testing.T) {
	modelPath(t)
	fn, err := NewFaceNet(FaceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer fn.Close()
	img := testImage(t, "misc/grace_hopper.jpg")
	r, err := fn.Observe(img, time.Now(), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	near := func(what string, got, want, tol float64) {
		t.Helper()
		if math.Abs(got-want) > tol {
			t.Errorf("%s = %.2f, want %.2f ± %.2f", what, got, want, tol)
		}
	}
	if r.Faces != 1 || !r.Detected {
		t.Fatalf("faces %d, detected %v: want the one face", r.Faces, r.Detected)
	}
	near("score", r.Best.Score, 0.890, 0.01)
	b := r.Best.Box
	near("box x0", b.MinX, 167, 3)
	near("box y0", b.MinY, 138, 3)
	near("box x1", b.MaxX, 366, 3)
	near("box y1", b.MaxY, 336, 3)
	want := [6][2]float64{{226.8, 194.5}, {310.8, 191.1}, {271.7, 241.4}, {273.4, 281.1}, {180.9, 215.2}, {354.0, 207.9}}
	for i, w := range want {
		near(fmt.Sprintf("landmark %d x", i), r.Best.Landmarks[i].X, w[0], 3)
		near(fmt.Sprintf("landmark %d y", i), r.Best.Landmarks[i].Y, w[1], 3)
	}
	if !r.MeshRan || r.Mesh.Score < 0.99 {
		t.Fatalf("mesh ran %v, score %.3f: want an accepted mesh", r.MeshRan, r.Mesh.Score)
	}
	ang, ok := r.Mesh.Angles()
	if !ok {
		t.Fatal("no mesh angles")
	}
	near("roll", ang.Roll, -3.2, 1.5)
	near("pitch", ang.Pitch, -8.1, 1.5)
	near("yaw", ang.Yaw, 2.8, 1.5)
	near("eye distance (mesh)", r.Mesh.EyeDistance(), 87.4, 2)
	near("eye distance (detector)", r.Best.EyeDistance(), 84.1, 2)
	// The mesh's eyes agree with the detector's.
	right, left := r.Mesh.EyeCenters()
	near("mesh eye (image left) x", right.X, r.Best.Landmarks[0].X, 10)
	near("mesh eye (image right) x", left.X, r.Best.Landmarks[1].X, 10)
}

// The detector sees a 16:9 frame on a 256×160 canvas, not the padded 256²
// square; it finds the same faces there, sure of them, their boxes within 2 %
// of the frame's width (webcam frames, one of them widened to 2.4:1, and a
// portrait).
func TestFaceDetectorOnAFittedCanvas(t *testing.T) {
	modelPath(t)
	fitted, err := NewFaceNet(FaceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer fitted.Close()
	square, err := NewFaceNet(FaceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer square.Close()
	if !fitted.det.freeHW {
		t.Fatal("the detector's input size is not free")
	}
	square.det.freeHW = false // as a detector file of fixed size runs
	for _, c := range []struct {
		rel    string
		widen  bool
		canvas []int64
	}{
		{"neck-forward/4-upright/IMG_0877_100.jpg", false, []int64{1, 3, 160, 256}},
		{"neck-forward/1-forward-worst/" + firstFile(t, "neck-forward/1-forward-worst"), true, []int64{1, 3, 128, 256}},
		{"misc/grace_hopper.jpg", false, []int64{1, 3, 256, 224}},
	} {
		img := testImage(t, c.rel)
		if c.widen {
			wide := gocv.NewMat()
			gocv.CopyMakeBorder(img, &wide, 0, 0, img.Cols()/6, img.Cols()/6, gocv.BorderReplicate, colorBlack)
			defer wide.Close()
			img = wide
		}
		got, err := fitted.detect(img, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(fitted.det.inShape, c.canvas) {
			t.Errorf("%s: the detector ran on %v, want %v", c.rel, fitted.det.inShape, c.canvas)
		}
		want, err := square.detect(img, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 || len(want) == 0 {
			t.Fatalf("%s: %d faces on the fitted canvas, %d on the square", c.rel, len(got), len(want))
		}
		tol := 0.02 * float64(img.Cols())
		g, w := got[0], want[0]
		if g.Score < sureFace || w.Score < sureFace || math.Abs(g.Box.MinX-w.Box.MinX) > tol || math.Abs(g.Box.MinY-w.Box.MinY) > tol ||
			math.Abs(g.Box.MaxX-w.Box.MaxX) > tol || math.Abs(g.Box.MaxY-w.Box.MaxY) > tol {
			t.Errorf("%s: fitted canvas %.2f %+v, square %.2f %+v", c.rel, g.Score, g.Box, w.Score, w.Box)
		}
		t.Logf("%s: score %.2f on the fitted canvas, %.2f on the square", c.rel, g.Score, w.Score)
	}
}

// A camera is not a fixed thing: the same upright sitting seen mirrored, at
// another resolution, or through a wider frame must stay good.
func TestUprightInvariantToCameraChanges(t *testing.T) {
	dir := dataDir(t)
	an := newTestAnalyzer(t)
	files, _ := filepath.Glob(filepath.Join(dir, "slouch-or-not", "upright", "*.jpg"))
	nf, _ := filepath.Glob(filepath.Join(dir, "neck-forward", "4-upright", "*.jpg"))
	dg, _ := filepath.Glob(filepath.Join(dir, "desk-three-people", "good", "00[0-4]0.jpg"))
	files = append(append(files[:min(6, len(files))], nf[:min(4, len(nf))]...), dg...)
	variants := map[string]func(gocv.Mat) gocv.Mat{
		"mirrored": func(m gocv.Mat) gocv.Mat { o := gocv.NewMat(); gocv.Flip(m, &o, 1); return o },
		"2x": func(m gocv.Mat) gocv.Mat {
			o := gocv.NewMat()
			gocv.Resize(m, &o, image.Pt(m.Cols()*2, m.Rows()*2), 0, 0, gocv.InterpolationLinear)
			return o
		},
		"half": func(m gocv.Mat) gocv.Mat {
			o := gocv.NewMat()
			gocv.Resize(m, &o, image.Pt(m.Cols()/2, m.Rows()/2), 0, 0, gocv.InterpolationArea)
			return o
		},
		"wider-frame": func(m gocv.Mat) gocv.Mat { // a wider field of view: more room at the sides
			o := gocv.NewMat()
			gocv.CopyMakeBorder(m, &o, 0, 0, m.Cols()/6, m.Cols()/6, gocv.BorderReplicate, colorBlack)
			return o
		},
	}
	worstSev := func(o domain.Observation) float64 {
		if len(o.Faults) == 0 {
			return 0
		}
		return o.Faults[0].Severity
	}
	for _, f := range files {
		img, err := loadImage(f)
		if err != nil {
			t.Fatal(err)
		}
		orig := analyzeMat(t, an, img, f)
		if orig.Posture != domain.PostureGood {
			t.Errorf("%s: %s %s (%s), want good", filepath.Base(f), orig.Posture, faultList(orig.Faults), orig.Why)
		}
		for name, v := range variants {
			if name == "wider-frame" && !slices.Contains(orig.Visible, "shoulders") {
				// A wider lens would show what lies beyond the frame's side;
				// a border cannot. Around a shoulder cut by the side the
				// body model finds the rest of it in the border (smeared
				// or blank), where no shoulder is.
				continue
			}
			m := v(img)
			obs := analyzeMat(t, an, m, f+"#"+name)
			m.Close()
			// A clearly good frame stays good; a frame near the line may
			// cross it, but no change of camera moves a severity far.
			if d := math.Abs(worstSev(obs) - worstSev(orig)); d > 0.35 || (worstSev(orig) < 0.3 && obs.Posture != domain.PostureGood) {
				t.Errorf("%s %s: %s %s (%s); as it is: %s %s", filepath.Base(f), name, obs.Posture, faultList(obs.Faults), obs.Why, orig.Posture, faultList(orig.Faults))
			}
		}
		img.Close()
	}
}

// Rolling the picture rolls the head: a clear tilt is named head_tilt, never
// unknown — the 40–55° the body model alone lost.
func TestTiltedHeadIsNamed(t *testing.T) {
	an := newTestAnalyzer(t)
	for _, rel := range []string{"misc/grace_hopper.jpg", "desk-three-people/good/0000.jpg", "slouch-or-not/upright/" + firstFile(t, "slouch-or-not/upright")} {
		img := testImage(t, rel)
		for _, deg := range []float64{-50, -35, 40, 55} {
			out := rotated(img, deg)
			obs := analyzeMat(t, an, out, rel+"#rot")
			out.Close()
			if obs.Posture != domain.PostureBad || len(obs.Faults) == 0 || obs.Faults[0].Name != domain.HeadTilt {
				t.Errorf("%s rotated %v°: %s %s (%s), want head_tilt first", rel, deg, obs.Posture, faultList(obs.Faults), obs.Why)
			}
		}
	}
}

// A camera never seen before has its own resolution: nothing in the
// judgement may be counted in pixels. The masked person's 102 frames at half
// and a third of their 960×540, and every tenth desk frame (140) at twice
// its 224², keep their class (good, sit up straight, straighten head): 2 of
// the 344 changed when this test was written, a desk slump at 0.51 and the
// masked person's "limit of acceptable" grade at a third (320×180).
func TestVerdictsHoldAcrossResolutions(t *testing.T) {
	an := newTestAnalyzer(t)
	nf, desk := maskedAndDeskFrames(t)
	pairs, changed := 0, 0
	try := func(files []string, scales ...float64) {
		for _, f := range files {
			img, err := loadImage(f)
			if err != nil {
				t.Fatal(err)
			}
			was := analyzeMat(t, an, img, f)
			for _, s := range scales {
				out := gocv.NewMat()
				gocv.Resize(img, &out, image.Pt(int(float64(img.Cols())*s), int(float64(img.Rows())*s)), 0, 0, gocv.InterpolationArea)
				now := analyzeMat(t, an, out, f+"#scaled")
				out.Close()
				pairs++
				if threeClass(now) != threeClass(was) {
					changed++
					t.Logf("%s at ×%.2f: %s %s, was %s %s", filepath.Base(f), s, threeClass(now), faultList(now.Faults), threeClass(was), faultList(was.Faults))
				}
			}
			img.Close()
		}
	}
	try(nf, 0.5, 1.0/3)
	try(desk, 2)
	if changed*100 > 2*pairs {
		t.Errorf("%d of %d frames changed class with the resolution, want at most 2 %%", changed, pairs)
	}
}

// A webcam's picture is noisy and compressed. On the masked person's 102
// frames (960×540, shrunk 5× for the body model, which averages the noise
// away), a JPEG at quality 50 and sensor noise of σ = 8 grey levels each
// changed 1–2 classes when this test was written. (The 224² development
// crops are shrunk too little for that: there the body model's shoulders
// move with the noise, and 7 of 140 desk frames and 10 of 65 slouch-or-not
// frames changed with the same noise.)
//
// A verdict within nearLine of the line goes either way under any noise, and
// which frames sit there moves with every refit: her mildest forward grade
// (labelled bad) and her forward limit (labelled good) lie either side of
// it. Those are counted apart, against a looser bar. Since the sit-up
// score's ridge penalty went from 1 to 5 (fit/linear.go), noise moves her
// severities as much as before (the forward head's by 0.036 on average
// under σ 8, 0.037 before; logged), but her mildest forward frames came
// nearer the line (0.87, 0.64, 0.68 → 0.73, 0.54, 0.58), and σ 8 changed
// 4 classes of 102 instead of 2: 2 clear of the line (1 before), 2 near it
// (1 before). Measured again on 2026-12-06, after later changes: σ 8
// moved her forward head by 0.070 on average and changed 2 classes clear
// of the line and 3 near it; JPEG at 50, 0.018 and 0 and 3. Since shoulders
// guessed at the bottom edge stopped counting (posture.GuessedShoulderScore),
// σ 8: 0.080, and 3 clear of the line (her worst forward head, 124, whose
// noisy shoulders score under 0.42, is named a tilt); JPEG as before.
func TestVerdictsHoldUnderNoiseAndCompression(t *testing.T) {
	an := newTestAnalyzer(t)
	files, _ := filepath.Glob(filepath.Join(dataDir(t), "neck-forward", "*", "*.jpg"))
	if len(files) < 100 {
		t.Skipf("only %d neck-forward frames", len(files))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	noisy := func(img gocv.Mat) gocv.Mat { return withNoise(t, img, 8, rng) }
	compressed := func(img gocv.Mat) gocv.Mat { return jpegCopy(t, img, 50) }
	changed, near := map[string]int{}, map[string]int{}
	moved := map[string]float64{}
	for _, f := range files {
		img, err := loadImage(f)
		if err != nil {
			t.Fatal(err)
		}
		was := analyzeMat(t, an, img, f)
		for name, spoil := range map[string]func(gocv.Mat) gocv.Mat{"noise σ 8": noisy, "JPEG q 50": compressed} {
			out := spoil(img)
			now := analyzeMat(t, an, out, f+"#"+name)
			out.Close()
			moved[name] += math.Abs(now.Fault(domain.ForwardHead) - was.Fault(domain.ForwardHead))
			if threeClass(now) != threeClass(was) {
				kind := "clear of the line"
				if nearTheLine(was) {
					near[name]++
					kind = "near the line"
				} else {
					changed[name]++
				}
				t.Logf("%s, %s (%s): %s %s, was %s %s", filepath.Base(f), name, kind, threeClass(now), faultList(now.Faults), threeClass(was), faultList(was.Faults))
			}
		}
		img.Close()
	}
	for name, m := range moved {
		t.Logf("%s: forward head's severity moved by %.3f on average; %d verdicts clear of the line and %d near it changed class", name, m/float64(len(files)), changed[name], near[name])
	}
	for name, n := range changed {
		if n*100 > 3*len(files) {
			t.Errorf("%s changed the class of %d of %d frames clear of the line, want at most 3 %%", name, n, len(files))
		}
	}
	for name, n := range near {
		if n*100 > 5*len(files) {
			t.Errorf("%s changed the class of %d of %d frames near the line, want at most 5 %%", name, n, len(files))
		}
	}
}

// nearLine is how near the line (BadAt) a verdict's deciding severity may
// lie and still go either way under a webcam's noise: σ 8 moves the masked
// person's forward head by up to 0.28, 0.036 on average.
const nearLine = 0.1

// nearTheLine reports whether the observation's most severe fault (0 when
// none) lies within nearLine of the line.
func nearTheLine(o domain.Observation) bool {
	worst := 0.0
	if len(o.Faults) > 0 {
		worst = o.Faults[0].Severity
	}
	return math.Abs(worst-posture.DefaultParams().BadAt) < nearLine
}

// Sitting farther from the camera shrinks the person in a frame that shows
// more of the room. The upright frames of the masked person (49) and every
// tenth good desk frame, shrunk to 0.8 and 0.65 of their size about the
// frame's centre (the picture's edges continued outwards), keep their class.
// The masked face has no mesh, so its turn comes from the face detector's
// six landmarks; with the eyes blended from the body model, whose eyes on a
// face that small (12 pixels apart in the detector's input) sit a few pixels
// off the detector's, 10 of the 98 shrunk masked frames read as a head
// turned 45–51° and 12 of the 244 copies changed class. Now 2 change: one
// masked frame of the "limit of acceptable" grade, a forward head at 0.73 as
// taken, is good farther away.
func TestVerdictsHoldFartherFromTheCamera(t *testing.T) {
	an := newTestAnalyzer(t)
	files := maskedUprightFrames(t)
	desk, _ := filepath.Glob(filepath.Join(dataDir(t), "desk-three-people", "good", "0[0-9][0-9]0.jpg"))
	if len(files) < 49 || len(desk) < 50 {
		t.Skipf("only %d upright neck-forward and %d desk frames", len(files), len(desk))
	}
	files = append(files, desk...)
	changed, pairs, turned := 0, 0, 0
	for _, f := range files {
		img, err := loadImage(f)
		if err != nil {
			t.Fatal(err)
		}
		was := analyzeMat(t, an, img, f)
		for _, s := range []float64{0.8, 0.65} {
			out := fartherAway(img, s)
			now := analyzeMat(t, an, out, f+"#farther")
			out.Close()
			pairs++
			if threeClass(now) == threeClass(was) {
				continue
			}
			changed++
			if len(now.Faults) > 0 && now.Faults[0].Name == domain.HeadTurn {
				turned++
			}
			t.Logf("%s at ×%.2f: %s %s (%s), was %s %s", filepath.Base(f), s, threeClass(now), faultList(now.Faults), now.Why, threeClass(was), faultList(was.Faults))
		}
		img.Close()
	}
	if turned > 0 {
		t.Errorf("%d upright frames read as a turned head when farther away, want none", turned)
	}
	if changed*100 > 2*pairs {
		t.Errorf("%d of %d frames changed class farther away, want at most 2 %%", changed, pairs)
	}
}

// fartherAway shrinks the frame by s about its centre and fills the border
// by continuing the picture's edges: the sitter farther from the camera, in
// a room that goes on around them.
func fartherAway(img gocv.Mat, s float64) gocv.Mat {
	w, h := img.Cols(), img.Rows()
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(img, &small, image.Pt(int(float64(w)*s), int(float64(h)*s)), 0, 0, gocv.InterpolationArea)
	out := gocv.NewMat()
	top, left := (h-small.Rows())/2, (w-small.Cols())/2
	gocv.CopyMakeBorder(small, &out, top, h-small.Rows()-top, left, w-small.Cols()-left, gocv.BorderReplicate, blackBGR)
	return out
}

// threeClass is a verdict as the held-out photos are scored: good, sit up
// straight, straighten head, or the posture itself (away, unknown).
func threeClass(o domain.Observation) string {
	if o.Posture != domain.PostureBad {
		return string(o.Posture)
	}
	return fit.FaultClass(o.Faults[0].Name)
}

// The masked person's head tilted: the mask defeats the face mesh, and
// rolled the other way from her usual lean the body model's head scores
// fall to 0.2–0.3, under the line that backs a detected face. Of her 49
// good frames rolled 30° and 45° that way, 20 were called away; the body
// model's nose and eyes inside the detector's face box now back it at a
// lower score.
func TestMaskedTiltedHeadIsSomeone(t *testing.T) {
	an := newTestAnalyzer(t)
	files := maskedUprightFrames(t)
	if len(files) < 40 {
		t.Skipf("only %d good neck-forward frames", len(files))
	}
	missed, notTilt, n := 0, 0, 0
	for _, f := range files {
		img, err := loadImage(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, deg := range []float64{-45, -30} {
			out := rotated(img, deg)
			obs := analyzeMat(t, an, out, f+"#rot")
			out.Close()
			n++
			switch {
			case obs.Posture == domain.PostureAway || obs.Posture == domain.PostureUnknown:
				missed++
				t.Logf("%s rolled %v°: %s (%s)", filepath.Base(f), deg, obs.Posture, obs.Why)
			case len(obs.Faults) == 0 || obs.Faults[0].Name != domain.HeadTilt:
				notTilt++
				t.Logf("%s rolled %v°: %s %s", filepath.Base(f), deg, obs.Posture, faultList(obs.Faults))
			}
		}
		img.Close()
	}
	// 2 of 98 are still missed (both at 45°), every other one is a tilt.
	if missed > 4 || notTilt > 2 {
		t.Errorf("of %d tilted masked frames, %d away or unknown (want ≤ 4; 20 before) and %d not named a tilt first (want ≤ 2)", n, missed, notTilt)
	}
}

// A camera aimed higher (or a frame that ends below the chin) cuts the
// shoulders off; the body model then often places them on the jaw, which
// read as a head sunk between the shoulders. On the masked person's upright
// frames, the top 80 % of each (the crop `make eval` calls shift-up) was
// forward_head at full severity on all 13 before shoulders that close
// together stopped counting.
func TestShouldersCutByAHigherCameraAreNotASunkHead(t *testing.T) {
	an := newTestAnalyzer(t)
	files, _ := filepath.Glob(filepath.Join(dataDir(t), "neck-forward", "4-upright", "*.jpg"))
	if len(files) < 10 {
		t.Skipf("only %d upright neck-forward frames", len(files))
	}
	sunk := 0
	for _, f := range files {
		img, err := loadImage(f)
		if err != nil {
			t.Fatal(err)
		}
		top := cloneRegion(img, image.Rect(0, 0, img.Cols(), img.Rows()*8/10))
		img.Close()
		obs := analyzeMat(t, an, top, f+"#top")
		top.Close()
		if obs.Posture == domain.PostureAway || obs.Posture == domain.PostureUnknown {
			t.Errorf("%s, top 80 %%: %s (%s), want a person judged", filepath.Base(f), obs.Posture, obs.Why)
		}
		for _, fault := range []domain.FaultName{domain.ForwardHead, domain.Slouch, domain.RoundedShoulders} {
			if obs.Fault(fault) >= 0.5 {
				sunk++
				t.Logf("%s, top 80 %%: %s %s (%s)", filepath.Base(f), obs.Posture, faultList(obs.Faults), obs.Why)
				break
			}
		}
	}
	// Allow one: the line (1.2 face-box widths) lies between the widest
	// jaw pair seen on the development crops (1.19) and the narrowest real
	// pair (1.22), and a re-encoded copy of one of these frames puts its
	// pair at 1.21. None of the 13 is called sunk now.
	if sunk > 1 {
		t.Errorf("%d of %d upright frames with the shoulders cut off were called sunk or forward, want at most 1", sunk, len(files))
	}
}

// A camera aimed so low that the frame's top edge runs through the nose:
// the astronaut's portrait seen 1.3 times as near (nearerAbout) and cut to
// its bottom 85 %. The face detector finds nothing to read, and the body model
// places the eyes beyond the top edge over a shoulder in the frame.
// Someone is there: unknown, with the advice to aim the camera higher. It
// was "nobody at the desk", and the coach would have counted a break.
func TestFaceCutOffAtTheNoseIsSomeone(t *testing.T) {
	an := newTestAnalyzer(t)
	img := testImage(t, "misc/astronaut.png")
	near := nearerAbout(t, img, 1.3)
	defer near.Close()
	w, h := near.Cols(), near.Rows()
	cut := cloneRegion(near, image.Rect(0, h-h*85/100, w, h))
	defer cut.Close()
	o := analyzeMat(t, an, cut, "astronaut, nearer, cut through the nose")
	if o.Posture != domain.PostureUnknown || !strings.Contains(o.Why, "aim the camera") {
		t.Errorf("the face cut off through the nose: %s (%s), want unknown, saying to aim the camera higher", o.Posture, o.Why)
	}
}

// Zooming into the face, as someone leaning in until it fills the frame, is
// too_close — never unknown or away.
func TestZoomedFaceIsTooClose(t *testing.T) {
	an := newTestAnalyzer(t)
	for _, rel := range []string{"misc/grace_hopper.jpg", "desk-three-people/good/0000.jpg", "desk-three-people/good/0181.jpg", "slouch-or-not/upright/" + firstFile(t, "slouch-or-not/upright")} {
		img := testImage(t, rel)
		obs := analyzeMat(t, an, img, rel)
		in, err := an.Input(Frame{Mat: img, Source: rel + "#again"})
		if err != nil || in.Face == nil || in.Face.Score == 0 {
			t.Fatalf("%s: no face to zoom into (%v)", rel, err)
		}
		fb := in.Face.Box
		for _, fill := range []float64{0.7, 0.85} { // the face box (brows to chin) fills this much of the height
			ch := math.Max(fb.Width(), fb.Height()) / fill
			cw := ch * float64(img.Cols()) / float64(img.Rows())
			r, ok := clampRect((fb.MinX+fb.MaxX-cw)/2, (fb.MinY+fb.MaxY-ch)/2, cw, ch, img.Cols(), img.Rows())
			if !ok {
				continue
			}
			z := cropResize(img, r, img.Cols(), img.Rows())
			zo := analyzeMat(t, an, z, rel+"#zoom")
			z.Close()
			if zo.Posture != domain.PostureBad || zo.Fault(domain.TooClose) < 0.5 {
				t.Errorf("%s zoomed (face %.0f%% of the height; unzoomed %s): %s %s (%s), want too_close", rel, 100*fill, obs.Posture, zo.Posture, faultList(zo.Faults), zo.Why)
			}
		}
	}
}

// A face larger than the frame — someone leaning right into the screen,
// the brows or the chin cut off — is too close too. The face detector's
// first look finds a face inside it; it looks again with the frame shrunk
// when that face is not sure (sureFace). Every 40th desk frame and every
// fifth slouch-or-not frame (48), zoomed until the face box is 1.2 and 1.4
// times the frame's height: 47 and 43 are called too close now (1 and 3
// away); with the second look only below a first of 0.5 (tried), 22 and 19
// (15 and 13 away, the rest mostly upright).
func TestFaceLargerThanTheFrameIsTooClose(t *testing.T) {
	an := newTestAnalyzer(t)
	_, desk := maskedAndDeskFrames(t)
	files := append(everyNth(desk, 4), everyNth(slouchOrNotFrames(t), 5)...)
	fills := []float64{1.2, 1.4}
	tooClose, away, n := make([]int, len(fills)), make([]int, len(fills)), 0
	for _, f := range files {
		img, err := loadImage(f)
		if err != nil {
			t.Fatal(err)
		}
		in, err := an.Input(Frame{Mat: img, Source: f})
		if err != nil || in.Face == nil || in.Face.Score == 0 {
			img.Close()
			continue
		}
		n++
		fb := in.Face.Box
		for i, fill := range fills {
			z, ok := zoomedIntoFace(img, fb, fill)
			if !ok {
				t.Fatalf("%s: no window for a face %.0f%% of the height", filepath.Base(f), 100*fill)
			}
			obs := analyzeMat(t, an, z, f+"#nearer")
			z.Close()
			switch {
			case obs.Fault(domain.TooClose) >= 0.5:
				tooClose[i]++
			case obs.Posture == domain.PostureAway:
				away[i]++
				t.Logf("%s, face %.0f%% of the height: %s (%s)", filepath.Base(f), 100*fill, obs.Posture, obs.Why)
			default:
				t.Logf("%s, face %.0f%% of the height: %s %s (%s)", filepath.Base(f), 100*fill, obs.Posture, faultList(obs.Faults), obs.Why)
			}
		}
		img.Close()
	}
	for i, fill := range fills {
		t.Logf("face %.0f%% of the frame's height: %d of %d too close, %d away", 100*fill, tooClose[i], n, away[i])
		if n < 40 || tooClose[i]*10 < n*8 {
			t.Errorf("face %.0f%% of the frame's height: %d of %d called too close, want at least 80 %%", 100*fill, tooClose[i], n)
		}
	}
}

func firstFile(t *testing.T, rel string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dataDir(t), rel, "*"))
	if len(m) == 0 {
		t.Skipf("no files in %s", rel)
	}
	return filepath.Base(m[0])
}

var colorBlack = color.RGBA{A: 255}

// On a stream the face is followed (by its mesh, or for a masked face by the
// body model's eyes) and the detector runs only now and then; a followed
// frame is judged as a fresh look at it would judge it.
func TestFaceTrackingSkipsTheDetector(t *testing.T) {
	an := newTestAnalyzer(t)
	fresh := newTestAnalyzer(t)
	clip := filepath.Join(dataDir(t), "clips", "forward-head-session.mp4")
	n, detected, same := 0, 0, 0
	err := Walk([]string{clip}, SourceOptions{FPS: 0.77}, func(f *Frame, ferr error) {
		if ferr != nil {
			t.Error(ferr)
			return
		}
		kps, _, err := an.pose.Estimate(f.Mat)
		if err != nil {
			t.Fatal(err)
		}
		var hint *Eyes
		if le, re := kps[1], kps[2]; le.Score >= 0.3 && re.Score >= 0.3 {
			hint = &Eyes{Left: face.Point{X: re.X, Y: re.Y}, Right: face.Point{X: le.X, Y: le.Y}}
		}
		r, err := an.face.Observe(f.Mat, f.Time, n > 0, hint)
		if err != nil {
			t.Fatal(err)
		}
		n++
		if r.DetectorMS > 0 {
			detected++
		}
		obs, err := an.Analyze(*f) // the same frame through the whole path, tracked
		if err != nil {
			t.Fatal(err)
		}
		want := analyzeMat(t, fresh, f.Mat, fmt.Sprint("fresh", n))
		if obs.Posture == want.Posture {
			same++
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d frames, the detector ran on %d; %d judged as a fresh look judges them", n, detected, same)
	if n < 40 || detected*4 > n {
		t.Errorf("the detector ran on %d of %d frames: the face is not followed", detected, n)
	}
	if same*10 < n*9 {
		t.Errorf("only %d of %d followed frames judged as a fresh look judges them", same, n)
	}
}

// gocvSample is a photo shipped with the gocv module, found in the module
// cache beside the build: a person and a camera the development data does
// not hold. The test skips when the module's files are not there.
func gocvSample(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "gocv.io/x/gocv").Output()
	if err != nil {
		t.Skipf("gocv module directory not found (%v): its sample photos are not at hand", err)
	}
	p := filepath.Join(strings.TrimSpace(string(out)), "images", name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("gocv sample photo: %v", err)
	}
	return p
}

// Someone never seen, at another webcam (gocv's face.jpg: a man in glasses
// at his desk, 640×480, the camera a little above the eyes), sitting well:
// good, and so are his mirrored and slightly rolled copies; the frame rolled
// 30–45° is a tilted head and zoomed into the face a lean-in, as `make eval`
// expects of the development frames' copies.
func TestAnotherPersonAtAnotherWebcam(t *testing.T) {
	an := newTestAnalyzer(t)
	f := gocvSample(t, "face.jpg")
	img, err := loadImage(f)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	in, err := an.Input(Frame{Mat: img, Source: f})
	if err != nil {
		t.Fatal(err)
	}
	j := posture.NewJudge(posture.DefaultParams(), nil)
	judge := func(in posture.Input) domain.Observation {
		return j.Observe(domain.Observation{Faults: []domain.Fault{}}, in)
	}
	if o := judge(in); o.Posture != domain.PostureGood {
		t.Errorf("as taken: %s %s (%s), want good", o.Posture, faultList(o.Faults), o.Why)
	}
	kinds := map[string]bool{}
	augment(an, img, Sample{File: f, Class: ClassGood, Input: in}, func(s Sample) {
		if s.Error != "" {
			t.Errorf("%s: %s", s.Aug, s.Error)
			return
		}
		kinds[s.Class] = true
		if o := judge(s.Input); threeClass(o) != s.Class {
			t.Errorf("%s: %s %s (%s), want %s", s.Aug, o.Posture, faultList(o.Faults), o.Why, s.Class)
		}
	})
	if len(kinds) != 3 {
		t.Errorf("the copies' classes: %v, want good, sit up straight and straighten head", kinds)
	}
}
