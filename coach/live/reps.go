package live

import (
	"math"
	"time"

	"posturewatch/coach/domain"
	"posturewatch/coach/reps"
)

// repsIdleAfter stops counting an exercise nobody is doing (the player left
// open): counting needs the fast frame rate, which costs CPU.
const repsIdleAfter = 3 * time.Minute

// repSession counts the repetitions of the current camera-checked exercise.
type repSession struct {
	counter  *reps.Counter
	exercise string
	target   int
	lastRep  time.Time // when it last counted a repetition (or started)
	count    int
	lastSent time.Time
}

// startReps starts a rep counter when the current exercise is
// camera-checked, and returns the first count to show.
func (s *Service) startReps() *domain.RepCount {
	s.counting = nil
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
	s.counting = &repSession{counter: rc, exercise: ex.ID, target: ex.Dose.Reps}
	s.cam.SetInterval(SampleFast)
	return &domain.RepCount{RoutineID: s.routine.ID, ExerciseID: ex.ID, Target: ex.Dose.Reps, Phase: reps.PhaseCalibrating}
}

// stepReps feeds the rep counter; it returns a count worth sending (a
// change, or once a second while holding).
func (s *Service) stepReps(obs domain.Observation, now time.Time) *domain.RepCount {
	c := s.counting
	if c == nil {
		return nil
	}
	if c.lastRep.IsZero() {
		c.lastRep = now
	}
	if now.Sub(c.lastRep) > repsIdleAfter {
		s.log.Info("rep counting stopped: no repetition for a while", "exercise", c.exercise, "idle", repsIdleAfter)
		s.counting = nil
		return nil
	}
	u, changed := c.counter.Step(obs, now)
	if u.Reps > c.count {
		c.lastRep = now
	}
	c.count = u.Reps
	if !changed && !(u.Holding && now.Sub(c.lastSent) >= time.Second) {
		return nil
	}
	c.lastSent = now
	routineID := ""
	if s.routine != nil {
		routineID = s.routine.ID
	}
	r := repCount(routineID, c.exercise, c.target, u)
	return &r
}

// repCount is the dashboard's view of a rep counter update.
func repCount(routineID, exerciseID string, target int, u reps.Update) domain.RepCount {
	return domain.RepCount{RoutineID: routineID, ExerciseID: exerciseID, Count: u.Reps, Target: target,
		HoldS: math.Round(u.HoldTime.D().Seconds()*10) / 10, Holding: u.Holding, Phase: u.Phase}
}
