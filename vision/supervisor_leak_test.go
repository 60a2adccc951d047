//go:build matprofile

package vision

import (
	"context"
	"posturewatch/coach/domain"
	"testing"
	"time"

	"gocv.io/x/gocv"
)

// TestSupervisorNoMatLeak (built with -tags matprofile, as make test does):
// frames sampled out, frames left in the slot or read ahead when pausing or
// stopping, and preview encoding all release their Mats.
func TestSupervisorNoMatLeak(t *testing.T) {
	clip := srcData(t, "clips/forward-head-session.mp4")
	before := gocv.MatProfile.Count()
	sup, err := NewSupervisor(SupervisorOptions{File: clip, Loop: true, Speed: 50, Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sup.Run(ctx); close(done) }()
	take := func(n int) {
		for range n {
			select {
			case f := <-sup.Frames():
				jpeg, w, h, _, err := PreviewJPEG(f, domain.Observation{Posture: domain.PostureGood, Keypoints: synthKeypoints()}, 320, 60)
				if err != nil || len(jpeg) == 0 || w != 320 || h <= 0 {
					t.Errorf("preview: %d bytes %dx%d, %v", len(jpeg), w, h, err)
				}
				f.Close()
			case <-time.After(10 * time.Second):
				t.Fatal("no frame within 10 s")
			}
		}
	}
	take(5)
	sup.SetInterval(3 * time.Second) // frames sampled out
	take(3)
	<-sup.Pause()
	sup.Resume()
	take(2)
	time.Sleep(100 * time.Millisecond) // a frame waits in the slot or ahead
	cancel()
	<-done
	if after := gocv.MatProfile.Count(); after != before {
		t.Errorf("%d Mats leaked by the supervisor (live %d → %d)", after-before, before, after)
	}
}
