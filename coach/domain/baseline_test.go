package domain

import (
	"encoding/json"
	"testing"
	"time"
)

// A calibration keeps where each well-seen keypoint sat (the median), so the
// preview can draw the calibrated outline; a keypoint seen on fewer than half
// the frames, or too faintly, is left out, and the outline survives JSON.
func TestBaselineOutline(t *testing.T) {
	var frames []Observation
	for i := range 10 {
		o := Observation{Posture: PostureGood, Confidence: 0.9, Metrics: Metrics{MetricNeckShoulders: 0.5},
			Keypoints: []Keypoint{{Name: "nose", X: 100 + float64(i), Y: 50, Score: 0.9}, {Name: "left_shoulder", X: 140, Y: 120, Score: 0.1}}}
		if i < 3 {
			o.Keypoints = append(o.Keypoints, Keypoint{Name: "left_wrist", X: 10, Y: 10, Score: 0.9})
		}
		frames = append(frames, o)
	}
	b, err := ComputeBaseline("desk", frames, 0.5, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Outline) != 1 || b.Outline[0].Name != "nose" || b.Outline[0].X != 104.5 || b.Outline[0].Y != 50 {
		t.Fatalf("outline %+v, want the nose at its median (104.5, 50) only", b.Outline)
	}
	data, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	var back Baseline
	if err := json.Unmarshal(data, &back); err != nil || back.Validate() != nil || len(back.Outline) != 1 {
		t.Errorf("outline after JSON: %+v %v", back.Outline, err)
	}
	back.Outline[0].Name = ""
	if back.Validate() == nil {
		t.Error("a nameless outline point passed validation")
	}
}

// A calibration counts its backlit frames (the setup advises the light on
// most), and a profile claiming more than its frames is damaged.
func TestBaselineCountsBacklitFrames(t *testing.T) {
	var frames []Observation
	for i := range 10 {
		frames = append(frames, Observation{Posture: PostureGood, Confidence: 0.9, Metrics: Metrics{MetricNeckEyes: 3}, Backlit: i < 7})
	}
	frames = append(frames, Observation{Posture: PostureAway, Backlit: true}) // not usable: not counted
	b, err := ComputeBaseline("window", frames, 0.5, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if b.Backlit != 7 || b.Frames != 10 {
		t.Errorf("%d of %d frames counted backlit, want 7 of 10", b.Backlit, b.Frames)
	}
	b.Backlit = 11
	if b.Validate() == nil {
		t.Error("11 backlit frames of 10 passed validation")
	}
}
