package webui

import (
	"errors"
	"net/url"
	"path/filepath"
	"posturewatch/coach/domain"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestHistoryAPI(t *testing.T) {
	h, err := OpenHistory(filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	now := time.Now()
	hourStart := time.Date(now.Year(), now.Month(), now.Day(), now.Hour(), 0, 0, 0, time.Local)
	var ms []domain.MinuteAggregate
	for i := 0; i < 10; i++ {
		ms = append(ms, domain.MinuteAggregate{Start: hourStart.Add(time.Duration(i) * time.Minute), PresentS: 60, GoodS: 30,
			FaultS: map[domain.FaultName]float64{domain.ForwardHead: 30}})
	}
	ms[3].Nudges = 1
	if err := h.AddMinutes(ms...); err != nil {
		t.Fatal(err)
	}
	ts := startTestServer(t, func(o *Options) { o.History = h })

	code, m, _ := ts.do("GET", "/api/history", nil)
	buckets, _ := m["buckets"].([]any)
	if code != 200 || m["by"] != "hour" || len(buckets) < 23 {
		t.Fatalf("default history = %d, %d buckets: %v", code, len(buckets), m)
	}
	found := false
	for _, b := range buckets {
		bm := b.(map[string]any)
		if bm["present_s"] == 600.0 {
			found = true
			if bm["good_s"] != 300.0 || bm["nudges"] != 1.0 || bm["fault_s"].(map[string]any)["forward_head"] != 300.0 {
				t.Errorf("hour bucket = %v", bm)
			}
		}
	}
	if !found {
		t.Errorf("the stored hour is missing from %v", buckets)
	}
	code, m, _ = ts.do("GET", "/api/history?by=day", nil)
	buckets, _ = m["buckets"].([]any)
	if code != 200 || len(buckets) != 14 || buckets[13].(map[string]any)["present_s"] != 600.0 {
		t.Errorf("by=day = %d %v", code, m)
	}
	q := url.Values{"from": {hourStart.Format(time.RFC3339)}, "to": {hourStart.Add(time.Hour).Format(time.RFC3339)}, "tz": {"UTC"}}
	code, m, _ = ts.do("GET", "/api/history?"+q.Encode(), nil)
	buckets, _ = m["buckets"].([]any)
	if code != 200 || len(buckets) != 1 || m["tz"] != "UTC" {
		t.Errorf("explicit range = %d %v", code, m)
	}
	for _, c := range []struct{ q, want string }{
		{"by=week", "by"},
		{"from=yesterday", "from"},
		{"to=2020-13-01", "to"},
		{"from=2026-02-01&to=2026-01-01", "after"},
		{"by=hour&from=2025-01-01&to=2026-01-01", "too long"},
		{"tz=Mars/Olympus", "time zone"},
	} {
		code, m, _ := ts.do("GET", "/api/history?"+c.q, nil)
		wantError(t, "history "+c.q, code, m, 400, c.want)
	}
}

func TestDesktopNotifier(t *testing.T) {
	var mu sync.Mutex
	var shown []string
	n := NewDesktopNotifier(false, quietLogger())
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
	time.Sleep(50 * time.Millisecond)
	mu.Lock()
	if len(shown) != 0 {
		t.Errorf("disabled notifier showed %v", shown)
	}
	mu.Unlock()

	n.SetEnabled(true)
	n.NotifyEvent(domain.Event{Type: domain.EventState, State: domain.StateGood}) // not worth a notification
	n.NotifyEvent(nudge)
	waitFor(t, "notification", 2*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(shown) == 1 })
	mu.Lock()
	if shown[0] != "Posture: forward head|Your head has drifted forward: bring your chin back" {
		t.Errorf("notification = %q", shown[0])
	}
	mu.Unlock()

	// A hanging desktop service is abandoned after the timeout.
	block := make(chan struct{})
	defer close(block)
	n.setSend(func(string, string) error { <-block; return nil })
	n.SetTimeout(100 * time.Millisecond)
	start := time.Now()
	if err := n.Notify("a", "b"); err == nil || time.Since(start) > time.Second {
		t.Errorf("hanging notifier: %v after %v", err, time.Since(start))
	}
}

// TestDesktopNotifierWithoutDesktop calls the real beeep with no desktop
// session: it must return an error (or succeed if a desktop exists), never
// crash or hang.
func TestDesktopNotifierWithoutDesktop(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
	t.Setenv("PATH", t.TempDir()) // no notify-send fallback
	n := NewDesktopNotifier(true, quietLogger())
	start := time.Now()
	err := n.Notify("posturewatch test", "no desktop here")
	if time.Since(start) > 5*time.Second {
		t.Errorf("real notifier took %v", time.Since(start))
	}
	if err == nil {
		t.Skip("a desktop notification service answered; nothing to check")
	}
	if !strings.Contains(err.Error(), "desktop notification") {
		t.Errorf("error %q does not say what failed", err)
	}
}

func TestNotificationsAPI(t *testing.T) {
	h, err := OpenHistory(filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	n := NewDesktopNotifier(false, quietLogger())
	ts := startTestServer(t, func(o *Options) { o.History = h; o.Notifier = n })
	code, m, _ := ts.do("POST", "/api/notifications", map[string]any{"desktop": true})
	if code != 200 || m["desktop"] != true || !n.Enabled() {
		t.Fatalf("enable = %d %v", code, m)
	}
	if v, ok, _ := h.Setting(settingDesktopNotify); !ok || v != "true" {
		t.Errorf("setting not persisted: %q %v", v, ok)
	}
	code, m, _ = ts.do("POST", "/api/notifications", map[string]any{})
	wantError(t, "notifications without field", code, m, 400, "desktop")
	// A new server with the same history starts enabled.
	n2 := NewDesktopNotifier(false, quietLogger())
	s2, err := New(Options{Listen: "127.0.0.1:0", Backend: newFakeBackend(), History: h, Notifier: n2, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Shutdown(t.Context())
	if !n2.Enabled() {
		t.Error("desktop notification setting not restored")
	}
}
