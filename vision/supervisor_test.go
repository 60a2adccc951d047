package vision

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"gocv.io/x/gocv"
)

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// stepClock is a fake clock that never blocks: After(d) moves the clock
// forward by d and fires at once, and records d. The supervisor then runs
// through its waits instantly and the test reads back what it waited for.
type stepClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func newStepClock() *stepClock {
	return &stepClock{now: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stepClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.waits = append(c.waits, d)
	now := c.now
	c.mu.Unlock()
	ch := make(chan time.Time, 1)
	ch <- now
	return ch
}

func (c *stepClock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// statusLog collects the statuses a supervisor reports.
type statusLog struct {
	mu sync.Mutex
	st []SupervisorStatus
}

func (l *statusLog) add(s SupervisorStatus) {
	l.mu.Lock()
	l.st = append(l.st, s)
	l.mu.Unlock()
}

func (l *statusLog) all() []SupervisorStatus {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]SupervisorStatus(nil), l.st...)
}

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A camera that does not exist: the supervisor reports why and how to fix
// it, and retries with a backoff doubling from 1 s to 30 s.
func TestSupervisorMissingCameraBacksOff(t *testing.T) {
	clk := newStepClock()
	var log statusLog
	sup, err := NewSupervisor(SupervisorOptions{Camera: "/dev/video-posturewatch-test-99", Clock: clk, OnStatus: log.add, Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sup.Run(ctx); close(done) }()
	waitFor(t, "8 retries", 10*time.Second, func() bool { return len(clk.Waits()) >= 8 })
	cancel()
	<-done

	want := []time.Duration{1, 2, 4, 8, 16, 30, 30, 30}
	got := clk.Waits()[:8]
	for i := range want {
		if got[i] != want[i]*time.Second {
			t.Fatalf("backoff waits %v, want %v seconds", got, want)
		}
	}
	var retry *SupervisorStatus
	for _, s := range log.all() {
		if s.State == SourceRetrying {
			retry = &s
			break
		}
	}
	if retry == nil {
		t.Fatalf("no retrying status among %+v", log.all())
	}
	if !strings.Contains(retry.Error, "no such device") || !strings.Contains(retry.Error, "/dev/video-posturewatch-test-99") {
		t.Errorf("status error %q does not say the device is missing", retry.Error)
	}
	if !strings.Contains(retry.Hint, "plug the camera in") {
		t.Errorf("status hint %q does not say how to fix it", retry.Hint)
	}
	if retry.OK() || retry.Open || retry.NextRetry.IsZero() {
		t.Errorf("retrying status claims frames, holds the device or has no retry time: %+v", retry)
	}
	if st := sup.Status(); st.State != SourceStopped || st.Open {
		t.Errorf("after Run returned the status is %+v, want stopped", st)
	}
	select {
	case <-sup.Pause(): // nothing is open: released at once
	case <-time.After(time.Second):
		t.Error("Pause after Run returned does not report the source released")
	}
}

// failingSource plays a real clip and fails like an unplugged camera after n frames.
type failingSource struct {
	Source
	n int
}

func (f *failingSource) Next() (Frame, error) {
	if f.n <= 0 {
		return Frame{}, fmt.Errorf("camera:0: %w: no frame", ErrCameraLost)
	}
	f.n--
	return f.Source.Next()
}

// A camera busy at first, then working, then unplugged: each problem is
// reported with its fix, the first retry after a loss is 1 s again, and
// frames flow at the sampling interval in between.
func TestSupervisorCameraLostAndFound(t *testing.T) {
	clip := srcData(t, "clips/forward-head-session.mp4")
	clk := newStepClock()
	var log statusLog
	var mu sync.Mutex
	opens := 0
	var opened []Source
	open := func() (Source, error) {
		mu.Lock()
		defer mu.Unlock()
		opens++
		switch opens {
		case 1:
			return nil, fmt.Errorf("no camera at /dev/video0: %w", ErrCameraPermission)
		case 2, 3:
			src, err := OpenPath(clip, SourceOptions{FPS: 2})
			if err != nil {
				return nil, err
			}
			opened = append(opened, src)
			return &failingSource{Source: src, n: 3}, nil
		default:
			return nil, fmt.Errorf("no camera at /dev/video0: %w", ErrCameraMissing)
		}
	}
	sup, err := NewSupervisor(SupervisorOptions{Camera: "0", Open: open, Clock: clk, OnStatus: log.add, Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sup.Run(ctx); close(done) }()
	var frames []Frame
	waitFor(t, "two losses and a missing camera", 20*time.Second, func() bool {
		select {
		case f := <-sup.Frames():
			frames = append(frames, Frame{Time: f.Time, Offset: f.Offset, Index: f.Index})
			f.Close()
		default:
		}
		mu.Lock()
		defer mu.Unlock()
		return opens >= 5
	})
	cancel()
	<-done
	for _, src := range opened {
		src.Close()
	}

	var reasons []string
	for _, s := range log.all() {
		if s.State == SourceRetrying {
			reasons = append(reasons, s.Error+" | "+s.Hint)
		}
	}
	if len(reasons) < 3 {
		t.Fatalf("want retrying statuses for busy, unplugged, unplugged…, got %q", reasons)
	}
	if !strings.Contains(reasons[0], "permission denied") || !strings.Contains(reasons[0], "video group") {
		t.Errorf("first problem %q: want permission denied and the video-group fix", reasons[0])
	}
	if !strings.Contains(reasons[1], "unplugged") || !strings.Contains(reasons[1], "check the cable") {
		t.Errorf("second problem %q: want the unplugged camera and its fix", reasons[1])
	}
	// waits: 1 s after the refusal, then 0.5 s before each read after the
	// first (3 frames, then the failed read), then 1 s after the loss (the
	// frames reset the backoff), …
	w := clk.Waits()
	want := []time.Duration{time.Second, 500 * time.Millisecond, 500 * time.Millisecond, 500 * time.Millisecond, time.Second}
	if len(w) < len(want) || !equalDurations(w[:len(want)], want) {
		t.Errorf("waits %v: want %v first", w, want)
	}
	if len(frames) == 0 {
		t.Fatal("no frame delivered while the camera worked")
	}
	for i := 1; i < len(frames); i++ {
		if !frames[i].Time.After(frames[i-1].Time) || frames[i].Offset <= frames[i-1].Offset {
			t.Errorf("frame %d time/offset not increasing: %v/%v after %v/%v", i, frames[i].Time, frames[i].Offset, frames[i-1].Time, frames[i-1].Offset)
		}
	}
}

// A video file played faster than real time through the supervisor: paced
// on its own timeline, sampled at the interval asked, released on pause and
// reopened on resume with the timeline going on.
func TestSupervisorFilePacingPauseResume(t *testing.T) {
	clip := srcData(t, "clips/forward-head-session.mp4")
	var log statusLog
	const speed = 10
	sup, err := NewSupervisor(SupervisorOptions{File: clip, Loop: true, Speed: speed, OnStatus: log.add, Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { sup.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	type got struct {
		off  time.Duration
		wall time.Time
	}
	collect := func(n int) []got {
		var out []got
		timeout := time.After(15 * time.Second)
		for len(out) < n {
			select {
			case f := <-sup.Frames():
				if f.Mat.Empty() || f.Mat.Cols() < MinImageSide {
					t.Errorf("frame %d has no picture", f.Index)
				}
				out = append(out, got{f.Offset, time.Now()})
				f.Close()
			case <-timeout:
				t.Fatalf("only %d of %d frames within 15 s", len(out), n)
			}
		}
		return out
	}

	fs := collect(12)
	if fs[0].off > time.Second {
		t.Errorf("first frame at video time %v, want the start", fs[0].off)
	}
	for i := 1; i < len(fs); i++ {
		if d := fs[i].off - fs[i-1].off; d < 450*time.Millisecond {
			t.Errorf("frames %d,%d only %v apart on the video timeline, want ≥ 0.5 s (2 fps)", i-1, i, d)
		}
	}
	// paced: video time advanced about speed× the wall time
	video := fs[len(fs)-1].off - fs[0].off
	wall := fs[len(fs)-1].wall.Sub(fs[0].wall)
	if ratio := video.Seconds() / wall.Seconds(); ratio < speed*0.7 || ratio > speed*1.3 {
		t.Errorf("video advanced %v in %v of wall time: ratio %.1f, want about %d", video, wall, ratio, speed)
	}

	sup.SetInterval(2 * time.Second)
	fs = collect(4)
	for i := 1; i < len(fs); i++ {
		if d := fs[i].off - fs[i-1].off; d < 1900*time.Millisecond {
			t.Errorf("after SetInterval(2s) frames are %v apart", d)
		}
	}
	lastOff := fs[len(fs)-1].off

	select {
	case <-sup.Pause():
	case <-time.After(3 * time.Second):
		t.Fatal("Pause did not release the source within 3 s")
	}
	if st := sup.Status(); st.State != SourceReleased || st.Open {
		t.Fatalf("paused status %+v, want released and closed", st)
	}
	select {
	case f := <-sup.Frames():
		f.Close()
		t.Fatalf("a frame (video time %v) arrived while paused", f.Offset)
	case <-time.After(400 * time.Millisecond):
	}

	sup.Resume()
	fs = collect(2)
	if fs[0].off <= lastOff {
		t.Errorf("after resume the timeline went back: %v ≤ %v", fs[0].off, lastOff)
	}
	if st := sup.Status(); st.State != SourceOK || !st.Open || !strings.Contains(st.Source, "(looped)") {
		t.Errorf("resumed status %+v, want ok, open, looped source", st)
	}
	var states []SourceState
	for _, s := range log.all() {
		states = append(states, s.State)
	}
	if !containsInOrder(states, SourceOK, SourceReleased, SourceOK) {
		t.Errorf("status sequence %v, want ok → released → ok", states)
	}
}

// A file, like a camera, honours an interval shortened after a frame was
// delivered: the service asks for a long wait, then for the frame that ends
// a fault's onset sooner, and that frame comes when asked, not after the
// long wait.
func TestSupervisorFileHonoursAShortenedInterval(t *testing.T) {
	clip := srcData(t, "clips/forward-head-session.mp4")
	const speed = 10
	sup, err := NewSupervisor(SupervisorOptions{File: clip, Speed: speed, Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	sup.SetInterval(20 * time.Second) // 2 s of wall time at 10×
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sup.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	next := func() time.Duration {
		select {
		case f := <-sup.Frames():
			defer f.Close()
			return f.Offset
		case <-time.After(10 * time.Second):
			t.Fatal("no frame within 10 s")
			return 0
		}
	}
	first := next()
	time.Sleep(50 * time.Millisecond) // 0.5 s of video: the supervisor is waiting
	sup.SetInterval(3 * time.Second)
	if d := next() - first; d < 2800*time.Millisecond || d > 4*time.Second {
		t.Errorf("next frame %v of video after the last, want about 3 s (the shortened interval), not 20 s", d)
	}
}

// A video without --loop ends: the status says so and how to get more.
func TestSupervisorFileEnds(t *testing.T) {
	clip := srcData(t, "clips/away-and-back.mp4")
	sup, err := NewSupervisor(SupervisorOptions{File: clip, Speed: 100, MaxFPS: 0.5, Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sup.Run(ctx); close(done) }()
	n := 0
	waitFor(t, "the end of the video", 20*time.Second, func() bool {
		select {
		case f := <-sup.Frames():
			n++
			f.Close()
		default:
		}
		return sup.Status().State == SourceEnded
	})
	cancel()
	<-done
	if n < 5 {
		t.Errorf("only %d frames of a 40 s clip at 0.5 fps", n)
	}
}

func TestSupervisorOptionsChecked(t *testing.T) {
	if _, err := NewSupervisor(SupervisorOptions{}); err == nil {
		t.Error("no camera and no file accepted")
	}
	if _, err := NewSupervisor(SupervisorOptions{File: "x.mp4", Speed: 1000}); err == nil || !strings.Contains(err.Error(), "speed") {
		t.Errorf("speed 1000: err %v", err)
	}
}

func containsInOrder[T comparable](xs []T, want ...T) bool {
	i := 0
	for _, x := range xs {
		if i < len(want) && x == want[i] {
			i++
		}
	}
	return i == len(want)
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// restingFrames runs a supervisor over open with a frame wanted every 5 s
// (the camera rests from 3 s apart, warms up 1 s before, drops settle
// frames), and returns once n frames came and it stopped.
func restingFrames(t *testing.T, open func() (Source, error), clk Clock, settle, n int) (*Supervisor, []time.Time) {
	t.Helper()
	sup, err := NewSupervisor(SupervisorOptions{Camera: "0", Open: open, Clock: clk, Logger: quietLog,
		RestFrom: 3 * time.Second, WarmUp: time.Second, Settle: settle})
	if err != nil {
		t.Fatal(err)
	}
	sup.SetInterval(5 * time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { sup.Run(ctx); close(done) }()
	var times []time.Time
	for len(times) < n {
		select {
		case f := <-sup.Frames():
			times = append(times, f.Time)
			f.Close()
			if len(times) == n {
				cancel() // stop the step clock's race ahead before counting
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("only %d frames", len(times))
		}
	}
	<-done
	return sup, times
}

// countingCamera is a fake camera that counts its opens, closes and reads.
type countingCamera struct {
	mu                   sync.Mutex
	opens, closes, reads int
}

func (c *countingCamera) open() (Source, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.opens++
	return &restCamSource{c: c}, nil
}

func (c *countingCamera) counts() (opens, closes, reads int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.opens, c.closes, c.reads
}

type restCamSource struct{ c *countingCamera }

func (s *restCamSource) Next() (Frame, error) {
	s.c.mu.Lock()
	s.c.reads++
	s.c.mu.Unlock()
	return Frame{Mat: gocv.NewMatWithSize(48, 64, gocv.MatTypeCV8UC3), Source: "camera:fake"}, nil
}
func (s *restCamSource) Name() string { return "camera:fake" }
func (s *restCamSource) Close() error {
	s.c.mu.Lock()
	s.c.closes++
	s.c.mu.Unlock()
	return nil
}

// A camera asked for a frame only every few seconds rests in between: it
// is closed, opened again a moment before the frame is due, and its first
// frames (exposure adjusting) are dropped; so it is held only a fraction
// of the time. At a fast rate it stays open.
func TestSupervisorCameraRests(t *testing.T) {
	clk := newStepClock()
	var cam countingCamera
	sup, times := restingFrames(t, cam.open, clk, 4, 6)
	opens, closes, reads := cam.counts()
	st := sup.Status()
	if opens < 5 || closes < 4 {
		t.Errorf("%d opens, %d closes for 6 frames 5 s apart: want the camera closed between them", opens, closes)
	}
	if reads < 1+5*(len(times)-1) { // the first open keeps its first frame; each reopen drops 4 and keeps 1
		t.Errorf("%d reads over %d opens: the settling frames were not dropped", reads, opens)
	}
	// each 5 s interval: 4 s closed, then 1 s open while warming up
	rests, warm := 0, 0
	for _, w := range clk.Waits() {
		switch w {
		case 4 * time.Second:
			rests++
		case time.Second:
			warm++
		}
	}
	if rests < 4 || warm < 4 {
		t.Errorf("waits %v: want 4 s closed and 1 s open per frame", clk.Waits())
	}
	if st.HeldShare <= 0 || st.HeldShare > 0.5 {
		t.Errorf("held %.0f %% of the time, want a fraction (≈ 1 s of every 5)", st.HeldShare*100)
	}

	// fast sampling: no rest
	var cam2 countingCamera
	sup2, err := NewSupervisor(SupervisorOptions{Camera: "0", Open: cam2.open, Clock: newStepClock(), Logger: quietLog,
		RestFrom: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	sup2.SetInterval(500 * time.Millisecond)
	ctx2, cancel2 := context.WithCancel(context.Background())
	done2 := make(chan struct{})
	go func() { sup2.Run(ctx2); close(done2) }()
	for n := 0; n < 6; {
		select {
		case f := <-sup2.Frames():
			n++
			f.Close()
		case <-time.After(10 * time.Second):
			t.Fatal("no frames at the fast rate")
		}
	}
	cancel2()
	<-done2
	if opens, _, _ := cam2.counts(); opens != 1 {
		t.Errorf("the camera was opened %d times at 2 fps, want once", opens)
	}
}

// Switching cameras closes the one open and opens the chosen one at once;
// its frames follow. A camera not plugged in is retried like any other, and
// a file source cannot switch.
func TestSupervisorSwitchesCamera(t *testing.T) {
	cams := map[string]*countingCamera{"/dev/video0": {}, "/dev/video2": {}}
	var mu sync.Mutex
	var opened []string
	open := func(cam string) (Source, error) {
		mu.Lock()
		opened = append(opened, cam)
		mu.Unlock()
		c, ok := cams[cam]
		if !ok {
			return nil, fmt.Errorf("%s: %w", cam, ErrCameraMissing)
		}
		return c.open()
	}
	sup, err := NewSupervisor(SupervisorOptions{Camera: "/dev/video0", OpenCamera: open, Clock: newStepClock(), Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { sup.Run(ctx); close(done) }()
	frame := func() {
		t.Helper()
		select {
		case f := <-sup.Frames():
			f.Close()
		case <-time.After(10 * time.Second):
			t.Fatal("no frame")
		}
	}
	frame()
	if err := sup.SetCamera("/dev/video2"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the second camera opened", 10*time.Second, func() bool {
		o, _, _ := cams["/dev/video2"].counts()
		return o > 0
	})
	frame()
	if _, closes, _ := cams["/dev/video0"].counts(); closes != 1 {
		t.Errorf("the first camera closed %d times on the switch, want once", closes)
	}
	if got := sup.Camera(); got != "/dev/video2" {
		t.Errorf("Camera() = %q after the switch", got)
	}
	if st := sup.Status(); st.Source != "camera:/dev/video2" {
		t.Errorf("status source %q after the switch", st.Source)
	}

	// a camera not plugged in: retried, with the reason shown
	if err := sup.SetCamera("/dev/video9"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "retrying the missing camera", 10*time.Second, func() bool {
		return sup.Status().State == SourceRetrying
	})
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if !containsInOrder(opened, "/dev/video0", "/dev/video2", "/dev/video9") {
		t.Errorf("opened %v", opened)
	}

	file, err := NewSupervisor(SupervisorOptions{File: "clip.mp4", Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	if err := file.SetCamera("/dev/video0"); !errors.Is(err, ErrNotSwitchable) {
		t.Errorf("a file source switched cameras: %v", err)
	}
}

// settlingCamera is a fake camera that drops its settling frames itself.
type settlingCamera struct {
	countingCamera
	settled []int
}

func (c *settlingCamera) open() (Source, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.opens++
	return &settlingSource{restCamSource{c: &c.countingCamera}, c}, nil
}

type settlingSource struct {
	restCamSource
	cam *settlingCamera
}

func (s *settlingSource) Settle(n int) error {
	s.cam.mu.Lock()
	defer s.cam.mu.Unlock()
	s.cam.settled = append(s.cam.settled, n)
	return nil
}

// A camera that can settle by itself (grabbing without decoding) is asked
// to, once per reopen, instead of being read frame by frame.
func TestSupervisorLetsTheCameraSettle(t *testing.T) {
	var cam settlingCamera
	restingFrames(t, cam.open, newStepClock(), 5, 4)
	opens, _, reads := cam.counts()
	cam.mu.Lock()
	settled := append([]int(nil), cam.settled...)
	cam.mu.Unlock()
	if len(settled) < 3 || len(settled) > opens {
		t.Errorf("settled %v over %d opens: want once per reopen", settled, opens)
	}
	for _, n := range settled {
		if n != 5 {
			t.Errorf("settled %d frames, want 5", n)
		}
	}
	if reads > opens+1 {
		t.Errorf("%d frames read over %d opens: the settling frames were read one by one", reads, opens)
	}
}
