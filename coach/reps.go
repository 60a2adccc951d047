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
// kind defines, staying there a moment, and coming back. The rest position is
// a baseline of the metrics taken over the first seconds. Each observation is
// turned into one displacement score: the weighted mean, over the kind's
// metrics that are present, of the change from the baseline in the kind's
// direction, in units of a typical full movement (so about 1 at the end of a
// clear repetition and 0 at rest; movement the other way is negative). The
// score enters "hold" above Enter and leaves below Exit (hysteresis, so noise
// near one threshold cannot double count); the hold time is measured between
// the interpolated crossings of the Exit level, which keeps it accurate at 2 to
// 5 frames per second. A displacement shorter than MinHold is noise.

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
	base     map[string]float64

	havePrev   bool
	prevT      time.Time
	prevS      float64
	lastUsable time.Time
	lastScore  float64

	riseT     time.Time // when the score last rose above Exit while at rest
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
	r.calib = nil
	r.phase = RepPhaseRest
	r.havePrev = false
	r.riseT = time.Time{}
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
			r.phase = RepPhaseLost
			r.havePrev = false
			r.riseT = time.Time{}
			return r.update(now), true
		}
		return r.update(now), false
	}
	changed := false
	if r.havePrev && now.Sub(r.prevT) > r.opt.MaxGap {
		r.havePrev = false // too long a gap to interpolate across
		if r.phase == RepPhaseHold {
			r.phase = RepPhaseRest // the hold in progress is lost
			changed = true
		}
	}
	if r.phase == RepPhaseLost {
		r.phase = RepPhaseRest
		r.riseT = time.Time{}
		changed = true
	}
	if r.havePrev && r.opt.Smoothing > 0 {
		// Exponential smoothing on the time axis, so 2 and 5 fps behave alike.
		a := 1 - math.Exp(-float64(now.Sub(r.prevT))/float64(r.opt.Smoothing))
		s = r.prevS + a*(s-r.prevS)
	}
	r.lastUsable = now
	r.lastScore = s

	switch r.phase {
	case RepPhaseRest:
		if s >= r.exit {
			if r.riseT.IsZero() {
				r.riseT = r.crossing(now, s, r.exit)
			}
		} else {
			r.riseT = time.Time{}
			if math.Abs(s) < r.exit/2 {
				r.adapt(obs.Metrics)
			}
		}
		if s >= r.enter {
			r.phase = RepPhaseHold
			r.holdStart = r.riseT
			r.peak = s
			changed = true
		}
	case RepPhaseHold:
		r.peak = max(r.peak, s)
		if s < r.exit {
			end := r.crossing(now, s, r.exit)
			hold := end.Sub(r.holdStart)
			if hold >= r.opt.MinHold {
				r.reps = append(r.reps, Repetition{Start: r.holdStart, End: end, Hold: hold, Peak: r.peak})
				r.lastHold = hold
			}
			r.phase = RepPhaseRest
			r.riseT = time.Time{}
			changed = true
		} else if now.Sub(r.holdStart) > r.opt.MaxHold {
			// Held far longer than any repetition: the user settled somewhere
			// else. Take a new rest baseline rather than count nonsense.
			r.restartCalibration()
			r.prevT, r.havePrev = now, false
			return r.update(now), true
		}
	}
	r.prevT, r.prevS, r.havePrev = now, s, true
	return r.update(now), changed
}

// crossing interpolates the time the score crossed level between the previous
// observation and this one (now, if there is no usable previous one).
func (r *RepCounter) crossing(now time.Time, s, level float64) time.Time {
	if !r.havePrev || r.prevS == s {
		return now
	}
	f := (level - r.prevS) / (s - r.prevS)
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
	r.calib = nil
	r.base = nil
	r.riseT = time.Time{}
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
			if r.calStart.IsZero() {
				r.calStart = now
			}
			r.calib = append(r.calib, m)
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
		r.calStart, r.calib = time.Time{}, nil
		return r.update(now), false
	}
	// Noise-adaptive thresholds: the score's spread at rest.
	var scores []float64
	for _, m := range r.calib {
		if s, ok := r.score(m, base); ok {
			scores = append(scores, s)
		}
	}
	sigma := 1.4826 * repMAD(scores)
	r.enter = min(max(r.opt.Enter, 6*sigma), 2*r.opt.Enter)
	r.exit = min(max(r.opt.Exit, 3*sigma), 0.6*r.enter)
	r.base = base
	r.calib = nil
	r.phase = RepPhaseRest
	r.havePrev = false
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

// Result summarises the repetitions counted so far.
func (r *RepCounter) Result() RepResult {
	res := RepResult{Kind: r.kind.name, Reps: len(r.reps), Repetitions: slices.Clone(r.reps)}
	var total time.Duration
	for _, p := range r.reps {
		res.HoldTimes = append(res.HoldTimes, p.Hold)
		total += p.Hold
	}
	if len(r.reps) > 0 {
		res.MeanHold = total / time.Duration(len(r.reps))
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
