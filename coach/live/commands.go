package live

import (
	"context"
	"fmt"
	"time"

	"posturewatch/coach/domain"
	"posturewatch/coach/exercise"
)

// The dashboard's commands. Each runs its work on the Run goroutine (do);
// the exported method only waits for it, and for the camera where needed.

// Status is the live snapshot for the dashboard.
func (s *Service) Status() domain.LiveStatus {
	var st domain.LiveStatus
	if err := s.do(func() { st = s.status() }); err != nil {
		return domain.LiveStatus{Status: domain.Status{State: domain.StateAway},
			Camera: domain.CameraStatus{State: domain.CameraStopped, Error: "stopped"}, Message: "posturewatch is stopping."}
	}
	return st
}

// Stats are the coach's in-memory aggregates.
func (s *Service) Stats() domain.StatsSnapshot {
	var st domain.StatsSnapshot
	_ = s.do(func() { st = s.coach.Stats() })
	return st
}

// Frames is the number of frames analysed so far.
func (s *Service) Frames() int {
	var n int
	_ = s.do(func() { n = s.frames })
	return n
}

// Pause stops monitoring until the given wall time and closes the camera;
// it returns once the camera is closed (or after a few seconds, with a
// warning in the log).
func (s *Service) Pause(until time.Time) error {
	var released <-chan struct{}
	var perr error
	if err := s.do(func() { released, perr = s.pause(until) }); err != nil {
		return err
	}
	if perr != nil {
		return perr
	}
	select {
	case <-released:
	case <-time.After(releaseWait):
		s.log.Warn("the camera was not released in time", "waited", releaseWait)
	}
	return nil
}

func (s *Service) pause(until time.Time) (<-chan struct{}, error) {
	now := s.cam.Now()
	// until is wall time; the camera clock may run faster (a sped-up demo)
	untilCam := now.Add(time.Duration(float64(until.Sub(s.wall())) * s.cam.Speed()))
	evs, err := s.coach.Pause(untilCam, now)
	if err != nil {
		return nil, domain.WrapError(domain.EINVALID, err)
	}
	decided := s.wall()
	s.pausedUntil = untilCam
	released := s.cam.Release()
	s.emit(evs, decided)
	return released, nil
}

// Resume ends a pause and opens the camera again.
func (s *Service) Resume() error {
	return s.call(s.resume)
}

func (s *Service) resume() error {
	if s.pausedUntil.IsZero() {
		return domain.Errorf(domain.ECONFLICT, "monitoring is not paused")
	}
	s.pausedUntil = time.Time{}
	if s.held() {
		// the user's pause is over, but a hold still keeps the camera
		// closed: monitoring resumes when the hold ends
		s.pub.PublishStatus(s.status())
		return nil
	}
	s.cam.Resume()
	if s.onBreak { // the coach waits for the stretch break to end
		s.pub.PublishStatus(s.status())
		return nil
	}
	evs := s.coach.Resume(s.cam.Now())
	s.emit(evs, s.wall())
	return nil
}

// Config returns the coach settings.
func (s *Service) Config() domain.Config {
	var cfg domain.Config
	if err := s.do(func() { cfg = s.coach.Config() }); err != nil {
		return domain.DefaultConfig()
	}
	return cfg
}

// SetConfig saves the settings and applies them: both or neither. A
// setting that cannot be saved is not applied, so the coach never runs
// with settings that a restart would lose.
func (s *Service) SetConfig(cfg domain.Config) error {
	if err := cfg.Validate(); err != nil {
		return domain.WrapError(domain.EINVALID, err)
	}
	return s.call(func() error {
		// A new camera is tried first: one that can never be a camera is
		// refused before anything is saved.
		old := s.coach.Config().Camera
		switched := cfg.Camera != old
		if switched {
			dev, err := s.cam.UseCamera(cfg.Camera)
			if err != nil {
				return err
			}
			s.log.Info("camera chosen", "setting", cfg.Camera, "device", dev)
			s.learning = 0 // vision learns the new camera's view afresh
		}
		if err := s.settings.SaveConfig(cfg); err != nil {
			if switched {
				if _, err := s.cam.UseCamera(old); err != nil {
					s.log.Warn("the camera could not be switched back", "err", err)
				}
			}
			if domain.ErrorCode(err) == domain.ECONFLICT {
				return err // a setting the environment holds: the store says which
			}
			s.log.Error("settings not saved", "err", err)
			return domain.Errorf(domain.EUNAVAILABLE, "the settings could not be saved, so they were not changed: %v", err)
		}
		return s.applyConfig(cfg)
	})
}

// Cameras lists the cameras the dashboard offers, the one chosen in the
// settings and the one in use.
func (s *Service) Cameras() (domain.Cameras, error) {
	cams, err := s.cam.Cameras()
	if err != nil {
		return cams, err
	}
	cams.Chosen = s.Config().Camera
	return cams, nil
}

func (s *Service) applyConfig(cfg domain.Config) error {
	if err := s.coach.SetConfig(cfg); err != nil {
		return domain.WrapError(domain.EINVALID, err)
	}
	if s.notifier != nil {
		s.notifier.SetEnabled(cfg.DesktopNotifications)
	}
	s.pub.PublishStatus(s.status())
	return nil
}

// Notifications says whether desktop notifications can be shown in this
// run and whether they are on.
func (s *Service) Notifications() domain.NotificationSettings {
	return domain.NotificationSettings{Available: s.notifier != nil, Desktop: s.Config().DesktopNotifications}
}

// SetNotifications turns desktop notifications on or off: a setting like
// the others, saved in the settings file.
func (s *Service) SetNotifications(desktop bool) error {
	if s.notifier == nil {
		return domain.Errorf(domain.ECONFLICT, "desktop notifications are not available in this run")
	}
	cfg := s.Config()
	cfg.DesktopNotifications = desktop
	return s.SetConfig(cfg)
}

// HistoryKept reports whether minutes and events are kept in this run.
func (s *Service) HistoryKept() bool { return s.histKept }

// History sums the kept minutes into hours or days between from and to.
func (s *Service) History(ctx context.Context, from, to time.Time, by domain.Period, loc *time.Location) ([]domain.Bucket, error) {
	return s.hist.Range(ctx, from, to, by, loc)
}

// StartCalibration begins a calibration: frames go to the coach's capture
// at the fast rate until it is finished, cancelled or times out.
func (s *Service) StartCalibration() error {
	return s.call(func() error {
		if cam := s.cam.Status(); cam.State != domain.CameraOK {
			why := cam.Error
			if why == "" {
				why = string(cam.State)
			}
			return domain.Errorf(domain.EUNAVAILABLE, "calibration needs the camera, which gives no picture now (%s)", why)
		}
		now := s.cam.Now()
		evs, err := s.coach.StartCalibration(now)
		if err != nil {
			return err
		}
		decided := s.wall()
		s.calibStart = now
		s.cam.SetInterval(SampleFast)
		s.emit(evs, decided)
		return nil
	})
}

// CancelCalibration ends a calibration without changing the baseline.
func (s *Service) CancelCalibration() error {
	return s.call(s.cancelCalibration)
}

func (s *Service) cancelCalibration() error {
	evs := s.coach.CancelCalibration(s.cam.Now())
	s.calibStart = time.Time{}
	if evs == nil {
		return domain.Errorf(domain.ECONFLICT, "no calibration is running")
	}
	s.emit(evs, s.wall())
	return nil
}

// DismissRecalibrate clears a suggestion to recalibrate.
func (s *Service) DismissRecalibrate() error {
	return s.do(func() {
		s.coach.DismissRecalibrate()
		s.pub.PublishStatus(s.status())
	})
}

// FinishCalibration makes the baseline from the frames captured, uses it,
// saves it under the profile name and makes it the one used next time.
func (s *Service) FinishCalibration(profile string) (*domain.Baseline, error) {
	var b *domain.Baseline
	var ferr error
	err := s.do(func() {
		now := s.cam.Now()
		var evs []domain.Event
		b, evs, ferr = s.coach.FinishCalibration(profile, now)
		decided := s.wall()
		s.calibStart = time.Time{}
		if ferr != nil {
			s.emit(evs, decided)
			return
		}
		s.profile, s.firstRun = b.Name, false
		s.cam.SetBaseline(b)
		if err := s.profiles.Save(b); err != nil {
			ferr = fmt.Errorf("the profile is in use but could not be saved: %w", err)
		} else if err := s.profiles.SetActive(b.Name); err != nil {
			ferr = fmt.Errorf("the profile is saved but could not be made the default: %w", err)
		}
		s.emit(evs, decided)
	})
	if err != nil {
		return nil, err
	}
	if ferr != nil {
		return nil, ferr
	}
	return b, nil
}

// Profiles lists the stored profiles.
func (s *Service) Profiles() ([]domain.ProfileInfo, error) { return s.profiles.List() }

// UseProfile switches to a stored profile and remembers it.
func (s *Service) UseProfile(name string) error {
	b, err := s.profiles.Load(name)
	if err != nil {
		return err
	}
	if err := s.profiles.SetActive(name); err != nil {
		return err
	}
	return s.do(func() { s.setBaseline(b, name) })
}

// DeleteProfile removes a stored profile; deleting the one in use goes back
// to the default thresholds.
func (s *Service) DeleteProfile(name string) error {
	if err := s.profiles.Delete(name); err != nil {
		return err
	}
	return s.do(func() {
		if s.profile == name {
			s.setBaseline(nil, "")
		}
	})
}

func (s *Service) setBaseline(b *domain.Baseline, name string) {
	s.cam.SetBaseline(b)
	s.coach.SetBaseline(b)
	s.profile = name
	s.pub.PublishStatus(s.status())
}

// Catalogue is the stretch catalogue.
func (s *Service) Catalogue() *exercise.Catalogue { return s.cat }

// SetPreview is told whether any dashboard shows the camera preview.
func (s *Service) SetPreview(on bool) { s.cam.SetPreview(on) }

// StartRoutine starts the suggested routine (req.ID) or builds one.
func (s *Service) StartRoutine(req domain.RoutineStart) (*domain.Routine, error) {
	var out *domain.Routine
	var rerr error
	err := s.do(func() {
		r, err := s.pickRoutine(req)
		if err != nil {
			rerr = err
			return
		}
		if s.routine != nil && s.routine.ID == r.ID {
			// the running routine asked for again (a reloaded player): go on
			// where it is
			c := *s.routine
			out = &c
			return
		}
		s.routine, s.exIdx, s.exDone = r, 0, 0
		rc := s.startReps()
		s.startBreak()
		// said as an event too, for whatever counts stretch breaks (the
		// metrics, a webhook, the history)
		started := domain.Event{Time: s.cam.Now(), Type: domain.EventRoutine, Routine: r,
			Message: fmt.Sprintf("Stretch routine %s started.", r.ID)}
		s.emit([]domain.Event{started}, s.wall())
		s.pub.PublishStatus(s.status())
		if rc != nil {
			s.pub.PublishReps(*rc)
		}
		c := *r
		out = &c
	})
	if err != nil {
		return nil, err
	}
	return out, rerr
}

func (s *Service) pickRoutine(req domain.RoutineStart) (*domain.Routine, error) {
	switch {
	case req.ID != "" && s.suggested != nil && s.suggested.ID == req.ID:
		c := *s.suggested
		return &c, nil
	case req.ID != "" && s.routine != nil && s.routine.ID == req.ID:
		c := *s.routine
		return &c, nil
	case req.ID != "":
		return nil, domain.Errorf(domain.ENOTFOUND, "no suggested routine %q: it may have been replaced; start a new one", req.ID)
	}
	faults := map[domain.FaultName]float64{}
	for _, f := range req.Faults {
		faults[f] = 1
	}
	if len(faults) == 0 {
		day := dayOf(s.cam.Now())
		for _, d := range s.coach.Stats().Days {
			if d.Start.Equal(day) {
				for f, sec := range d.FaultS {
					faults[f] = sec / 60
				}
			}
		}
	}
	cfg := s.coach.Config()
	built, err := s.cat.Routine(exercise.RoutineRequest{Faults: faults, Equipment: cfg.Equipment,
		DeskOnly: cfg.DeskOnly, AtDesk: s.atDesk(), MaxDuration: cfg.RoutineMax.D()})
	if err != nil {
		return nil, err
	}
	return &built, nil
}

// atDesk: whether the user is taken to sit at the desk, so a routine keeps
// off the floor. Only when the camera sees nobody there is the floor fair;
// paused, calibrating or on a break, the user was last seen at the desk.
func (s *Service) atDesk() bool {
	return s.coach.Status(s.cam.Now()).State != domain.StateAway
}

// ExerciseDone records a finished (or skipped) exercise, or, with an empty
// exerciseID, the whole routine.
func (s *Service) ExerciseDone(routineID, exerciseID string, skipped bool) error {
	return s.call(func() error {
		if s.routine == nil {
			return domain.Errorf(domain.ECONFLICT, "no routine is running: start one first")
		}
		if routineID != "" && routineID != s.routine.ID {
			return domain.Errorf(domain.ENOTFOUND, "routine %q is not the one running (%s)", routineID, s.routine.ID)
		}
		now := s.cam.Now()
		var evs []domain.Event
		var rc *domain.RepCount
		if exerciseID == "" {
			evs = s.coach.RoutineDone(s.routine.ID, now)
			s.routine, s.suggested, s.counting, s.exDone = nil, nil, nil, 0
			evs = append(evs, s.endBreak()...)
		} else {
			idx := -1
			for i, it := range s.routine.Items {
				if it.Exercise.ID == exerciseID {
					idx = i
					break
				}
			}
			if idx < 0 {
				return domain.Errorf(domain.ENOTFOUND, "routine %s has no exercise %q", s.routine.ID, exerciseID)
			}
			if !skipped {
				evs = s.coach.ExerciseDone(exerciseID, now)
				s.exDone++
			}
			s.exIdx = idx + 1
			rc = s.startReps()
		}
		s.emit(evs, s.wall())
		s.pub.PublishStatus(s.status())
		if rc != nil {
			s.pub.PublishReps(*rc)
		}
		return nil
	})
}

// StopRoutine ends the routine being played without finishing it; no
// routine running is not an error. A routine stopped after at least one
// exercise done still counts as a stretch break taken: the user moved.
func (s *Service) StopRoutine() error {
	return s.do(func() {
		stopped := s.routine != nil
		var evs []domain.Event
		if stopped && s.exDone > 0 {
			evs = s.coach.RoutineDone(s.routine.ID, s.cam.Now())
		}
		s.routine, s.counting, s.exDone = nil, nil, 0
		evs = append(evs, s.endBreak()...)
		if len(evs) > 0 {
			s.emit(evs, s.wall())
		}
		if stopped {
			s.pub.PublishStatus(s.status())
		}
	})
}

// TestNudge sends a harmless nudge the user asked for, the way a real one
// goes (to the dashboards and the desktop notifier), so they can see how
// nudges look. It is not counted in the statistics nor kept in the history.
func (s *Service) TestNudge() error {
	return s.do(func() {
		_, fix := domain.NudgeText(domain.ForwardHead)
		e := domain.Event{Time: s.wall(), Type: domain.EventNudge, Fault: domain.ForwardHead, Test: true,
			Message: "This is a test nudge: real ones look like this. Nothing was wrong with your posture.", Fix: fix}
		s.deliver(e, s.wall())
	})
}
