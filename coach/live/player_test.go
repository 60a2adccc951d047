package live

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"posturewatch/coach/domain"
)

// While calibrating, every new usable frame reaches the dashboard as a
// status with the count, so "frames captured" moves as they come.
func TestCalibrationFramesPublishedAsTheyCome(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := startFixture(t, nil)
		defer f.shutdown()
		if st := f.svc.Status(); !st.FirstRun {
			t.Error("no profile stored or in use, yet not a first run")
		}
		if err := f.svc.StartCalibration(); err != nil {
			t.Fatal(err)
		}
		f.feed(3*time.Second, 250*time.Millisecond, good)
		synctest.Wait()
		f.pub.mu.Lock()
		var counts []int
		for _, st := range f.pub.statuses {
			if st.State == domain.StateCalibrating && st.CalibrationFrames > 0 {
				counts = append(counts, st.CalibrationFrames)
			}
		}
		f.pub.mu.Unlock()
		if len(counts) < 10 {
			t.Fatalf("%d statuses with a frame count over 12 frames: %v", len(counts), counts)
		}
		for i := 1; i < len(counts); i++ {
			if counts[i] <= counts[i-1] {
				t.Errorf("frame counts not rising one status at a time: %v", counts)
				break
			}
		}
		// the finished profile's setup is in the status, in words
		if _, err := f.svc.FinishCalibration("desk"); err != nil {
			t.Fatal(err)
		}
		st := f.svc.Status()
		if st.Setup == nil || !strings.Contains(st.Setup.Summary, "cm away") {
			t.Errorf("status setup after calibrating: %+v", st.Setup)
		}
		if st.FirstRun {
			t.Error("still a first run after a calibration")
		}
	})
}

// The status says whether the routine is being played and where, so a
// reloaded player can resume; asking for the running routine again does
// not start it over.
func TestRoutineProgressInStatus(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := startFixture(t, nil)
		defer f.shutdown()
		r, err := f.svc.StartRoutine(domain.RoutineStart{Faults: []domain.FaultName{domain.RoundedShoulders}})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Items) < 2 {
			t.Fatalf("routine too short for the test: %d items", len(r.Items))
		}
		if st := f.svc.Status(); !st.RoutineRunning || st.RoutineExercise != 0 {
			t.Errorf("running %v at %d, want running at 0", st.RoutineRunning, st.RoutineExercise)
		}
		if err := f.svc.ExerciseDone(r.ID, r.Items[0].Exercise.ID, false); err != nil {
			t.Fatal(err)
		}
		again, err := f.svc.StartRoutine(domain.RoutineStart{ID: r.ID})
		if err != nil || again.ID != r.ID {
			t.Fatalf("the running routine asked for again: %v, %v", again, err)
		}
		if st := f.svc.Status(); !st.RoutineRunning || st.RoutineExercise != 1 {
			t.Errorf("after a reload: running %v at %d, want at 1", st.RoutineRunning, st.RoutineExercise)
		}
		if err := f.svc.StopRoutine(); err != nil {
			t.Fatal(err)
		}
		if st := f.svc.Status(); st.RoutineRunning {
			t.Error("a stopped routine is still running")
		}
	})
}

// A stretch break counts in the statistics and reaches the history: a
// finished routine, and one stopped after an exercise was done; a routine
// stopped with nothing done does not count.
func TestStretchBreakCountsInStatistics(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		time.Sleep(9 * time.Hour) // the bubble's clock starts at midnight
		f := startFixture(t, nil)
		f.feed(5*time.Second, 500*time.Millisecond, good)
		breaks := func() int {
			n := 0
			for _, d := range f.svc.Stats().Days {
				n += d.BreaksDone
			}
			return n
		}
		start := func() *domain.Routine {
			r, err := f.svc.StartRoutine(domain.RoutineStart{Faults: []domain.FaultName{domain.ForwardHead}})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		r := start()
		if err := f.svc.ExerciseDone(r.ID, "", false); err != nil {
			t.Fatal(err)
		}
		if n := breaks(); n != 1 {
			t.Errorf("after a finished routine: %d breaks done, want 1", n)
		}
		r = start()
		if err := f.svc.ExerciseDone(r.ID, r.Items[0].Exercise.ID, true); err != nil { // skipped
			t.Fatal(err)
		}
		if err := f.svc.StopRoutine(); err != nil {
			t.Fatal(err)
		}
		if n := breaks(); n != 1 {
			t.Errorf("a routine stopped with nothing done counted: %d breaks done", n)
		}
		r = start()
		if err := f.svc.ExerciseDone(r.ID, r.Items[0].Exercise.ID, false); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.StopRoutine(); err != nil {
			t.Fatal(err)
		}
		if n := breaks(); n != 2 {
			t.Errorf("after a routine stopped with one exercise done: %d breaks done, want 2", n)
		}
		f.feed(70*time.Second, time.Second, good)
		f.shutdown() // saves the current minute
		kept := 0
		for _, m := range f.hist.minutes {
			kept += m.BreaksDone
		}
		if kept != 2 {
			t.Errorf("the history holds %d breaks done, want 2", kept)
		}
	})
}

// A routine started from the dashboard keeps off the floor while the user
// sits at the desk; with nobody there the floor is fair again.
func TestDashboardRoutineAtTheDesk(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := startFixture(t, nil)
		defer f.shutdown()
		floor := func() []string {
			r, err := f.svc.StartRoutine(domain.RoutineStart{Faults: []domain.FaultName{domain.Slouch}})
			if err != nil {
				t.Fatal(err)
			}
			if err := f.svc.StopRoutine(); err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, it := range r.Items {
				if it.Exercise.Floor {
					out = append(out, it.Exercise.ID)
				}
			}
			return out
		}
		f.feed(5*time.Second, 500*time.Millisecond, good)
		if got := floor(); len(got) > 0 {
			t.Errorf("at the desk the routine has floor exercises %v", got)
		}
		f.feed(10*time.Second, 500*time.Millisecond, away)
		if st := f.svc.Status(); st.State != domain.StateAway {
			t.Fatalf("state %s, want away", st.State)
		}
		if got := floor(); len(got) == 0 {
			t.Error("away from the desk the slouch routine has no floor exercise: the rule above proves nothing")
		}
	})
}

// A test nudge goes where a real one goes, and is neither counted nor kept.
func TestTestNudge(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := &fakeNotifier{}
		f := startFixture(t, func(o *Options) { o.Notifier = n })
		cfg := f.svc.Config()
		cfg.DesktopNotifications = true
		if err := f.svc.SetConfig(cfg); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.TestNudge(); err != nil {
			t.Fatal(err)
		}
		evs := f.pub.ofType(domain.EventNudge)
		if len(evs) != 1 || !evs[0].Test || evs[0].Message == "" || evs[0].Fix == "" {
			t.Fatalf("published nudges %+v", evs)
		}
		n.mu.Lock()
		shown := len(n.shown)
		n.mu.Unlock()
		if shown != 1 {
			t.Errorf("desktop notifier showed %d nudges, want the test one", shown)
		}
		for _, d := range f.svc.Stats().Days {
			if d.Nudges != 0 {
				t.Errorf("the test nudge was counted: %d nudges", d.Nudges)
			}
		}
		f.shutdown()
		for _, e := range f.hist.events {
			if e.Type == domain.EventNudge {
				t.Errorf("the test nudge was kept in the history: %+v", e)
			}
		}
	})
}
