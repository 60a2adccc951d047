package desktop

// Timing tests in a testing/synctest bubble: fake time, no real D-Bus.

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

type countCloser struct{ n atomic.Int32 }

func (c *countCloser) Close() error { c.n.Add(1); return nil }

func TestInhibitorTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := new(countCloser)
		inh := newInhibitor(c)
		var fired atomic.Bool
		inh.releaseAfter(3*time.Second, func() { fired.Store(true) })
		inh.releaseAfter(time.Second, nil) // already armed: ignored

		time.Sleep(3*time.Second - time.Nanosecond)
		synctest.Wait()
		if !inh.held() || c.n.Load() != 0 {
			t.Fatal("released before the timeout")
		}
		time.Sleep(time.Nanosecond)
		synctest.Wait()
		if inh.held() || c.n.Load() != 1 || !fired.Load() {
			t.Fatalf("held=%v closes=%d fired=%v at the timeout", inh.held(), c.n.Load(), fired.Load())
		}
		if inh.release() || c.n.Load() != 1 {
			t.Error("a late Ack closed again")
		}
	})
}

func TestInhibitorAckBeforeTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := new(countCloser)
		inh := newInhibitor(c)
		var fired atomic.Bool
		inh.releaseAfter(3*time.Second, func() { fired.Store(true) })
		time.Sleep(time.Second)
		if !inh.release() || inh.held() || c.n.Load() != 1 {
			t.Fatal("Ack did not release")
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		if fired.Load() || c.n.Load() != 1 {
			t.Errorf("timeout fired after Ack: fired=%v closes=%d", fired.Load(), c.n.Load())
		}
		inh.releaseAfter(time.Second, func() { fired.Store(true) }) // released: no timer
		time.Sleep(time.Minute)
		if fired.Load() {
			t.Error("timer armed on a released inhibitor")
		}
	})
}

// TestNoBus: with no bus at all (a server, a container, CI) the Monitor
// sends one Unavailable event, logs one line, and retries quietly with
// exponential backoff.
func TestNoBus(t *testing.T) {
	dir := t.TempDir()
	// The defaults: no session bus address anywhere, system bus from the
	// environment.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", dir)
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path="+dir+"/system_bus_socket")
	synctest.Test(t, func(t *testing.T) {
		logs := new(syncBuffer)
		m := New(Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
		var mu sync.Mutex
		dials := map[string]int{}
		m.onDial = func(bus string, err error) {
			if err == nil {
				t.Errorf("connected to the %s bus", bus)
			}
			mu.Lock()
			dials[bus]++
			mu.Unlock()
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- m.Run(ctx) }()

		ev := <-m.Events()
		if ev.Kind != Unavailable || ev.Source != "" || !ev.CameraAllowed || ev.Ack == nil ||
			!strings.Contains(ev.Detail, "system bus") || !strings.Contains(ev.Detail, "session bus") {
			t.Errorf("first event = %+v", ev)
		}
		if err := m.Run(ctx); err != ErrAlreadyRun {
			t.Errorf("second Run = %v", err)
		}
		s := m.Status()
		if !s.Running || s.Available() || s.SystemBus || s.SessionBus || len(s.Problems) != 2 {
			t.Errorf("status = %+v", s)
		}

		time.Sleep(10 * time.Minute)
		synctest.Wait()
		select {
		case ev := <-m.Events():
			t.Errorf("second event %+v", ev)
		default:
		}
		// Attempts at 0, 1, 3, 7, 15, 31, 63 s, then every minute: 123, 183,
		// ... 543 s.
		mu.Lock()
		for _, bus := range []string{"system", "session"} {
			if dials[bus] != 15 {
				t.Errorf("%d attempts to reach the %s bus in 10 minutes, want 15", dials[bus], bus)
			}
		}
		mu.Unlock()
		if lines := logs.lines(); len(lines) != 1 || !strings.Contains(lines[0], "no desktop signals") {
			t.Errorf("log = %q, want one line", lines)
		}

		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v", err)
		}
		if _, ok := <-m.Events(); ok {
			t.Error("Events not closed")
		}
		if s := m.Status(); s.Running {
			t.Errorf("status after Run = %+v", s)
		}
	})
}
