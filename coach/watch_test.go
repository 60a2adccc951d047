package coach

import (
	"math"
	"testing"
	"time"

	"posturewatch/coach/domain"
)

// stepper feeds a coach one observation every 200 ms of the trace clock.
type stepper struct {
	c   *Coach
	now time.Time
}

func (s *stepper) run(t *testing.T, d time.Duration, faults ...domain.Fault) []domain.Event {
	t.Helper()
	var evs []domain.Event
	end := s.now.Add(d)
	for s.now.Before(end) {
		s.now = s.now.Add(200 * time.Millisecond)
		p := domain.PostureGood
		if len(faults) > 0 && faults[0].Severity >= 0.5 {
			p = domain.PostureBad
		}
		evs = append(evs, s.c.Step(domain.Observation{Time: s.now, Posture: p, Confidence: 0.9, Faults: faults}, s.now)...)
	}
	return evs
}

// While a fault is being timed the coach says so: the state stays good (no
// slouch decided), the status names the fault with its time and onset, and
// that time is counted neither as good nor against the streak.
func TestWatchWhileAFaultIsTimed(t *testing.T) {
	c := New(domain.DefaultConfig(), nil, nil)
	s := &stepper{c: c, now: traceStart}
	s.run(t, 30*time.Second)
	st := c.Status(s.now)
	if st.State != domain.StateGood || st.Watching != nil {
		t.Fatalf("after 30 s of good posture: %+v", st)
	}
	good0, streak0 := st.GoodTodayS, st.StreakS
	if !st.At.Equal(s.now) {
		t.Errorf("status at %v, asked for %v", st.At, s.now)
	}

	fh := domain.Fault{Name: domain.ForwardHead, Severity: 0.8}
	if evs := s.run(t, 12*time.Second, fh); len(evs) != 0 {
		t.Fatalf("events while the fault is being timed: %v", evs)
	}
	st = c.Status(s.now)
	w := st.Watching
	if st.State != domain.StateGood || w == nil || w.Fault != domain.ForwardHead {
		t.Fatalf("12 s into a forward head: state %s, watching %+v", st.State, w)
	}
	if w.OnsetS != 20 || w.ForS < 8 || w.ForS > 12 || !w.Nudge || math.Abs(w.ForS-s.now.Sub(w.Since).Seconds()) > 0.001 {
		t.Errorf("watch %+v: want onset 20 s, ≈10 s so far, a nudge to come", w)
	}
	// the undecided time is not good time; the streak holds still
	if st.GoodTodayS > good0+2.2 {
		t.Errorf("good today grew from %.1f to %.1f s while a fault was timed", good0, st.GoodTodayS)
	}
	if st.StreakS < streak0 || st.StreakS > streak0+2.2 {
		t.Errorf("streak went from %.1f to %.1f s while a fault was timed", streak0, st.StreakS)
	}

	// The fault goes before it counts: the streak goes on from where it was.
	s.run(t, 10*time.Second)
	st = c.Status(s.now)
	if st.Watching != nil || st.State != domain.StateGood {
		t.Fatalf("after the fault went: %+v", st)
	}
	if st.StreakS < streak0+5 {
		t.Errorf("streak %.1f s after a fault that never counted, was %.1f s: it must not restart", st.StreakS, streak0)
	}

	// A fault that lasts: it counts, the nudge comes, the streak ends.
	evs := s.run(t, 25*time.Second, fh)
	if len(ofType(evs, domain.EventNudge)) != 1 {
		t.Fatalf("want one nudge, got %v", evs)
	}
	st = c.Status(s.now)
	if st.State != domain.StateSlouching || st.StreakS != 0 || st.Watching != nil {
		t.Errorf("after the onset: %+v", st)
	}
	// Good again, then the same fault within the cooldown: watched, no nudge to come.
	s.run(t, 10*time.Second)
	s.run(t, 5*time.Second, fh)
	if w := c.Status(s.now).Watching; w == nil || w.Nudge {
		t.Errorf("within the cooldown the watch promises a nudge: %+v", w)
	}
}

// While a camera-dependent fault waits for the camera's view, the
// dashboard's countdown says so instead of promising a nudge at its onset;
// a fault the camera cannot fake counts down as usual.
func TestWatchSaysTheFaultAwaitsTheView(t *testing.T) {
	for _, tc := range []struct {
		fault domain.FaultName
		await bool
	}{{domain.ForwardHead, true}, {domain.Slouch, true}, {domain.HeadTilt, false}} {
		c := New(domain.DefaultConfig(), nil, nil)
		var now time.Time
		for i := range 30 {
			now = traceStart.Add(time.Duration(i) * time.Second)
			obs := domain.Observation{Posture: domain.PostureBad, Confidence: 0.9, Provisional: true,
				Faults: []domain.Fault{{Name: tc.fault, Severity: 0.8}}}
			for _, e := range c.Step(obs, now) {
				if e.Type == domain.EventNudge && tc.await {
					t.Errorf("%s: nudged at %s on provisional frames alone", tc.fault, e.Offset)
				}
			}
		}
		w := c.Status(now).Watching
		if !tc.await {
			if w != nil {
				t.Errorf("%s: still watched after 30 s (%+v), want it counted at its onset", tc.fault, *w)
			}
			continue
		}
		if w == nil || w.Fault != tc.fault || !w.AwaitsView {
			t.Errorf("%s after 30 s of provisional frames: watching %+v, want it awaiting the view", tc.fault, w)
		}
	}
}
