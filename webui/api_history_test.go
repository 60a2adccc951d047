package webui

import (
	"fmt"
	"net/url"
	"path/filepath"
	"posturewatch/coach/domain"
	"posturewatch/coach/history"
	"testing"
	"time"
)

// The history API's default ranges are the server's today (by hour and by
// minute) and the 14 days up to it, in the local time zone; an explicit
// range and zone are taken as given; bad parameters are refused.
func TestHistoryAPI(t *testing.T) {
	h, err := history.Open(filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	ts := startTestServer(t, func(o *Options) { o.Backend.(*fakeBackend).hist = h })

	// The server reads its clock at each request: a round of requests that
	// midnight interrupted asked about two days, so it is done again, with
	// the new day's minutes stored.
	var hourStart time.Time
	for {
		now := time.Now()
		// the start of the local hour (time.Date would be ambiguous in a
		// repeated hour), with ten minutes stored from it
		hourStart = now.Add(-time.Duration(now.Minute())*time.Minute - time.Duration(now.Second())*time.Second - time.Duration(now.Nanosecond()))
		problems := historyDefaults(t, ts, h, hourStart)
		if y, m, d := time.Now().Date(); y == now.Year() && m == now.Month() && d == now.Day() {
			for _, p := range problems {
				t.Error(p)
			}
			break
		}
		t.Logf("midnight passed during the requests: once more, on the new day")
	}

	// An hour of UTC holding the stored minutes: in a zone whose offset is
	// not whole hours (Asia/Kolkata) the local hour spans two of UTC's.
	utcHour := hourStart.UTC().Truncate(time.Hour)
	q := url.Values{"from": {utcHour.Format(time.RFC3339)}, "to": {utcHour.Add(time.Hour).Format(time.RFC3339)}, "tz": {"UTC"}}
	code, m, _ := ts.do("GET", "/api/history?"+q.Encode(), nil)
	buckets, _ := m["buckets"].([]any)
	if code != 200 || len(buckets) != 1 || m["tz"] != "UTC" {
		t.Errorf("explicit range = %d %v", code, m)
	}
	for _, c := range []struct{ q, want string }{
		{"by=week", "by"},
		{"from=yesterday", "from"},
		{"to=2020-13-01", "to"},
		{"from=2026-02-01&to=2026-01-01", "after"},
		{"by=hour&from=2025-01-01&to=2026-01-01", "too long"},
		{"by=minute&from=2025-01-01&to=2025-01-05", "too long"},
		{"tz=Mars/Olympus", "time zone"},
	} {
		code, m, _ := ts.do("GET", "/api/history?"+c.q, nil)
		wantError(t, "history "+c.q, code, m, 400, c.want)
	}
}

// historyDefaults stores ten minutes from hourStart (a nudge in one) and
// checks the default ranges hold them, returning what is wrong.
func historyDefaults(t *testing.T, ts *testServer, h *history.DB, hourStart time.Time) []string {
	t.Helper()
	var ms []domain.MinuteAggregate
	for i := 0; i < 10; i++ {
		ms = append(ms, domain.MinuteAggregate{Start: hourStart.Add(time.Duration(i) * time.Minute), PresentS: 60, GoodS: 30,
			FaultS: map[domain.FaultName]float64{domain.ForwardHead: 30}})
	}
	ms[3].Nudges = 1
	if err := h.AddMinutes(ms...); err != nil {
		t.Fatal(err)
	}
	var problems []string
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
				problems = append(problems, fmt.Sprintf("hour bucket = %v", bm))
			}
		}
	}
	if !found {
		problems = append(problems, fmt.Sprintf("the stored hour is missing from %v", buckets))
	}
	code, m, _ = ts.do("GET", "/api/history?by=day", nil)
	buckets, _ = m["buckets"].([]any)
	if code != 200 || len(buckets) != 14 || buckets[13].(map[string]any)["present_s"] != 600.0 {
		problems = append(problems, fmt.Sprintf("by=day = %d %v", code, m))
	}
	code, m, _ = ts.do("GET", "/api/history?by=minute", nil)
	buckets, _ = m["buckets"].([]any)
	if code != 200 || len(buckets) < 23*60 || len(buckets) > 25*60 {
		problems = append(problems, fmt.Sprintf("by=minute = %d, %d buckets (want today's minutes)", code, len(buckets)))
	}
	return problems
}

// The notifications toggle goes to the service, which saves it with the
// other settings; without a notifier it is refused with a reason.
func TestNotificationsAPI(t *testing.T) {
	ts := startTestServer(t, nil)
	ts.fb.notifyAvailable = true
	code, m, _ := ts.do("POST", "/api/notifications", map[string]any{"desktop": true})
	if code != 200 || m["desktop"] != true || m["available"] != true || !ts.fb.Config().DesktopNotifications {
		t.Fatalf("enable = %d %v", code, m)
	}
	code, m, _ = ts.do("GET", "/api/notifications", nil)
	if code != 200 || m["desktop"] != true {
		t.Errorf("read back = %d %v", code, m)
	}
	code, m, _ = ts.do("POST", "/api/notifications", map[string]any{})
	wantError(t, "notifications without field", code, m, 400, "desktop")
	ts.fb.notifyAvailable = false
	code, m, _ = ts.do("POST", "/api/notifications", map[string]any{"desktop": false})
	wantError(t, "notifications unavailable", code, m, 409, "not available")
}
