package live

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"posturewatch/coach/domain"
)

// Frames flow through the coach: a forward head held past the onset gives
// one nudge, published and kept in History, with samples carrying the
// coach's state; the sampling rate follows what happens.
func TestFramesToNudge(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var decided []time.Time
		f := startFixture(t, func(o *Options) {
			o.OnEvent = func(e domain.Event, at time.Time) {
				if e.Type == domain.EventNudge {
					decided = append(decided, at)
				}
			}
		})
		f.feed(30*time.Second, 500*time.Millisecond, good)
		synctest.Wait()
		if got := f.cam.lastInterval(); got != SampleVerySteady && got != SampleSteady {
			t.Errorf("after 30 s of steady good posture the interval is %v, want a slow one", got)
		}
		f.feed(40*time.Second, 500*time.Millisecond, forwardHead)
		synctest.Wait()
		nudges := f.pub.ofType(domain.EventNudge)
		if len(nudges) != 1 || nudges[0].Fault != domain.ForwardHead {
			t.Fatalf("nudges %+v, want one for forward head", nudges)
		}
		if len(decided) != 1 {
			t.Errorf("OnEvent saw %d nudges", len(decided))
		}
		if st := f.pub.lastStatus(); st.State != domain.StateSlouching || st.Fault != domain.ForwardHead {
			t.Errorf("status after the nudge: %s/%s", st.State, st.Fault)
		}
		f.pub.mu.Lock()
		last := f.pub.samples[len(f.pub.samples)-1]
		n := len(f.pub.samples)
		f.pub.mu.Unlock()
		if n != 140 || last.State != domain.StateSlouching || last.Score == nil || *last.Score != 20 {
			t.Errorf("%d samples, the last %+v", n, last)
		}
		if got := f.svc.Frames(); got != 140 {
			t.Errorf("Frames() = %d, want 140", got)
		}
		f.shutdown()
		f.hist.mu.Lock()
		defer f.hist.mu.Unlock()
		kept := 0
		for _, e := range f.hist.events {
			if e.Type == domain.EventNudge {
				kept++
			}
		}
		if kept != 1 {
			t.Errorf("history holds %d nudges", kept)
		}
		present := 0.0
		for _, m := range f.hist.minutes {
			present += m.PresentS
		}
		if present < 65 || present > 71 {
			t.Errorf("history holds %.1f s present (the minute unfinished at the stop included), want ≈ 70", present)
		}
	})
}

// Pausing releases the camera before it returns; the pause ends by itself
// at its time, and the camera opens again.
func TestPauseReleasesAndEndsByItself(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := startFixture(t, nil)
		defer f.shutdown()
		f.feed(5*time.Second, 500*time.Millisecond, good)
		if err := f.svc.Resume(); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Errorf("resume when not paused: %v, want a conflict", err)
		}
		if err := f.svc.Pause(time.Now().Add(10 * time.Minute)); err != nil {
			t.Fatal(err)
		}
		if st := f.svc.Status(); st.State != domain.StatePaused || !st.Camera.Released || st.Camera.OK {
			t.Errorf("paused status %+v", st)
		}
		if err := f.svc.Pause(time.Now().Add(-time.Minute)); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("a pause ending in the past: %v, want invalid", err)
		}
		time.Sleep(10*time.Minute + 2*time.Second)
		synctest.Wait()
		f.cam.mu.Lock()
		rel, res := f.cam.releases, f.cam.resumes
		f.cam.mu.Unlock()
		if rel != 1 || res != 1 {
			t.Errorf("camera released %d, resumed %d times; want 1 and 1", rel, res)
		}
		if len(f.pub.ofType(domain.EventResumed)) != 1 {
			t.Errorf("no resumed event after the pause ran out")
		}
		if st := f.svc.Status(); st.State == domain.StatePaused {
			t.Error("still paused after the pause ran out")
		}
	})
}

// Calibration needs a picture; a calibration left running ends by itself;
// finishing one saves the profile, makes it active and judges by it.
func TestCalibration(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := startFixture(t, nil)
		defer f.shutdown()
		f.cam.setState(domain.CameraRetrying)
		if err := f.svc.StartCalibration(); domain.ErrorCode(err) != domain.EUNAVAILABLE {
			t.Errorf("calibration without a picture: %v, want unavailable", err)
		}
		f.cam.setState(domain.CameraOK)
		if err := f.svc.CancelCalibration(); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Errorf("cancel with none running: %v, want a conflict", err)
		}
		if err := f.svc.StartCalibration(); err != nil {
			t.Fatal(err)
		}
		if got := f.cam.lastInterval(); got != SampleFast {
			t.Errorf("calibrating at %v, want %v", got, SampleFast)
		}
		time.Sleep(CalibrationTimeout + 2*time.Second) // the tab was closed
		synctest.Wait()
		if st := f.svc.Status(); st.State == domain.StateCalibrating {
			t.Fatal("calibration still running after the timeout")
		}

		if err := f.svc.StartCalibration(); err != nil {
			t.Fatal(err)
		}
		f.feed(6*time.Second, 500*time.Millisecond, good)
		b, err := f.svc.FinishCalibration("desk monitor")
		if err != nil {
			t.Fatal(err)
		}
		if b.Name != "desk monitor" || f.cam.currentBaseline() != b {
			t.Errorf("baseline %q not handed to the camera", b.Name)
		}
		if _, err := f.profiles.Load("desk monitor"); err != nil || f.profiles.active != "desk monitor" {
			t.Errorf("profile not saved and active: %v, active %q", err, f.profiles.active)
		}
		if st := f.svc.Status(); st.Profile != "desk monitor" {
			t.Errorf("status names profile %q", st.Profile)
		}

		// a profile that cannot be saved is still used, and the user is told
		f.profiles.failSave = errDiskFull
		if err := f.svc.StartCalibration(); err != nil {
			t.Fatal(err)
		}
		f.feed(6*time.Second, 500*time.Millisecond, good)
		if _, err := f.svc.FinishCalibration("laptop"); err == nil || !errors.Is(err, errDiskFull) {
			t.Errorf("unsaved profile: %v", err)
		}
		if st := f.svc.Status(); st.Profile != "laptop" {
			t.Errorf("the unsaved profile is not in use: %q", st.Profile)
		}
	})
}

// Profiles: using one hands its baseline to the camera and the coach;
// deleting the one in use goes back to the defaults.
func TestProfiles(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := startFixture(t, nil)
		defer f.shutdown()
		b := domain.Baseline{Name: "standing", Frames: 12, Metrics: map[string]domain.Stat{}}
		// Run lists the profiles as it starts (is this a first run?): add
		// under the fake's lock
		f.profiles.mu.Lock()
		f.profiles.byName["standing"] = b
		f.profiles.mu.Unlock()
		if err := f.svc.UseProfile("nope"); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("unknown profile: %v", err)
		}
		if err := f.svc.UseProfile("standing"); err != nil {
			t.Fatal(err)
		}
		if cb := f.cam.currentBaseline(); cb == nil || cb.Name != "standing" || f.svc.Status().Profile != "standing" {
			t.Errorf("profile not in use: camera %v", cb)
		}
		if err := f.svc.DeleteProfile("standing"); err != nil {
			t.Fatal(err)
		}
		st := f.svc.Status()
		if f.cam.currentBaseline() != nil || st.Profile != "" || st.Message == "" {
			t.Errorf("after deleting the profile in use: camera %v, status %+v", f.cam.currentBaseline(), st)
		}
	})
}

// A setting that cannot be saved is not applied either: the coach and the
// file never disagree.
func TestSetConfigSavedAndAppliedOrNeither(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := startFixture(t, nil)
		defer f.shutdown()
		cfg := f.svc.Config()
		cfg.Sensitivity = domain.SensitivityHigh
		f.settings.fail = errDiskFull
		err := f.svc.SetConfig(cfg)
		if domain.ErrorCode(err) != domain.EUNAVAILABLE {
			t.Errorf("unsaved settings: %v, want unavailable", err)
		}
		if got := f.svc.Config().Sensitivity; got == domain.SensitivityHigh {
			t.Error("the unsaved setting was applied")
		}
		f.settings.fail = nil
		if err := f.svc.SetConfig(cfg); err != nil {
			t.Fatal(err)
		}
		if got := f.svc.Config().Sensitivity; got != domain.SensitivityHigh || len(f.settings.saved) != 1 {
			t.Errorf("sensitivity %s, %d saves", got, len(f.settings.saved))
		}
		bad := cfg
		bad.Sensitivity = "extreme"
		if err := f.svc.SetConfig(bad); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("invalid settings: %v", err)
		}
	})
}

// A routine: built for the day's faults, its exercises are done or
// skipped by id; a camera-checked exercise is counted at the fast rate
// until nobody does it for a while.
func TestRoutineAndRepCounting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := startFixture(t, nil)
		defer f.shutdown()
		if err := f.svc.ExerciseDone("", "", false); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Errorf("done with no routine: %v", err)
		}
		if _, err := f.svc.StartRoutine(domain.RoutineStart{ID: "routine-nope"}); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("unknown routine id: %v", err)
		}
		r, err := f.svc.StartRoutine(domain.RoutineStart{Faults: []domain.FaultName{domain.ForwardHead}})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Items) == 0 {
			t.Fatal("empty routine")
		}
		if st := f.svc.Status(); st.Routine == nil || st.Routine.ID != r.ID {
			t.Errorf("status does not carry the running routine")
		}
		if err := f.svc.ExerciseDone(r.ID, "no-such-exercise", false); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("unknown exercise: %v", err)
		}
		// walk to the first camera-checked exercise
		checked := -1
		for i, it := range r.Items {
			if it.Exercise.Checkable != "" {
				checked = i
				break
			}
			if err := f.svc.ExerciseDone(r.ID, it.Exercise.ID, i%2 == 1); err != nil {
				t.Fatal(err)
			}
		}
		if checked < 0 {
			t.Skip("the routine for forward head has no camera-checked exercise")
		}
		synctest.Wait()
		f.pub.mu.Lock()
		nreps := len(f.pub.reps)
		f.pub.mu.Unlock()
		if nreps == 0 || f.cam.lastInterval() != SampleFast {
			t.Fatalf("counting %s: %d rep messages, interval %v", r.Items[checked].Exercise.ID, nreps, f.cam.lastInterval())
		}
		f.feed(repsIdleAfter+5*time.Second, time.Second, good) // the page was left open
		f.feed(8*time.Second, time.Second, good)
		if got := f.cam.lastInterval(); got == SampleFast {
			t.Errorf("still sampling fast %v after the last repetition", repsIdleAfter)
		}
		if err := f.svc.ExerciseDone(r.ID, "", false); err != nil {
			t.Fatal(err)
		}
		if st := f.svc.Status(); st.Routine != nil {
			t.Error("the finished routine is still shown")
		}
		if err := f.svc.StopRoutine(); err != nil {
			t.Errorf("stop with none running: %v", err)
		}
	})
}

// Today's totals include what earlier runs kept in History; a camera that
// gives no picture is named in the status with its fix.
func TestStatusWording(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		time.Sleep(9 * time.Hour) // the bubble's clock starts at midnight
		hist := &fakeHistory{}
		hist.minutes = []domain.MinuteAggregate{{Start: dayOf(time.Now()).Add(time.Hour), PresentS: 60, GoodS: 45},
			{Start: dayOf(time.Now()).Add(-time.Hour), PresentS: 60, GoodS: 60}} // yesterday's does not count
		f := startFixture(t, func(o *Options) { o.History = hist; o.Notice = "Your settings were restored." })
		defer f.shutdown()
		st := f.svc.Status()
		if st.PresentTodayS != 60 || st.GoodTodayS != 45 {
			t.Errorf("today %v s present, %v s good; want the earlier run's 60 and 45", st.PresentTodayS, st.GoodTodayS)
		}
		if !strings.HasPrefix(st.Message, "Your settings were restored. No profile") {
			t.Errorf("message %q, want the start notice", st.Message)
		}
		f.cam.setState(domain.CameraRetrying)
		synctest.Wait()
		if st := f.pub.lastStatus(); st.Camera.OK || st.Message != "Your settings were restored. No picture from fake camera: the device is busy. Close the video call." {
			t.Errorf("camera problem published as %+v", st)
		}
	})
}

// After the service stops, commands say so rather than hang.
func TestCommandsAfterStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := startFixture(t, nil)
		f.shutdown()
		if err := f.svc.Resume(); !errors.Is(err, ErrStopped) || domain.ErrorCode(err) != domain.EUNAVAILABLE {
			t.Errorf("resume after stop: %v", err)
		}
		if st := f.svc.Status(); st.Camera.State != domain.CameraStopped {
			t.Errorf("status after stop: %+v", st.Camera)
		}
	})
}

// Previews are passed on when the camera made one, and preview demand goes
// straight to the camera.
func TestPreviewPassedOn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := startFixture(t, nil)
		defer f.shutdown()
		f.svc.SetPreview(true)
		if !f.cam.preview {
			t.Error("preview demand did not reach the camera")
		}
		o := good()
		o.Time = time.Now()
		f.cam.sightings <- domain.Sighting{Observation: o, Preview: &domain.Preview{JPEG: []byte{0xff, 0xd8}, Width: 2, Height: 1}}
		synctest.Wait()
		if f.pub.previews != 1 {
			t.Errorf("%d previews published", f.pub.previews)
		}
	})
}

// Nobody at the desk: the coach says away and the camera is asked for a
// frame only every few seconds.
func TestAwaySlowsSampling(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := startFixture(t, nil)
		defer f.shutdown()
		f.feed(10*time.Second, 500*time.Millisecond, good)
		f.feed(20*time.Second, time.Second, away)
		synctest.Wait()
		if st := f.svc.Status(); st.State != domain.StateAway {
			t.Errorf("state %s after 20 s away", st.State)
		}
		if got := f.cam.lastInterval(); got != SampleAway {
			t.Errorf("interval %v while away, want %v", got, SampleAway)
		}
	})
}

// With a CPU clock, the service keeps within the budget: frames that cost
// 200 ms each are asked for far apart once the opening burst is spent,
// while the coach still sees the sitter, and the frame that ends a fault's
// onset comes on time, so the nudge is not late by a stretched interval.
func TestSamplingKeepsWithinTheCPUBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var nudged time.Time
		cost := 200 * time.Millisecond
		f := startFixture(t, func(o *Options) {
			o.CPU = cpuClock(cost)
			o.OnEvent = func(e domain.Event, at time.Time) {
				if e.Type == domain.EventNudge && nudged.IsZero() {
					nudged = at
				}
			}
		})
		defer f.shutdown()
		paced := pacedCamera(f)
		paced(time.Minute, good)
		synctest.Wait()
		want := time.Duration(float64(cost) / CPUShare)
		if got := f.cam.lastInterval(); got < want-want/10 || got > want+want/10 {
			t.Errorf("interval %v with 200 ms frames, want about %v (the sampler alone asks for %v)", got, want, SampleSteady)
		}
		seen := paced(40*time.Second, forwardHead)
		synctest.Wait()
		if n := len(f.pub.ofType(domain.EventNudge)); n != 1 {
			t.Fatalf("%d nudges for a forward head held 40 s, want 1", n)
		}
		onset := domain.DefaultConfig().OnsetDelay.D()
		if late := nudged.Sub(seen) - onset; late < 0 || late > time.Second {
			t.Errorf("nudge %v after the forward head was first seen, want the %v onset (+ at most 1 s)", nudged.Sub(seen), onset)
		}
	})
}

// cpuClock is a process CPU clock that advances by cost each time it is
// read: the service reads it once per frame.
func cpuClock(cost time.Duration) func() time.Duration {
	var mu sync.Mutex
	var cpu time.Duration
	return func() time.Duration {
		mu.Lock()
		defer mu.Unlock()
		cpu += cost
		return cpu
	}
}

// pacedCamera is a camera that keeps to the pace f's service asks for, as
// vision.Eye does: it sends obs() for d and returns when it sent its first
// frame.
func pacedCamera(f *fixture) func(d time.Duration, obs func() domain.Observation) time.Time {
	return func(d time.Duration, obs func() domain.Observation) time.Time {
		var first time.Time
		for end := time.Now().Add(d); time.Now().Before(end); {
			synctest.Wait()
			time.Sleep(max(f.cam.lastInterval(), SampleFast))
			o := obs()
			o.Time = time.Now()
			if first.IsZero() {
				first = o.Time
			}
			f.cam.sightings <- domain.Sighting{Observation: o}
		}
		return first
	}
}

// A fault judged against the defaults while the camera's view is learnt
// (provisional frames) does not count at its onset, so the frame at the
// onset's end decides nothing: the budget keeps the interval stretched, and
// no nudge comes on such frames alone.
func TestAwaitingTheViewKeepsTheCPUBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cost := 200 * time.Millisecond
		f := startFixture(t, func(o *Options) { o.CPU = cpuClock(cost) })
		defer f.shutdown()
		paced := pacedCamera(f)
		paced(time.Minute, good)
		provisional := func() domain.Observation { o := forwardHead(); o.Provisional = true; return o }
		paced(45*time.Second, provisional)
		synctest.Wait()
		want := time.Duration(float64(cost) / CPUShare)
		if got := f.cam.lastInterval(); got < want-want/10 {
			t.Errorf("interval %v 45 s into a fault awaiting the camera's view, want at least the budget's %v", got, want)
		}
		if n := len(f.pub.ofType(domain.EventNudge)); n != 0 {
			t.Errorf("%d nudges on provisional frames alone, want none", n)
		}
	})
}

// A demo file played faster than real time was asked to spend the CPU: the
// budget leaves its pace alone.
func TestNoCPUBudgetForASpedUpDemo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cam := newFakeCamera()
		cam.speed = 8
		f := startFixture(t, func(o *Options) {
			o.Camera = cam
			var cpu time.Duration
			o.CPU = func() time.Duration { cpu += time.Second; return cpu }
		})
		f.cam = cam
		defer f.shutdown()
		f.feed(10*time.Second, 500*time.Millisecond, good)
		synctest.Wait()
		if got := cam.lastInterval(); got != SampleSteady {
			t.Errorf("interval %v for a sped-up demo with 1 s frames, want the sampler's %v", got, SampleSteady)
		}
	})
}

// Desktop notifications are a setting like the others: off by default,
// turned on (and saved) from the dashboard, then nudges reach the desktop.
func TestDesktopNotificationsSetting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := &fakeNotifier{}
		f := startFixture(t, func(o *Options) { o.Notifier = n })
		defer f.shutdown()
		if ns := f.svc.Notifications(); !ns.Available || ns.Desktop {
			t.Errorf("at start: %+v", ns)
		}
		if err := f.svc.SetNotifications(true); err != nil {
			t.Fatal(err)
		}
		if !f.settings.saved[len(f.settings.saved)-1].DesktopNotifications || !f.svc.Notifications().Desktop {
			t.Error("the setting was not saved or not applied")
		}
		f.feed(10*time.Second, 500*time.Millisecond, good)
		f.feed(40*time.Second, 500*time.Millisecond, forwardHead)
		synctest.Wait()
		if len(n.shown) != 1 {
			t.Errorf("%d nudges on the desktop, want 1", len(n.shown))
		}
	})
	synctest.Test(t, func(t *testing.T) {
		f := startFixture(t, nil)
		defer f.shutdown()
		if err := f.svc.SetNotifications(true); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Errorf("without a notifier: %v", err)
		}
		if _, err := f.svc.History(context.Background(), time.Now().Add(-time.Hour), time.Now(), domain.ByHour, time.UTC); err != nil {
			t.Errorf("history pass-through: %v", err)
		}
	})
}

// A full disk costs no history: what could not be written is kept, the
// dashboard says so, and it is all written once the disk has room again.
func TestHistoryKeptWhileTheDiskIsFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := startFixture(t, nil)
		defer f.shutdown()
		f.feed(30*time.Second, time.Second, good)
		f.hist.mu.Lock()
		f.hist.fail = errDiskFull
		f.hist.mu.Unlock()
		f.feed(3*time.Minute, time.Second, good)
		f.feed(40*time.Second, 500*time.Millisecond, forwardHead) // a nudge while full
		synctest.Wait()
		st := f.svc.Status()
		if !strings.Contains(st.Message, "history cannot be written") || !strings.Contains(st.Message, "no space left") {
			t.Errorf("the user is not told: %q", st.Message)
		}
		f.hist.mu.Lock()
		f.hist.fail = nil
		f.hist.mu.Unlock()
		time.Sleep(historyRetry + time.Second)
		synctest.Wait()
		f.hist.mu.Lock()
		present, nudges := 0.0, 0
		for _, m := range f.hist.minutes {
			present += m.PresentS
		}
		for _, e := range f.hist.events {
			if e.Type == domain.EventNudge {
				nudges++
			}
		}
		f.hist.mu.Unlock()
		if present < 3*60 || nudges != 1 {
			t.Errorf("after the disk had room: %.0f s present, %d nudges kept; want ≥ 180 s and 1", present, nudges)
		}
		if st := f.svc.Status(); strings.Contains(st.Message, "cannot be written") {
			t.Errorf("still says the history cannot be written: %q", st.Message)
		}
	})
}

// A locked screen lets go of the camera and says why; the user's own pause
// is kept apart: unlocking during it does not resume, and its end during a
// hold does not open the camera. Suspend waits for the camera to close.
func TestHolds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		holds := make(chan domain.Hold)
		f := startFixture(t, func(o *Options) { o.Holds = holds })
		defer f.shutdown()
		f.feed(10*time.Second, 500*time.Millisecond, good)

		holds <- domain.Hold{Source: domain.HoldScreen, Reason: "the screen is locked", On: true}
		synctest.Wait()
		st := f.svc.Status()
		if st.State != domain.StatePaused || st.Waiting != "the screen is locked" || !strings.Contains(st.Message, "Monitoring waits: the screen is locked") || st.Camera.OK || !st.PausedUntil.IsZero() {
			t.Errorf("locked: %+v", st)
		}
		paused := f.pub.ofType(domain.EventPaused)
		if len(paused) != 1 || !paused[0].Until.IsZero() || paused[0].Message != "Monitoring waits: the screen is locked." {
			t.Errorf("paused events %+v", paused)
		}
		// a second hold stacks; the first ending keeps the camera closed
		acked := make(chan struct{})
		holds <- domain.Hold{Source: domain.HoldSleep, Reason: "the computer is going to sleep", On: true, Ack: func() { close(acked) }}
		<-acked
		holds <- domain.Hold{Source: domain.HoldScreen, On: false}
		synctest.Wait()
		if st := f.svc.Status(); st.Waiting != "the computer is going to sleep" || st.State != domain.StatePaused {
			t.Errorf("one hold left: %+v", st)
		}
		holds <- domain.Hold{Source: domain.HoldSleep, On: false}
		synctest.Wait()
		if st := f.svc.Status(); st.State == domain.StatePaused || st.Waiting != "" {
			t.Errorf("after the last hold: %s, waiting %q", st.State, st.Waiting)
		}
		f.cam.mu.Lock()
		rel, res := f.cam.releases, f.cam.resumes
		f.cam.mu.Unlock()
		if rel != 1 || res != 1 {
			t.Errorf("camera released %d, resumed %d times; want 1 and 1", rel, res)
		}

		// the user's pause: a hold ending inside it does not resume ...
		if err := f.svc.Pause(time.Now().Add(5 * time.Minute)); err != nil {
			t.Fatal(err)
		}
		holds <- domain.Hold{Source: domain.HoldCamera, Reason: "zoom (pid 7) uses the camera", On: true}
		holds <- domain.Hold{Source: domain.HoldCamera, On: false}
		synctest.Wait()
		if st := f.svc.Status(); st.State != domain.StatePaused {
			t.Errorf("a hold ended inside the user's pause resumed monitoring")
		}
		// ... and the pause ending inside a hold does not open the camera
		holds <- domain.Hold{Source: domain.HoldScreen, Reason: "the screen is locked", On: true}
		time.Sleep(6 * time.Minute)
		synctest.Wait()
		if st := f.svc.Status(); st.State != domain.StatePaused || st.Waiting == "" {
			t.Errorf("the user's pause ended during a hold: %s, waiting %q", st.State, st.Waiting)
		}
		holds <- domain.Hold{Source: domain.HoldScreen, On: false}
		synctest.Wait()
		if st := f.svc.Status(); st.State == domain.StatePaused {
			t.Error("not monitoring after both ended")
		}
	})
}

// A dark picture is said on the dashboard, and said no more once the light
// is on; it is not away.
func TestDarkPictureSaid(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := startFixture(t, nil)
		defer f.shutdown()
		f.feed(5*time.Second, 500*time.Millisecond, good)
		dark := func() domain.Observation {
			return domain.Observation{Posture: domain.PostureUnknown, Picture: domain.PictureDark, Why: domain.PictureDark.Advice()}
		}
		f.feed(20*time.Second, time.Second, dark)
		synctest.Wait()
		st := f.pub.lastStatus()
		if !strings.HasPrefix(st.Message, "Too dark to see you") || st.State == domain.StateAway {
			t.Errorf("dark: state %s, message %q", st.State, st.Message)
		}
		f.feed(3*time.Second, 500*time.Millisecond, good)
		synctest.Wait()
		if st := f.pub.lastStatus(); strings.Contains(st.Message, "dark") {
			t.Errorf("still says dark in the light: %q", st.Message)
		}
	})
}

// A stretch break is not coached: moving on purpose during a routine gives
// no nudge, yet the camera stays on; after the routine, coaching is back.
func TestNoCoachingDuringAStretchBreak(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := startFixture(t, nil)
		defer f.shutdown()
		f.feed(10*time.Second, 500*time.Millisecond, good)
		r, err := f.svc.StartRoutine(domain.RoutineStart{Faults: []domain.FaultName{domain.ForwardHead}})
		if err != nil {
			t.Fatal(err)
		}
		st := f.svc.Status()
		if st.State != domain.StatePaused || !strings.Contains(st.Message, "Stretch break") || !st.PausedUntil.IsZero() {
			t.Errorf("during the break: %s, %q", st.State, st.Message)
		}
		f.feed(60*time.Second, 500*time.Millisecond, forwardHead) // chin tucks look like a head moving
		synctest.Wait()
		if n := f.pub.ofType(domain.EventNudge); len(n) != 0 {
			t.Errorf("%d nudges during the stretch break", len(n))
		}
		f.cam.mu.Lock()
		released := f.cam.releases
		f.cam.mu.Unlock()
		if released != 0 {
			t.Error("the camera was closed for the break (it counts repetitions)")
		}
		// the user pauses and resumes inside the break: still no coaching
		if err := f.svc.Pause(time.Now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Resume(); err != nil {
			t.Fatal(err)
		}
		if st := f.svc.Status(); st.State != domain.StatePaused {
			t.Errorf("a resume inside the break restarted coaching: %s", st.State)
		}
		if err := f.svc.ExerciseDone(r.ID, "", false); err != nil {
			t.Fatal(err)
		}
		if st := f.svc.Status(); st.State == domain.StatePaused {
			t.Error("still paused after the routine")
		}
		f.feed(45*time.Second, 500*time.Millisecond, forwardHead)
		synctest.Wait()
		if n := f.pub.ofType(domain.EventNudge); len(n) != 1 {
			t.Errorf("%d nudges after the break, want 1", len(n))
		}
	})
}

// A break left open (the player's tab closed) ends by itself.
func TestStretchBreakEndsByItself(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := startFixture(t, nil)
		defer f.shutdown()
		if _, err := f.svc.StartRoutine(domain.RoutineStart{Faults: []domain.FaultName{domain.RoundedShoulders}}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(maxBreak + 2*time.Second)
		synctest.Wait()
		if st := f.svc.Status(); st.State == domain.StatePaused || st.Routine != nil {
			t.Errorf("after %v: %s, routine %v", maxBreak, st.State, st.Routine)
		}
	})
}

// Choosing a camera in the settings switches to it and remembers it; a
// camera that can never be one is refused before anything is saved; an
// unsaved choice is switched back.
func TestCameraChoice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := startFixture(t, nil)
		defer f.shutdown()
		cfg := f.svc.Config()
		cfg.Camera = "2"
		if err := f.svc.SetConfig(cfg); err != nil {
			t.Fatal(err)
		}
		cams, err := f.svc.Cameras()
		if err != nil {
			t.Fatal(err)
		}
		if cams.Chosen != "2" || cams.InUse != "/dev/video2" || len(cams.Devices) != 2 {
			t.Errorf("after choosing camera 2: %+v", cams)
		}
		if n := len(f.settings.saved); n != 1 || f.settings.saved[0].Camera != "2" {
			t.Errorf("saved %+v", f.settings.saved)
		}

		bad := f.svc.Config()
		bad.Camera = "Nonexistent Cam"
		if err := f.svc.SetConfig(bad); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("a camera no one has: %v, want invalid", err)
		}
		if len(f.settings.saved) != 1 || f.svc.Config().Camera != "2" {
			t.Error("a refused camera was saved or applied")
		}

		next := f.svc.Config()
		next.Camera = "/dev/video0"
		f.settings.fail = errDiskFull
		if err := f.svc.SetConfig(next); domain.ErrorCode(err) != domain.EUNAVAILABLE {
			t.Errorf("unsaved camera choice: %v", err)
		}
		f.settings.fail = nil
		f.cam.mu.Lock()
		inUse, switches := f.cam.camera, append([]string(nil), f.cam.switches...)
		f.cam.mu.Unlock()
		if inUse != "/dev/video2" {
			t.Errorf("camera in use %q after an unsaved choice, want /dev/video2 back (switches %v)", inUse, switches)
		}
		// other settings leave the camera alone
		other := f.svc.Config()
		other.Sensitivity = domain.SensitivityLow
		if err := f.svc.SetConfig(other); err != nil {
			t.Fatal(err)
		}
		f.cam.mu.Lock()
		n := len(f.cam.switches)
		f.cam.mu.Unlock()
		if n != 3 {
			t.Errorf("%d switches (%v), want 3: choose, try, back", n, switches)
		}
	})
}

// The day's totals go out with every sample, good and present together,
// earlier runs included: a restart (the history keeps the unfinished minute
// at shutdown) never lowers either, and good never exceeds present.
func TestTodayTotalsSurviveARestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		time.Sleep(9 * time.Hour)
		hist := &fakeHistory{}
		f := startFixture(t, func(o *Options) { o.History = hist })
		f.feed(90*time.Second, 200*time.Millisecond, good)
		f.feed(30*time.Second, 200*time.Millisecond, forwardHead)
		synctest.Wait()
		f.pub.mu.Lock()
		last := f.pub.samples[len(f.pub.samples)-1]
		for _, s := range f.pub.samples {
			if s.GoodTodayS > s.PresentTodayS+1e-9 {
				t.Fatalf("sample at %v: good %.1f s > present %.1f s", s.At, s.GoodTodayS, s.PresentTodayS)
			}
		}
		f.pub.mu.Unlock()
		if last.PresentTodayS < 110 || last.GoodTodayS < 80 || last.Minute == nil {
			t.Fatalf("before the restart: present %.1f s, good %.1f s, minute %v", last.PresentTodayS, last.GoodTodayS, last.Minute)
		}
		f.shutdown()

		f2 := startFixture(t, func(o *Options) { o.History = hist })
		defer f2.shutdown()
		// the sums are of the same seconds in another order: equal to the millisecond
		const eps = 1e-3
		if st := f2.svc.Status(); st.PresentTodayS < last.PresentTodayS-eps || st.GoodTodayS < last.GoodTodayS-eps {
			t.Errorf("after the restart the status says present %.1f s, good %.1f s; before it %.1f and %.1f",
				st.PresentTodayS, st.GoodTodayS, last.PresentTodayS, last.GoodTodayS)
		}
		f2.feed(5*time.Second, 200*time.Millisecond, good)
		synctest.Wait()
		f2.pub.mu.Lock()
		first := f2.pub.samples[0]
		f2.pub.mu.Unlock()
		if first.PresentTodayS < last.PresentTodayS-eps || first.GoodTodayS < last.GoodTodayS-eps {
			t.Errorf("first sample after the restart: present %.1f s, good %.1f s; before it %.1f and %.1f",
				first.PresentTodayS, first.GoodTodayS, last.PresentTodayS, last.GoodTodayS)
		}
	})
}

// Without a profile the status says what the frames are judged against: the
// defaults until vision has learnt the camera's view, then that.
func TestStatusSaysWhatFramesAreJudgedAgainst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := startFixture(t, nil)
		defer f.shutdown()
		judged := func(a domain.Against) func() domain.Observation {
			return func() domain.Observation { o := good(); o.Against = a; return o }
		}
		f.feed(3*time.Second, time.Second, judged(domain.AgainstDefaults))
		synctest.Wait()
		if st := f.svc.Status(); !strings.Contains(st.Message, "default thresholds until the camera's view") {
			t.Errorf("judged by the defaults: %q", st.Message)
		}
		f.feed(3*time.Second, time.Second, judged(domain.AgainstLearnt))
		synctest.Wait()
		st := f.svc.Status()
		if !strings.Contains(st.Message, "how you sat best in the last minutes") {
			t.Errorf("judged against the learnt view: %q", st.Message)
		}
		if pub := f.pub.lastStatus(); pub.Message != st.Message {
			t.Errorf("the change was not published: %q", pub.Message)
		}
		// A frame with nobody judged leaves it as it was.
		f.feed(2*time.Second, time.Second, func() domain.Observation { return domain.Observation{Posture: domain.PostureAway} })
		synctest.Wait()
		if st := f.svc.Status(); !strings.Contains(st.Message, "sat best") {
			t.Errorf("after frames with nobody: %q", st.Message)
		}
	})
}
