package posture

import (
	"math"
	"posturewatch/coach/domain"
	"testing"
	"time"
)

// person builds head and shoulder keypoints of an upright frontal sitter
// in a w×h frame: eye distance e pixels, eyes centred at (cx, cy).
func person(w, h int, cx, cy, e float64) []domain.Keypoint {
	k := make([]domain.Keypoint, 17)
	set := func(i int, x, y, s float64) { k[i] = domain.Keypoint{X: x, Y: y, Score: s} }
	set(Nose, cx, cy+0.55*e, 0.8)
	set(LeftEye, cx+e/2, cy, 0.85) // the person's left is image right
	set(RightEye, cx-e/2, cy, 0.85)
	set(LeftEar, cx+1.1*e, cy+0.35*e, 0.7)
	set(RightEar, cx-1.1*e, cy+0.35*e, 0.7)
	set(LeftShoulder, cx+2.3*e, cy+0.35*e+2.6*e, 0.8)
	set(RightShoulder, cx-2.3*e, cy+0.35*e+2.6*e, 0.8)
	for i := 7; i < 17; i++ {
		set(i, cx, float64(h)*0.99, 0.05)
	}
	return k
}

func judge(t *testing.T, kps []domain.Keypoint, w, h int, b *domain.Baseline) (domain.Posture, []domain.Fault, Measurement) {
	t.Helper()
	m := Measure(kps, w, h)
	p, fs := NewJudge(DefaultParams(), b).Judge(m)
	return p, fs, m
}

func sev(fs []domain.Fault, n domain.FaultName) float64 {
	for _, f := range fs {
		if f.Name == n {
			return f.Severity
		}
	}
	return 0
}

func TestUprightIsGood(t *testing.T) {
	p, fs, m := judge(t, person(640, 480, 320, 170, 60), 640, 480, nil)
	if p != domain.PostureGood {
		t.Fatalf("upright: %s %v (metrics %v)", p, fs, m.Metrics)
	}
	for _, f := range fs {
		if f.Severity >= 0.3 {
			t.Errorf("upright: unexpected %s %.2f", f.Name, f.Severity)
		}
	}
}

// Metrics are ratios: moving the person or changing the resolution leaves
// them alone (except face_frame and the frame positions, which scale with
// the frame as intended).
func TestMetricsAreScaleFree(t *testing.T) {
	a := Measure(person(640, 480, 320, 170, 60), 640, 480).Metrics
	b := Measure(person(1920, 1440, 960, 510, 180), 1920, 1440).Metrics
	c := Measure(person(640, 480, 280, 190, 60), 640, 480).Metrics
	for k, v := range a {
		if math.Abs(b[k]-v) > 1e-9 {
			t.Errorf("%s: %v at 640×480, %v at 1920×1440", k, v, b[k])
		}
		if k == domain.MetricEyeHeight || k == domain.MetricShoulderHeight {
			continue
		}
		if math.Abs(c[k]-v) > 1e-9 {
			t.Errorf("%s changed when the person moved: %v vs %v", k, v, c[k])
		}
	}
	if len(a) < 10 {
		t.Errorf("only %d metrics: %v", len(a), a)
	}
}

func rotate(kps []domain.Keypoint, cx, cy, deg float64, idx ...int) []domain.Keypoint {
	out := append([]domain.Keypoint(nil), kps...)
	r := deg * math.Pi / 180
	for _, i := range idx {
		x, y := out[i].X-cx, out[i].Y-cy
		out[i].X, out[i].Y = cx+x*math.Cos(r)-y*math.Sin(r), cy+x*math.Sin(r)+y*math.Cos(r)
	}
	return out
}

func TestHeadTiltTurnBackDown(t *testing.T) {
	base := person(640, 480, 320, 170, 60)
	head := []int{Nose, LeftEye, RightEye, LeftEar, RightEar}
	tilted := rotate(base, 320, 200, 22, head...)
	if p, fs, _ := judge(t, tilted, 640, 480, nil); p != domain.PostureBad || fs[0].Name != domain.HeadTilt {
		t.Errorf("tilted 22°: %s %v", p, fs)
	}
	turned := append([]domain.Keypoint(nil), base...)
	turned[Nose].X += 0.4 * 60
	turned[LeftEar].Score = 0.2 // the far ear hides
	if p, fs, _ := judge(t, turned, 640, 480, nil); p != domain.PostureBad || fs[0].Name != domain.HeadTurn {
		t.Errorf("turned: %s %v", p, fs)
	}
	back := append([]domain.Keypoint(nil), base...)
	back[Nose].Y = 170 + 0.2*60 // nose foreshortened up toward the eyes
	back[LeftEar].Y, back[RightEar].Y = 170+0.6*60, 170+0.6*60
	if p, fs, _ := judge(t, back, 640, 480, nil); p != domain.PostureBad || sev(fs, domain.HeadBack) < 0.5 {
		t.Errorf("head back: %s %v", p, fs)
	}
	down := append([]domain.Keypoint(nil), base...)
	down[Nose].Y = 170 + 1.5*60
	if p, fs, _ := judge(t, down, 640, 480, nil); p != domain.PostureBad || sev(fs, domain.HeadDown) < 0.5 {
		t.Errorf("head down: %s %v", p, fs)
	}
}

func TestForwardHeadWithoutBaseline(t *testing.T) {
	k := person(640, 480, 320, 220, 70)
	// The head drops toward the shoulder line and grows (closer to the camera).
	for _, i := range []int{LeftShoulder, RightShoulder} {
		k[i].Y = 220 + 0.35*70 + 1.4*70
	}
	p, fs, m := judge(t, k, 640, 480, nil)
	if p != domain.PostureBad || sev(fs, domain.ForwardHead) < 0.5 {
		t.Errorf("forward head: %s %v (metrics %v)", p, fs, m.Metrics)
	}
}

// Leaning in so close that the shoulders leave the frame is evidence of
// leaning in, not "unknown".
func TestShouldersOutOfFrameIsLeaningIn(t *testing.T) {
	k := person(640, 480, 320, 260, 110)
	for _, i := range []int{LeftShoulder, RightShoulder} {
		k[i].Y = 479
		k[i].Score = 0.25
	}
	p, fs, m := judge(t, k, 640, 480, nil)
	if !m.ShouldersOut {
		t.Fatalf("shoulders not seen as out of frame: %+v", m)
	}
	if p != domain.PostureBad || sev(fs, domain.TooClose) < 0.5 {
		t.Errorf("leaning in: %s %v", p, fs)
	}
}

func TestAwayAndUnknown(t *testing.T) {
	empty := person(640, 480, 320, 170, 60)
	for i := range empty {
		empty[i].Score = 0.1
	}
	if p, _, _ := judge(t, empty, 640, 480, nil); p != domain.PostureAway {
		t.Errorf("low scores: %s, want away", p)
	}
	far := person(640, 480, 320, 170, 12) // a face 12 px wide: someone across the room
	if p, _, _ := judge(t, far, 640, 480, nil); p != domain.PostureAway {
		t.Errorf("distant face: %s, want away", p)
	}
	noEyes := person(640, 480, 320, 170, 60)
	noEyes[LeftEye].Score, noEyes[RightEye].Score, noEyes[Nose].Score = 0.1, 0.1, 0.5
	if p, _, _ := judge(t, noEyes, 640, 480, nil); p != domain.PostureUnknown {
		t.Errorf("eyes hidden: %s, want unknown", p)
	}
}

func baselineOf(t *testing.T, kps []domain.Keypoint, w, h int) *domain.Baseline {
	t.Helper()
	var obs []domain.Observation
	for i := 0; i < 12; i++ {
		k := append([]domain.Keypoint(nil), kps...)
		k[Nose].X += float64(i%3) - 1 // a little natural movement
		o := NewJudge(DefaultParams(), nil).Observe(domain.Observation{}, k, w, h)
		obs = append(obs, o)
	}
	b, err := domain.BuildBaseline("test", obs, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A baseline sharpens the judgement: a sink of the whole upper body that
// the defaults cannot see from one frame is a slouch against the baseline.
func TestBaselineSeesSinking(t *testing.T) {
	up := person(640, 480, 320, 140, 60)
	b := baselineOf(t, up, 640, 480)
	if p, fs, _ := judge(t, up, 640, 480, b); p != domain.PostureGood {
		t.Fatalf("baseline posture itself: %s %v", p, fs)
	}
	sunk := person(640, 480, 320, 140+0.8*60, 57)
	pNo, _, _ := judge(t, sunk, 640, 480, nil)
	pB, fsB, _ := judge(t, sunk, 640, 480, b)
	if pB != domain.PostureBad || sev(fsB, domain.Slouch) < 0.5 {
		t.Errorf("sunk against baseline: %s %v", pB, fsB)
	}
	if pNo != domain.PostureGood {
		t.Logf("without baseline the sink is judged %s (acceptable, but the baseline is what sees it)", pNo)
	}
	// The head drops forward: bigger face, lower eyes, neck 40 % shorter.
	fwd := person(640, 480, 320, 140+1.0*60, 66)
	for _, i := range []int{LeftShoulder, RightShoulder} {
		fwd[i].Y = up[i].Y
	}
	if p, fs, _ := judge(t, fwd, 640, 480, b); p != domain.PostureBad || sev(fs, domain.ForwardHead) < 0.5 || sev(fs, domain.ShouldersRaised) > 0 {
		t.Errorf("head forward against baseline: %s %v", p, fs)
	}
	// A shrug: the shoulders rise, the head stays.
	shrug := append([]domain.Keypoint(nil), up...)
	for _, i := range []int{LeftShoulder, RightShoulder} {
		shrug[i].Y -= 0.9 * 60
	}
	if p, fs, _ := judge(t, shrug, 640, 480, b); p != domain.PostureBad || sev(fs, domain.ShouldersRaised) < 0.5 || sev(fs, domain.ForwardHead) > 0.2 {
		t.Errorf("shrug against baseline: %s %v", p, fs)
	}
}

func TestFaultsSortedMostSevereFirst(t *testing.T) {
	k := rotate(person(640, 480, 320, 170, 60), 320, 200, 30, Nose, LeftEye, RightEye, LeftEar, RightEar)
	k[Nose].X += 15
	_, fs, _ := judge(t, k, 640, 480, nil)
	for i := 1; i < len(fs); i++ {
		if fs[i].Severity > fs[i-1].Severity {
			t.Fatalf("not sorted: %v", fs)
		}
	}
	for _, f := range fs {
		if f.Why == "" || !f.Name.Valid() || f.Severity < 0 || f.Severity > 1 {
			t.Errorf("bad fault %+v", f)
		}
	}
}

func TestRamp(t *testing.T) {
	up, down := Ramp{1, 2}, Ramp{2, 1}
	for _, c := range []struct {
		r    Ramp
		v, w float64
	}{{up, 0, 0}, {up, 1.5, 0.5}, {up, 3, 1}, {down, 3, 0}, {down, 1.5, 0.5}, {down, 0, 1}} {
		if got := c.r.Sev(c.v); math.Abs(got-c.w) > 1e-12 {
			t.Errorf("%+v.Sev(%v) = %v, want %v", c.r, c.v, got, c.w)
		}
	}
}
