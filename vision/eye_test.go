package vision

import (
	"context"
	"testing"
	"time"

	"posturewatch/coach/domain"
)

// The eye analyses a real clip: observations arrive with the clip's person
// in them, a preview only while one is wanted, a new baseline reaches the
// judge, and status changes are signalled.
func TestEyeOnClip(t *testing.T) {
	clip := srcData(t, "clips/forward-head-session.mp4")
	an, err := NewAnalyzer(AnalyzerOptions{ModelPath: modelPath(t), Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer an.Close()
	eye, err := NewEye(SupervisorOptions{File: clip, Speed: 10, Logger: quietLog}, an)
	if err != nil {
		t.Fatal(err)
	}
	eye.SetInterval(100 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { eye.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	next := func() domain.Sighting {
		t.Helper()
		select {
		case sg := <-eye.Sightings():
			return sg
		case <-time.After(20 * time.Second):
			t.Fatal("no sighting within 20 s")
			return domain.Sighting{}
		}
	}
	select {
	case <-eye.Changes():
	case <-time.After(20 * time.Second):
		t.Fatal("no status change signalled on opening the clip")
	}
	sg := next()
	if sg.Preview != nil {
		t.Error("a preview nobody asked for")
	}
	if sg.Observation.Posture == domain.PostureAway || sg.Observation.Time.IsZero() {
		t.Errorf("first sighting: %s at %v", sg.Observation.Posture, sg.Observation.Time)
	}
	if st := eye.Status(); st.State != domain.CameraOK || st.Source == "" {
		t.Errorf("status %+v", st)
	}
	eye.SetPreview(true)
	var preview *domain.Preview
	for range 5 {
		if sg = next(); sg.Preview != nil {
			preview = sg.Preview
			break
		}
	}
	if preview == nil || len(preview.JPEG) < 1000 || preview.Width > previewWidth || len(preview.Keypoints) == 0 {
		t.Fatalf("no usable preview in 5 sightings after asking: %+v", preview)
	}
	b := &domain.Baseline{Name: "test", Version: domain.MetricsVersion, Frames: 10, Metrics: map[string]domain.Stat{}}
	eye.SetBaseline(b)
	if an.Baseline() != b {
		t.Error("the baseline did not reach the judge")
	}
	next()
}
