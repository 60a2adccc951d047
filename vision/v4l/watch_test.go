//go:build linux

package v4l

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a Clock that moves only when told to.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeWaiter
}

type fakeWaiter struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, fakeWaiter{at: c.now.Add(d), ch: ch})
	return ch
}

// advanceTo moves the clock to t (never back) and fires the timers due.
func (c *fakeClock) advanceTo(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
	}
	c.waiters = slices.DeleteFunc(c.waiters, func(w fakeWaiter) bool {
		if w.at.After(c.now) {
			return false
		}
		w.ch <- c.now
		return true
	})
}

// harness runs a Watcher on a fake clock in lockstep with the test: the
// watcher hands over its progress after every loop iteration and waits
// until the test takes it. Waiting is driven by what the watcher has read
// from inotify, never by sleeping.
type harness struct {
	t    *testing.T
	clk  *fakeClock
	w    *Watcher
	last step

	steps chan step
	done  chan error

	mu       sync.Mutex
	got      []Event // from the steps, not yet taken
	all      []Event // from the steps
	callback []Event // from OnEvent
}

const (
	testGrace   = 400 * time.Millisecond
	testRelease = time.Second
)

func watch(t *testing.T, path string) *harness {
	t.Helper()
	if n := watcherGoroutines(); n != 0 {
		t.Fatalf("%d watcher goroutines before the test", n)
	}
	h := &harness{t: t, clk: newFakeClock(), steps: make(chan step), done: make(chan error, 1)}
	w, err := NewWatcher(WatchOptions{Path: path, Grace: testGrace, ReleaseGrace: testRelease, Clock: h.clk,
		OnEvent: func(e Event) {
			h.mu.Lock()
			h.callback = append(h.callback, e)
			h.mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	h.w = w
	stop := make(chan struct{})
	w.hook = func(s step) {
		select {
		case h.steps <- s:
		case <-stop:
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { h.done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		close(stop)
		select {
		case err := <-h.done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return within 10 s of the cancel")
		}
		noWatcherGoroutines(t)
		// every event reported was delivered to OnEvent, in order
		h.mu.Lock()
		defer h.mu.Unlock()
		if !slices.EqualFunc(h.all, h.callback, func(a, b Event) bool { return a.String() == b.String() && a.Time.Equal(b.Time) }) {
			t.Errorf("OnEvent got %v, the watcher reported %v", h.callback, h.all)
		}
	})
	h.next() // the first observation: the watches are in place
	return h
}

// next waits for the watcher's next iteration.
func (h *harness) next() step {
	h.t.Helper()
	select {
	case s := <-h.steps:
		h.mu.Lock()
		h.got = append(h.got, s.Events...)
		h.all = append(h.all, s.Events...)
		h.mu.Unlock()
		h.last = s
		return s
	case err := <-h.done:
		h.t.Fatalf("Run returned early: %v", err)
	case <-time.After(20 * time.Second):
		h.t.Fatal("the watcher made no progress within 20 s")
	}
	return step{}
}

// until waits until the watcher's progress satisfies cond.
func (h *harness) until(what string, cond func(step) bool) {
	h.t.Helper()
	for i := 0; !cond(h.last); i++ {
		if i > 1000 {
			h.t.Fatalf("waiting for %s: 1000 iterations", what)
		}
		h.next()
	}
}

// settle moves the fake clock through every wake-up the watcher asks for
// until it asks for none: all pending decisions are made.
func (h *harness) settle() {
	h.t.Helper()
	for i := 0; !h.last.Next.IsZero(); i++ {
		if i > 100 {
			h.t.Fatal("the watcher keeps asking to be woken")
		}
		h.clk.advanceTo(h.last.Next)
		h.next()
	}
}

// take returns the events reported since the last take, as strings.
func (h *harness) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var s []string
	for _, e := range h.got {
		s = append(s, e.String())
	}
	h.got = nil
	return s
}

func (h *harness) expect(what string, want ...string) {
	h.t.Helper()
	if got := h.take(); !slices.Equal(got, want) {
		h.t.Errorf("%s: reported %q, want %q", what, got, want)
	}
}

func newNode(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "video0")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func present(s step) bool { return s.Present }

func (h *harness) opens() func(step) bool {
	n := h.last.Opens
	return func(s step) bool { return s.Opens > n }
}

func (h *harness) closes() func(step) bool {
	n := h.last.Closes
	return func(s step) bool { return s.Closes > n }
}

func TestWatcherInUseThenFree(t *testing.T) {
	node := newNode(t)
	h := watch(t, node)

	seen := h.opens()
	zoom := hold(t, node, "fakezoom")
	h.until("the helper's open", seen)
	h.settle()
	want := "in use by fakezoom (pid " + strconv.Itoa(zoom.pid) + ")"
	h.expect("a program keeping the device", want)
	if st := h.w.State(); st.Kind != InUse || len(st.Holders) != 1 || st.Holders[0].Name != "fakezoom" {
		t.Errorf("State() = %v", st)
	}

	// our own open and close while it is in use change nothing
	seen = h.opens()
	mine, err := os.Open(node)
	if err != nil {
		t.Fatal(err)
	}
	h.until("our open", seen)
	seen = h.closes()
	mine.Close()
	h.until("our close", seen)
	h.settle()
	h.expect("our own open and close")

	seen = h.closes()
	zoom.stop()
	h.until("the helper's close", seen)
	if k := h.last.State.Kind; k != InUse {
		t.Errorf("free reported before the release grace: %v", k)
	}
	h.settle()
	h.expect("the holder exited", "free")
	if st := h.w.State(); st.Kind != Free {
		t.Errorf("State() = %v", st)
	}
}

func TestWatcherIgnoresProbesAndSelf(t *testing.T) {
	node := newNode(t)
	h := watch(t, node)

	seen := h.closes()
	probe(t, node, "pipewire")
	h.until("the probe's close", seen)
	h.settle()
	h.expect("a probe")

	// our own open, kept past the grace, then closed
	seen = h.opens()
	mine, err := os.Open(node)
	if err != nil {
		t.Fatal(err)
	}
	h.until("our open", seen)
	h.settle()
	seen = h.closes()
	mine.Close()
	h.until("our close", seen)
	h.settle()
	h.expect("our own open")

	// a probe while another program holds the device is no change either
	seen = h.opens()
	obs := hold(t, node, "obs")
	h.until("the holder's open", seen)
	h.settle()
	h.expect("a holder", "in use by obs (pid "+strconv.Itoa(obs.pid)+")")
	seen = h.closes()
	probe(t, node, "chrome")
	h.until("the probe's close", seen)
	h.settle()
	h.expect("a probe while in use")
}

func TestWatcherGoneAndBack(t *testing.T) {
	node := newNode(t)
	h := watch(t, node)

	seen := h.opens()
	cheese := hold(t, node, "cheese")
	h.until("the holder's open", seen)
	h.settle()
	h.expect("a holder", "in use by cheese (pid "+strconv.Itoa(cheese.pid)+")")

	if err := os.Remove(node); err != nil {
		t.Fatal(err)
	}
	h.until("gone", func(s step) bool { return s.State.Kind == Gone })
	h.settle()
	h.expect("unplugged", "gone")

	// plugged back: the old holder still has the old (deleted) node open,
	// which is not the new device
	if err := os.WriteFile(node, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	h.until("the node's creation", present)
	if k := h.last.State.Kind; k != Gone {
		t.Errorf("back reported before the grace: %v", k)
	}
	h.settle()
	h.expect("plugged back", "back")

	// the new node is watched
	seen = h.opens()
	zoom := hold(t, node, "fakezoom")
	h.until("the open of the new node", seen)
	h.settle()
	h.expect("a holder of the new node", "in use by fakezoom (pid "+strconv.Itoa(zoom.pid)+")")
}

func TestWatcherMissingAtStart(t *testing.T) {
	node := filepath.Join(t.TempDir(), "video2")
	h := watch(t, node)
	h.expect("a node missing at start", "gone")

	if err := os.WriteFile(node, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	h.until("the node's creation", present)
	h.settle()
	h.expect("plugged in", "back")
}

// A udev link (/dev/v4l/by-id/…) whose directory disappears with the
// camera and comes back with it.
func TestWatcherSymlinkDirectory(t *testing.T) {
	dev := t.TempDir()
	node := filepath.Join(dev, "video0")
	os.WriteFile(node, nil, 0o600)
	byID := filepath.Join(dev, "v4l", "by-id")
	link := filepath.Join(byID, "usb-Fake_Cam_123-video-index0")
	plug := func() {
		if err := os.MkdirAll(byID, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("../../video0", link); err != nil {
			t.Fatal(err)
		}
	}
	plug()
	h := watch(t, link)

	seen := h.opens()
	zoom := hold(t, node, "fakezoom")
	h.until("the holder's open", seen)
	h.settle()
	h.expect("a holder, through the link", "in use by fakezoom (pid "+strconv.Itoa(zoom.pid)+")")
	zoom.stop()

	if err := os.RemoveAll(filepath.Join(dev, "v4l")); err != nil {
		t.Fatal(err)
	}
	h.until("gone", func(s step) bool { return s.State.Kind == Gone })
	h.settle()
	h.expect("link and directories removed", "gone")

	plug()
	h.until("the link's creation", present)
	h.settle()
	h.expect("link back", "back")
}

// A program that already holds the device when the watcher starts.
func TestWatcherHolderAtStart(t *testing.T) {
	node := newNode(t)
	zoom := hold(t, node, "fakezoom")
	h := watch(t, node)
	h.settle()
	h.expect("a holder at start", "in use by fakezoom (pid "+strconv.Itoa(zoom.pid)+")")
}

// The same on the wall clock, with short grace periods: the test waits for
// the events themselves.
func TestWatcherRealClock(t *testing.T) {
	node := newNode(t)
	events := make(chan Event, 16)
	w, err := NewWatcher(WatchOptions{Path: node, Grace: 30 * time.Millisecond, ReleaseGrace: 30 * time.Millisecond,
		OnEvent: func(e Event) { events <- e }})
	if err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	var once sync.Once
	w.hook = func(step) { once.Do(func() { close(ready) }) }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		noWatcherGoroutines(t)
	}()
	<-ready
	wait := func(want Kind) Event {
		t.Helper()
		select {
		case e := <-events:
			if e.Kind != want {
				t.Fatalf("got %v, want %v", e, want)
			}
			return e
		case <-time.After(20 * time.Second):
			t.Fatalf("no %v event within 20 s", want)
		}
		return Event{}
	}
	o := hold(t, node, "fakezoom")
	if e := wait(InUse); len(e.Holders) != 1 || e.Holders[0].PID != o.pid || e.Holders[0].Name != "fakezoom" {
		t.Errorf("in use: %v", e)
	}
	o.stop()
	wait(Free)
	os.Remove(node)
	wait(Gone)
	os.WriteFile(node, nil, 0o600)
	wait(Back)
}

// Cancelling the context ends Run, closes its inotify descriptor and
// leaves no goroutine behind.
func TestWatcherCancel(t *testing.T) {
	node := newNode(t)
	fdsBefore := openFDs(t)
	before := runtime.NumGoroutine()

	w, err := NewWatcher(WatchOptions{Path: node})
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	var once sync.Once
	w.hook = func(step) { once.Do(func() { close(started) }) }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	<-started
	if err := w.Run(ctx); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Errorf("second Run: %v, want refused", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
	}
	noWatcherGoroutines(t)
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after Run returned, %d before", n, before)
	}
	if n := openFDs(t); n != fdsBefore {
		t.Errorf("%d open descriptors after Run returned, %d before", n, fdsBefore)
	}
}

func TestNewWatcherOptions(t *testing.T) {
	if _, err := NewWatcher(WatchOptions{}); err == nil {
		t.Error("no path accepted")
	}
	if _, err := NewWatcher(WatchOptions{Path: "/dev/video0", Grace: -time.Second}); err == nil {
		t.Error("negative grace accepted")
	}
	w, err := NewWatcher(WatchOptions{Path: "/dev/video0"})
	if err != nil || w.opt.Grace != DefaultGrace || w.opt.ReleaseGrace != DefaultReleaseGrace || w.State().Kind != Free {
		t.Errorf("defaults: %+v, %v", w, err)
	}
	w, _ = NewWatcher(WatchOptions{Path: "/nonexistent/dev/video0", ProcRoot: filepath.Join(t.TempDir(), "noproc")})
	if err := w.Run(context.Background()); err == nil {
		t.Error("Run with an unreadable /proc: no error")
	}
}

func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}
