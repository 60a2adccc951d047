package metrics

import (
	"bufio"
	"io"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"posturewatch/coach/domain"
	"posturewatch/coach/live"
)

var _ live.Publisher = (*Collector)(nil)

// scrape reads the text exposition the handler serves into name{labels} → value.
func scrape(t *testing.T, c *Collector) map[string]float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	c.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("scrape: status %d", rec.Code)
	}
	return Parse(t, rec.Body)
}

// Parse reads the Prometheus text format's samples.
func Parse(t testing.TB, r io.Reader) map[string]float64 {
	t.Helper()
	m := map[string]float64{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		m[line[:i]] = v
	}
	return m
}

func TestCollectorFollowsWhatTheServicePublishes(t *testing.T) {
	c := New()
	m := scrape(t, c)
	for _, k := range []string{`posturewatch_nudges_total{fault="head_tilt"}`, `posturewatch_slouch_seconds_total{fault="forward_head"}`,
		`posturewatch_stretch_breaks_total{stage="started"}`, `posturewatch_posture_state{state="good"}`, `posturewatch_camera_state{state="ok"}`,
		`posturewatch_frame_analysis_seconds_count`, `go_goroutines`} {
		if v, ok := m[k]; !ok || (v != 0 && !strings.HasPrefix(k, "go_")) {
			t.Errorf("before anything: %s = %v (present %v), want 0", k, v, ok)
		}
	}

	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	score := 80.0
	c.PublishStatus(domain.LiveStatus{Status: domain.Status{State: domain.StateGood, Score: 95},
		Camera: domain.CameraStatus{State: domain.CameraOK, HeldShare: 0.25}})
	c.PublishSample(domain.Sample{At: t0, State: domain.StateGood, Score: &score, Analysis: 50 * time.Millisecond})
	c.PublishEvent(domain.Event{Type: domain.EventState, State: domain.StateSlouching, Fault: domain.ForwardHead})
	c.PublishSample(domain.Sample{At: t0.Add(2 * time.Second), State: domain.StateSlouching, Fault: domain.ForwardHead, Analysis: 120 * time.Millisecond})
	c.PublishSample(domain.Sample{At: t0.Add(4 * time.Second), State: domain.StateSlouching, Fault: domain.ForwardHead})
	// a long gap (a hold) counts at most maxSampleGap
	c.PublishSample(domain.Sample{At: t0.Add(time.Hour), State: domain.StateAway})
	c.PublishEvent(domain.Event{Type: domain.EventNudge, Fault: domain.ForwardHead})
	c.PublishEvent(domain.Event{Type: domain.EventNudge, Fault: "not_a_fault"})
	c.PublishEvent(domain.Event{Type: domain.EventSuggestion})
	c.PublishEvent(domain.Event{Type: domain.EventRoutine})
	c.PublishEvent(domain.Event{Type: domain.EventStretch, Exercise: "chin_tuck"})
	c.PublishEvent(domain.Event{Type: domain.EventStretch})
	c.PublishStatus(domain.LiveStatus{Status: domain.Status{State: domain.StatePaused, Score: 60},
		Camera: domain.CameraStatus{State: domain.CameraReleased}})

	m = scrape(t, c)
	want := map[string]float64{
		`posturewatch_slouch_seconds_total{fault="forward_head"}`: 2 + 15,
		`posturewatch_slouch_seconds_total{fault="slouch"}`:       0,
		`posturewatch_nudges_total{fault="forward_head"}`:         1,
		`posturewatch_stretch_breaks_total{stage="suggested"}`:    1,
		`posturewatch_stretch_breaks_total{stage="started"}`:      1,
		`posturewatch_stretch_breaks_total{stage="finished"}`:     1,
		`posturewatch_posture_state{state="paused"}`:              1,
		`posturewatch_posture_state{state="slouching"}`:           0,
		`posturewatch_posture_score`:                              60,
		`posturewatch_camera_state{state="released"}`:             1,
		`posturewatch_camera_state{state="ok"}`:                   0,
		`posturewatch_frame_analysis_seconds_count`:               2,
		`posturewatch_frame_analysis_seconds_sum`:                 0.17,
		`posturewatch_frame_analysis_seconds_bucket{le="0.06"}`:   1,
	}
	for k, v := range want {
		if got, ok := m[k]; !ok || (got-v) > 1e-9 || (v-got) > 1e-9 {
			t.Errorf("%s = %v (present %v), want %v", k, got, ok, v)
		}
	}
	for k := range m {
		if strings.Contains(k, "not_a_fault") {
			t.Errorf("a fault outside the vocabulary became a series: %s", k)
		}
	}
}

// The webhook's totals are read at each scrape, one series per outcome.
func TestWebhookCounts(t *testing.T) {
	c := New()
	sent, failed, dropped := uint64(0), uint64(0), uint64(0)
	c.WatchWebhook(func() (uint64, uint64, uint64) { return sent, failed, dropped })
	m := scrape(t, c)
	for _, o := range []string{"sent", "failed", "dropped"} {
		if v, ok := m[`posturewatch_webhook_events_total{outcome="`+o+`"}`]; !ok || v != 0 {
			t.Errorf("%s: %v %v, want present at 0", o, v, ok)
		}
	}
	sent, failed, dropped = 7, 1, 3
	m = scrape(t, c)
	if m[`posturewatch_webhook_events_total{outcome="sent"}`] != 7 || m[`posturewatch_webhook_events_total{outcome="failed"}`] != 1 ||
		m[`posturewatch_webhook_events_total{outcome="dropped"}`] != 3 {
		t.Errorf("after 7 sent, 1 failed, 3 dropped: %v", m)
	}
}
