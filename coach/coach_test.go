package coach

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"posturewatch/coach/domain"
	"posturewatch/coach/exercise"
	"strconv"
	"strings"
	"testing"
	"time"
)

// goldenTraces are the synthetic traces in testdata; each has a .golden file.
var goldenTraces = []string{"onset-short", "onset-long", "hysteresis", "glance", "away-back", "passerby",
	"cooldown", "repeat", "quiet", "pause", "sitting", "stale", "stale-control", "stale-view", "calibration", "unknown-hold", "provisional", "lull", "sit-up-names", "corrected", "half-corrected"} // clip-* traces: TestClip*

func TestGoldenTraces(t *testing.T) {
	for _, name := range goldenTraces {
		t.Run(name, func(t *testing.T) {
			tr := loadTrace(t, name)
			checkGolden(t, name, runTrace(t, tr, exercise.Default()))
		})
	}
}

func run(t *testing.T, name string) runResult {
	t.Helper()
	return runTrace(t, loadTrace(t, name), exercise.Default())
}

func stateEvents(evs []domain.Event, s domain.State) []domain.Event {
	var out []domain.Event
	for _, e := range ofType(evs, domain.EventState) {
		if e.State == s {
			out = append(out, e)
		}
	}
	return out
}

func TestOnsetDelay(t *testing.T) {
	short := run(t, "onset-short")
	if n := ofType(short.events, domain.EventNudge); len(n) != 0 {
		t.Errorf("15 s forward head: want no nudge, got %v", n)
	}
	if s := stateEvents(short.events, domain.StateSlouching); len(s) != 0 {
		t.Errorf("15 s forward head: want no slouching state, got %v", s)
	}

	long := run(t, "onset-long")
	nudges := ofType(long.events, domain.EventNudge)
	if len(nudges) != 1 {
		t.Fatalf("30 s forward head: want 1 nudge, got %d: %v", len(nudges), nudges)
	}
	n := nudges[0]
	// fault from 30 s; the smoothed severity crosses 0.5 within ~2 s; +20 s onset
	if s := secsOf(n); s < 50 || s > 53 {
		t.Errorf("nudge at %.1f s, want 50–53 s (30 s + smoothing + 20 s onset)", s)
	}
	if n.Fault != domain.ForwardHead || !strings.Contains(n.Message, "chin back over your shoulders") {
		t.Errorf("nudge should name forward head with its fix, got %+v", n)
	}
	sl := stateEvents(long.events, domain.StateSlouching)
	if len(sl) != 1 || sl[0].Fault != domain.ForwardHead || secsOf(sl[0]) != secsOf(n) {
		t.Errorf("want one slouching(forward_head) state at the nudge, got %v", sl)
	}
	good := stateEvents(long.events, domain.StateGood)
	last := good[len(good)-1]
	if s := secsOf(last); s < 60 || s > 65 {
		t.Errorf("back to good at %.1f s, want within 5 s after 60 s", s)
	}
	if d := last.Duration.Seconds(); math.Abs(d-(secsOf(last)-secsOf(sl[0]))) > 0.01 {
		t.Errorf("good event carries the slouch duration %.1f s, want %.1f s", d, secsOf(last)-secsOf(sl[0]))
	}
}

// Vision names its one sit-up score after the feature that pushes it most,
// so a slump held still can switch between a head forward and sunk in the
// chair from frame to frame. Timed apart, each name's 4 s median fell under
// exit at every switch and the slump was never nudged; timed as one, it is
// nudged once, about 20 s in, named after the fault that made up most of
// it, and keeps that name (and its time) while it lasts.
func TestSitUpFaultsAreTimedAsOne(t *testing.T) {
	r := run(t, "sit-up-names")
	nudges := ofType(r.events, domain.EventNudge)
	if len(nudges) != 2 {
		t.Fatalf("want two nudges (the third slump within the cooldown), got %v", nudges)
	}
	// from 30 s; the smoothed severity crosses 0.5 within ~2 s; +20 s onset
	if n := nudges[0]; secsOf(n) < 50 || secsOf(n) > 53 || n.Fault != domain.ForwardHead {
		t.Errorf("first slump: nudge %v, want a head forward at 50–53 s", n)
	}
	if n := nudges[1]; secsOf(n) < 150 || secsOf(n) > 153 || n.Fault != domain.Slouch {
		t.Errorf("second slump: nudge %v, want sunk in the chair at 150–153 s", n)
	}
	sl := stateEvents(r.events, domain.StateSlouching)
	if len(sl) != 3 || sl[0].Fault != domain.ForwardHead || sl[1].Fault != domain.Slouch || sl[2].Fault != domain.ForwardHead {
		t.Errorf("want one slouching state per slump, named head forward, sunk, head forward; got %v", sl)
	}
	day := r.coach.Stats().Days[0]
	if fh, s := day.FaultS[domain.ForwardHead], day.FaultS[domain.Slouch]; fh < 56 || fh > 64 || s < 22 || s > 28 {
		t.Errorf("time per fault: head forward %.1f s, sunk %.1f s; want about 50+10 and 25 (each slump's time under its own name)", fh, s)
	}
}

// A fault put right just before its onset ran out is not nudged on the
// median's lag, nor one half put right: a frame the verdict calls good
// (between the exit level and the line) does not confirm it, though the
// median still holds the fault. Held a little longer, it is nudged, while
// it lasts.
func TestCorrectedBeforeTheOnsetIsNotNudged(t *testing.T) {
	for _, c := range []struct {
		trace, put string
		until      int // the second head forward lasts 80 s to until
	}{
		{"corrected", "put right", 103},
		{"half-corrected", "half put right", 105},
	} {
		r := run(t, c.trace)
		nudges := ofType(r.events, domain.EventNudge)
		if len(nudges) != 1 || secsOf(nudges[0]) < 100 || secsOf(nudges[0]) > float64(c.until) {
			t.Errorf("%s: want one nudge, for the head forward 80–%d s as its onset ran out; got %v", c.trace, c.until, nudges)
		}
		if s := inWindow(stateEvents(r.events, domain.StateSlouching), 0, 79); len(s) != 0 {
			t.Errorf("%s: the head forward %s at 51 s counted: %v", c.trace, c.put, s)
		}
	}
}

func TestHysteresisNoFlicker(t *testing.T) {
	r := run(t, "hysteresis")
	if s := stateEvents(r.events, domain.StateSlouching); len(s) != 1 {
		t.Errorf("severity hovering at the threshold: want 1 slouching state, got %d: %v", len(s), s)
	}
	if n := ofType(r.events, domain.EventNudge); len(n) != 1 {
		t.Errorf("want 1 nudge, got %d", len(n))
	}
	if len(ofType(r.events, domain.EventState)) != 3 { // start good, slouching, good
		t.Errorf("want 3 state events, got %v", ofType(r.events, domain.EventState))
	}
}

// A fault that crossed its enter level and then lingered between exit and
// enter for half its onset is not the fault that started: its clock starts
// again. Dips shorter than that do not restart it.
func TestLingeringBelowEnterRestartsTheOnset(t *testing.T) {
	r := run(t, "lull")
	nudges := ofType(r.events, domain.EventNudge)
	if len(nudges) != 1 {
		t.Fatalf("want one nudge (for the forward head from 80 s), got %v", nudges)
	}
	// from 80 s; the smoothed severity crosses 0.5 within 2 s; +20 s onset
	if s := secsOf(nudges[0]); s < 100 || s > 103 {
		t.Errorf("nudge at %.1f s, want 100–103 s (the dips counted in)", s)
	}
	if s := inWindow(stateEvents(r.events, domain.StateSlouching), 0, 79); len(s) != 0 {
		t.Errorf("slouching while the fault lingered below its enter level: %v", s)
	}
}

func TestSensitivityScalesThresholds(t *testing.T) {
	var prevEnter float64 = 2
	for _, s := range []domain.Sensitivity{domain.SensitivityLow, domain.SensitivityNormal, domain.SensitivityHigh} {
		cfg := domain.DefaultConfig()
		cfg.Sensitivity = s
		enter, exit := thresholds(cfg, domain.ForwardHead)
		if !(exit < enter) || !(enter < prevEnter) {
			t.Errorf("%s: enter %.2f exit %.2f (previous enter %.2f): want exit < enter, and enter falling with sensitivity", s, enter, exit, prevEnter)
		}
		prevEnter = enter
	}
	// the hovering trace (mean ≈ 0.52) is a slouch at high sensitivity, nothing at low
	tr := loadTrace(t, "hysteresis")
	tr.cfg.Sensitivity = domain.SensitivityLow
	if n := ofType(runTrace(t, tr, nil).events, domain.EventNudge); len(n) != 0 {
		t.Errorf("low sensitivity: want no nudge for severity ≈0.52, got %v", n)
	}
}

func TestGlancesDoNotCount(t *testing.T) {
	r := run(t, "glance")
	if n := ofType(r.events, domain.EventNudge); len(n) != 0 {
		t.Errorf("brief glances: want no nudge, got %v", n)
	}
	st := ofType(r.events, domain.EventState)
	if len(st) != 1 || st[0].State != domain.StateGood {
		t.Errorf("brief glances and a 2 s reach out of view: want only the initial good state, got %v", st)
	}
}

func TestAwayAndBack(t *testing.T) {
	r := run(t, "away-back")
	away := stateEvents(r.events, domain.StateAway)
	if len(away) != 1 {
		t.Fatalf("want 1 away state, got %v", away)
	}
	if s := secsOf(away[0]); s < 10 || s > 15 {
		t.Errorf("away at %.1f s, want within 5 s of 10 s", s)
	}
	good := stateEvents(r.events, domain.StateGood)
	if len(good) != 2 || secsOf(good[1]) < 30 || secsOf(good[1]) > 32 {
		t.Errorf("want back to good at 30–32 s, got %v", good)
	}
	if len(ofType(r.events, domain.EventNudge)) != 0 {
		t.Errorf("no nudge expected")
	}
	day := r.coach.Stats().Days[0]
	// present 0–10 s and 30–40 s (the last frame at 39.8 s): ≈ 19.8 s, not 40 s
	if day.PresentS < 19 || day.PresentS > 20.5 {
		t.Errorf("present time %.1f s, want ≈ 20 s (presence stops while away)", day.PresentS)
	}
	if day.GoodS > day.PresentS {
		t.Errorf("good time %.1f s exceeds present time %.1f s", day.GoodS, day.PresentS)
	}
	if st := r.coach.Status(r.end); st.State != domain.StateGood || st.SittingS < 39 {
		// the 20 s absence is shorter than a break (2 min): the sitting session continues
		t.Errorf("status after return: %+v (want good, sitting ≈ 40 s)", st)
	}
}

func TestPasserByDoesNotFlipState(t *testing.T) {
	r := run(t, "passerby")
	st := ofType(r.events, domain.EventState)
	if len(st) != 1 || len(ofType(r.events, domain.EventNudge)) != 0 {
		t.Errorf("a 2 s burst of odd frames must not change the state: %v", r.events)
	}
}

func TestCooldown(t *testing.T) {
	r := run(t, "cooldown")
	n := ofType(r.events, domain.EventNudge)
	if len(n) != 2 {
		t.Fatalf("want 2 nudges (second slouch within the 5 min cooldown is silent), got %v", n)
	}
	if s := secsOf(n[0]); s < 15 || s > 20 {
		t.Errorf("first nudge at %.1f s, want 15–20 s", s)
	}
	if s := secsOf(n[1]); s < 405 || s > 410 {
		t.Errorf("second nudge at %.1f s, want 405–410 s", s)
	}
	// the second slouch is still a state change, just not nudged
	if s := stateEvents(r.events, domain.StateSlouching); len(s) != 3 {
		t.Errorf("want 3 slouching states, got %d", len(s))
	}
}

func TestRepeatedSlouchingSuggestsRoutine(t *testing.T) {
	r := run(t, "repeat")
	n := ofType(r.events, domain.EventNudge)
	sg := ofType(r.events, domain.EventSuggestion)
	if len(n) != 3 || len(sg) != 1 {
		t.Fatalf("want 3 nudges and 1 suggestion, got %d and %d: %v", len(n), len(sg), r.events)
	}
	if secsOf(sg[0]) != secsOf(n[2]) {
		t.Errorf("suggestion at %.1f s, want with the third nudge at %.1f s", secsOf(sg[0]), secsOf(n[2]))
	}
	s := sg[0]
	if s.Fault != domain.ForwardHead || s.Faults[domain.ForwardHead] <= s.Faults[domain.RoundedShoulders] || s.Faults[domain.RoundedShoulders] <= 0 {
		t.Errorf("suggestion weights %v (top %s): want forward head the most, rounded shoulders too", s.Faults, s.Fault)
	}
	if s.Routine == nil {
		t.Fatalf("suggestion carries no routine: %s", s.Error)
	}
	if s.Routine.Duration.D() < 2*time.Minute || s.Routine.Duration.D() > 5*time.Minute {
		t.Errorf("routine lasts %v, want 2–5 min", s.Routine.Duration)
	}
	if len(s.Routine.Safety) == 0 {
		t.Errorf("routine carries no safety text")
	}
	cat := exercise.Default()
	have := map[domain.Equipment]bool{domain.EquipNone: true, domain.EquipWall: true, domain.EquipChair: true}
	for _, it := range s.Routine.Items {
		ex, ok := cat.Exercise(it.Exercise.ID)
		if !ok {
			t.Errorf("routine exercise %q not in the catalogue", it.Exercise.ID)
			continue
		}
		okEq := len(ex.Equipment) == 0
		for _, e := range ex.Equipment {
			okEq = okEq || have[e]
		}
		if !okEq {
			t.Errorf("exercise %s needs %v, user has only none/wall/chair", ex.ID, ex.Equipment)
		}
	}
	day := r.coach.Stats().Days[0]
	if day.Nudges != 3 || day.BreaksSuggested != 1 {
		t.Errorf("stats: nudges %d suggested %d, want 3 and 1", day.Nudges, day.BreaksSuggested)
	}
	// a routine done counts in the stats
	r.coach.RoutineDone(s.Routine.ID, r.end)
	if d := r.coach.Stats().Days[0]; d.BreaksDone != 1 {
		t.Errorf("breaks done %d after RoutineDone, want 1", d.BreaksDone)
	}
}

func TestDeskOnlyRoutine(t *testing.T) {
	tr := loadTrace(t, "repeat")
	tr.cfg.DeskOnly = true
	r := runTrace(t, tr, exercise.Default())
	sg := ofType(r.events, domain.EventSuggestion)
	if len(sg) != 1 || sg[0].Routine == nil {
		t.Fatalf("want a suggestion with a routine, got %v", sg)
	}
	cat := exercise.Default()
	for _, it := range sg[0].Routine.Items {
		if ex, ok := cat.Exercise(it.Exercise.ID); !ok || !ex.Seated {
			t.Errorf("desk-only routine contains %q, not doable seated", it.Exercise.ID)
		}
	}
}

func TestQuietHoursSilence(t *testing.T) {
	r := run(t, "quiet")
	for _, typ := range []domain.EventType{domain.EventNudge, domain.EventSuggestion, domain.EventBreak, domain.EventRecalibrate} {
		if e := ofType(r.events, typ); len(e) != 0 {
			t.Errorf("quiet hours: want no %s, got %v", typ, e)
		}
	}
	if s := stateEvents(r.events, domain.StateSlouching); len(s) != 1 {
		t.Errorf("quiet hours still track the state: want 1 slouching state, got %v", s)
	}
	// the same trace at 14:30 nudges, and the 60 s sitting reminder fires
	tr := loadTrace(t, "quiet")
	tr.start = time.Date(2026, 11, 24, 14, 30, 0, 0, time.UTC)
	r2 := runTrace(t, tr, nil)
	if len(ofType(r2.events, domain.EventNudge)) != 1 || len(ofType(r2.events, domain.EventBreak)) != 1 {
		t.Errorf("outside quiet hours: want 1 nudge and 1 break, got %v", r2.events)
	}
}

func TestQuietHoursWindow(t *testing.T) {
	cfg := domain.DefaultConfig()
	cfg.QuietHours = "22:00-07:00"
	at := func(h, m int) time.Time { return time.Date(2026, 1, 1, h, m, 0, 0, time.UTC) }
	for _, c := range []struct {
		t    time.Time
		want bool
	}{{at(21, 59), false}, {at(22, 0), true}, {at(3, 0), true}, {at(6, 59), true}, {at(7, 0), false}, {at(12, 0), false}} {
		if got := cfg.InQuietHours(c.t); got != c.want {
			t.Errorf("%s: quiet=%v want %v", c.t.Format("15:04"), got, c.want)
		}
	}
	cfg.QuietHours = "12:00-13:30"
	if !cfg.InQuietHours(at(13, 29)) || cfg.InQuietHours(at(13, 30)) {
		t.Errorf("daytime window wrong")
	}
}

func TestPauseAndResume(t *testing.T) {
	r := run(t, "pause")
	p := ofType(r.events, domain.EventPaused)
	res := ofType(r.events, domain.EventResumed)
	if len(p) != 2 || len(res) != 2 {
		t.Fatalf("want 2 paused and 2 resumed events, got %v", r.events)
	}
	if secsOf(res[0]) != 70 || secsOf(res[1]) != 130 {
		t.Errorf("resumed at %.1f and %.1f s, want 70 (automatic) and 130 (command)", secsOf(res[0]), secsOf(res[1]))
	}
	n := ofType(r.events, domain.EventNudge)
	if len(n) != 1 {
		t.Fatalf("want 1 nudge (none while paused), got %v", n)
	}
	if s := secsOf(n[0]); s < 75 || s > 80 {
		t.Errorf("nudge at %.1f s, want 75–80 s (after the resume at 70 s + onset)", s)
	}
	if ps := stateEvents(r.events, domain.StatePaused); len(ps) != 2 {
		t.Errorf("want 2 paused states, got %v", ps)
	}
	day := r.coach.Stats().Days[0]
	// present: 0–10, 70–100, 130–140 = 50 s
	if day.PresentS < 49 || day.PresentS > 50.5 {
		t.Errorf("present time %.1f s, want ≈ 50 s (paused time not counted)", day.PresentS)
	}
	c := New(domain.DefaultConfig(), nil, nil)
	if _, err := c.Pause(traceStart, traceStart); err == nil {
		t.Errorf("pause until now: want an error")
	}
	if evs := c.Resume(traceStart); evs != nil {
		t.Errorf("resume when not paused: want no events, got %v", evs)
	}
}

func TestStatusWhilePaused(t *testing.T) {
	c := New(domain.DefaultConfig(), nil, nil)
	c.Step(domain.Observation{Posture: domain.PostureGood, Confidence: 0.9}, traceStart)
	until := traceStart.Add(15 * time.Minute)
	if _, err := c.Pause(until, traceStart.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	st := c.Status(traceStart.Add(2 * time.Second))
	if st.State != domain.StatePaused || !st.PausedUntil.Equal(until) || st.Baseline != "defaults" {
		t.Errorf("status %+v: want paused until %v with baseline defaults", st, until)
	}
}

func TestSittingReminder(t *testing.T) {
	r := run(t, "sitting")
	b := ofType(r.events, domain.EventBreak)
	if len(b) != 2 {
		t.Fatalf("want 2 break reminders, got %v", b)
	}
	if s := secsOf(b[0]); s != 300 {
		t.Errorf("first reminder at %.1f s, want 300 s (a 3 s absence does not reset)", s)
	}
	// away 400–550 (> 2 min) is a real break: the sitting timer restarts on return at 550 s
	if s := secsOf(b[1]); math.Abs(s-851) > 1.01 {
		t.Errorf("second reminder at %.1f s, want ≈ 850 s (5 min after the return)", s)
	}
	sit := ofType(r.events, domain.EventSitting)
	if len(sit) != 1 || math.Abs(sit[0].Duration.Seconds()-400) > 1 {
		t.Errorf("want one sitting-session end of ≈400 s, got %v", sit)
	}
}

func TestStaleBaseline(t *testing.T) {
	r := run(t, "stale")
	rc := ofType(r.events, domain.EventRecalibrate)
	if len(rc) != 1 {
		t.Fatalf("want 1 recalibrate suggestion, got %v", r.events)
	}
	// camera moved at 20 s; the mismatch share passes 0.5 after ≈7 s; +60 s
	if s := secsOf(rc[0]); s < 80 || s > 95 {
		t.Errorf("recalibrate at %.1f s, want 80–95 s", s)
	}
	n := ofType(r.events, domain.EventNudge)
	for _, e := range n {
		if secsOf(e) < 140 {
			t.Errorf("nudge at %.1f s from a stale baseline", secsOf(e))
		}
	}
	if len(n) != 1 {
		t.Errorf("after dismissing, the sustained slouch is nudged once; got %v", n)
	}
	ctl := run(t, "stale-control")
	if len(ofType(ctl.events, domain.EventRecalibrate)) != 0 {
		t.Errorf("a real forward head must not look like a moved camera")
	}
	if len(ofType(ctl.events, domain.EventNudge)) != 1 {
		t.Errorf("forward head with a fitting baseline: want 1 nudge, got %v", ofType(ctl.events, domain.EventNudge))
	}
	// status shows the suggestion until a new baseline is set
	tr := loadTrace(t, "stale")
	tr.lines = tr.lines[:len(tr.lines)-81] // stop before the dismissal
	r2 := runTrace(t, tr, nil)
	if !r2.coach.Status(r2.end).RecalibrateSuggested {
		t.Fatalf("status should suggest recalibration")
	}
	r2.coach.SetBaseline(&domain.Baseline{Name: "new", Metrics: map[string]domain.Stat{domain.MetricShoulderHeight: {Median: 0.86, MAD: 0.01}}})
	if st := r2.coach.Status(r2.end); st.RecalibrateSuggested || st.Baseline != "new" {
		t.Errorf("after SetBaseline: %+v", st)
	}
}

// A camera move vision saw (the room behind the sitter shifted for good)
// calls a calibration stale at once, where the metrics' own check misses it:
// a screen tilted back moves the eyes in the frame but not the face's size.
func TestCameraMoveMakesTheBaselineStale(t *testing.T) {
	r := run(t, "stale-view")
	rc := ofType(r.events, domain.EventRecalibrate)
	if len(rc) != 1 || secsOf(rc[0]) != 25 {
		t.Fatalf("want 1 recalibrate suggestion at 25 s (the move), got %v", rc)
	}
	if !strings.Contains(rc[0].Message, "camera seems to have moved") {
		t.Errorf("message %q: want it to say the camera moved", rc[0].Message)
	}
	n := ofType(r.events, domain.EventNudge)
	if len(n) != 1 || secsOf(n[0]) < 140 {
		t.Errorf("want the one nudge after the dismissal at 140 s, got %v", n)
	}
	// Without vision's word the metrics never call the baseline stale, and
	// the tilted screen's slouch is nudged.
	tr := loadTrace(t, "stale-view")
	for i := range tr.lines {
		if tr.lines[i].obs != nil {
			o := *tr.lines[i].obs
			o.CameraMoved = false
			tr.lines[i].obs = &o
		}
	}
	blind := runTrace(t, tr, nil)
	if rc := ofType(blind.events, domain.EventRecalibrate); len(rc) != 0 {
		t.Errorf("without the move flag: want no suggestion (the metrics' check cannot see it), got %v", rc)
	}
	if n := ofType(blind.events, domain.EventNudge); len(n) == 0 || secsOf(n[0]) >= 140 {
		t.Errorf("without the move flag: want the stale baseline's nudge before 140 s, got %v", n)
	}
	// Without a baseline there is nothing to call stale.
	tr = loadTrace(t, "stale-view")
	tr.baseline = nil
	if rc := ofType(runTrace(t, tr, nil).events, domain.EventRecalibrate); len(rc) != 0 {
		t.Errorf("no baseline: want no suggestion, got %v", rc)
	}
	// A move that leaves the sitter where the calibration has her (a lamp
	// lit behind, the camera turned about its axis) leaves it in use.
	tr = loadTrace(t, "stale-view")
	at := func(i int) float64 { return tr.lines[i].t.Seconds() }
	for i := range tr.lines {
		if tr.lines[i].obs != nil && at(i) >= 20 {
			o := *tr.lines[0].obs // as calibrated
			o.CameraMoved = tr.lines[i].obs.CameraMoved
			tr.lines[i].obs = &o
		}
	}
	if rc := ofType(runTrace(t, tr, nil).events, domain.EventRecalibrate); len(rc) != 0 {
		t.Errorf("moved, the sitter in place: want no suggestion, got %v", rc)
	}
	// Reported while nobody is judged (away at the move), it is checked
	// when the sitter is back.
	tr = loadTrace(t, "stale-view")
	for i := range tr.lines {
		if tr.lines[i].obs != nil && at(i) >= 20 && at(i) < 40 {
			tr.lines[i].obs = &domain.Observation{Posture: domain.PostureAway, CameraMoved: tr.lines[i].obs.CameraMoved}
		}
	}
	rc = ofType(runTrace(t, tr, nil).events, domain.EventRecalibrate)
	if len(rc) != 1 || secsOf(rc[0]) < 40 || secsOf(rc[0]) > 42 {
		t.Errorf("moved while away: want the suggestion once the return at 40 s is confirmed, got %v", rc)
	}
}

func TestCalibrationTrace(t *testing.T) {
	r := run(t, "calibration")
	cal := ofType(r.events, domain.EventCalibration)
	if len(cal) != 4 || cal[1].Calibration != "finished" || cal[3].Calibration != "failed" {
		t.Fatalf("want started, finished, started, failed; got %v", cal)
	}
	b := cal[1].Baseline
	if b == nil || b.Name != "laptop" {
		t.Fatalf("finished calibration carries no baseline: %+v", cal[1])
	}
	// usable: 4–7 s (15 frames) and 8.4–10 s (8 frames) and the wild frame at 10 s = 24;
	// rejected: away 7–8, unknown at 8, confidence 0.1 at 8.2
	if b.Frames != 24 {
		t.Errorf("baseline from %d frames, want 24", b.Frames)
	}
	nl := b.Metrics[domain.MetricNeckEyes]
	if nl.N != 24 || math.Abs(nl.Median-0.50) > 1e-9 || math.Abs(nl.MAD-0.02) > 1e-9 {
		t.Errorf("neck_eyes stat %+v, want median 0.50 MAD 0.02 N 24 (the wild frame ignored)", nl)
	}
	if !strings.Contains(cal[3].Error, "usable frames") {
		t.Errorf("failed calibration should say why: %q", cal[3].Error)
	}
	if r.coach.Baseline() == nil || r.coach.Baseline().Name != "laptop" {
		t.Errorf("a failed calibration must keep the previous baseline")
	}
	st := stateEvents(r.events, domain.StateCalibrating)
	if len(st) != 2 {
		t.Errorf("want 2 calibrating states, got %v", st)
	}
}

func TestComputeBaselineRobust(t *testing.T) {
	var frames []domain.Observation
	for _, v := range []float64{1, 2, 3, 4, 100, 2.5, 3.5, 3} {
		frames = append(frames, domain.Observation{Posture: domain.PostureGood, Confidence: 0.8, Metrics: domain.Metrics{"m": v, "rare": 1}})
	}
	frames[0].Metrics = domain.Metrics{"m": 1}
	frames[1].Metrics = domain.Metrics{"m": 2}
	frames[2].Metrics = domain.Metrics{"m": 3}
	frames[3].Metrics = domain.Metrics{"m": 4}
	frames[4].Metrics = domain.Metrics{"m": 100}
	frames = append(frames, domain.Observation{Posture: domain.PostureAway, Metrics: domain.Metrics{"m": 50}},
		domain.Observation{Posture: domain.PostureBad, Confidence: 0.1, Metrics: domain.Metrics{"m": 50}})
	b, err := domain.ComputeBaseline("x", frames, 0.3, traceStart)
	if err != nil {
		t.Fatal(err)
	}
	// m over 1,2,3,4,100,2.5,3.5,3 → median 3, |dev| 2,1,0,1,97,0.5,0.5,0 → MAD 0.75
	if st := b.Metrics["m"]; st.Median != 3 || st.MAD != 0.75 || st.N != 8 {
		t.Errorf("m: %+v, want median 3 MAD 0.75 N 8", st)
	}
	if _, ok := b.Metrics["rare"]; ok {
		t.Errorf("a metric on 3 of 8 frames must be left out")
	}
	if b.Frames != 8 {
		t.Errorf("frames %d want 8", b.Frames)
	}
	_, err = domain.ComputeBaseline("x", frames[:5], 0.3, traceStart)
	if err == nil || !strings.Contains(err.Error(), "only 5 usable frames") {
		t.Errorf("too few frames: got %v", err)
	}
}

func TestCalibrationCommands(t *testing.T) {
	c := New(domain.DefaultConfig(), nil, nil)
	if _, _, err := c.FinishCalibration("x", traceStart); err == nil {
		t.Errorf("finish without start: want an error")
	}
	c.Pause(traceStart.Add(time.Hour), traceStart)
	if _, err := c.StartCalibration(traceStart.Add(time.Second)); err == nil {
		t.Errorf("calibrate while paused: want an error")
	}
}

func TestConfigValidateAndJSON(t *testing.T) {
	if err := domain.DefaultConfig().Validate(); err != nil {
		t.Fatalf("default config invalid: %v", err)
	}
	cases := map[string]string{
		`{"sensitivity":"extreme"}`:     "sensitivity",
		`{"onset_delay_s":121}`:         "onset_delay_s",
		`{"onset_delay_s":-1}`:          "onset_delay_s",
		`{"quiet_hours":"22-07"}`:       "quiet_hours",
		`{"quiet_hours":"25:00-07:00"}`: "quiet_hours",
		`{"repeat_nudges":0}`:           "repeat_nudges",
		`{"equipment":["sofa"]}`:        "equipment",
		`{"away_after_s":0}`:            "away_after_s",
		`{"cooldown_s":-5}`:             "cooldown_s",
	}
	for in, field := range cases {
		cfg := domain.DefaultConfig()
		if err := json.Unmarshal([]byte(in), &cfg); err != nil {
			t.Errorf("%s: unmarshal: %v", in, err)
			continue
		}
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: want an error naming %s, got %v", in, field, err)
		}
	}
	cfg := domain.DefaultConfig()
	if err := json.Unmarshal([]byte(`{"onset_delay_s": 30, "quiet_hours": "22:00-07:00"}`), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.OnsetDelay.D() != 30*time.Second || cfg.Cooldown.D() != 5*time.Minute || cfg.QuietHours != "22:00-07:00" {
		t.Errorf("partial update: %+v", cfg)
	}
	if err := json.Unmarshal([]byte(`{"onset":3}`), &cfg); err == nil {
		t.Errorf("unknown field: want an error")
	}
	data, _ := json.Marshal(cfg)
	var back domain.Config
	if err := json.Unmarshal(data, &back); err != nil || back.OnsetDelay != cfg.OnsetDelay || back.SittingReminder != cfg.SittingReminder || len(back.Equipment) != len(cfg.Equipment) {
		t.Errorf("round trip: %s → %+v (%v)", data, back, err)
	}
	c := New(domain.DefaultConfig(), nil, nil)
	bad := domain.DefaultConfig()
	bad.RepeatNudges = -1
	if err := c.SetConfig(bad); err == nil || c.Config().RepeatNudges != 3 {
		t.Errorf("SetConfig must refuse an invalid config and keep the old one")
	}
}

func TestEventJSON(t *testing.T) {
	e := domain.Event{Time: traceStart, Offset: domain.Sec(42500 * time.Millisecond), Type: domain.EventState, State: domain.StateGood, Previous: domain.StateSlouching, Duration: domain.Sec(3 * time.Second)}
	data, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(data, &m)
	if m["t_s"] != 42.5 || m["duration_s"] != 3.0 || m["type"] != "state" || m["state"] != "good" {
		t.Errorf("event JSON %s", data)
	}
	var back domain.Event
	if err := json.Unmarshal(data, &back); err != nil || back.Offset != e.Offset || back.Duration != e.Duration || back.State != e.State {
		t.Errorf("round trip %+v (%v)", back, err)
	}
}

func TestSmoothingUsesTimestamps(t *testing.T) {
	// the same slouch sampled at 2 fps and at 10 fps (with dropped frames) is confirmed
	// within a second of the same time
	at := func(fps float64, drop bool) float64 {
		c := New(domain.DefaultConfig(), nil, nil)
		step := time.Duration(float64(time.Second) / fps)
		i := 0
		for t := time.Duration(0); t < 60*time.Second; t += step {
			i++
			if drop && i%3 == 0 {
				continue
			}
			o := domain.Observation{Posture: domain.PostureGood, Confidence: 0.9, Offset: t}
			if t >= 10*time.Second {
				o.Posture, o.Faults = domain.PostureBad, []domain.Fault{{Name: domain.ForwardHead, Severity: 0.8}}
			}
			for _, e := range c.Step(o, traceStart.Add(t)) {
				if e.Type == domain.EventNudge {
					return e.Offset.Seconds()
				}
			}
		}
		return -1
	}
	a, b := at(2, false), at(10, true)
	if a < 0 || b < 0 || math.Abs(a-b) > 1 {
		t.Errorf("nudge at %.1f s (2 fps) vs %.1f s (10 fps, dropped frames): want within 1 s", a, b)
	}
}

func TestStatsBucketsAndTakeMinutes(t *testing.T) {
	r := run(t, "onset-long")
	c := r.coach
	mins := c.TakeMinutes()
	if len(mins) != 1 || !mins[0].Start.Equal(traceStart) {
		t.Fatalf("want the finished minute 09:00, got %v", mins)
	}
	if again := c.TakeMinutes(); len(again) != 0 {
		t.Errorf("TakeMinutes twice returned %v", again)
	}
	cur := c.CurrentMinute()
	total := mins[0].PresentS + cur.PresentS
	if math.Abs(total-89.8) > 0.01 {
		t.Errorf("present over minutes %.2f s, want 89.8 s", total)
	}
	fh := mins[0].FaultS[domain.ForwardHead] + cur.FaultS[domain.ForwardHead]
	if fh < 8 || fh > 12 {
		t.Errorf("forward head time %.1f s, want ≈ 10 s (confirmed ≈51 s until good ≈62 s)", fh)
	}
	snap := c.Stats()
	if len(snap.Days) != 1 || len(snap.Hours) != 1 || snap.Days[0].Nudges != 1 || snap.Hours[0].Nudges != 1 {
		t.Errorf("snapshot %+v", snap)
	}
	// the streak ends where the fault began to be timed: the onset's 20 s
	// before the slouch are not good time
	slouchAt := secsOf(stateEvents(r.events, domain.StateSlouching)[0])
	if l := snap.Days[0].LongestGoodS; math.Abs(l-(slouchAt-20)) > 0.01 {
		t.Errorf("longest good streak %.1f s, want %.1f s (start to the fault's onset)", l, slouchAt-20)
	}
	st := c.Status(r.end)
	if st.State != domain.StateGood || st.GoodTodayS < 55 || st.GoodTodayS > 65 || st.StreakS < 25 || st.Score < 90 {
		t.Errorf("status %+v", st)
	}
}

func TestUnknownHoldsState(t *testing.T) {
	r := run(t, "unknown-hold")
	st := ofType(r.events, domain.EventState)
	// good at 0, slouching ≈47 s, good ≈82 s: nothing at the unknown stretches
	if len(st) != 3 || st[1].State != domain.StateSlouching || st[2].State != domain.StateGood {
		t.Fatalf("want good, slouching, good; got %v", st)
	}
	if s := secsOf(st[2]); s < 80 || s > 84 {
		t.Errorf("back to good at %.1f s, want 80–84 s (the unknown stretch holds the slouch)", s)
	}
	if n := ofType(r.events, domain.EventNudge); len(n) != 1 {
		t.Errorf("want 1 nudge, got %v", n)
	}
	day := r.coach.Stats().Days[0]
	if day.PresentS < 89 {
		t.Errorf("present %.1f s: unknown frames are presence", day.PresentS)
	}
}

func TestStatusDuringSlouch(t *testing.T) {
	tr := loadTrace(t, "onset-long")
	tr.lines = tr.lines[:len(tr.lines)-150] // stop at 60 s, inside the slouch
	r := runTrace(t, tr, nil)
	st := r.coach.Status(r.end)
	if st.State != domain.StateSlouching || st.Fault != domain.ForwardHead || st.Score > 30 || st.StreakS != 0 {
		t.Errorf("status %+v", st)
	}
	if len(st.Faults) == 0 || st.Faults[0].Name != domain.ForwardHead || !st.Faults[0].Confirmed || st.Faults[0].ForS < 25 {
		t.Errorf("faults %+v", st.Faults)
	}
	data, err := json.Marshal(st)
	if err != nil || !strings.Contains(string(data), `"state":"slouching"`) || !strings.Contains(string(data), `"baseline":"defaults"`) {
		t.Errorf("status JSON %s %v", data, err)
	}
}

func TestSinkingIsNotAMovedCamera(t *testing.T) {
	// the stale trace with the face size unchanged: shoulders and eyes lower in the
	// frame is the user sinking into the chair (a slouch), not a moved camera
	tr := loadTrace(t, "stale")
	for i, l := range tr.lines {
		if l.obs != nil {
			o := *l.obs
			o.Metrics = domain.Metrics{}
			for k, v := range l.obs.Metrics {
				o.Metrics[k] = v
			}
			o.Metrics[domain.MetricFaceFrame] = 0.15
			tr.lines[i].obs = &o
		}
	}
	r := runTrace(t, tr, nil)
	if rc := ofType(r.events, domain.EventRecalibrate); len(rc) != 0 {
		t.Errorf("sinking into the chair suggested recalibrating: %v", rc)
	}
	n := ofType(r.events, domain.EventNudge)
	if len(n) != 1 || n[0].Fault != domain.Slouch || secsOf(n[0]) > 45 {
		t.Errorf("want the slouch nudged at its onset, got %v", n)
	}
}

// Trace format (coach/testdata/*.trace), one directive or observation a line:
//
//	# comment
//	start 2026-11-24T09:00:00Z        clock at t=0 (default below)
//	fps 5                             frame rate of range lines (default 5)
//	config {"onset_delay_s": 20}      JSON merged over DefaultConfig
//	baseline {"name":"desk","metrics":{"neck_eyes":{"median":0.5,"mad":0.01}}}
//	T POSTURE [conf=C] [FAULT:SEV ...] [METRIC=VALUE ...]
//	FROM-TO POSTURE ...               the same observation every 1/fps s in [FROM, TO)
//	T !pause SECONDS | !resume | !calibrate | !finish NAME | !cancel | !routine-done ID | !dismiss
//
// T is seconds on the trace's timeline. The expected events are in the
// sibling .golden file (Event.String per line, then an "end" summary line);
// run `go test ./coach -run 'Golden|Clip' -update` to regenerate, then review the diff.

var (
	update      = flag.Bool("update", false, "rewrite the .golden files of the coach traces")
	recordClips = flag.String("record-clips", "", "path of a built posturewatch binary: re-record testdata/clip-*.trace from ../shared/posture-data/clips with `analyze --json --fps 5`")
)

var traceStart = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

type traceLine struct {
	t   time.Duration
	obs *domain.Observation
	cmd []string
}

type trace struct {
	start    time.Time
	cfg      domain.Config
	baseline *domain.Baseline
	lines    []traceLine
}

func parseTrace(path string) (*trace, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tr := &trace{start: traceStart, cfg: domain.DefaultConfig()}
	fps := 5.0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		bad := func(format string, a ...any) error {
			return fmt.Errorf("%s:%d: %s", path, n, fmt.Sprintf(format, a...))
		}
		word, rest, _ := strings.Cut(line, " ")
		rest = strings.TrimSpace(rest)
		switch word {
		case "start":
			t, err := time.Parse(time.RFC3339, rest)
			if err != nil {
				return nil, bad("start: %v", err)
			}
			tr.start = t
			continue
		case "fps":
			v, err := strconv.ParseFloat(rest, 64)
			if err != nil || v <= 0 {
				return nil, bad("bad fps %q", rest)
			}
			fps = v
			continue
		case "config":
			if err := json.Unmarshal([]byte(rest), &tr.cfg); err != nil {
				return nil, bad("config: %v", err)
			}
			if err := tr.cfg.Validate(); err != nil {
				return nil, bad("config: %v", err)
			}
			continue
		case "baseline":
			var b domain.Baseline
			if err := json.Unmarshal([]byte(rest), &b); err != nil {
				return nil, bad("baseline: %v", err)
			}
			tr.baseline = &b
			continue
		}
		from, to, isRange, err := parseTimes(word)
		if err != nil {
			return nil, bad("%v", err)
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return nil, bad("missing posture or command")
		}
		if strings.HasPrefix(fields[0], "!") {
			tr.lines = append(tr.lines, traceLine{t: from, cmd: fields})
			continue
		}
		obs, err := parseObs(fields)
		if err != nil {
			return nil, bad("%v", err)
		}
		if !isRange {
			o := obs
			tr.lines = append(tr.lines, traceLine{t: from, obs: &o})
			continue
		}
		step := time.Duration(float64(time.Second) / fps)
		for i := 0; ; i++ {
			t := from + time.Duration(i)*step
			if t >= to {
				break
			}
			o := obs
			tr.lines = append(tr.lines, traceLine{t: t, obs: &o})
		}
	}
	return tr, sc.Err()
}

func parseTimes(s string) (from, to time.Duration, isRange bool, err error) {
	a, b, isRange := strings.Cut(s, "-")
	fa, err := strconv.ParseFloat(a, 64)
	if err != nil {
		return 0, 0, false, fmt.Errorf("bad time %q", s)
	}
	from = dur(fa)
	if !isRange {
		return from, from, false, nil
	}
	fb, err := strconv.ParseFloat(b, 64)
	if err != nil || fb <= fa {
		return 0, 0, false, fmt.Errorf("bad range %q", s)
	}
	return from, dur(fb), true, nil
}

func parseObs(fields []string) (domain.Observation, error) {
	o := domain.Observation{Posture: domain.Posture(fields[0]), Confidence: 0.9, Metrics: domain.Metrics{}}
	switch o.Posture {
	case domain.PostureGood, domain.PostureBad, domain.PostureAway, domain.PostureUnknown:
	default:
		return o, fmt.Errorf("bad posture %q", fields[0])
	}
	if o.Posture == domain.PostureAway {
		o.Confidence = 0
	}
	for _, f := range fields[1:] {
		if k, v, ok := strings.Cut(f, "="); ok {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return o, fmt.Errorf("bad value in %q", f)
			}
			if k == "conf" {
				o.Confidence = x
			} else {
				o.Metrics[k] = x
			}
			continue
		}
		if f == "moved" {
			o.CameraMoved = true
			continue
		}
		if f == "provisional" {
			o.Provisional = true
			continue
		}
		if k, v, ok := strings.Cut(f, ":"); ok {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil || !domain.FaultName(k).Valid() {
				return o, fmt.Errorf("bad fault %q", f)
			}
			o.Faults = append(o.Faults, domain.Fault{Name: domain.FaultName(k), Severity: x})
			continue
		}
		return o, fmt.Errorf("bad field %q", f)
	}
	domain.SortFaults(o.Faults)
	return o, nil
}

// runResult is what a trace produced.
type runResult struct {
	events []domain.Event
	coach  *Coach
	end    time.Time
}

func runTrace(t *testing.T, tr *trace, cat *exercise.Catalogue) runResult {
	t.Helper()
	c := New(tr.cfg, tr.baseline, cat)
	var res runResult
	res.coach = c
	for _, l := range tr.lines {
		now := tr.start.Add(l.t)
		res.end = now
		if l.obs != nil {
			o := *l.obs
			o.Offset, o.Time = l.t, now
			res.events = append(res.events, c.Step(o, now)...)
			continue
		}
		var evs []domain.Event
		var err error
		switch l.cmd[0] {
		case "!pause":
			if len(l.cmd) != 2 {
				t.Fatalf("!pause wants SECONDS")
			}
			s, _ := strconv.ParseFloat(l.cmd[1], 64)
			evs, err = c.Pause(now.Add(dur(s)), now)
		case "!resume":
			evs = c.Resume(now)
		case "!calibrate":
			evs, err = c.StartCalibration(now)
		case "!finish":
			name := ""
			if len(l.cmd) > 1 {
				name = l.cmd[1]
			}
			_, evs, _ = c.FinishCalibration(name, now) // a failure is in the events
		case "!cancel":
			evs = c.CancelCalibration(now)
		case "!routine-done":
			evs = c.RoutineDone(strings.Join(l.cmd[1:], " "), now)
		case "!dismiss":
			c.DismissRecalibrate()
		default:
			t.Fatalf("unknown command %q", l.cmd[0])
		}
		if err != nil {
			t.Fatalf("%s at %v: %v", l.cmd[0], l.t, err)
		}
		res.events = append(res.events, evs...)
	}
	return res
}

func renderEvents(res runResult) string {
	var b strings.Builder
	for _, e := range res.events {
		if e.Routine != nil {
			// the routine's content belongs to the catalogue's tests
			e.Routine = &domain.Routine{ID: fmt.Sprintf("(%d exercises)", len(e.Routine.Items))}
		}
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	snap := res.coach.Stats()
	var present, good float64
	var nudges, sugg, done int
	for _, d := range snap.Days {
		present += d.PresentS
		good += d.GoodS
		nudges += d.Nudges
		sugg += d.BreaksSuggested
		done += d.BreaksDone
	}
	fmt.Fprintf(&b, "end present=%.1fs good=%.1fs nudges=%d breaks_suggested=%d breaks_done=%d state=%s\n",
		present, good, nudges, sugg, done, res.coach.Status(res.end).State)
	return b.String()
}

func loadTrace(t *testing.T, name string) *trace {
	t.Helper()
	tr, err := parseTrace(filepath.Join("testdata", name+".trace"))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// checkGolden compares the rendered events with testdata/NAME.golden.
func checkGolden(t *testing.T, name string, res runResult) {
	t.Helper()
	got := renderEvents(res)
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s: events differ from %s\n--- got\n%s--- want\n%s", name, path, got, want)
	}
}

// helpers over event lists

func ofType(evs []domain.Event, typ domain.EventType) []domain.Event {
	var out []domain.Event
	for _, e := range evs {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func inWindow(evs []domain.Event, from, to float64) []domain.Event {
	var out []domain.Event
	for _, e := range evs {
		if s := e.Offset.Seconds(); s >= from && s <= to {
			out = append(out, e)
		}
	}
	return out
}

func secsOf(e domain.Event) float64 { return math.Round(e.Offset.Seconds()*1000) / 1000 }

// clipsToRecord are the real clips kept as trace fixtures.
var clipsToRecord = []string{"forward-head-session", "away-and-back"}

// TestRecordClipTraces re-records the real-clip traces when -record-clips
// names a built binary; otherwise it is skipped.
func TestRecordClipTraces(t *testing.T) {
	if *recordClips == "" {
		t.Skip("re-recording the clip traces needs -record-clips=/path/to/posturewatch")
	}
	dir := filepath.Join("..", "..", "shared", "posture-data", "clips")
	for _, name := range clipsToRecord {
		clip := filepath.Join(dir, name+".mp4")
		if _, err := os.Stat(clip); err != nil {
			t.Skipf("clip %s absent: %v", clip, err)
		}
		cmd := exec.Command(*recordClips, "analyze", "--json", "--fps", "5", clip)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("analyze %s: %v\n%s", clip, err, stderr.String())
		}
		tr, err := analyzeJSONToTrace(out, name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("testdata", "clip-"+name+".trace"), tr, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// analyzeJSONToTrace converts `posturewatch analyze --json` lines into the
// trace format (faults, confidence and the metrics the stale-baseline check
// uses; keypoints and the other metrics are dropped).
func analyzeJSONToTrace(jsonl []byte, name string) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s.mp4 (../shared/posture-data/clips) through `posturewatch analyze --json --fps 5`,\n", name)
	b.WriteString("# recorded by `go test ./coach -run RecordClipTraces -record-clips=PATH/posturewatch`.\n")
	b.WriteString("# Confidence: the record's confidence, else the mean score of the head and shoulder keypoints.\n# Metrics: those the stale-baseline check uses, rounded to 3 decimals.\n")
	sc := bufio.NewScanner(bytes.NewReader(jsonl))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		var r struct {
			TS         float64           `json:"t_s"`
			Posture    domain.Posture    `json:"posture"`
			Faults     []domain.Fault    `json:"faults"`
			Keypoints  []domain.Keypoint `json:"keypoints"`
			Metrics    domain.Metrics    `json:"metrics"`
			Confidence *float64          `json:"confidence"`
			Error      string            `json:"error"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("analyze output line %d: %w", n, err)
		}
		if r.Error != "" {
			fmt.Fprintf(&b, "# %.1f error: %s\n", r.TS, r.Error)
			continue
		}
		conf := 0.0
		if r.Confidence != nil {
			conf = *r.Confidence
		} else {
			sum, cnt := 0.0, 0
			for _, k := range r.Keypoints {
				switch k.Name {
				case "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder":
					sum += k.Score
					cnt++
				}
			}
			if cnt > 0 {
				conf = sum / float64(cnt)
			}
		}
		fmt.Fprintf(&b, "%.1f %s conf=%.2f", r.TS, r.Posture, conf)
		for _, f := range r.Faults {
			fmt.Fprintf(&b, " %s:%.2f", f.Name, f.Severity)
		}
		for _, k := range append(append([]string(nil), positionMetrics...), shapeMetrics...) {
			if v, ok := r.Metrics[k]; ok {
				fmt.Fprintf(&b, " %s=%.3f", k, v)
			}
		}
		b.WriteByte('\n')
	}
	return b.Bytes(), sc.Err()
}

// Real traces: the clips of ../shared/posture-data/clips through vision,
// recorded as fixtures (see TestRecordClipTraces), at default settings.

func TestClipForwardHeadSession(t *testing.T) {
	r := run(t, "clip-forward-head-session")
	checkGolden(t, "clip-forward-head-session", r)
	n := ofType(r.events, domain.EventNudge)
	if len(n) != 1 || n[0].Fault != domain.ForwardHead {
		t.Fatalf("want exactly one forward_head nudge, got %v", n)
	}
	// forward head from 20 s; default onset 20 s: between 40 and 45 s
	if s := secsOf(n[0]); s < 40 || s > 45 {
		t.Errorf("nudge at %.1f s, want 40–45 s", s)
	}
	if len(inWindow(n, 0, 20)) != 0 || len(inWindow(n, 60, 80)) != 0 {
		t.Errorf("nudge in 0–20 s or 60–80 s: %v", n)
	}
	var back []domain.Event
	for _, e := range stateEvents(r.events, domain.StateGood) {
		if secsOf(e) >= 60 {
			back = append(back, e)
		}
	}
	if len(back) != 1 || secsOf(back[0]) > 65 || back[0].Previous != domain.StateSlouching {
		t.Errorf("want back to good from slouching within 5 s after 60 s, got %v", back)
	}
}

func TestClipAwayAndBack(t *testing.T) {
	r := run(t, "clip-away-and-back")
	checkGolden(t, "clip-away-and-back", r)
	away := stateEvents(r.events, domain.StateAway)
	if len(away) != 1 || secsOf(away[0]) < 10 || secsOf(away[0]) > 15 {
		t.Errorf("want away within 5 s of 10 s, got %v", away)
	}
	if n := ofType(r.events, domain.EventNudge); len(n) != 0 {
		t.Errorf("want no nudge, got %v", n)
	}
	// present 0–10 s and 30–40 s: presence stops while away
	day := r.coach.Stats().Days[0]
	if day.PresentS < 18 || day.PresentS > 21 {
		t.Errorf("present %.1f s over the 40 s clip, want ≈ 20 s", day.PresentS)
	}
	good := stateEvents(r.events, domain.StateGood)
	if last := good[len(good)-1]; secsOf(last) < 30 || secsOf(last) > 33 {
		t.Errorf("back at %.1f s, want 30–33 s", secsOf(last))
	}
}

// calibrateFromTrace makes a baseline the way FinishCalibration does, from
// the trace's observations in [from, to).
func calibrateFromTrace(t *testing.T, tr *trace, from, to float64) *domain.Baseline {
	t.Helper()
	var frames []domain.Observation
	for _, l := range tr.lines {
		if l.obs != nil && l.t.Seconds() >= from && l.t.Seconds() < to {
			frames = append(frames, *l.obs)
		}
	}
	b, err := domain.ComputeBaseline("clip", frames, domain.DefaultConfig().MinConfidence, traceStart)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestClipRealForwardHeadIsNotAMovedCamera(t *testing.T) {
	tr := loadTrace(t, "clip-forward-head-session")
	tr.baseline = calibrateFromTrace(t, tr, 0, 18)
	if n := tr.baseline.Metrics[domain.MetricNeckEyes].N; n < 80 {
		t.Fatalf("calibration used %d frames, want the 90 of 0–18 s", n)
	}
	r := runTrace(t, tr, nil)
	if rc := ofType(r.events, domain.EventRecalibrate); len(rc) != 0 {
		t.Errorf("a real forward head against a fitting baseline must not suggest recalibrating: %v", rc)
	}
	if n := ofType(r.events, domain.EventNudge); len(n) != 1 {
		t.Errorf("want the one forward-head nudge, got %v", n)
	}
}

func TestClipMovedCameraSuggestsRecalibration(t *testing.T) {
	tr := loadTrace(t, "clip-forward-head-session")
	tr.baseline = calibrateFromTrace(t, tr, 0, 18)
	// From 20 s on, the camera is tilted up and moved back: the user sits lower in
	// the frame and smaller; ratios of the body's own lengths are unchanged.
	// Vision, judging against the old place, would report a slouch.
	var moved []traceLine
	for _, l := range tr.lines {
		if l.obs == nil || l.t.Seconds() < 20 {
			moved = append(moved, l)
			continue
		}
		o := *l.obs
		o.Metrics = domain.Metrics{}
		for k, v := range l.obs.Metrics {
			o.Metrics[k] = v
		}
		if l.t.Seconds() < 60 { // the forward head of the clip is the user: keep only upright frames
			continue
		}
		o.Metrics[domain.MetricShoulderHeight] += 0.08
		o.Metrics[domain.MetricEyeHeight] += 0.12
		o.Metrics[domain.MetricFaceFrame] *= 0.8
		o.Posture, o.Faults = domain.PostureBad, []domain.Fault{{Name: domain.Slouch, Severity: 0.8}}
		moved = append(moved, traceLine{t: l.t, obs: &o})
	}
	// replay the moved upright stretch (60–80 s) four times over to make 80 s of it
	var lines []traceLine
	var upright []traceLine
	for _, l := range moved {
		if l.t.Seconds() >= 60 {
			upright = append(upright, l)
		} else {
			lines = append(lines, l)
		}
	}
	for rep := 0; rep < 4; rep++ {
		for _, l := range upright {
			l.t = l.t - 40*time.Second + time.Duration(rep)*20*time.Second
			lines = append(lines, l)
		}
	}
	tr.lines = lines
	r := runTrace(t, tr, nil)
	rc := ofType(r.events, domain.EventRecalibrate)
	if len(rc) != 1 {
		t.Fatalf("want one recalibrate suggestion, got %v", r.events)
	}
	if s := secsOf(rc[0]); s < 80 || s > 95 {
		t.Errorf("recalibrate at %.1f s, want 80–95 s (moved at 20 s, +≈7 s, +60 s)", s)
	}
	if n := ofType(r.events, domain.EventNudge); len(n) != 0 {
		t.Errorf("no nudge from a stale baseline, got %v", n)
	}
}

// dur converts trace seconds; a bad number fails the trace parse loudly.
func dur(s float64) time.Duration {
	d, err := domain.SecondsFromFloat(s)
	if err != nil {
		panic(err)
	}
	return d.D()
}
