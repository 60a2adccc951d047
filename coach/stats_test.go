package coach

import (
	"math"
	"posturewatch/coach/domain"
	"testing"
	"time"
)

// feed steps good frames every 500 ms over [from, to).
func feed(c *Coach, start time.Time, from, to time.Duration, p domain.Posture, faults ...domain.Fault) []domain.Event {
	var evs []domain.Event
	for t := from; t < to; t += 500 * time.Millisecond {
		evs = append(evs, c.Step(domain.Observation{Posture: p, Faults: faults, Confidence: 0.9, Offset: t}, start.Add(t))...)
	}
	return evs
}

func TestStatsAcrossMidnightAndHours(t *testing.T) {
	loc := time.FixedZone("UTC+2", 2*3600)
	start := time.Date(2026, 11, 24, 23, 58, 0, 0, loc)
	c := New(domain.DefaultConfig(), nil, nil)
	feed(c, start, 0, 4*time.Minute, domain.PostureGood) // 23:58 → 00:02 local
	snap := c.Stats()
	if len(snap.Days) != 2 || len(snap.Hours) != 2 {
		t.Fatalf("want 2 days and 2 hours, got %d and %d", len(snap.Days), len(snap.Hours))
	}
	if d := snap.Days[0]; d.Start.Day() != 24 || d.Start.Location() != loc || math.Abs(d.PresentS-120) > 0.6 {
		t.Errorf("first day %+v: want 24th (local), 120 s", d)
	}
	if d := snap.Days[1]; d.Start.Day() != 25 || math.Abs(d.PresentS-119.5) > 0.6 || math.Abs(d.GoodS-d.PresentS) > 1e-9 {
		t.Errorf("second day %+v: want 25th, ≈119.5 s all good", d)
	}
	if h := snap.Hours[1]; h.Start.Hour() != 0 || h.LongestGoodS < 239 {
		t.Errorf("hour 00: %+v (the streak started the day before: longest ≈ 240 s)", h)
	}
	mins := c.TakeMinutes()
	if len(mins) != 3 {
		t.Fatalf("want 3 finished minutes (23:58, 23:59, 00:00), got %d", len(mins))
	}
	for i, m := range mins {
		if i > 0 && m.Start.Sub(mins[i-1].Start) != time.Minute {
			t.Errorf("minutes not consecutive: %v then %v", mins[i-1].Start, m.Start)
		}
		if math.Abs(m.PresentS-60) > 1e-6 {
			t.Errorf("minute %v present %.2f s, want 60", m.Start, m.PresentS)
		}
	}
	if st := c.Status(start.Add(4 * time.Minute)); math.Abs(st.GoodTodayS-120) > 1 {
		t.Errorf("good today %.1f s, want ≈ 120 s (since local midnight)", st.GoodTodayS)
	}
}

func TestStatsDroppedFramesAndGaps(t *testing.T) {
	// a 30 s gap without frames (camera hiccup) counts at most 5 s
	c := New(domain.DefaultConfig(), nil, nil)
	feed(c, traceStart, 0, 10*time.Second, domain.PostureGood)
	feed(c, traceStart, 40*time.Second, 50*time.Second, domain.PostureGood)
	d := c.Stats().Days[0]
	if d.PresentS < 24 || d.PresentS > 25 {
		t.Errorf("present %.1f s, want ≈ 9.5 + 5 + 9.5 = 24 s", d.PresentS)
	}
}

func TestBreakReminderSilencedByPauseAndCountsInStats(t *testing.T) {
	cfg := domain.DefaultConfig()
	cfg.SittingReminder = domain.Sec(2 * time.Minute)
	c := New(cfg, nil, nil)
	feed(c, traceStart, 0, 100*time.Second, domain.PostureGood)
	if _, err := c.Pause(traceStart.Add(130*time.Second), traceStart.Add(100*time.Second)); err != nil {
		t.Fatal(err)
	}
	evs := feed(c, traceStart, 100*time.Second, 125*time.Second, domain.PostureGood)
	if len(ofType(evs, domain.EventBreak)) != 0 {
		t.Errorf("break reminder while paused: %v", evs)
	}
	// a 30 s pause is not a real break (2 min): after resuming the reminder comes
	evs = feed(c, traceStart, 130*time.Second, 140*time.Second, domain.PostureGood)
	b := ofType(evs, domain.EventBreak)
	if len(b) != 1 || secsOf(b[0]) != 130 || b[0].Duration.D() != 130*time.Second {
		t.Errorf("want the reminder at the resume (130 s, sitting 130 s), got %v", evs)
	}
	if d := c.Stats().Days[0]; d.BreaksSuggested != 1 {
		t.Errorf("breaks suggested %d, want 1", d.BreaksSuggested)
	}
}
