package live

import (
	"time"

	"posturewatch/coach/domain"
)

// Adaptive sampling (on the camera's clock). The rate is what the coach's
// timing wants; cpuBudget stretches it where frames cost more than the
// share of a core allows (budget.go). 2 fps only for a few seconds after the
// coach's smoothed view changes (and while calibrating or counting
// repetitions), 0.5 fps when steady, one frame in 5 s after a minute of
// steady sitting (most of a working day), 0.33 fps while nobody is there,
// one frame in 10 s once nobody has been there for a minute (noticing a
// return takes up to 10 s then), and nothing while paused (the camera is
// closed). From RestFrom apart the camera rests between frames
// (vision.SupervisorOptions.RestFrom): its light is off most of the time.
// The coach times onsets of 20 s, and any change seen switches back to
// 2 fps, so after a long steady stretch a new slouch is seen within 5 s
// and nudged about 25 s after it began. The README's performance section
// has the measured cost of each rate.
const (
	SampleFast       = 500 * time.Millisecond // 2 fps
	SampleSteady     = 2 * time.Second        // 0.5 fps
	SampleVerySteady = 5 * time.Second        // 0.2 fps: a minute steady
	// RestFrom: frames at least this far apart let the camera rest
	// (closed, its light off) in between.
	RestFrom        = 3 * time.Second
	SampleAway      = 3 * time.Second  // 0.33 fps
	SampleAwayLong  = 10 * time.Second // away for over a minute: the camera rests between frames
	fastFor         = 4 * time.Second  // fast this long after a change (the coach smooths over 4 s)
	verySteadyAfter = time.Minute
	awaySlowAfter   = 5 * time.Second
	awayLongAfter   = time.Minute
)

// sampler chooses the sampling interval from the coach's smoothed view.
type sampler struct {
	sig        string
	lastChange time.Time
	awaySince  time.Time
}

// interval returns the time until the next frame wanted. busy means the
// service needs every movement (calibrating, counting repetitions).
func (p *sampler) interval(obs domain.Observation, st domain.Status, busy bool, now time.Time) time.Duration {
	// The frame's own verdict counts as well as the coach's smoothed one: a
	// first slumped frame is worth a second look soon, as the smoothing
	// needs more than one frame in its window to believe it.
	sig := string(obs.Posture) + "/" + string(st.State) + "/" + string(st.Fault)
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
		return SampleFast
	case !p.awaySince.IsZero() && now.Sub(p.awaySince) >= awayLongAfter:
		return SampleAwayLong
	case !p.awaySince.IsZero() && now.Sub(p.awaySince) >= awaySlowAfter:
		return SampleAway
	case now.Sub(p.lastChange) < fastFor:
		return SampleFast
	case now.Sub(p.lastChange) < verySteadyAfter:
		return SampleSteady
	default:
		return SampleVerySteady
	}
}
