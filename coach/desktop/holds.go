package desktop

import (
	"context"

	"posturewatch/coach/domain"
)

// HoldOf turns a desktop event into what monitoring should do with the
// camera: a lock holds it closed until the unlock, a sleep until the wake.
// Unavailable is no hold (monitoring just runs).
func HoldOf(e Event) (domain.Hold, bool) {
	switch e.Kind {
	case Locked:
		return domain.Hold{Source: domain.HoldScreen, Reason: "the screen is locked", On: true}, true
	case Unlocked:
		return domain.Hold{Source: domain.HoldScreen}, true
	case Sleeping:
		return domain.Hold{Source: domain.HoldSleep, Reason: "the computer is going to sleep", On: true, Ack: e.Ack}, true
	case Woke:
		return domain.Hold{Source: domain.HoldSleep}, true
	}
	return domain.Hold{}, false
}

// ForwardHolds runs the monitor and hands its events to out as holds until
// ctx ends. Without a desktop (no bus, no logind) it says so once in the
// log and monitoring simply goes on.
func (m *Monitor) ForwardHolds(ctx context.Context, out chan<- domain.Hold) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = m.Run(ctx) // missing buses are not errors; Run retries them
	}()
	for e := range m.Events() { // closed when Run returns
		if e.Kind == Unavailable {
			m.log.Info("no desktop signals: the camera is not released on screen lock or suspend", "why", e.Detail)
		}
		h, ok := HoldOf(e)
		if !ok {
			continue
		}
		select {
		case out <- h:
		case <-ctx.Done():
			if h.Ack != nil {
				h.Ack()
			}
		}
	}
	<-done
}
