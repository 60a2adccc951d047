package domain

import (
	"math"
	"time"
)

// MinCalibrationFrames is the least number of usable frames a calibration needs.
const MinCalibrationFrames = 8

// Current reports whether the baseline was measured with today's metrics.
func (b *Baseline) Current() bool { return b != nil && b.Version == MetricsVersion }

// Usable reports whether the observation can go into a baseline: someone
// judged (not away, not unknown), confident enough, with metrics.
func (o Observation) Usable(minConfidence float64) bool {
	return o.Posture != PostureAway && o.Posture != PostureUnknown && o.Confidence >= minConfidence && len(o.Metrics) > 0
}

// ComputeBaseline makes a baseline from good-posture observations with robust
// statistics (median and MAD per metric). Frames with nobody, too little
// visible (unknown) or a confidence under minConfidence are rejected; fewer
// than MinCalibrationFrames usable frames is an error. A metric measured on
// fewer than half the usable frames is left out.
func ComputeBaseline(name string, frames []Observation, minConfidence float64, created time.Time) (*Baseline, error) {
	if name == "" {
		name = "default"
	}
	var usable []Observation
	for _, o := range frames {
		if !o.Usable(minConfidence) {
			continue
		}
		usable = append(usable, o)
	}
	if len(usable) < MinCalibrationFrames {
		return nil, Errorf(EINVALID, "calibration: only %d usable frames of %d (need at least %d): sit facing the camera with your head and both shoulders in view, in good light",
			len(usable), len(frames), MinCalibrationFrames)
	}
	vals := map[string][]float64{}
	for _, o := range usable {
		for k, v := range o.Metrics {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				vals[k] = append(vals[k], v)
			}
		}
	}
	b := &Baseline{Name: name, Version: MetricsVersion, Created: created, Frames: len(usable), Metrics: map[string]Stat{}}
	for k, vs := range vals {
		if len(vs)*2 < len(usable) {
			continue
		}
		b.Metrics[k] = Stat{Median: Median(vs), MAD: MAD(vs), N: len(vs)}
	}
	if len(b.Metrics) == 0 {
		return nil, Errorf(EINVALID, "calibration: no metric was measured on enough of the %d usable frames", len(usable))
	}
	b.Outline = medianOutline(usable)
	for _, o := range usable {
		if o.Backlit {
			b.Backlit++
		}
	}
	return b, nil
}

// outlineMinScore is the keypoint confidence a calibration frame needs for
// the keypoint to enter the outline (the preview draws the same ones).
const outlineMinScore = 0.3

// medianOutline is each keypoint's median position over the frames that
// see it well; a keypoint seen on fewer than half the frames is left out.
func medianOutline(frames []Observation) []Keypoint {
	xs, ys := map[string][]float64{}, map[string][]float64{}
	var order []string
	for _, o := range frames {
		for _, k := range o.Keypoints {
			if k.Score < outlineMinScore || !finite(k.X) || !finite(k.Y) {
				continue
			}
			if _, ok := xs[k.Name]; !ok {
				order = append(order, k.Name)
			}
			xs[k.Name] = append(xs[k.Name], k.X)
			ys[k.Name] = append(ys[k.Name], k.Y)
		}
	}
	var out []Keypoint
	for _, n := range order {
		if len(xs[n])*2 < len(frames) {
			continue
		}
		out = append(out, Keypoint{Name: n, X: Median(xs[n]), Y: Median(ys[n]), Score: float64(len(xs[n])) / float64(len(frames))})
	}
	return out
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// RobustZ is how many robust standard deviations (1.4826·MAD) x lies from the
// baseline median of key; ok is false when the baseline lacks the metric. A
// MAD of 0 gives +Inf for any difference.
func (b *Baseline) RobustZ(key string, x float64) (z float64, ok bool) {
	if b == nil {
		return 0, false
	}
	st, ok := b.Metrics[key]
	if !ok {
		return 0, false
	}
	d := math.Abs(x - st.Median)
	if st.MAD <= 0 {
		if d == 0 {
			return 0, true
		}
		return math.Inf(1), true
	}
	return d / (1.4826 * st.MAD), true
}

// BuildBaseline is ComputeBaseline with the default minimum confidence
// (DefaultConfig().MinConfidence); for `posturewatch calibrate` and eval.
func BuildBaseline(name string, frames []Observation, created time.Time) (*Baseline, error) {
	return ComputeBaseline(name, frames, DefaultConfig().MinConfidence, created)
}

// Validate checks a baseline read from a file or built in memory: it has
// metrics, every median and MAD is a finite number, and the frame count is
// not negative.
func (b *Baseline) Validate() error {
	if b == nil {
		return Errorf(EINVALID, "no baseline")
	}
	if len(b.Metrics) == 0 {
		return Errorf(EINVALID, "the baseline has no metrics")
	}
	for k, st := range b.Metrics {
		if k == "" || math.IsNaN(st.Median) || math.IsInf(st.Median, 0) || math.IsNaN(st.MAD) || math.IsInf(st.MAD, 0) || st.MAD < 0 {
			return Errorf(EINVALID, "baseline metric %q has a bad median or MAD", k)
		}
	}
	if b.Frames < 0 {
		return Errorf(EINVALID, "the baseline has a negative frame count")
	}
	if b.Backlit < 0 || b.Backlit > b.Frames {
		return Errorf(EINVALID, "the baseline counts %d backlit frames of %d", b.Backlit, b.Frames)
	}
	for _, k := range b.Outline {
		if k.Name == "" || !finite(k.X) || !finite(k.Y) {
			return Errorf(EINVALID, "baseline outline point %q has a bad position", k.Name)
		}
	}
	return nil
}
