package main

import (
	"os"
	"runtime"
	"testing"
	"time"
)

// soakSpeed is how much faster than real time the soak plays: an hour of
// monitoring in a minute.
const soakSpeed = 60

// minSoakFrames is the least number of frames a soak analyses.
const minSoakFrames = 20

// TestSoak runs the live service for POSTUREWATCH_SOAK of monitoring time
// (say 60m; skipped when unset) compressed soakSpeed times: the clip
// looped faster than real time with the coach's clock following it, a
// dashboard connected with the preview on, the API asked every second. It
// asserts that nothing grows: goroutines, open files, the Go heap and
// (built with -tags matprofile) OpenCV Mats. make soak runs an hour; make
// test five minutes.
func TestSoak(t *testing.T) {
	spec := os.Getenv("POSTUREWATCH_SOAK")
	if spec == "" {
		t.Skip("set POSTUREWATCH_SOAK (e.g. 60m) to soak; make soak does")
	}
	total, err := time.ParseDuration(spec)
	if err != nil || total < time.Minute {
		t.Fatalf("POSTUREWATCH_SOAK=%q: want a duration of a minute or more", spec)
	}
	clip := replayClip(t, "forward-head-session.mp4")
	rs := startService(t, runOptions{source: clip, loop: true, speed: soakSpeed})
	ws := dialWS(t, rs.base, true)
	go func() {
		for range ws { // a dashboard that reads everything it is sent
		}
	}()
	api := newAPIClient(t, rs.base)

	warmup := time.Duration(float64(2*time.Minute) / soakSpeed)
	wall := time.Duration(float64(total) / soakSpeed)
	deadline := time.Now().Add(wall)
	var before, after soakUsage
	sampled := false
	// The soak lasts its monitoring time and at least minSoakFrames
	// analysed frames: how many frames a loaded machine analyses in a few
	// seconds of wall time is its business, that the soak ran the pipeline
	// is this test's (patience only bounds a pipeline that stalled).
	for now := time.Now(); now.Before(deadline) || (rs.svc.Frames() < minSoakFrames && now.Before(deadline.Add(patience))); now = time.Now() {
		var st map[string]any
		if code := api.call(t, "GET", "/api/status", nil, &st); code != 200 {
			t.Fatalf("GET /api/status: %d", code)
		}
		if !sampled && now.After(deadline.Add(-wall).Add(warmup)) {
			before, sampled = measure(t), true
		}
		time.Sleep(time.Second) // the API's pace, as a dashboard polls; not a timing under test
	}
	after = measure(t)
	frames := rs.svc.Frames()
	t.Logf("%v of monitoring in %v: %d frames; goroutines %d → %d, open files %d → %d, Go heap %.1f → %.1f MB, Mats %d → %d, anonymous memory %.0f → %.0f MB",
		total, wall, frames, before.goroutines, after.goroutines, before.fds, after.fds,
		before.heapMB, after.heapMB, before.mats, after.mats, before.anonMB, after.anonMB)
	if frames < minSoakFrames {
		t.Errorf("only %d frames analysed", frames)
	}
	if d := after.goroutines - before.goroutines; d > 10 {
		t.Errorf("goroutines grew by %d", d)
	}
	if d := after.fds - before.fds; d > 10 {
		t.Errorf("open files grew by %d", d)
	}
	if d := after.heapMB - before.heapMB; d > 16 {
		t.Errorf("the Go heap grew by %.1f MB", d)
	}
	// malloc's memory (OpenCV, FFmpeg) outside Go's view; a leak of one
	// frame's buffers per analysis would add hundreds of MB in an hour
	if d := after.anonMB - before.anonMB; d > 32 {
		t.Errorf("anonymous memory grew by %.0f MB", d)
	}
	if after.matsCounted && after.mats-before.mats > 4 { // a few frames are in flight at any moment
		t.Errorf("OpenCV Mats grew by %d", after.mats-before.mats)
	}
}

type soakUsage struct {
	goroutines, fds, mats int
	heapMB, anonMB        float64
	matsCounted           bool
}

func measure(t *testing.T) soakUsage {
	t.Helper()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	mats, counted := matCount()
	return soakUsage{goroutines: runtime.NumGoroutine(), fds: len(fds), heapMB: float64(ms.HeapAlloc) / (1 << 20),
		anonMB: statusMB(t, "RssAnon"), mats: mats, matsCounted: counted}
}
