package live

import "time"

// The CPU budget: posturewatch runs all day beside the user's work, so the
// process may use at most CPUShare of one core while it monitors. What a
// frame costs depends on the machine (on a slow one, the three models take
// several times longer than on a quick one), so the sampler's intervals,
// chosen for the coach's timing, are stretched where the measured cost
// would exceed the share.
const (
	// CPUShare is the share of one core the sampling aims at: under the 3 %
	// budget by the burst below, so any two minutes stay within it.
	CPUShare = 0.025
	// cpuWindow sets the burst: the CPU the share earns in this long may be
	// spent at once (the fast frames after a change: 8 frames of 77 ms on
	// this project's slowest machines), so over any stretch T the process
	// uses at most CPUShare·(T + cpuWindow): 3 % of two minutes.
	cpuWindow = 24 * time.Second
	// maxStretch bounds the wait on a machine too slow for the share, so
	// presence and changes are still noticed (the share is then exceeded).
	maxStretch = SampleAwayLong
	// cpuReserve is the part of the burst that only the fast frames after a
	// change may spend: where even the steady pace is over the share, the
	// steady frames are stretched further, so that a change still gets a
	// few quick frames to confirm it (four of 77 ms).
	cpuReserve = cpuWindow / 2
)

// cpuBudget is a token bucket of CPU time: it fills at CPUShare of the
// service clock, up to the burst, and each frame takes out the CPU the
// process spent since the previous one (analysis, coaching, publishing and
// whatever else ran in between).
type cpuBudget struct {
	cpu      func() time.Duration // the process's CPU time so far; nil: no budget
	tokens   time.Duration
	last     time.Time     // service clock at the last frame; zero before the first
	lastCPU  time.Duration // cpu() then
	perFrame time.Duration // recent CPU per frame, smoothed
	limiting bool          // the last interval was stretched
}

// stretch returns the interval to ask for: planned, or longer if the next
// frame would overdraw the budget. exempt frames are outside the
// monitoring's budget: calibrating and counting repetitions (the user asked
// for them and is not working meanwhile) and the first frames that learn
// the camera's view (at most learnFastFrames, once a session). They are
// never delayed and not charged, so the fast frames after the first change
// of posture are not held back by what the start-up spent.
func (b *cpuBudget) stretch(planned time.Duration, now time.Time, exempt bool) time.Duration {
	if b.cpu == nil {
		return planned
	}
	c := b.cpu()
	if b.last.IsZero() || now.Before(b.last) {
		// the first frame, or the clock went back (another source): start full
		b.last, b.lastCPU, b.tokens, b.perFrame = now, c, b.capacity(), 0
		return planned
	}
	spent := max(c-b.lastCPU, 0)
	if exempt {
		spent = 0
	}
	b.tokens += time.Duration(CPUShare * float64(now.Sub(b.last)))
	b.tokens = min(b.tokens, b.capacity()) - spent
	b.last, b.lastCPU = now, c
	if exempt {
		b.limiting = false
		return planned
	}
	if b.perFrame == 0 {
		b.perFrame = spent
	} else {
		b.perFrame += (spent - b.perFrame) / 4
	}
	// Wait until the bucket holds the next frame's expected cost (over the
	// reserve, unless the sampler wants its fast frames).
	avail := b.tokens
	if planned > SampleFast {
		avail -= b.reserve()
	}
	need := time.Duration(float64(b.perFrame-avail) / CPUShare)
	if need <= planned {
		b.limiting = false
		return planned
	}
	b.limiting = true
	return min(need, max(maxStretch, planned))
}

func (b *cpuBudget) capacity() time.Duration {
	return time.Duration(CPUShare * float64(cpuWindow))
}

func (b *cpuBudget) reserve() time.Duration {
	return time.Duration(CPUShare * float64(cpuReserve))
}
