package live

import (
	"slices"
	"strings"
	"time"

	"posturewatch/coach/domain"
)

// Holds: the camera is let go while the screen is locked, across suspend
// and while another program uses it, and taken back when the last hold
// ends. Time held is neither away nor good: the coach is paused, but the
// user's own pause (and its end) is kept apart from it.

// holdPause is how far ahead the coach's pause is set during a hold; the
// hold's end resumes it. (No frames arrive while held, so the coach never
// reaches it by itself.)
const holdPause = 7 * 24 * time.Hour

// ackWait bounds how long a hold waits for the camera to close before it
// acknowledges anyway (a sleep must not be held up for long).
const ackWait = 2 * time.Second

// hold applies one hold change.
func (s *Service) hold(h domain.Hold) {
	was := len(s.holds) > 0
	if h.On {
		s.holds[h.Source] = h.Reason
	} else {
		delete(s.holds, h.Source)
	}
	now := s.cam.Now()
	switch {
	case h.On && !was:
		s.log.Info("monitoring waits", "why", h.Reason)
		var evs []domain.Event
		if s.pausedUntil.IsZero() && !s.onBreak {
			var err error
			evs, err = s.coach.Pause(now.Add(holdPause), now)
			if err != nil {
				s.log.Warn("pause the coach for a hold", "err", err)
			}
			for i := range evs {
				if evs[i].Type == domain.EventPaused {
					evs[i].Until, evs[i].Duration = time.Time{}, 0
					evs[i].Message = "Monitoring waits: " + h.Reason + "."
				}
			}
		}
		s.counting = nil
		released := s.cam.Release()
		s.emit(evs, s.wall())
		s.pub.PublishStatus(s.status())
		if h.Ack != nil {
			go func() {
				select {
				case <-released:
				case <-time.After(ackWait):
					s.log.Warn("the camera did not close in time; letting the hold go on", "hold", h.Source)
				}
				h.Ack()
			}()
		}
	case h.On:
		s.pub.PublishStatus(s.status()) // another reason, or a new one
		if h.Ack != nil {
			h.Ack() // already closed
		}
	case !h.On && was && len(s.holds) == 0:
		s.log.Info("monitoring again", "after", h.Source)
		var evs []domain.Event
		if s.pausedUntil.IsZero() {
			s.cam.Resume()
			if !s.onBreak {
				evs = s.coach.Resume(now)
			}
		}
		s.emit(evs, s.wall())
		s.pub.PublishStatus(s.status())
	default:
		s.pub.PublishStatus(s.status())
	}
}

// held reports whether a hold keeps the camera closed.
func (s *Service) held() bool { return len(s.holds) > 0 }

// waiting words the holds for the dashboard: "the screen is locked; zoom
// (pid 1234) uses the camera".
func (s *Service) waiting() string {
	sources := make([]string, 0, len(s.holds))
	for src := range s.holds {
		sources = append(sources, src)
	}
	slices.Sort(sources)
	reasons := make([]string, len(sources))
	for i, src := range sources {
		reasons[i] = s.holds[src]
	}
	return strings.Join(reasons, "; ")
}
