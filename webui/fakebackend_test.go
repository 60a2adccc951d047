package webui

import (
	"context"
	"posturewatch/coach/domain"
	"posturewatch/coach/exercise"
	"posturewatch/coach/history"
	"sort"
	"sync"
	"time"
)

// fakeBackend is an in-memory Backend for API, hub and browser tests. It
// behaves like the service in the ways the dashboard can observe: pause
// changes the state, calibration needs a start before a finish, profiles
// can be created, activated and deleted.
type fakeBackend struct {
	mu              sync.Mutex
	status          domain.LiveStatus
	cfg             domain.Config
	calibrating     bool
	profiles        map[string]*domain.Baseline
	active          string
	cat             *exercise.Catalogue
	routine         *domain.Routine
	done            []string // "routine/exercise[/skipped]"
	starts          int      // StartRoutine calls
	preview         []bool
	pauses          []time.Time
	resumes         int
	hist            *history.DB // nil: no history kept
	notifyAvailable bool
	testNudges      int
	// onTestNudge is called (outside the lock) by TestNudge with the event
	// the service would send, so a test can publish it.
	onTestNudge func(domain.Event)
	// onChange is called (outside the lock) after pause/resume with the new
	// status, so a test can publish it like the service would.
	onChange func(domain.LiveStatus)
}

func newFakeBackend() *fakeBackend {
	cat := exercise.Default()
	f := &fakeBackend{
		cfg:      domain.DefaultConfig(),
		profiles: map[string]*domain.Baseline{},
		cat:      cat,
	}
	f.status = domain.LiveStatus{Status: domain.Status{State: domain.StateGood, Score: 100, Baseline: "defaults", Since: time.Now()},
		Camera: domain.CameraStatus{OK: true, Source: "fake"}}
	return f
}

func (f *fakeBackend) Status() domain.LiveStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status
}

// setStatus changes the status as the service's coach would and returns it
// (for the test to publish).
func (f *fakeBackend) setStatus(change func(*domain.LiveStatus)) domain.LiveStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(&f.status)
	return f.status
}

func (f *fakeBackend) Stats() domain.StatsSnapshot {
	now := time.Now()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.Local)
	return domain.StatsSnapshot{Days: []domain.Bucket{{Start: day, PresentS: 600, GoodS: 420, Nudges: 1,
		FaultS: map[domain.FaultName]float64{domain.ForwardHead: 90}}}}
}

func (f *fakeBackend) Pause(until time.Time) error {
	f.mu.Lock()
	f.pauses = append(f.pauses, until)
	f.status.State = domain.StatePaused
	f.status.PausedUntil = until
	f.status.Camera.Released = true
	st, cb := f.status, f.onChange
	f.mu.Unlock()
	if cb != nil {
		cb(st)
	}
	return nil
}

func (f *fakeBackend) Resume() error {
	f.mu.Lock()
	if f.status.State != domain.StatePaused {
		f.mu.Unlock()
		return domain.Errorf(domain.ECONFLICT, "not paused")
	}
	f.resumes++
	f.status.State = domain.StateGood
	f.status.PausedUntil = time.Time{}
	f.status.Camera.Released = false
	st, cb := f.status, f.onChange
	f.mu.Unlock()
	if cb != nil {
		cb(st)
	}
	return nil
}

func (f *fakeBackend) Config() domain.Config {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cfg
}

func (f *fakeBackend) SetConfig(cfg domain.Config) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cfg = cfg
	return nil
}

func (f *fakeBackend) StartCalibration() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calibrating = true
	f.status.State = domain.StateCalibrating
	return nil
}

func (f *fakeBackend) CancelCalibration() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.calibrating {
		return domain.Errorf(domain.ECONFLICT, "no calibration is running")
	}
	f.calibrating = false
	f.status.State = domain.StateGood
	return nil
}

func (f *fakeBackend) DismissRecalibrate() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status.RecalibrateSuggested = false
	return nil
}

func (f *fakeBackend) FinishCalibration(name string) (*domain.Baseline, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.calibrating {
		return nil, domain.Errorf(domain.ECONFLICT, "no calibration is running: start one first")
	}
	f.calibrating = false
	// A face 60 cm away (under DescribeSetup's assumptions) seen from a
	// camera a little below the eyes, both shoulders in view.
	b := &domain.Baseline{Name: name, Created: time.Now(), Frames: 50,
		Metrics: map[string]domain.Stat{domain.MetricNeckShoulders: {Median: 0.62, MAD: 0.02, N: 50},
			domain.MetricFaceFrame: {Median: 0.0909, MAD: 0.002, N: 50}, domain.MetricHeadPitch: {Median: 8.5, MAD: 1, N: 50},
			domain.MetricNeckEyes: {Median: 2.1, MAD: 0.05, N: 50}}}
	f.profiles[name] = b
	f.active = name
	f.status.State = domain.StateGood
	f.status.Baseline = name
	f.status.Profile = name
	f.status.Setup = domain.DescribeSetup(b)
	f.status.FirstRun = false
	return b, nil
}

func (f *fakeBackend) Profiles() ([]domain.ProfileInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []domain.ProfileInfo
	for n, b := range f.profiles {
		out = append(out, domain.ProfileInfo{Name: n, Frames: b.Frames, Created: b.Created.Format(time.RFC3339), Active: n == f.active})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (f *fakeBackend) UseProfile(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.profiles[name] == nil {
		return domain.Errorf(domain.ENOTFOUND, "no profile named %q", name)
	}
	f.active = name
	f.status.Profile = name
	return nil
}

func (f *fakeBackend) DeleteProfile(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.profiles[name] == nil {
		return domain.Errorf(domain.ENOTFOUND, "no profile named %q", name)
	}
	delete(f.profiles, name)
	if f.active == name {
		f.active = ""
		f.status.Profile = ""
	}
	return nil
}

func (f *fakeBackend) Catalogue() *exercise.Catalogue { return f.cat }

func (f *fakeBackend) StartRoutine(req domain.RoutineStart) (*domain.Routine, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.starts++
	if req.ID != "" && (f.routine == nil || f.routine.ID != req.ID) {
		return nil, domain.Errorf(domain.ENOTFOUND, "no routine %q: it may have expired, ask for a new one", req.ID)
	}
	if req.ID != "" {
		f.status.Routine, f.status.RoutineRunning = f.routine, true
		return f.routine, nil
	}
	w := map[domain.FaultName]float64{}
	for _, fl := range req.Faults {
		w[fl] = 1
	}
	r, err := f.cat.Routine(exercise.RoutineRequest{Faults: w, Equipment: f.cfg.Equipment, DeskOnly: f.cfg.DeskOnly, AtDesk: true, MaxDuration: f.cfg.RoutineMax.D()})
	if err != nil {
		return nil, domain.WrapError(domain.EINVALID, err)
	}
	f.routine = &r
	f.status.Routine, f.status.RoutineRunning, f.status.RoutineExercise = &r, true, 0
	return &r, nil
}

// suggest makes a routine as the coach's suggestion would: known by its ID,
// not running yet.
func (f *fakeBackend) suggest(faults ...domain.FaultName) *domain.Routine {
	f.mu.Lock()
	defer f.mu.Unlock()
	w := map[domain.FaultName]float64{}
	for _, fl := range faults {
		w[fl] = 1
	}
	r, err := f.cat.Routine(exercise.RoutineRequest{Faults: w, Equipment: f.cfg.Equipment, DeskOnly: f.cfg.DeskOnly, AtDesk: true, MaxDuration: f.cfg.RoutineMax.D()})
	if err != nil {
		panic(err)
	}
	f.routine = &r
	return &r
}

func (f *fakeBackend) ExerciseDone(routineID, exerciseID string, skipped bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := routineID + "/" + exerciseID
	if skipped {
		s += "/skipped"
	}
	f.done = append(f.done, s)
	if exerciseID == "" {
		f.status.Routine, f.status.RoutineRunning, f.status.RoutineExercise = nil, false, 0
	} else if f.routine != nil {
		for i, it := range f.routine.Items {
			if it.Exercise.ID == exerciseID {
				f.status.RoutineExercise = i + 1
			}
		}
	}
	return nil
}

func (f *fakeBackend) StopRoutine() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.done = append(f.done, "stopped")
	f.status.Routine, f.status.RoutineRunning, f.status.RoutineExercise = nil, false, 0
	return nil
}

func (f *fakeBackend) TestNudge() error {
	f.mu.Lock()
	f.testNudges++
	cb := f.onTestNudge
	f.mu.Unlock()
	if cb != nil {
		_, fix := domain.NudgeText(domain.ForwardHead)
		cb(domain.Event{Time: time.Now(), Type: domain.EventNudge, Fault: domain.ForwardHead, Test: true,
			Message: "This is a test nudge: real ones look like this.", Fix: fix})
	}
	return nil
}

func (f *fakeBackend) SetPreview(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.preview = append(f.preview, on)
}

func (f *fakeBackend) previewCalls() []bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bool(nil), f.preview...)
}

func (f *fakeBackend) History(ctx context.Context, from, to time.Time, by domain.Period, loc *time.Location) ([]domain.Bucket, error) {
	if f.hist == nil {
		return nil, domain.Errorf(domain.EUNAVAILABLE, "no history is kept in this run")
	}
	return f.hist.Range(ctx, from, to, by, loc)
}

func (f *fakeBackend) HistoryKept() bool { return f.hist != nil }

// Cameras offers two cameras; the one chosen is in use.
func (f *fakeBackend) Cameras() (domain.Cameras, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	inUse := "/dev/video0"
	if f.cfg.Camera == "2" || f.cfg.Camera == "/dev/video2" {
		inUse = "/dev/video2"
	}
	return domain.Cameras{Chosen: f.cfg.Camera, InUse: inUse, Devices: []domain.CameraDevice{
		{Path: "/dev/video0", Index: 0, Name: "Integrated Camera"},
		{Path: "/dev/video2", Index: 2, Name: "USB Webcam", Problem: "permission denied: add yourself to the video group"},
	}}, nil
}

func (f *fakeBackend) Notifications() domain.NotificationSettings {
	f.mu.Lock()
	defer f.mu.Unlock()
	return domain.NotificationSettings{Available: f.notifyAvailable, Desktop: f.cfg.DesktopNotifications}
}

func (f *fakeBackend) SetNotifications(on bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.notifyAvailable {
		return domain.Errorf(domain.ECONFLICT, "desktop notifications are not available in this run")
	}
	f.cfg.DesktopNotifications = on
	return nil
}
