// Package live is the running monitor: it feeds analysed frames to the
// coach, chooses how often to look, counts stretch repetitions, turns the
// coach's state into what the dashboard shows, and carries out the
// dashboard's commands (pause, calibrate, profiles, settings, routines).
//
// One goroutine, Run, owns the coach and every piece of service state:
// frames, housekeeping and commands all pass through it, so there is no
// lock to order, and events leave in the order the coach made them.
// Commands from HTTP handlers are closures handed to that goroutine (do).
package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"posturewatch/coach"
	"posturewatch/coach/domain"
	"posturewatch/coach/exercise"
)

const (
	// CalibrationTimeout ends a calibration nobody finished (the dashboard's
	// tab was closed mid-way): until then the coach holds its nudges.
	CalibrationTimeout = 2 * time.Minute
	// releaseWait is how long Pause waits for the camera to close.
	releaseWait = 3 * time.Second
)

// ErrStopped is returned by commands once the service has stopped.
var ErrStopped = domain.Errorf(domain.EUNAVAILABLE, "posturewatch is stopping")

// Options configure a Service. Camera, Profiles and Settings are required.
type Options struct {
	Camera    Camera
	Profiles  Profiles
	Settings  Settings
	History   History             // nil: nothing is kept
	Notifier  Notifier            // nil: no desktop notifications
	Catalogue *exercise.Catalogue // nil: the built-in one
	Config    *domain.Config      // the coach settings to start with (nil: the defaults)
	Baseline  *domain.Baseline    // the active profile's baseline, if any
	Profile   string              // its name
	// Notice is a sentence for the user about the start (settings restored
	// from a copy, say), shown until something more pressing.
	Notice string
	Logger *slog.Logger
	// Wall is the wall clock (pause ends are given in wall time); nil: time.Now.
	Wall func() time.Time
	// Holds, when set, asks the service to let go of the camera for a
	// while (screen locked, suspend, another program using the camera).
	Holds <-chan domain.Hold
	// OnEvent, when set (tests, benchmarks), is called with every event and
	// the wall time the coach decided it, before it is published.
	OnEvent func(e domain.Event, decided time.Time)
	// CPU, when set, is the process's CPU time so far: the sampling then
	// keeps within CPUShare of one core (see cpuBudget). nil: no budget.
	CPU func() time.Duration
}

// Service is the running monitor. Create it with New, attach the
// dashboard with Attach, then call Run.
type Service struct {
	cam      Camera
	profiles Profiles
	settings Settings
	hist     History
	histKept bool
	notifier Notifier
	cat      *exercise.Catalogue
	log      *slog.Logger
	wall     func() time.Time
	onEvent  func(domain.Event, time.Time)
	pub      Publisher // set by Attach before Run
	holdsIn  <-chan domain.Hold

	reqs chan func()
	done chan struct{} // closed when Run has returned

	// Everything below belongs to the Run goroutine.
	coach       *coach.Coach
	profile     string
	notice      string
	samp        sampler
	budget      cpuBudget
	budgetSaid  bool            // the first slowing by the budget was logged
	suggested   *domain.Routine // the last routine the coach suggested
	routine     *domain.Routine // the routine being played
	exIdx       int             // its current exercise
	exDone      int             // its exercises done (not skipped) so far
	calibShown  int             // the calibration frame count last published
	counting    *repSession     // camera rep counting of the current exercise
	pausedUntil time.Time       // camera clock; zero when not paused
	calibStart  time.Time       // camera clock; zero when not calibrating
	frames      int
	unsaved     unsaved
	holds       map[string]string     // source → reason, while the camera is held closed
	picture     domain.PictureProblem // why the last frame could not show anyone
	against     domain.Against        // what the last judged frame was judged against
	// learning counts the frames judged by the defaults at the fast rate
	// while vision learns the camera's view (learnFastFrames at most).
	learning   int
	firstRun   bool      // no profile stored or in use (read at the start)
	onBreak    bool      // a stretch break holds the coach's nudges
	breakStart time.Time // camera clock
	// earlier is what History held for today before this start, so the
	// day's totals survive a restart.
	earlier domain.Bucket
}

// New makes a service; it starts nothing.
func New(o Options) (*Service, error) {
	if o.Camera == nil || o.Profiles == nil || o.Settings == nil {
		return nil, errors.New("live: Camera, Profiles and Settings are required")
	}
	cfg := domain.DefaultConfig()
	if o.Config != nil {
		cfg = *o.Config
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("live: settings: %w", err)
	}
	if o.Catalogue == nil {
		o.Catalogue = exercise.Default()
	}
	histKept := o.History != nil
	if o.History == nil {
		o.History = noHistory{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Wall == nil {
		o.Wall = time.Now
	}
	s := &Service{cam: o.Camera, profiles: o.Profiles, settings: o.Settings, hist: o.History, histKept: histKept, notifier: o.Notifier,
		cat: o.Catalogue, log: o.Logger, wall: o.Wall, onEvent: o.OnEvent, pub: nobody{},
		reqs: make(chan func()), done: make(chan struct{}), holdsIn: o.Holds, holds: map[string]string{},
		coach: coach.New(cfg, o.Baseline, o.Catalogue), profile: o.Profile, notice: o.Notice,
		budget: cpuBudget{cpu: o.CPU}}
	o.Camera.SetBaseline(o.Baseline)
	if s.notifier != nil {
		s.notifier.SetEnabled(cfg.DesktopNotifications)
	}
	return s, nil
}

// Attach sets where the service publishes; call it before Run.
func (s *Service) Attach(p Publisher) {
	if p == nil {
		p = nobody{}
	}
	s.pub = p
}

// Run serves frames and commands until ctx is done, then saves the day's
// unfinished minute. Call it once. Commands given before Run wait for it;
// commands after it return ErrStopped.
func (s *Service) Run(ctx context.Context) {
	defer close(s.done)
	s.loadEarlierToday(s.cam.Now())
	if s.profile == "" {
		ps, err := s.profiles.List()
		s.firstRun = err == nil && len(ps) == 0
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			s.flush()
			return
		case sg := <-s.cam.Sightings():
			s.handle(sg)
		case <-s.cam.Changes():
			s.pub.PublishStatus(s.status())
		case h := <-s.holdsIn:
			s.hold(h)
		case fn := <-s.reqs:
			fn()
		case <-tick.C:
			s.housekeeping()
		}
	}
}

// do runs fn on the Run goroutine and waits for it.
func (s *Service) do(fn func()) error {
	ran := make(chan struct{})
	select {
	case s.reqs <- func() { defer close(ran); fn() }:
		<-ran
		return nil
	case <-s.done:
		return ErrStopped
	}
}

// call runs fn on the Run goroutine and returns its error (or ErrStopped).
func (s *Service) call(fn func() error) error {
	var ferr error
	if err := s.do(func() { ferr = fn() }); err != nil {
		return err
	}
	return ferr
}

// handle steps the coach with one analysed frame and publishes the results.
func (s *Service) handle(sg domain.Sighting) {
	obs := sg.Observation
	evs := s.coach.Step(obs, obs.Time)
	decided := s.wall()
	st := s.coach.Status(obs.Time)
	mins := s.coach.TakeMinutes()
	rc := s.stepReps(obs, obs.Time)
	fast := s.learnFast(obs) // first: it watches every frame
	busy := st.State == domain.StateCalibrating || s.counting != nil || fast
	s.setInterval(s.samp.interval(obs, st, busy, obs.Time), obs.Time, busy, st.Watching)
	s.frames++

	s.emit(evs, decided)
	calib := 0
	if st.State == domain.StateCalibrating {
		calib = st.CalibrationFrames
	}
	against := s.against
	switch {
	case obs.ViewForgotten:
		against = obs.Against
	case obs.Against == "", obs.Against == domain.AgainstDefaults && s.against == domain.AgainstLearnt:
		// Nobody judged; or a frame the learnt view does not cover (one
		// that shows a shoulder, where the view is of the face alone): the
		// view is still there, and the dashboard's message stays.
	default:
		against = obs.Against
	}
	if obs.Picture != s.picture || calib != s.calibShown || against != s.against {
		// the dashboard counts the frames captured as they come
		s.picture, s.calibShown, s.against = obs.Picture, calib, against
		s.pub.PublishStatus(s.status())
	}
	smp := domain.SampleOf(obs).WithStatus(st)
	smp.GoodTodayS, smp.PresentTodayS = s.today(obs.Time)
	if cur := s.coach.CurrentMinute(); !cur.Start.IsZero() {
		smp.Minute = &cur
	}
	s.pub.PublishSample(smp)
	if rc != nil {
		s.pub.PublishReps(*rc)
	}
	if sg.Preview != nil {
		p := *sg.Preview
		if b := s.coach.Baseline(); b != nil {
			p.Outline = b.Outline
		}
		s.pub.PublishPreview(p)
	}
	if len(mins) > 0 {
		s.unsaved.minutes = append(s.unsaved.minutes, mins...)
		s.writeHistory()
		s.pub.PublishStats(s.coach.Stats())
	}
}

// setInterval asks the camera for the next frame after the sampler's
// interval, stretched to keep within the CPU budget, but never past the end
// of the onset of a fault being timed: that frame decides the state and the
// nudge, so it comes on time (one frame per onset over the budget at most).
// The log says the first time the budget slows the sampling (at Info: the
// machine is slow for the models) and each later start and stop (at Debug:
// it comes and goes with the fast frames after every change).
func (s *Service) setInterval(planned time.Duration, now time.Time, busy bool, watching *domain.Watch) {
	was := s.budget.limiting
	// A demo file played faster than real time is not monitoring beside
	// someone's work: it was asked to spend the CPU, and the coach's timing
	// follows the video.
	iv := s.budget.stretch(planned, now, busy || s.cam.Speed() != 1)
	// (A fault awaiting the camera's view is decided by the first frame
	// judged against that view, not at its onset's end.)
	if watching != nil && !watching.AwaitsView {
		due := time.Duration((watching.OnsetS-watching.ForS)*float64(time.Second)) + onsetSlack
		iv = max(planned, min(iv, due))
	}
	switch {
	case s.budget.limiting == was:
	case s.budget.limiting && !s.budgetSaid:
		s.budgetSaid = true
		s.log.Info("sampling slowed to keep within the CPU budget: frames cost more here than the coach's pace allows",
			"share", CPUShare, "cpu_per_frame_ms", s.budget.perFrame.Milliseconds(), "wanted", planned, "interval", iv)
	case s.budget.limiting:
		s.log.Debug("sampling slowed by the CPU budget", "cpu_per_frame_ms", s.budget.perFrame.Milliseconds(),
			"wanted", planned, "interval", iv)
	default:
		s.log.Debug("sampling back at the coach's pace", "cpu_per_frame_ms", s.budget.perFrame.Milliseconds())
	}
	s.cam.SetInterval(iv)
}

// onsetSlack puts the frame that ends an onset just past it.
const onsetSlack = 50 * time.Millisecond

// learnFastFrames bounds the fast sampling while vision learns the camera's
// view: 30 s at the fast rate covers the 30 frames it needs when the
// sitter shows a shoulder, and a framing that never does (the shoulders cut
// off) does not keep the camera busy for nothing.
const learnFastFrames = 60

// learnFast says whether to sample fast because vision is still learning
// how the camera sees the sitter: until it has (the frames are judged by
// the defaults, which a camera above or below the eyes misleads), the
// coach's onset delay must not run out on a misjudged good posture. At the
// fast rate the view is learnt in about 15 s, before the 20 s onset.
func (s *Service) learnFast(obs domain.Observation) bool {
	if obs.ViewForgotten {
		s.learning = 0 // another camera, the camera moved, a long absence: learn afresh
	}
	if obs.Against != domain.AgainstDefaults || s.learning >= learnFastFrames {
		return false
	}
	s.learning++
	return true
}

// emit publishes events at once (never batched: a nudge must reach the
// browser within 100 ms), then the status and statistics they change, then
// records them in History.
func (s *Service) emit(evs []domain.Event, decided time.Time) {
	if len(evs) == 0 {
		return
	}
	statusChanged, statsChanged := false, false
	for _, e := range evs {
		if e.Type == domain.EventSuggestion && e.Routine != nil {
			r := *e.Routine
			s.suggested = &r
		}
		s.deliver(e, decided)
		switch e.Type {
		case domain.EventState, domain.EventPaused, domain.EventResumed, domain.EventCalibration, domain.EventRecalibrate:
			statusChanged = true
		case domain.EventNudge, domain.EventBreak:
			statsChanged = true
		case domain.EventSuggestion, domain.EventStretch:
			statsChanged, statusChanged = true, true
		}
	}
	if statusChanged {
		s.pub.PublishStatus(s.status())
	}
	if statsChanged {
		s.pub.PublishStats(s.coach.Stats())
	}
	s.unsaved.events = append(s.unsaved.events, evs...)
	s.writeHistory()
}

// deliver sends one event to the dashboards and the desktop notifier.
func (s *Service) deliver(e domain.Event, decided time.Time) {
	if s.onEvent != nil {
		s.onEvent(e, decided)
	}
	s.pub.PublishEvent(e)
	if s.notifier != nil {
		s.notifier.NotifyEvent(e)
	}
}

// housekeeping ends a pause that ran out (no frames arrive while paused)
// and a calibration left running.
func (s *Service) housekeeping() {
	now := s.cam.Now()
	if !s.calibStart.IsZero() && now.Sub(s.calibStart) >= CalibrationTimeout {
		s.log.Info("calibration cancelled: not finished in time", "after", CalibrationTimeout)
		if err := s.cancelCalibration(); err != nil {
			s.log.Warn("cancel the calibration", "err", err)
		}
	}
	if !s.pausedUntil.IsZero() && !now.Before(s.pausedUntil) {
		if err := s.resume(); err != nil {
			s.log.Warn("resume after the pause", "err", err)
		}
	}
	if s.onBreak && now.Sub(s.breakStart) >= maxBreak {
		s.log.Info("the stretch break ended by itself: nothing happened in the player for a while", "after", maxBreak)
		var evs []domain.Event
		if s.routine != nil && s.exDone > 0 { // as when stopped: it was a break
			evs = s.coach.RoutineDone(s.routine.ID, now)
		}
		s.routine, s.counting, s.exDone = nil, nil, 0
		s.emit(append(evs, s.endBreak()...), s.wall())
		s.pub.PublishStatus(s.status())
	}
	if s.unsaved.err != nil && s.wall().Sub(s.unsaved.tried) >= historyRetry {
		s.writeHistory()
	}
}

// flush saves the finished minutes and the current one, and whatever
// could not be written before (on shutdown).
func (s *Service) flush() {
	s.unsaved.minutes = append(s.unsaved.minutes, s.coach.TakeMinutes()...)
	if cur := s.coach.CurrentMinute(); !cur.Start.IsZero() {
		s.unsaved.minutes = append(s.unsaved.minutes, cur)
	}
	s.writeHistory()
	if s.unsaved.err != nil {
		s.log.Error("history: lost at shutdown, it could not be written", "minutes", len(s.unsaved.minutes),
			"events", len(s.unsaved.events), "err", s.unsaved.err)
	}
}

// What History could not take (a full disk, a failing drive) is kept in
// memory and written again every historyRetry, up to a day of minutes and
// maxUnsavedEvents events (the oldest go first beyond that), so a disk that
// fills up for a while costs nothing once it has room again.
const (
	historyRetry      = 30 * time.Second
	maxUnsavedMinutes = 24 * 60
	maxUnsavedEvents  = 10000
)

// unsaved is what waits to be written to History.
type unsaved struct {
	minutes []domain.MinuteAggregate
	events  []domain.Event
	err     error     // the last write's error; nil when everything is written
	tried   time.Time // wall time of the last attempt
}

// writeHistory writes what waits; on failure it keeps it for the next try
// and tells the dashboard once, and again when writing works again.
func (s *Service) writeHistory() {
	u := &s.unsaved
	if n := len(u.minutes) - maxUnsavedMinutes; n > 0 {
		s.log.Error("history: oldest unsaved minutes dropped", "minutes", n)
		u.minutes = slices.Delete(u.minutes, 0, n)
	}
	if n := len(u.events) - maxUnsavedEvents; n > 0 {
		s.log.Error("history: oldest unsaved events dropped", "events", n)
		u.events = slices.Delete(u.events, 0, n)
	}
	u.tried = s.wall()
	err := s.hist.AddMinutes(u.minutes...)
	if err == nil {
		u.minutes = u.minutes[:0]
		err = s.hist.AddEvents(u.events...)
		if err == nil {
			u.events = u.events[:0]
		}
	}
	switch {
	case err != nil && u.err == nil:
		s.log.Error("history: not written; kept in memory and retried", "err", err, "every", historyRetry)
		u.err = err
		s.pub.PublishStatus(s.status())
	case err != nil:
		u.err = err
	case u.err != nil:
		s.log.Info("history: written again")
		u.err = nil
		s.pub.PublishStatus(s.status())
	}
}

// loadEarlierToday sums today's minutes stored by earlier runs.
func (s *Service) loadEarlierToday(now time.Time) {
	day := dayOf(now)
	ms, err := s.hist.Minutes(context.Background(), day, day.AddDate(0, 0, 1))
	if err != nil {
		s.log.Warn("history: today's earlier minutes not read", "err", err)
		return
	}
	b := domain.Bucket{Start: day}
	for _, m := range ms {
		b.PresentS += m.PresentS
		b.GoodS += m.GoodS
	}
	s.earlier = b
}

// today is the day's good and present time as of now, earlier runs
// included: one sum for both, so the page's two figures move together.
func (s *Service) today(now time.Time) (good, present float64) {
	d, e := s.coach.Today(now), s.earlierToday(now)
	return d.GoodS + e.GoodS, d.PresentS + e.PresentS
}

// earlierToday is what History held for now's day when the service started.
func (s *Service) earlierToday(now time.Time) domain.Bucket {
	if s.earlier.Start.IsZero() || !dayOf(now).Equal(s.earlier.Start) {
		return domain.Bucket{}
	}
	return s.earlier
}

func dayOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}
