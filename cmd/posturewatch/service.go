package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"posturewatch/coach"
	"posturewatch/coach/domain"
	"posturewatch/coach/exercise"
	"posturewatch/coach/reps"
	"posturewatch/vision"
	"posturewatch/webui"
)

// Adaptive sampling (on the supervisor's clock). Measured: the pose model
// costs about 20 ms of CPU per frame on 1 thread (23 ms on 2 threads, for
// 12 ms of wall time), so the rate decides the CPU budget (≤ 3 % of one
// core): 2 fps only for a few seconds after the coach's smoothed view
// changes (and while calibrating or counting repetitions), 0.5 fps when
// steady, 0.33 fps after a long steady stretch or while nobody is there, and
// nothing while paused (the camera is closed). The coach times onsets of
// 20 s, and any change seen switches back to 2 fps, so a frame every 2–3 s
// follows a steady posture well enough. (At 0.67/0.5 fps the demo clip
// measured 3.1 % of a core; at these rates, see budget_test.go.)
const (
	sampleFast       = 500 * time.Millisecond // 2 fps
	sampleSteady     = 2 * time.Second        // 0.5 fps
	sampleVerySteady = 3 * time.Second        // 0.33 fps
	sampleAway       = 3 * time.Second        // 0.33 fps
	fastFor          = 4 * time.Second        // fast this long after a change (the coach smooths over 4 s)
	verySteadyAfter  = time.Minute
	awaySlowAfter    = 5 * time.Second

	repsIdleAfter = 3 * time.Minute // stop counting an exercise nobody is doing

	previewEvery   = 500 * time.Millisecond // at most 2 preview frames a second (wall time)
	previewWidth   = 640
	previewQuality = 70

	settingConfig = "config" // History setting mirroring config.json
	configFile    = "config.json"
)

// sampler chooses the sampling interval from the coach's smoothed view.
type sampler struct {
	sig        string
	lastChange time.Time
	awaySince  time.Time
}

// interval returns the time until the next frame wanted.
func (p *sampler) interval(obs domain.Observation, st domain.Status, busy bool, now time.Time) time.Duration {
	sig := string(st.State) + "/" + string(st.Fault)
	for _, f := range st.Faults {
		if f.Active {
			sig += "/" + string(f.Name)
		}
	}
	if sig != p.sig || p.lastChange.IsZero() {
		p.sig, p.lastChange = sig, now
	}
	if obs.Posture == domain.PostureAway {
		if p.awaySince.IsZero() {
			p.awaySince = now
		}
	} else {
		p.awaySince = time.Time{}
	}
	switch {
	case busy:
		return sampleFast
	case !p.awaySince.IsZero() && now.Sub(p.awaySince) >= awaySlowAfter:
		return sampleAway
	case now.Sub(p.lastChange) < fastFor:
		return sampleFast
	case now.Sub(p.lastChange) < verySteadyAfter:
		return sampleSteady
	default:
		return sampleVerySteady
	}
}

// service is the running monitor: it implements webui.Backend over the
// coach, the profile store, the catalogue and the camera supervisor, and
// runs the frame loop.
type service struct {
	log        *slog.Logger
	sup        *vision.Supervisor
	web        *webui.Server
	hist       *webui.History
	store      *coach.ProfileStore
	cat        *exercise.Catalogue
	configPath string

	anMu sync.Mutex // the analyzer is used by the loop and re-baselined from handlers
	an   *vision.Analyzer

	preview     atomic.Bool
	lastPreview time.Time // loop goroutine only

	// onEvent, when set (tests), is called with every event and the wall
	// time coach.Step (or the command) returned it, before it is published.
	onEvent func(e domain.Event, decided time.Time)

	// pubMu keeps events in the coach's order on the way out: it is held
	// from a coach call to the end of the publication of its events.
	pubMu sync.Mutex

	mu          sync.Mutex // guards the coach and everything below
	coach       *coach.Coach
	profile     string
	samp        sampler
	suggested   *domain.Routine // the last stretch routine suggested by the coach
	routine     *domain.Routine // the routine being played
	exIdx       int             // its current exercise
	reps        *reps.Counter
	repsEx      string
	repsTarget  int
	repsSince   time.Time // when the counter last counted a rep (or started)
	repsCount   int
	lastReps    time.Time
	pausedUntil time.Time // on the supervisor clock; zero when not paused
	calibStart  time.Time // when the running calibration started (service clock); zero when none
	frames      int
	// earlier is what History holds for today from before this start, so
	// "good posture today" survives a restart.
	earlier domain.Bucket
}

var _ webui.Backend = (*service)(nil)

// now is the service clock: the supervisor's (sped up for a --speed demo).
func (s *service) now() time.Time { return s.sup.Now() }

// emit publishes events to the dashboards at once (never batched: a nudge
// must reach the browser within 100 ms), then records them in History.
func (s *service) emit(evs []domain.Event, decided time.Time) {
	if len(evs) == 0 {
		return
	}
	for _, e := range evs {
		if e.Type == domain.EventSuggestion && e.Routine != nil {
			// known before the dashboard hears of it, so it can start it at once
			s.mu.Lock()
			r := *e.Routine
			s.suggested = &r
			s.mu.Unlock()
		}
	}
	statusChanged, statsChanged := false, false
	for _, e := range evs {
		if s.onEvent != nil {
			s.onEvent(e, decided)
		}
		if s.web != nil {
			s.web.PublishEvent(e)
		}
		switch e.Type {
		case domain.EventState, domain.EventPaused, domain.EventResumed, domain.EventCalibration, domain.EventRecalibrate:
			statusChanged = true
		case domain.EventNudge, domain.EventSuggestion, domain.EventBreak, domain.EventStretch:
			statsChanged = true
			statusChanged = statusChanged || e.Type == domain.EventSuggestion || e.Type == domain.EventStretch
		}
	}
	if s.web != nil {
		if statusChanged {
			s.web.PublishStatus(s.Status())
		}
		if statsChanged {
			s.web.PublishStats(s.Stats())
		}
	}
	if s.hist != nil {
		if err := s.hist.AddEvents(evs...); err != nil {
			s.log.Error("history: events not saved", "err", err)
		}
	}
}

// loop runs frames through vision and the coach until ctx is done.
func (s *service) loop(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case f := <-s.sup.Frames():
			s.handleFrame(f)
		case <-tick.C:
			s.housekeeping()
		}
	}
}

// handleFrame analyses one frame, steps the coach and publishes the results.
func (s *service) handleFrame(f vision.Frame) {
	s.anMu.Lock()
	obs, err := s.an.Analyze(f)
	s.anMu.Unlock()
	if err != nil {
		f.Close()
		s.log.Warn("frame skipped", "source", f.Source, "err", err)
		return
	}
	var prev *webui.Preview
	if s.preview.Load() && s.web != nil && s.web.PreviewWanted() && time.Since(s.lastPreview) >= previewEvery {
		s.lastPreview = time.Now()
		jpeg, w, h, kps, err := vision.PreviewJPEG(f, obs, previewWidth, previewQuality)
		if err != nil {
			s.log.Warn("preview", "err", err)
		} else {
			prev = &webui.Preview{JPEG: jpeg, Width: w, Height: h, Keypoints: kps, At: f.Time}
		}
	}
	f.Close()

	s.pubMu.Lock()
	s.mu.Lock()
	evs := s.coach.Step(obs, obs.Time)
	decided := time.Now()
	st := s.coach.Status(obs.Time)
	mins := s.coach.TakeMinutes()
	reps := s.stepReps(obs, obs.Time)
	interval := s.samp.interval(obs, st, st.State == domain.StateCalibrating || s.reps != nil, obs.Time)
	s.frames++
	s.mu.Unlock()

	s.emit(evs, decided)
	s.pubMu.Unlock()
	s.sup.SetInterval(interval)
	if s.web != nil {
		smp := webui.SampleFromObservation(obs).WithStatus(st)
		smp.GoodTodayS += s.earlierToday(obs.Time).GoodS
		s.web.PublishSample(smp)
		if reps != nil {
			s.web.PublishReps(*reps)
		}
		if prev != nil {
			s.web.PublishPreview(*prev)
		}
	}
	if len(mins) > 0 {
		if s.hist != nil {
			if err := s.hist.AddMinutes(mins...); err != nil {
				s.log.Error("history: minutes not saved", "err", err)
			}
		}
		if s.web != nil {
			s.web.PublishStats(s.Stats())
		}
	}
}

// stepReps feeds the rep counter of a camera-checked exercise; it returns
// an update worth sending (a change, or once a second while holding). s.mu held.
func (s *service) stepReps(obs domain.Observation, now time.Time) *webui.Reps {
	if s.reps == nil {
		return nil
	}
	if s.repsSince.IsZero() {
		s.repsSince = now
	}
	if now.Sub(s.repsSince) > repsIdleAfter {
		// Nobody is doing the exercise (the page was left open): stop
		// counting, and with it the fast sampling it needs.
		s.log.Info("rep counting stopped: no repetition for a while", "exercise", s.repsEx, "idle", repsIdleAfter)
		s.stopReps()
		return nil
	}
	u, changed := s.reps.Step(obs, now)
	if u.Reps > s.repsCount {
		s.repsSince = now
	}
	s.repsCount = u.Reps
	if !changed && !(u.Holding && now.Sub(s.lastReps) >= time.Second) {
		return nil
	}
	s.lastReps = now
	routineID := ""
	if s.routine != nil {
		routineID = s.routine.ID
	}
	r := webui.RepsFromUpdate(routineID, s.repsEx, s.repsTarget, u)
	return &r
}

// housekeeping ends a pause that ran out (no frames arrive while paused)
// and a calibration left running.
func (s *service) housekeeping() {
	s.mu.Lock()
	due := !s.pausedUntil.IsZero() && !s.now().Before(s.pausedUntil)
	stale := !s.calibStart.IsZero() && s.now().Sub(s.calibStart) >= calibrationTimeout
	s.mu.Unlock()
	if stale {
		s.log.Info("calibration cancelled: not finished in time", "after", calibrationTimeout)
		if err := s.CancelCalibration(); err != nil {
			s.log.Warn("cancel the calibration", "err", err)
		}
	}
	if due {
		if err := s.Resume(); err != nil {
			s.log.Warn("resume after the pause", "err", err)
		}
	}
}

// flush saves the finished minutes and the current one (on shutdown).
func (s *service) flush() {
	s.mu.Lock()
	mins := append(s.coach.TakeMinutes(), s.coach.CurrentMinute())
	s.mu.Unlock()
	if s.hist != nil {
		if err := s.hist.AddMinutes(mins...); err != nil {
			s.log.Error("history: minutes not saved at shutdown", "err", err)
		}
	}
}

// ---- webui.Backend ----

// Status is the live snapshot for the dashboard.
func (s *service) Status() webui.Status {
	now := s.now()
	cam := s.sup.Status()
	s.mu.Lock()
	st := webui.Status{Status: s.coach.Status(now), Profile: s.profile}
	stats := s.coach.Stats()
	if s.routine != nil {
		r := *s.routine
		st.Routine = &r
	} else if s.suggested != nil {
		r := *s.suggested
		st.Routine = &r
	}
	s.mu.Unlock()
	day := dayOf(now)
	for _, d := range stats.Days {
		if d.Start.Equal(day) {
			st.PresentTodayS = d.PresentS
		}
	}
	e := s.earlierToday(now)
	st.PresentTodayS += e.PresentS
	st.GoodTodayS += e.GoodS
	st.Camera = cameraStatus(cam)
	switch {
	case cam.State == vision.SourceRetrying:
		st.Message = "No picture from " + cam.Source + ": " + cam.Error + ". " + sentence(cam.Hint)
	case cam.State == vision.SourceEnded:
		st.Message = "The video ended: start posturewatch with --loop to play it again."
	case st.Profile == "":
		st.Message = "No profile: using the default thresholds. Calibrate for better accuracy."
	}
	return st
}

// sentence capitalises s and ends it with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// earlierToday is what History held for now's day when the service started.
func (s *service) earlierToday(now time.Time) domain.Bucket {
	if s.earlier.Start.IsZero() || !dayOf(now).Equal(s.earlier.Start) {
		return domain.Bucket{}
	}
	return s.earlier
}

// loadEarlierToday sums today's minutes stored by earlier runs.
func (s *service) loadEarlierToday(now time.Time) {
	if s.hist == nil {
		return
	}
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

func dayOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// cameraStatus maps the supervisor's status to the dashboard's.
func cameraStatus(c vision.SupervisorStatus) webui.CameraStatus {
	cs := webui.CameraStatus{OK: c.OK(), Source: c.Source, Error: c.Error, Hint: c.Hint, Released: c.State == vision.SourceReleased}
	switch c.State {
	case vision.SourceStarting:
		cs.Error = "opening " + c.Source
	case vision.SourceReleased:
		cs.Error = "paused: the camera is off"
		cs.Hint = "resume to turn it back on"
	case vision.SourceStopped:
		cs.Error = "stopped"
	}
	return cs
}

// Stats are the coach's in-memory aggregates.
func (s *service) Stats() domain.StatsSnapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.coach.Stats()
}

// Pause stops monitoring until the given wall time and closes the camera.
func (s *service) Pause(until time.Time) error {
	now := s.now()
	// until is wall time; the service clock may run faster (--speed)
	untilS := now.Add(time.Duration(float64(time.Until(until)) * s.sup.Speed()))
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	s.mu.Lock()
	evs, err := s.coach.Pause(untilS, now)
	if err == nil {
		s.pausedUntil = untilS
	}
	decided := time.Now()
	s.mu.Unlock()
	if err != nil {
		return domain.WrapError(domain.EINVALID, err)
	}
	select {
	case <-s.sup.Pause():
	case <-time.After(3 * time.Second):
		s.log.Warn("the camera was not released within 3 s")
	}
	s.emit(evs, decided)
	return nil
}

// Resume ends a pause and reopens the camera.
func (s *service) Resume() error {
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	now := s.now()
	s.mu.Lock()
	if s.pausedUntil.IsZero() {
		s.mu.Unlock()
		return domain.Errorf(domain.ECONFLICT, "monitoring is not paused")
	}
	evs := s.coach.Resume(now)
	s.pausedUntil = time.Time{}
	decided := time.Now()
	s.mu.Unlock()
	s.sup.Resume()
	s.emit(evs, decided)
	return nil
}

// Config returns the coach settings.
func (s *service) Config() domain.Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.coach.Config()
}

// SetConfig saves the settings (config file and History) and applies them.
func (s *service) SetConfig(cfg domain.Config) error {
	if err := cfg.Validate(); err != nil {
		return domain.WrapError(domain.EINVALID, err)
	}
	if err := saveConfig(s.configPath, s.hist, cfg); err != nil {
		return err
	}
	s.mu.Lock()
	err := s.coach.SetConfig(cfg)
	s.mu.Unlock()
	if err != nil {
		return domain.WrapError(domain.EINVALID, err)
	}
	if s.web != nil {
		s.web.PublishStatus(s.Status())
	}
	return nil
}

// StartCalibration begins a calibration: frames flow to the coach.
func (s *service) StartCalibration() error {
	if cam := s.sup.Status(); !cam.OK() {
		why := cam.Error
		if why == "" {
			why = string(cam.State)
		}
		return domain.Errorf(domain.EUNAVAILABLE, "calibration needs the camera, which gives no picture now (%s)", why)
	}
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	now := s.now()
	s.mu.Lock()
	evs, err := s.coach.StartCalibration(now)
	if err == nil {
		s.calibStart = now
	}
	decided := time.Now()
	s.mu.Unlock()
	if err != nil {
		return err
	}
	s.sup.SetInterval(sampleFast)
	s.emit(evs, decided)
	return nil
}

// calibrationTimeout ends a calibration nobody finished (the dashboard's tab
// was closed mid-way): until then the coach holds its nudges.
const calibrationTimeout = 2 * time.Minute

// CancelCalibration ends a calibration without changing the baseline.
func (s *service) CancelCalibration() error {
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	now := s.now()
	s.mu.Lock()
	evs := s.coach.CancelCalibration(now)
	s.calibStart = time.Time{}
	decided := time.Now()
	s.mu.Unlock()
	if evs == nil {
		return domain.Errorf(domain.ECONFLICT, "no calibration is running")
	}
	s.emit(evs, decided)
	return nil
}

// DismissRecalibrate clears a recalibration suggestion.
func (s *service) DismissRecalibrate() error {
	s.mu.Lock()
	s.coach.DismissRecalibrate()
	s.mu.Unlock()
	if s.web != nil {
		s.web.PublishStatus(s.Status())
	}
	return nil
}

// FinishCalibration makes, saves and activates the baseline.
func (s *service) FinishCalibration(profile string) (*domain.Baseline, error) {
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	now := s.now()
	s.mu.Lock()
	b, evs, err := s.coach.FinishCalibration(profile, now)
	s.calibStart = time.Time{}
	decided := time.Now()
	if err == nil {
		s.profile = b.Name
	}
	s.mu.Unlock()
	if err != nil {
		s.emit(evs, decided)
		return nil, err
	}
	s.anMu.Lock()
	s.an.SetBaseline(b)
	s.anMu.Unlock()
	var saveErr error
	if err := s.store.Save(b); err != nil {
		saveErr = fmt.Errorf("the profile is in use but could not be saved: %w", err)
	} else if err := s.store.SetActive(b.Name); err != nil {
		saveErr = fmt.Errorf("the profile is saved but could not be made the default: %w", err)
	}
	if s.hist != nil {
		if err := s.hist.SaveProfile(*b); err != nil {
			s.log.Warn("history: profile copy not saved", "err", err)
		}
	}
	s.emit(evs, decided)
	if saveErr != nil {
		return nil, saveErr
	}
	return b, nil
}

// Profiles lists the stored profiles.
func (s *service) Profiles() ([]domain.ProfileInfo, error) { return s.store.List() }

// UseProfile switches to a stored profile.
func (s *service) UseProfile(name string) error {
	b, err := s.store.Load(name)
	if errors.Is(err, coach.ErrNoProfile) {
		return err
	}
	if err != nil {
		return err
	}
	if err := s.store.SetActive(name); err != nil {
		return err
	}
	s.setBaseline(b, name)
	return nil
}

func (s *service) setBaseline(b *domain.Baseline, name string) {
	s.anMu.Lock()
	s.an.SetBaseline(b)
	s.anMu.Unlock()
	s.mu.Lock()
	s.coach.SetBaseline(b)
	s.profile = name
	s.mu.Unlock()
	if s.web != nil {
		s.web.PublishStatus(s.Status())
	}
}

// DeleteProfile removes a stored profile; deleting the one in use goes back
// to the default thresholds.
func (s *service) DeleteProfile(name string) error {
	if err := s.store.Delete(name); err != nil {
		return err
	}
	if s.hist != nil {
		if _, err := s.hist.DeleteProfile(name); err != nil {
			s.log.Warn("history: profile copy not deleted", "err", err)
		}
	}
	s.mu.Lock()
	inUse := s.profile == name
	s.mu.Unlock()
	if inUse {
		s.setBaseline(nil, "")
	}
	return nil
}

// Catalogue is the stretch catalogue.
func (s *service) Catalogue() *exercise.Catalogue { return s.cat }

// StartRoutine starts the suggested routine (req.ID) or builds one.
func (s *service) StartRoutine(req webui.RoutineStart) (*domain.Routine, error) {
	s.mu.Lock()
	var r *domain.Routine
	switch {
	case req.ID != "" && s.suggested != nil && s.suggested.ID == req.ID:
		c := *s.suggested
		r = &c
	case req.ID != "" && s.routine != nil && s.routine.ID == req.ID:
		c := *s.routine
		r = &c
	case req.ID != "":
		s.mu.Unlock()
		return nil, domain.Errorf(domain.ENOTFOUND, "no suggested routine %q: it may have been replaced; start a new one", req.ID)
	default:
		faults := map[domain.FaultName]float64{}
		for _, f := range req.Faults {
			faults[f] = 1
		}
		if len(faults) == 0 {
			day := dayOf(s.now())
			for _, d := range s.coach.Stats().Days {
				if d.Start.Equal(day) {
					for f, sec := range d.FaultS {
						faults[f] = sec / 60
					}
				}
			}
		}
		cfg := s.coach.Config()
		built, err := s.cat.Routine(exercise.RoutineRequest{Faults: faults, Equipment: cfg.Equipment, DeskOnly: cfg.DeskOnly, MaxDuration: cfg.RoutineMax.D()})
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		r = &built
	}
	s.routine, s.exIdx = r, 0
	reps := s.setupReps()
	s.mu.Unlock()
	if s.web != nil {
		s.web.PublishStatus(s.Status())
		if reps != nil {
			s.web.PublishReps(*reps)
		}
	}
	out := *r
	return &out, nil
}

// stopReps ends camera rep counting (and with it the fast sampling). s.mu held.
func (s *service) stopReps() {
	s.reps, s.repsEx, s.repsTarget, s.repsSince, s.repsCount = nil, "", 0, time.Time{}, 0
}

// setupReps starts a rep counter when the current exercise is camera-checked. s.mu held.
func (s *service) setupReps() *webui.Reps {
	s.stopReps()
	if s.routine == nil || s.exIdx >= len(s.routine.Items) {
		return nil
	}
	ex := s.routine.Items[s.exIdx].Exercise
	if ex.Checkable == "" {
		return nil
	}
	rc, err := reps.New(ex.Checkable)
	if err != nil {
		s.log.Warn("exercise cannot be counted", "exercise", ex.ID, "err", err)
		return nil
	}
	if b := s.coach.Baseline(); b != nil {
		rest := domain.Metrics{}
		for k, st := range b.Metrics {
			rest[k] = st.Median
		}
		if err := rc.SetBaseline(rest); err != nil {
			s.log.Debug("rep counter takes its own rest position", "err", err)
		}
	}
	s.reps, s.repsEx, s.repsTarget = rc, ex.ID, ex.Dose.Reps
	s.sup.SetInterval(sampleFast)
	return &webui.Reps{RoutineID: s.routine.ID, ExerciseID: ex.ID, Target: ex.Dose.Reps, Phase: reps.PhaseCalibrating}
}

// ExerciseDone records a finished (or skipped) exercise, or the whole routine.
func (s *service) ExerciseDone(routineID, exerciseID string, skipped bool) error {
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	now := s.now()
	s.mu.Lock()
	if s.routine == nil {
		s.mu.Unlock()
		return domain.Errorf(domain.ECONFLICT, "no routine is running: start one first")
	}
	if routineID != "" && routineID != s.routine.ID {
		s.mu.Unlock()
		return domain.Errorf(domain.ENOTFOUND, "routine %q is not the one running (%s)", routineID, s.routine.ID)
	}
	var evs []domain.Event
	var reps *webui.Reps
	if exerciseID == "" {
		evs = s.coach.RoutineDone(s.routine.ID, now)
		s.routine, s.suggested = nil, nil
		s.stopReps()
	} else {
		idx := -1
		for i, it := range s.routine.Items {
			if it.Exercise.ID == exerciseID {
				idx = i
				break
			}
		}
		if idx < 0 {
			s.mu.Unlock()
			return domain.Errorf(domain.ENOTFOUND, "routine %s has no exercise %q", s.routine.ID, exerciseID)
		}
		if !skipped {
			evs = s.coach.ExerciseDone(exerciseID, now)
		}
		s.exIdx = idx + 1
		reps = s.setupReps()
	}
	decided := time.Now()
	s.mu.Unlock()
	s.emit(evs, decided)
	if s.web != nil {
		s.web.PublishStatus(s.Status())
		if reps != nil {
			s.web.PublishReps(*reps)
		}
	}
	return nil
}

// StopRoutine ends the routine being played without finishing it.
func (s *service) StopRoutine() error {
	s.mu.Lock()
	stopped := s.routine != nil
	s.routine = nil
	s.stopReps()
	s.mu.Unlock()
	if stopped && s.web != nil {
		s.web.PublishStatus(s.Status())
	}
	return nil
}

// SetPreview is told whether any dashboard shows the camera preview.
func (s *service) SetPreview(on bool) { s.preview.Store(on) }

// ---- settings ----

// loadConfig reads the saved settings: config.json in the config dir, else
// the copy in History, else the defaults. A file that cannot be used is
// kept aside (config.json.bad) rather than lost, and the defaults are used.
func loadConfig(path string, hist *webui.History, log *slog.Logger) domain.Config {
	cfg := domain.DefaultConfig()
	data, err := os.ReadFile(path)
	source := path
	if errors.Is(err, os.ErrNotExist) && hist != nil {
		if v, ok, herr := hist.Setting(settingConfig); herr == nil && ok {
			data, err, source = []byte(v), nil, "history"
		}
	}
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			log.Error("settings unreadable; using the defaults", "file", path, "err", err)
		}
		return cfg
	}
	c := domain.DefaultConfig()
	err = json.Unmarshal(data, &c)
	if err == nil {
		err = c.Validate()
	}
	if err == nil {
		return c
	}
	log.Error("saved settings are invalid; using the defaults", "from", source, "err", err)
	if source == path {
		bad := path + ".bad"
		if rerr := os.Rename(path, bad); rerr == nil {
			log.Warn("the invalid settings file was kept aside", "file", bad)
		}
	}
	return cfg
}

// saveConfig writes the settings atomically to path and mirrors them in History.
func saveConfig(path string, hist *webui.History, cfg domain.Config) error {
	data, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return fmt.Errorf("settings: encode: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".config-*.json")
	if err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("settings: write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("settings: sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("settings: save %s: %w", path, err)
	}
	if hist != nil {
		if err := hist.SetSetting(settingConfig, string(data)); err != nil {
			return fmt.Errorf("settings saved to %s but not to history: %w", path, err)
		}
	}
	return nil
}
