package live

import (
	"testing"
	"time"
)

// budgetRun drives a cpuBudget the way the service does: a frame every
// interval it returns, each costing cost of CPU. plan gives the sampler's
// interval and whether the frame is exempt at service time t.
type budgetRun struct {
	b     cpuBudget
	cpu   time.Duration
	now   time.Time
	ivs   []time.Duration
	spent time.Duration // CPU spent by the frames run
}

func newBudgetRun() *budgetRun {
	r := &budgetRun{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	r.b.cpu = func() time.Duration { return r.cpu }
	return r
}

// run feeds frames for d, then returns the CPU share of one core they used.
func (r *budgetRun) run(d, cost time.Duration, plan func(t time.Duration) (time.Duration, bool)) float64 {
	start, spent0 := r.now, r.spent
	for r.now.Sub(start) < d {
		r.cpu += cost // the frame's analysis, measured when it is handled
		r.spent += cost
		planned, exempt := plan(r.now.Sub(start))
		iv := r.b.stretch(planned, r.now, exempt)
		r.ivs = append(r.ivs, iv)
		r.now = r.now.Add(iv)
	}
	return float64(r.spent-spent0) / float64(r.now.Sub(start))
}

func always(iv time.Duration) func(time.Duration) (time.Duration, bool) {
	return func(time.Duration) (time.Duration, bool) { return iv, false }
}

// allAsked fails unless every interval in ivs is the sampler's own want.
func allAsked(t *testing.T, ivs []time.Duration, want time.Duration, which string) {
	t.Helper()
	for i, iv := range ivs {
		if iv != want {
			t.Fatalf("%s frame %d waits %v, want %v", which, i, iv, want)
		}
	}
}

// On a machine where a frame costs 77 ms of CPU (this project's CI
// machines with all three models), a sitter who never keeps still would
// have the sampler ask for 2 frames a second: 15 % of a core. The budget
// lets the first burst through, then holds the share.
func TestBudgetHoldsTheShareOnASlowMachine(t *testing.T) {
	r := newBudgetRun()
	cost := 77 * time.Millisecond
	share := r.run(10*time.Minute, cost, always(SampleFast))
	limit := CPUShare * (1 + float64(cpuWindow)/float64(10*time.Minute))
	if share > limit {
		t.Errorf("CPU share over 10 min %.2f %%, want ≤ %.2f %%", 100*share, 100*limit)
	}
	if share < 0.9*CPUShare {
		t.Errorf("CPU share %.2f %%: the budget starves the sampling (want close to %.0f %%)", 100*share, 100*CPUShare)
	}
	// The burst the window allows: the first frames come at the asked pace.
	burst := int(float64(CPUShare*float64(cpuWindow)) / float64(cost))
	allAsked(t, r.ivs[:burst-1], SampleFast, "opening burst:")
	// Then one frame per cost/share: 2.57 s.
	want := time.Duration(float64(cost) / CPUShare)
	last := r.ivs[len(r.ivs)-1]
	if last < want-want/10 || last > want+want/10 {
		t.Errorf("steady interval %v, want about %v", last, want)
	}
	if !r.b.limiting {
		t.Error("the budget does not say it is limiting")
	}
}

// Where frames are cheap, the sampler's pace is never touched.
func TestBudgetLeavesAQuickMachineAlone(t *testing.T) {
	r := newBudgetRun()
	r.run(10*time.Minute, 10*time.Millisecond, always(SampleFast)) // 2 % of a core
	allAsked(t, r.ivs, SampleFast, "cheap")
	if r.b.limiting {
		t.Error("limiting, with frames well within the share")
	}
}

// Calibrating, counting repetitions and learning the camera's view are
// never slowed nor charged: the fast frames after the first change of
// posture come at the asked pace.
func TestBudgetExemptFrames(t *testing.T) {
	r := newBudgetRun()
	cost := 77 * time.Millisecond
	r.run(time.Minute, cost, func(time.Duration) (time.Duration, bool) { return SampleFast, true })
	allAsked(t, r.ivs, SampleFast, "exempt")
	if r.b.tokens != r.b.capacity() {
		t.Errorf("tokens %v after exempt frames, want the full %v", r.b.tokens, r.b.capacity())
	}
	n := len(r.ivs)
	r.run(4*time.Second, cost, always(SampleFast))
	allAsked(t, r.ivs[n:], SampleFast, "monitored (after the exempt ones)")
}

// Where even the steady pace is over the share, the steady frames leave
// the reserve alone, so a change of posture still gets quick frames to
// confirm it.
func TestBudgetKeepsAReserveForChanges(t *testing.T) {
	r := newBudgetRun()
	cost := 77 * time.Millisecond
	r.run(5*time.Minute, cost, always(SampleSteady)) // 0.5 fps: 3.9 % asked
	if !r.b.limiting {
		t.Fatal("steady frames of 77 ms every 2 s are not limited")
	}
	if r.b.tokens < r.b.reserve()-cost {
		t.Errorf("steady frames left %v in the bucket, want the reserve %v", r.b.tokens, r.b.reserve())
	}
	n := len(r.ivs)
	r.run(2*time.Second, cost, always(SampleFast)) // a change
	fast := 0
	for _, iv := range r.ivs[n:] {
		if iv == SampleFast {
			fast++
		}
	}
	if want := int(r.b.reserve() / cost); fast < want-1 {
		t.Errorf("%d fast frames after a change, want %d (the reserve)", fast, want-1)
	}
}

// A machine far too slow for the share still looks every maxStretch, so a
// return or a slouch is not missed for minutes.
func TestBudgetWaitIsBounded(t *testing.T) {
	r := newBudgetRun()
	r.run(5*time.Minute, time.Second, always(SampleSteady))
	for i, iv := range r.ivs {
		if iv > maxStretch {
			t.Fatalf("frame %d waits %v, want at most %v", i, iv, maxStretch)
		}
	}
	if got := r.ivs[len(r.ivs)-1]; got != maxStretch {
		t.Errorf("steady interval %v, want the bound %v", got, maxStretch)
	}
	// An interval the sampler itself wants longer than the bound is kept.
	if got := r.b.stretch(time.Minute, r.now.Add(time.Second), false); got != time.Minute {
		t.Errorf("a planned minute became %v", got)
	}
}

// A pause (or any long gap) fills the bucket again: the fast frames after
// a return come at the asked pace.
func TestBudgetRefillsAfterAGap(t *testing.T) {
	r := newBudgetRun()
	cost := 77 * time.Millisecond
	r.run(3*time.Minute, cost, always(SampleFast))
	r.now = r.now.Add(2 * time.Minute) // paused
	n := len(r.ivs)
	r.run(3*time.Second, cost, always(SampleFast))
	allAsked(t, r.ivs[n:], SampleFast, "after the pause:")
}

// Without a CPU clock there is no budget; a clock that goes back (another
// source) starts it afresh instead of counting a negative time.
func TestBudgetWithoutAClockAndWhenTimeGoesBack(t *testing.T) {
	var none cpuBudget
	if got := none.stretch(SampleFast, time.Now(), false); got != SampleFast {
		t.Errorf("no CPU clock: %v, want %v", got, SampleFast)
	}
	r := newBudgetRun()
	r.run(5*time.Minute, 77*time.Millisecond, always(SampleFast))
	r.now = r.now.Add(-time.Hour)
	r.cpu += 77 * time.Millisecond
	if got := r.b.stretch(SampleFast, r.now, false); got != SampleFast {
		t.Errorf("after the clock went back: %v, want %v (a fresh, full budget)", got, SampleFast)
	}
	if r.b.tokens != r.b.capacity() {
		t.Errorf("tokens %v after a reset, want the full %v", r.b.tokens, r.b.capacity())
	}
}
