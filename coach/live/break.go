package live

import (
	"time"

	"posturewatch/coach/domain"
)

// A stretch break is not coached: while a routine plays, the coach holds
// its nudges and suggestions (the user is moving on purpose, and a "time
// for a stretch break" toast during the break itself is nonsense), and the
// time counts as neither good nor bad. The camera stays on: it counts the
// repetitions. A break left open (the player's tab closed) ends by itself.
const maxBreak = 20 * time.Minute

// startBreak pauses the coach for a stretch break, unless it is paused
// already (the user's pause, a hold, a break going on).
func (s *Service) startBreak() {
	if s.onBreak {
		return
	}
	now := s.cam.Now()
	s.onBreak, s.breakStart = true, now
	if !s.pausedUntil.IsZero() || s.held() {
		return
	}
	evs, err := s.coach.Pause(now.Add(holdPause), now)
	if err != nil {
		s.log.Warn("pause the coach for a stretch break", "err", err)
		return
	}
	for i := range evs {
		if evs[i].Type == domain.EventPaused {
			evs[i].Until, evs[i].Duration = time.Time{}, 0
			evs[i].Message = "Stretch break: posture nudges wait until it ends."
		}
	}
	s.emit(evs, s.wall())
}

// endBreak resumes the coach after a stretch break, unless something else
// keeps it paused; it returns the coach's events.
func (s *Service) endBreak() []domain.Event {
	if !s.onBreak {
		return nil
	}
	s.onBreak = false
	if !s.pausedUntil.IsZero() || s.held() {
		return nil
	}
	return s.coach.Resume(s.cam.Now())
}
