package reps

import (
	"fmt"
	"math"
	"posturewatch/coach/domain"
	"slices"
	"sort"
	"time"
)

// Exercise checking: counting repetitions of a head movement from the camera.
//
// A repetition is the head leaving its rest position in the direction the
// kind defines, staying there a moment, and coming back. The direction is the
// kind's parameter: ChinTuck counts the head gliding back, HeadForward
// the head poking forward, with the same machinery and opposite signs.
//
// The rest position is a baseline (medians) of the metrics over the first
// seconds, which then follows slow drift while the head is at rest. Each
// observation becomes one displacement score: the weighted mean, over the
// kind's metrics that are present (face/frame, face/shoulder, neck length,
// head pitch), of the change from the baseline in the kind's direction, in
// units of a typical full movement — about 1 at the end of a clear
// repetition, 0 at rest, negative for movement the other way. The score is
// smoothed exponentially on the time axis (so 2 and 5 fps behave alike).
//
// Hysteresis: a hold starts when the smoothed score rises above Enter and ends
// when it falls below Exit (both raised automatically when the baseline was
// noisy: Enter to 6 robust SDs of the rest score, at most 1.6 times its
// default so a clear repetition still counts; Exit to 3 SDs, kept between 55
// and 70 % of the entry level so that a return to a position a little off the
// first rest still ends the hold). A return is confirmed only after MergeGap at rest — a brief dip that
// goes straight back into the hold is the same repetition — and a
// displacement shorter than MinHold is noise. Start, end and hold time come
// from the interpolated crossings of the Exit level by the raw score, so they
// carry no smoothing lag. Frames without usable metrics are skipped; after
// MaxGap without any the counter is "lost" and a hold in progress is dropped.

// Repetition kinds.
const (
	// ChinTuck: the chin glides straight back (retraction) and returns.
	// Seen from the front the face gets a little smaller against the frame and
	// the shoulders, the neck looks longer, and the nose dips slightly.
	ChinTuck = "chin_tuck"
	// HeadForward: the head pokes forward toward the screen and returns,
	// the opposite direction: the face gets bigger and the neck shorter.
	HeadForward = "head_forward"
)

// Rep counter phases.
const (
	PhaseCalibrating = "calibrating" // taking the rest baseline
	PhaseRest        = "rest"        // at the rest position, ready
	PhaseHold        = "hold"        // displaced: a repetition in progress
	PhaseReturning   = "returning"   // back at rest; counted once it stays there for MergeGap
	PhaseLost        = "lost"        // no usable observations for a while
)

// repSignal is one metric's contribution to the displacement score.
type signal struct {
	metric   string
	sign     float64 // +1: the metric grows in the kind's direction
	unit     float64 // change of a typical full movement (relative or absolute)
	relative bool    // change measured as v/base-1 (ratios), else v-base
	weight   float64
}

type kind struct {
	name    string
	signals []signal
}

// kinds defines the counted movements. Units are the change of a clear
// repetition seen from a frontal webcam at desk distance: the face's size in
// the frame and against the shoulders, the neck's height against the
// shoulders' width (steadier than in eye widths, which carry the eyes' noise
// twice), and
// the head's pitch in degrees (a chin tuck nods it down a little, a poke
// lifts the chin).
var kinds = map[string]kind{
	ChinTuck: {name: ChinTuck, signals: []signal{
		{metric: domain.MetricFaceFrame, sign: -1, unit: 0.05, relative: true, weight: 1},
		{metric: domain.MetricShoulderFace, sign: +1, unit: 0.05, relative: true, weight: 1},
		{metric: domain.MetricNeckShoulders, sign: +1, unit: 0.08, relative: true, weight: 1},
		{metric: domain.MetricHeadPitch, sign: -1, unit: 6, relative: false, weight: 0.5},
	}},
	HeadForward: {name: HeadForward, signals: []signal{
		{metric: domain.MetricFaceFrame, sign: +1, unit: 0.10, relative: true, weight: 0.5}, // a poke may not bring the face nearer
		{metric: domain.MetricShoulderFace, sign: -1, unit: 0.08, relative: true, weight: 1},
		{metric: domain.MetricNeckShoulders, sign: -1, unit: 0.10, relative: true, weight: 1},
		{metric: domain.MetricHeadPitch, sign: +1, unit: 8, relative: false, weight: 0.5},
	}},
}

// RepKinds lists the kinds NewCounter accepts.
func Kinds() []string {
	out := make([]string, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Options tunes a Counter; zero fields take the defaults.
type Options struct {
	BaselineWindow  time.Duration // rest baseline from the first seconds (default 2 s)
	BaselineSamples int           // at least this many observations in it (default 4)
	Enter           float64       // displacement score that starts a hold (default 0.5)
	Exit            float64       // score below which the head is back (default 0.25)
	MinHold         time.Duration // shorter displacements are noise (default 0.6 s)
	MaxGap          time.Duration // longer without usable observations → lost (default 2 s)
	MaxHold         time.Duration // displaced longer → the rest position moved: recalibrate (default 20 s)
	Smoothing       time.Duration // time constant of the score's exponential smoothing (default 0.25 s; <0: none)
	MergeGap        time.Duration // a dip back to rest shorter than this, followed by the hold again, is one repetition (default 0.6 s)
}

func (o Options) withDefaults() Options {
	if o.BaselineWindow <= 0 {
		o.BaselineWindow = 2 * time.Second
	}
	if o.BaselineSamples <= 0 {
		o.BaselineSamples = 4
	}
	if o.Enter <= 0 {
		o.Enter = 0.5
	}
	if o.Exit <= 0 || o.Exit >= o.Enter {
		o.Exit = o.Enter / 2
	}
	if o.MinHold <= 0 {
		o.MinHold = 600 * time.Millisecond
	}
	if o.MaxGap <= 0 {
		o.MaxGap = 2 * time.Second
	}
	if o.MaxHold <= 0 {
		o.MaxHold = 20 * time.Second
	}
	if o.Smoothing == 0 {
		o.Smoothing = 250 * time.Millisecond
	}
	if o.MergeGap <= 0 {
		o.MergeGap = 600 * time.Millisecond
	}
	return o
}

// Update is the counter's state after one observation.
type Update struct {
	Reps     int            `json:"reps"`
	Holding  bool           `json:"holding"`     // displaced right now
	HoldTime domain.Seconds `json:"hold_s"`      // of the current hold so far
	LastHold domain.Seconds `json:"last_hold_s"` // of the last completed repetition
	Phase    string         `json:"phase"`
	Score    float64        `json:"score"` // displacement in units of a full movement (0 when unknown), to 3 decimals
}

// Repetition is one counted repetition.
type Repetition struct {
	Start time.Time      `json:"start"` // left the rest position
	End   time.Time      `json:"end"`   // back at rest
	Hold  domain.Seconds `json:"hold_s"`
	Peak  float64        `json:"peak"` // largest displacement score
}

// Result summarises a set.
type Result struct {
	Kind        string           `json:"kind"`
	Reps        int              `json:"reps"`
	HoldTimes   []domain.Seconds `json:"hold_times_s"`
	MeanHold    domain.Seconds   `json:"mean_hold_s"`
	Repetitions []Repetition     `json:"repetitions"`
}

// Counter counts repetitions of one kind of head movement. It is not safe
// for concurrent use; time comes only from the caller.
type Counter struct {
	kind  kind
	opt   Options
	enter float64
	exit  float64

	phase    string
	calStart time.Time
	calib    []domain.Metrics
	calibT   []time.Time
	base     map[string]float64

	havePrev   bool
	prevT      time.Time
	prevS      float64 // smoothed score
	prevRaw    float64 // raw score
	lastUsable time.Time
	lastScore  float64

	riseT     time.Time // when the raw score last rose above Exit while at rest
	fallT     time.Time // when the raw score last fell below Exit while holding
	endT      time.Time // returning: when the hold ended
	returnAt  time.Time // returning: when the smoothed score fell below Exit
	holdStart time.Time
	peak      float64
	lastHold  time.Duration
	reps      []Repetition
}

// NewCounter makes a counter for a kind (ChinTuck or HeadForward)
// with the default options.
func New(kind string) (*Counter, error) {
	return NewWithOptions(kind, Options{})
}

// NewCounterOptions makes a counter with tuned options.
func NewWithOptions(kind string, opt Options) (*Counter, error) {
	k, ok := kinds[kind]
	if !ok {
		return nil, fmt.Errorf("rep counter: unknown kind %q (known: %v)", kind, Kinds())
	}
	opt = opt.withDefaults()
	return &Counter{kind: k, opt: opt, enter: opt.Enter, exit: opt.Exit, phase: PhaseCalibrating}, nil
}

// Kind returns the counted movement.
func (r *Counter) Kind() string { return r.kind.name }

// SetBaseline uses a known rest position (e.g. the user's calibrated good
// posture) instead of taking one from the first seconds.
func (r *Counter) SetBaseline(rest domain.Metrics) error {
	base := map[string]float64{}
	for _, s := range r.kind.signals {
		if v, ok := rest[s.metric]; ok && usable(v, s) {
			base[s.metric] = v
		}
	}
	if len(base) == 0 {
		return fmt.Errorf("rep counter %s: baseline has none of the metrics it needs", r.kind.name)
	}
	r.base = base
	r.calib, r.calibT = nil, nil
	r.phase = PhaseRest
	r.havePrev = false
	r.riseT, r.fallT = time.Time{}, time.Time{}
	return nil
}

func usable(v float64, s signal) bool {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return false
	}
	return !s.relative || math.Abs(v) > 1e-9
}

// score is the displacement of m from the baseline in the kind's direction.
func (r *Counter) score(m domain.Metrics, base map[string]float64) (float64, bool) {
	var sum, wsum float64
	for _, s := range r.kind.signals {
		v, ok := m[s.metric]
		b, okb := base[s.metric]
		if !ok || !okb || math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		d := v - b
		if s.relative {
			d = v/b - 1
		}
		sum += s.weight * s.sign * d / s.unit
		wsum += s.weight
	}
	if wsum == 0 {
		return 0, false
	}
	return sum / wsum, true
}

// Step feeds one observation taken at now. It returns the counter's state and
// whether something happened on this step (a phase change or a repetition
// completed). Observations out of time order are ignored.
func (r *Counter) Step(obs domain.Observation, now time.Time) (Update, bool) {
	if r.havePrev && !now.After(r.prevT) || !r.lastUsable.IsZero() && !now.After(r.lastUsable) {
		return r.update(now), false
	}
	present := obs.Posture != domain.PostureAway && len(obs.Metrics) > 0
	if r.phase == PhaseCalibrating {
		return r.calibrate(obs, present, now)
	}
	s, ok := 0.0, false
	if present {
		s, ok = r.score(obs.Metrics, r.base)
	}
	if !ok {
		if r.phase != PhaseLost && !r.lastUsable.IsZero() && now.Sub(r.lastUsable) > r.opt.MaxGap {
			if r.phase == PhaseReturning {
				r.finish() // it was complete before the user left the view
			}
			r.phase = PhaseLost
			r.havePrev = false
			r.riseT, r.fallT = time.Time{}, time.Time{}
			return r.update(now), true
		}
		return r.update(now), false
	}
	changed := false
	if r.havePrev && now.Sub(r.prevT) > r.opt.MaxGap {
		r.havePrev = false // too long a gap to interpolate across
		switch r.phase {
		case PhaseHold:
			r.phase = PhaseRest // the hold in progress is lost
			changed = true
		case PhaseReturning:
			r.finish()
			changed = true
		}
	}
	if r.phase == PhaseLost {
		r.phase = PhaseRest
		r.riseT, r.fallT = time.Time{}, time.Time{}
		changed = true
	}
	// Phases follow the smoothed score (robust to noise); the times of
	// leaving and regaining rest come from the raw score (no smoothing lag).
	raw := s
	s = r.smooth(now, raw)
	r.lastUsable = now
	r.lastScore = s

	// The raw score's latest crossings of the Exit level.
	if raw >= r.exit {
		if r.riseT.IsZero() {
			r.riseT = r.crossing(now, raw, r.exit)
		}
		r.fallT = time.Time{}
	} else {
		if r.fallT.IsZero() {
			r.fallT = r.crossing(now, raw, r.exit)
		}
		r.riseT = time.Time{}
	}

	switch r.phase {
	case PhaseRest:
		if math.Abs(s) < r.exit/2 && math.Abs(raw) < r.exit/2 {
			r.adapt(obs.Metrics)
		}
		if s >= r.enter {
			r.phase = PhaseHold
			r.holdStart = r.riseT
			if r.holdStart.IsZero() {
				r.holdStart = now
			}
			r.peak = s
			changed = true
		}
	case PhaseHold, PhaseReturning:
		r.peak = max(r.peak, s)
		switch {
		case r.phase == PhaseHold && s < r.exit:
			// Back at rest, unless it was a dip: confirm over MergeGap.
			r.phase = PhaseReturning
			r.endT = r.fallT
			if r.endT.IsZero() {
				r.endT = now
			}
			r.returnAt = now
			changed = true
		case r.phase == PhaseReturning && s >= r.enter:
			r.phase = PhaseHold // a dip within the hold: the same repetition
			changed = true
		case r.phase == PhaseReturning && now.Sub(r.returnAt) >= r.opt.MergeGap:
			r.finish()
			changed = true
		case r.phase == PhaseHold && now.Sub(r.holdStart) > r.opt.MaxHold:
			// Held far longer than any repetition: the user settled somewhere
			// else. Take a new rest baseline rather than count nonsense.
			r.restartCalibration()
			r.prevT, r.havePrev = now, false
			return r.update(now), true
		}
	}
	r.prevT, r.prevS, r.prevRaw, r.havePrev = now, s, raw, true
	return r.update(now), changed
}

// finish ends a returning repetition: counted if it was held long enough.
func (r *Counter) finish() {
	hold := r.endT.Sub(r.holdStart)
	if hold >= r.opt.MinHold {
		r.reps = append(r.reps, Repetition{Start: r.holdStart, End: r.endT, Hold: domain.Sec(hold), Peak: r.peak})
		r.lastHold = hold
	}
	r.phase = PhaseRest
}

// smooth applies exponential smoothing on the time axis (so 2 and 5 fps
// behave alike) to the raw score observed at now.
func (r *Counter) smooth(now time.Time, raw float64) float64 {
	if !r.havePrev || r.opt.Smoothing <= 0 {
		return raw
	}
	a := 1 - math.Exp(-float64(now.Sub(r.prevT))/float64(r.opt.Smoothing))
	return r.prevS + a*(raw-r.prevS)
}

// crossing interpolates the time the raw score crossed level between the
// previous observation and this one (now, if there is no usable previous one).
func (r *Counter) crossing(now time.Time, raw, level float64) time.Time {
	if !r.havePrev || r.prevRaw == raw {
		return now
	}
	f := (level - r.prevRaw) / (raw - r.prevRaw)
	if f < 0 || f > 1 {
		return now
	}
	return r.prevT.Add(time.Duration(f * float64(now.Sub(r.prevT))))
}

// adapt lets the baseline follow slow drift while the head is at rest.
func (r *Counter) adapt(m domain.Metrics) {
	const alpha = 0.05
	for _, s := range r.kind.signals {
		b, okb := r.base[s.metric]
		v, ok := m[s.metric]
		if ok && okb && usable(v, s) {
			r.base[s.metric] = b + alpha*(v-b)
		}
	}
}

func (r *Counter) restartCalibration() {
	r.phase = PhaseCalibrating
	r.calStart = time.Time{}
	r.calib, r.calibT = nil, nil
	r.base = nil
	r.riseT, r.fallT = time.Time{}, time.Time{}
	r.enter, r.exit = r.opt.Enter, r.opt.Exit
}

func (r *Counter) calibrate(obs domain.Observation, present bool, now time.Time) (Update, bool) {
	if present {
		m := domain.Metrics{}
		for _, s := range r.kind.signals {
			if v, ok := obs.Metrics[s.metric]; ok && usable(v, s) {
				m[s.metric] = v
			}
		}
		if len(m) > 0 {
			if !r.calStart.IsZero() && now.Sub(r.lastUsable) > r.opt.MaxGap {
				r.calStart, r.calib, r.calibT = time.Time{}, nil, nil // interrupted: start over
			}
			if r.calStart.IsZero() {
				r.calStart = now
			}
			r.calib = append(r.calib, m)
			r.calibT = append(r.calibT, now)
			r.lastUsable = now
		}
	}
	if r.calStart.IsZero() || now.Sub(r.calStart) < r.opt.BaselineWindow || len(r.calib) < r.opt.BaselineSamples {
		return r.update(now), false
	}
	base := map[string]float64{}
	for _, s := range r.kind.signals {
		var vals []float64
		for _, m := range r.calib {
			if v, ok := m[s.metric]; ok {
				vals = append(vals, v)
			}
		}
		if len(vals)*2 >= len(r.calib) && len(vals) >= 2 {
			base[s.metric] = domain.Median(vals)
		}
	}
	if len(base) == 0 {
		// Metrics too patchy for a baseline: start over.
		r.calStart, r.calib, r.calibT = time.Time{}, nil, nil
		return r.update(now), false
	}
	// Noise-adaptive thresholds: the spread at rest of the smoothed score,
	// the one the thresholds apply to.
	var scores []float64
	r.havePrev = false
	for i, m := range r.calib {
		if raw, ok := r.score(m, base); ok {
			s := r.smooth(r.calibT[i], raw)
			scores = append(scores, s)
			r.prevT, r.prevS, r.prevRaw, r.havePrev = r.calibT[i], s, raw, true
		}
	}
	sigma := 0.0
	if len(scores) > 0 {
		sigma = 1.4826 * domain.MAD(scores)
	}
	r.enter = min(max(r.opt.Enter, 6*sigma), 1.6*r.opt.Enter)
	r.exit = min(max(r.opt.Exit, 3*sigma, 0.55*r.enter), 0.7*r.enter)
	r.base = base
	r.calib, r.calibT = nil, nil
	r.phase = PhaseRest
	r.riseT, r.fallT = time.Time{}, time.Time{}
	// The smoothing carries on from the last baseline observation.
	return r.update(now), true
}

func (r *Counter) update(now time.Time) Update {
	u := Update{Reps: len(r.reps), Phase: r.phase, LastHold: domain.Sec(r.lastHold)}
	if r.phase != PhaseCalibrating && r.phase != PhaseLost {
		u.Score = math.Round(r.lastScore*1000) / 1000
	}
	if r.phase == PhaseHold {
		u.Holding = true
		u.HoldTime = domain.Sec(max(0, now.Sub(r.holdStart)))
	}
	return u
}

// Result summarises the repetitions counted so far, including one that has
// just returned to rest and is still being confirmed.
func (r *Counter) Result() Result {
	reps := slices.Clone(r.reps)
	if r.phase == PhaseReturning {
		if hold := r.endT.Sub(r.holdStart); hold >= r.opt.MinHold {
			reps = append(reps, Repetition{Start: r.holdStart, End: r.endT, Hold: domain.Sec(hold), Peak: r.peak})
		}
	}
	if reps == nil {
		reps = []Repetition{} // JSON: an empty list, not null
	}
	res := Result{Kind: r.kind.name, Reps: len(reps), Repetitions: reps, HoldTimes: []domain.Seconds{}}
	var total time.Duration
	for _, p := range reps {
		res.HoldTimes = append(res.HoldTimes, p.Hold)
		total += p.Hold.D()
	}
	if len(reps) > 0 {
		res.MeanHold = domain.Sec(total / time.Duration(len(reps)))
	}
	return res
}
