package coach

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"
)

// Exercise checking: counting repetitions of a head movement from the camera.
//
// A repetition is the head leaving its rest position in the direction the
// kind defines, staying there a moment, and coming back. The direction is the
// kind's parameter: RepChinTuck counts the head gliding back, RepHeadForward
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
// noisy). A return is confirmed only after MergeGap at rest — a brief dip that
// goes straight back into the hold is the same repetition — and a
// displacement shorter than MinHold is noise. Start, end and hold time come
// from the interpolated crossings of the Exit level by the raw score, so they
// carry no smoothing lag. Frames without usable metrics are skipped; after
// MaxGap without any the counter is "lost" and a hold in progress is dropped.

// Repetition kinds.
const (
	// RepChinTuck: the chin glides straight back (retraction) and returns.
	// Seen from the front the face gets a little smaller against the frame and
	// the shoulders, the neck looks longer, and the nose dips slightly.
	RepChinTuck = "chin_tuck"
	// RepHeadForward: the head pokes forward toward the screen and returns,
	// the opposite direction: the face gets bigger and the neck shorter.
	RepHeadForward = "head_forward"
)

// Rep counter phases.
const (
	RepPhaseCalibrating = "calibrating" // taking the rest baseline
	RepPhaseRest        = "rest"        // at the rest position, ready
	RepPhaseHold        = "hold"        // displaced: a repetition in progress
	RepPhaseReturning   = "returning"   // back at rest; counted once it stays there for MergeGap
	RepPhaseLost        = "lost"        // no usable observations for a while
)

// repSignal is one metric's contribution to the displacement score.
type repSignal struct {
	metric   string
	sign     float64 // +1: the metric grows in the kind's direction
	unit     float64 // change of a typical full movement (relative or absolute)
	relative bool    // change measured as v/base-1 (ratios), else v-base
	weight   float64
}

type repKind struct {
	name    string
	signals []repSignal
}

// repKinds defines the counted movements. Units are the change of a clear
// repetition seen from a frontal webcam at desk distance.
var repKinds = map[string]repKind{
	RepChinTuck: {name: RepChinTuck, signals: []repSignal{
		{metric: MetricFaceFrame, sign: -1, unit: 0.05, relative: true, weight: 1},
		{metric: MetricFaceShoulder, sign: -1, unit: 0.05, relative: true, weight: 1},
		{metric: MetricNeckLength, sign: +1, unit: 0.08, relative: true, weight: 1},
		{metric: MetricHeadPitch, sign: -1, unit: 0.10, relative: false, weight: 0.5},
	}},
	RepHeadForward: {name: RepHeadForward, signals: []repSignal{
		{metric: MetricFaceFrame, sign: +1, unit: 0.10, relative: true, weight: 1},
		{metric: MetricFaceShoulder, sign: +1, unit: 0.10, relative: true, weight: 1},
		{metric: MetricNeckLength, sign: -1, unit: 0.15, relative: true, weight: 1},
		{metric: MetricHeadPitch, sign: +1, unit: 0.15, relative: false, weight: 0.5},
	}},
}

// RepKinds lists the kinds NewRepCounter accepts.
func RepKinds() []string {
	out := make([]string, 0, len(repKinds))
	for k := range repKinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// RepOptions tunes a RepCounter; zero fields take the defaults.
type RepOptions struct {
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

func (o RepOptions) withDefaults() RepOptions {
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

// RepUpdate is the counter's state after one observation. In JSON the
// durations are seconds: hold_s and last_hold_s.
type RepUpdate struct {
	Reps     int           `json:"reps"`
	Holding  bool          `json:"holding"` // displaced right now
	HoldTime time.Duration `json:"-"`       // of the current hold so far
	LastHold time.Duration `json:"-"`       // of the last completed repetition
	Phase    string        `json:"phase"`
	Score    float64       `json:"score"` // displacement in units of a full movement (0 when unknown)
}

type repUpdateJSON struct {
	Reps      int     `json:"reps"`
	Holding   bool    `json:"holding"`
	HoldS     float64 `json:"hold_s"`
	LastHoldS float64 `json:"last_hold_s"`
	Phase     string  `json:"phase"`
	Score     float64 `json:"score"`
}

// MarshalJSON writes the durations as seconds.
func (u RepUpdate) MarshalJSON() ([]byte, error) {
	return json.Marshal(repUpdateJSON{u.Reps, u.Holding, u.HoldTime.Seconds(), u.LastHold.Seconds(), u.Phase, math.Round(u.Score*1000) / 1000})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (u *RepUpdate) UnmarshalJSON(b []byte) error {
	var w repUpdateJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*u = RepUpdate{Reps: w.Reps, Holding: w.Holding, HoldTime: durationFromSeconds(w.HoldS),
		LastHold: durationFromSeconds(w.LastHoldS), Phase: w.Phase, Score: w.Score}
	return nil
}

// Repetition is one counted repetition. In JSON the hold is hold_s (seconds).
type Repetition struct {
	Start time.Time     `json:"start"` // left the rest position
	End   time.Time     `json:"end"`   // back at rest
	Hold  time.Duration `json:"-"`
	Peak  float64       `json:"peak"` // largest displacement score
}

type repetitionAlias Repetition

type repetitionJSON struct {
	repetitionAlias
	HoldS float64 `json:"hold_s"`
}

// MarshalJSON writes the hold as hold_s (seconds).
func (p Repetition) MarshalJSON() ([]byte, error) {
	return json.Marshal(repetitionJSON{repetitionAlias(p), p.Hold.Seconds()})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (p *Repetition) UnmarshalJSON(b []byte) error {
	var w repetitionJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = Repetition(w.repetitionAlias)
	p.Hold = durationFromSeconds(w.HoldS)
	return nil
}

// RepResult summarises a set. In JSON the durations are seconds:
// hold_times_s and mean_hold_s.
type RepResult struct {
	Kind        string          `json:"kind"`
	Reps        int             `json:"reps"`
	HoldTimes   []time.Duration `json:"-"`
	MeanHold    time.Duration   `json:"-"`
	Repetitions []Repetition    `json:"repetitions"`
}

type repResultAlias RepResult

type repResultJSON struct {
	repResultAlias
	HoldTimesS []float64 `json:"hold_times_s"`
	MeanHoldS  float64   `json:"mean_hold_s"`
}

// MarshalJSON writes the durations as seconds.
func (r RepResult) MarshalJSON() ([]byte, error) {
	w := repResultJSON{repResultAlias: repResultAlias(r), HoldTimesS: []float64{}, MeanHoldS: r.MeanHold.Seconds()}
	if w.Repetitions == nil {
		w.Repetitions = []Repetition{}
	}
	for _, h := range r.HoldTimes {
		w.HoldTimesS = append(w.HoldTimesS, h.Seconds())
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (r *RepResult) UnmarshalJSON(b []byte) error {
	var w repResultJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*r = RepResult(w.repResultAlias)
	r.HoldTimes = nil
	for _, s := range w.HoldTimesS {
		r.HoldTimes = append(r.HoldTimes, durationFromSeconds(s))
	}
	r.MeanHold = durationFromSeconds(w.MeanHoldS)
	return nil
}

// RepCounter counts repetitions of one kind of head movement. It is not safe
// for concurrent use; time comes only from the caller.
type RepCounter struct {
	kind  repKind
	opt   RepOptions
	enter float64
	exit  float64

	phase    string
	calStart time.Time
	calib    []Metrics
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

// NewRepCounter makes a counter for a kind (RepChinTuck or RepHeadForward)
// with the default options.
func NewRepCounter(kind string) (*RepCounter, error) {
	return NewRepCounterOptions(kind, RepOptions{})
}

// NewRepCounterOptions makes a counter with tuned options.
func NewRepCounterOptions(kind string, opt RepOptions) (*RepCounter, error) {
	k, ok := repKinds[kind]
	if !ok {
		return nil, fmt.Errorf("rep counter: unknown kind %q (known: %v)", kind, RepKinds())
	}
	opt = opt.withDefaults()
	return &RepCounter{kind: k, opt: opt, enter: opt.Enter, exit: opt.Exit, phase: RepPhaseCalibrating}, nil
}

// Kind returns the counted movement.
func (r *RepCounter) Kind() string { return r.kind.name }

// SetBaseline uses a known rest position (e.g. the user's calibrated good
// posture) instead of taking one from the first seconds.
func (r *RepCounter) SetBaseline(rest Metrics) error {
	base := map[string]float64{}
	for _, s := range r.kind.signals {
		if v, ok := rest[s.metric]; ok && repUsable(v, s) {
			base[s.metric] = v
		}
	}
	if len(base) == 0 {
		return fmt.Errorf("rep counter %s: baseline has none of the metrics it needs", r.kind.name)
	}
	r.base = base
	r.calib, r.calibT = nil, nil
	r.phase = RepPhaseRest
	r.havePrev = false
	r.riseT, r.fallT = time.Time{}, time.Time{}
	return nil
}

func repUsable(v float64, s repSignal) bool {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return false
	}
	return !s.relative || math.Abs(v) > 1e-9
}

// score is the displacement of m from the baseline in the kind's direction.
func (r *RepCounter) score(m Metrics, base map[string]float64) (float64, bool) {
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
func (r *RepCounter) Step(obs Observation, now time.Time) (RepUpdate, bool) {
	if r.havePrev && !now.After(r.prevT) || !r.lastUsable.IsZero() && !now.After(r.lastUsable) {
		return r.update(now), false
	}
	present := obs.Posture != PostureAway && len(obs.Metrics) > 0
	if r.phase == RepPhaseCalibrating {
		return r.calibrate(obs, present, now)
	}
	s, ok := 0.0, false
	if present {
		s, ok = r.score(obs.Metrics, r.base)
	}
	if !ok {
		if r.phase != RepPhaseLost && !r.lastUsable.IsZero() && now.Sub(r.lastUsable) > r.opt.MaxGap {
			if r.phase == RepPhaseReturning {
				r.finish() // it was complete before the user left the view
			}
			r.phase = RepPhaseLost
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
		case RepPhaseHold:
			r.phase = RepPhaseRest // the hold in progress is lost
			changed = true
		case RepPhaseReturning:
			r.finish()
			changed = true
		}
	}
	if r.phase == RepPhaseLost {
		r.phase = RepPhaseRest
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
	case RepPhaseRest:
		if math.Abs(s) < r.exit/2 && math.Abs(raw) < r.exit/2 {
			r.adapt(obs.Metrics)
		}
		if s >= r.enter {
			r.phase = RepPhaseHold
			r.holdStart = r.riseT
			if r.holdStart.IsZero() {
				r.holdStart = now
			}
			r.peak = s
			changed = true
		}
	case RepPhaseHold, RepPhaseReturning:
		r.peak = max(r.peak, s)
		switch {
		case r.phase == RepPhaseHold && s < r.exit:
			// Back at rest, unless it was a dip: confirm over MergeGap.
			r.phase = RepPhaseReturning
			r.endT = r.fallT
			if r.endT.IsZero() {
				r.endT = now
			}
			r.returnAt = now
			changed = true
		case r.phase == RepPhaseReturning && s >= r.enter:
			r.phase = RepPhaseHold // a dip within the hold: the same repetition
			changed = true
		case r.phase == RepPhaseReturning && now.Sub(r.returnAt) >= r.opt.MergeGap:
			r.finish()
			changed = true
		case r.phase == RepPhaseHold && now.Sub(r.holdStart) > r.opt.MaxHold:
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
func (r *RepCounter) finish() {
	hold := r.endT.Sub(r.holdStart)
	if hold >= r.opt.MinHold {
		r.reps = append(r.reps, Repetition{Start: r.holdStart, End: r.endT, Hold: hold, Peak: r.peak})
		r.lastHold = hold
	}
	r.phase = RepPhaseRest
}

// smooth applies exponential smoothing on the time axis (so 2 and 5 fps
// behave alike) to the raw score observed at now.
func (r *RepCounter) smooth(now time.Time, raw float64) float64 {
	if !r.havePrev || r.opt.Smoothing <= 0 {
		return raw
	}
	a := 1 - math.Exp(-float64(now.Sub(r.prevT))/float64(r.opt.Smoothing))
	return r.prevS + a*(raw-r.prevS)
}

// crossing interpolates the time the raw score crossed level between the
// previous observation and this one (now, if there is no usable previous one).
func (r *RepCounter) crossing(now time.Time, raw, level float64) time.Time {
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
func (r *RepCounter) adapt(m Metrics) {
	const alpha = 0.05
	for _, s := range r.kind.signals {
		b, okb := r.base[s.metric]
		v, ok := m[s.metric]
		if ok && okb && repUsable(v, s) {
			r.base[s.metric] = b + alpha*(v-b)
		}
	}
}

func (r *RepCounter) restartCalibration() {
	r.phase = RepPhaseCalibrating
	r.calStart = time.Time{}
	r.calib, r.calibT = nil, nil
	r.base = nil
	r.riseT, r.fallT = time.Time{}, time.Time{}
	r.enter, r.exit = r.opt.Enter, r.opt.Exit
}

func (r *RepCounter) calibrate(obs Observation, present bool, now time.Time) (RepUpdate, bool) {
	if present {
		m := Metrics{}
		for _, s := range r.kind.signals {
			if v, ok := obs.Metrics[s.metric]; ok && repUsable(v, s) {
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
			base[s.metric] = repMedian(vals)
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
	sigma := 1.4826 * repMAD(scores)
	r.enter = min(max(r.opt.Enter, 6*sigma), 2*r.opt.Enter)
	r.exit = min(max(r.opt.Exit, 3*sigma), 0.6*r.enter)
	r.base = base
	r.calib, r.calibT = nil, nil
	r.phase = RepPhaseRest
	r.riseT, r.fallT = time.Time{}, time.Time{}
	// The smoothing carries on from the last baseline observation.
	return r.update(now), true
}

func (r *RepCounter) update(now time.Time) RepUpdate {
	u := RepUpdate{Reps: len(r.reps), Phase: r.phase, LastHold: r.lastHold}
	if r.phase != RepPhaseCalibrating && r.phase != RepPhaseLost {
		u.Score = r.lastScore
	}
	if r.phase == RepPhaseHold {
		u.Holding = true
		u.HoldTime = max(0, now.Sub(r.holdStart))
	}
	return u
}

// Result summarises the repetitions counted so far, including one that has
// just returned to rest and is still being confirmed.
func (r *RepCounter) Result() RepResult {
	reps := slices.Clone(r.reps)
	if r.phase == RepPhaseReturning {
		if hold := r.endT.Sub(r.holdStart); hold >= r.opt.MinHold {
			reps = append(reps, Repetition{Start: r.holdStart, End: r.endT, Hold: hold, Peak: r.peak})
		}
	}
	res := RepResult{Kind: r.kind.name, Reps: len(reps), Repetitions: reps}
	var total time.Duration
	for _, p := range reps {
		res.HoldTimes = append(res.HoldTimes, p.Hold)
		total += p.Hold
	}
	if len(reps) > 0 {
		res.MeanHold = total / time.Duration(len(reps))
	}
	return res
}

func repMedian(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func repMAD(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	m := repMedian(v)
	d := make([]float64, len(v))
	for i, x := range v {
		d[i] = math.Abs(x - m)
	}
	return repMedian(d)
}
