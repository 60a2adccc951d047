package domain

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// faceFrameAt is the face_frame a face shows at d cm under the assumptions.
func faceFrameAt(d float64) float64 {
	return AssumedEyeSpacingCM / (2 * d * math.Tan(AssumedFieldOfViewDeg/2*math.Pi/180))
}

func baselineOf(m map[string]float64) *Baseline {
	b := &Baseline{Name: "t", Version: MetricsVersion, Frames: 40, Metrics: map[string]Stat{}}
	for k, v := range m {
		b.Metrics[k] = Stat{Median: v, MAD: 0.01, N: 40}
	}
	return b
}

func TestDescribeSetup(t *testing.T) {
	pitchFor := func(aboveCM, d float64) float64 { return -math.Atan(aboveCM/d) * 180 / math.Pi }
	shoulders := map[string]float64{MetricNeckEyes: 2.1, MetricShoulderFace: 5.5}
	with := func(m map[string]float64) map[string]float64 {
		for k, v := range shoulders {
			m[k] = v
		}
		return m
	}
	cases := []struct {
		name      string
		metrics   map[string]float64
		summary   string
		distance  int
		above     int
		side      string
		shoulders bool
		advice    string // a word one advice must hold ("" none)
	}{
		{"a little below, 60 cm", with(map[string]float64{MetricFaceFrame: faceFrameAt(60), MetricHeadPitch: pitchFor(-9, 60)}),
			"Camera a little below your eyes, about 60 cm away.", 60, -9, "", true, ""},
		{"level, 70 cm", with(map[string]float64{MetricFaceFrame: faceFrameAt(71), MetricHeadPitch: pitchFor(2, 71)}),
			"Camera level with your eyes, about 70 cm away.", 70, 2, "", true, ""},
		{"well below and close", with(map[string]float64{MetricFaceFrame: faceFrameAt(40), MetricHeadPitch: pitchFor(-25, 40)}),
			"Camera well below your eyes, about 40 cm away.", 40, -25, "", true, "Raise the camera"},
		{"well above, far, to the right", with(map[string]float64{MetricFaceFrame: faceFrameAt(120), MetricHeadPitch: pitchFor(40, 120), MetricHeadYaw: 20}),
			"Camera well above your eyes, about 120 cm away, off to your right.", 120, 40, "right", true, "far from the camera"},
		{"to the left, shoulders cut off", map[string]float64{MetricFaceFrame: faceFrameAt(55), MetricHeadPitch: 0, MetricHeadYaw: -15},
			"Camera level with your eyes, about 55 cm away, off to your left.", 55, 0, "left", false, "shoulders were not in view"},
		{"shoulders at the picture's bottom edge", with(map[string]float64{MetricFaceFrame: faceFrameAt(60), MetricHeadPitch: pitchFor(-9, 60), MetricShoulderHeight: 0.92}),
			"Camera a little below your eyes, about 60 cm away.", 60, -9, "", true, "bottom edge of the picture"},
		{"shoulders clear of the edge", with(map[string]float64{MetricFaceFrame: faceFrameAt(60), MetricHeadPitch: pitchFor(-9, 60), MetricShoulderHeight: 0.8}),
			"Camera a little below your eyes, about 60 cm away.", 60, -9, "", true, ""},
		{"no face size: the height from the angle alone", with(map[string]float64{MetricHeadPitch: 8}),
			"Camera a little below your eyes.", 0, -8, "", true, ""},
		{"no pitch", with(map[string]float64{MetricFaceFrame: faceFrameAt(65)}),
			"Camera about 65 cm away.", 65, 0, "", true, ""},
		{"nothing about the camera", with(map[string]float64{MetricNeckShoulders: 0.6}),
			"The calibration did not measure where the camera sits.", 0, 0, "", true, ""},
		{"a misread face size is no distance", with(map[string]float64{MetricFaceFrame: 1e-6}),
			"The calibration did not measure where the camera sits.", 0, 0, "", true, ""},
	}
	for _, c := range cases {
		s := DescribeSetup(baselineOf(c.metrics))
		if s == nil {
			t.Fatalf("%s: nil", c.name)
		}
		if s.Summary != c.summary || s.DistanceCM != c.distance || s.Side != c.side || s.ShouldersInView != c.shoulders {
			t.Errorf("%s: %+v", c.name, *s)
		}
		if s.HeightKnown && s.CameraAboveCM != c.above {
			t.Errorf("%s: camera %d cm above the eyes, want %d", c.name, s.CameraAboveCM, c.above)
		}
		if c.advice == "" && len(s.Advice) > 0 {
			t.Errorf("%s: unexpected advice %q", c.name, s.Advice)
		}
		if c.advice != "" && !strings.Contains(strings.Join(s.Advice, " "), c.advice) {
			t.Errorf("%s: advice %q lacks %q", c.name, s.Advice, c.advice)
		}
		if !strings.Contains(s.Assumptions, "6.3 cm") || !strings.Contains(s.Assumptions, "60°") {
			t.Errorf("%s: the assumptions are not stated: %q", c.name, s.Assumptions)
		}
	}
	// A calibration made with a window behind: most frames backlit.
	backlit := baselineOf(with(map[string]float64{MetricFaceFrame: faceFrameAt(60), MetricHeadPitch: pitchFor(-9, 60)}))
	for n, want := range map[int]bool{30: true, 20: false, 0: false} {
		backlit.Backlit = n
		if got := slices.Contains(DescribeSetup(backlit).Advice, BacklitAdvice); got != want {
			t.Errorf("%d of %d frames backlit: the light advised %v, want %v", n, backlit.Frames, got, want)
		}
	}
	if DescribeSetup(nil) != nil || DescribeSetup(&Baseline{}) != nil {
		t.Error("no baseline must give no setup")
	}
	// Non-finite medians are skipped, not turned into words.
	b := baselineOf(map[string]float64{MetricNeckEyes: 2})
	b.Metrics[MetricFaceFrame] = Stat{Median: math.NaN()}
	b.Metrics[MetricHeadPitch] = Stat{Median: math.Inf(1)}
	if s := DescribeSetup(b); s.DistanceCM != 0 || s.HeightKnown {
		t.Errorf("non-finite medians read as %+v", *s)
	}
}
