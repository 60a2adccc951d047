package desktop

import (
	"errors"
	"io"
	"log/slog"
	"posturewatch/coach/domain"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// The notifier shows nudges only while enabled, words them with their fix,
// skips events not worth a notification, and abandons a hanging desktop
// service after its timeout.
func TestDesktopNotifier(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var shown []string
		n := NewDesktopNotifier(false, slog.New(slog.NewTextHandler(io.Discard, nil)))
		n.setSend(func(title, msg string) error {
			mu.Lock()
			defer mu.Unlock()
			shown = append(shown, title+"|"+msg)
			return nil
		})
		nudge := domain.Event{Type: domain.EventNudge, Fault: domain.ForwardHead, Message: "Your head has drifted forward", Fix: "bring your chin back"}
		if err := n.Notify("x", "y"); !errors.Is(err, ErrNotifierOff) {
			t.Errorf("disabled notifier: %v", err)
		}
		n.NotifyEvent(nudge)
		synctest.Wait()
		if len(shown) != 0 {
			t.Errorf("disabled notifier showed %v", shown)
		}

		n.SetEnabled(true)
		n.NotifyEvent(domain.Event{Type: domain.EventState, State: domain.StateGood}) // not worth a notification
		n.NotifyEvent(nudge)
		synctest.Wait()
		if len(shown) != 1 || shown[0] != "Posture: forward head|Your head has drifted forward: bring your chin back" {
			t.Errorf("notifications = %q", shown)
		}

		// A hanging desktop service is abandoned after the timeout.
		block := make(chan struct{})
		defer close(block)
		n.setSend(func(string, string) error { <-block; return nil })
		n.SetTimeout(100 * time.Millisecond)
		start := time.Now()
		if err := n.Notify("a", "b"); err == nil || time.Since(start) != 100*time.Millisecond {
			t.Errorf("hanging notifier: %v after %v", err, time.Since(start))
		}
	})
}

// TestDesktopNotifierWithoutDesktop calls the real beeep with no desktop
// session: it must return an error (or succeed if a desktop exists), never
// crash or hang.
func TestDesktopNotifierWithoutDesktop(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
	t.Setenv("PATH", t.TempDir()) // no notify-send fallback
	n := NewDesktopNotifier(true, slog.New(slog.NewTextHandler(io.Discard, nil)))
	// Notify gives up after its own timeout (3 s; TestDesktopNotifier
	// checks that on fake time): only a call that never returns is a hang,
	// however slowly a loaded machine runs it.
	done := make(chan error, 1)
	go func() { done <- n.Notify("posturewatch test", "no desktop here") }()
	var err error
	select {
	case err = <-done:
	case <-time.After(guard):
		t.Fatalf("the real notifier did not return within %v", guard)
	}
	if err == nil {
		t.Skip("a desktop notification service answered; nothing to check")
	}
	if !strings.Contains(err.Error(), "desktop notification") {
		t.Errorf("error %q does not say what failed", err)
	}
}
