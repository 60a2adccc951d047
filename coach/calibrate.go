package coach

import (
	"math"
	"posturewatch/coach/domain"
	"time"
)

// Stale-baseline detection.
//
// A baseline stops fitting when the camera or the seat moved: the user's head
// and shoulders then sit at another place and size in the frame, while the
// shape of the posture (neck length, face to shoulder proportions, head pitch)
// is unchanged. A fault changes that shape (forward head shortens the neck and
// enlarges the face against the shoulders; slouching shortens the neck), so it
// is not mistaken for a moved camera.

// The metrics of the check. The face's size in the frame changes with the
// camera's distance; the heights change with its height and tilt (and when
// the user sinks in the chair, a fault, so a height shift alone is not
// enough). Body proportions change with posture, not with the camera. Head
// pitch and face height ratio change with the camera's elevation as well as
// with the head, so they are left out.
var (
	positionMetrics = []string{domain.MetricShoulderHeight, domain.MetricEyeHeight, domain.MetricFaceFrame}
	shapeMetrics    = []string{domain.MetricNeckEyes, domain.MetricShoulderFace}
)

const (
	stalePositionZ = 6.0  // a moved metric is this many robust SDs away …
	staleShift     = 0.06 // … and a height moved at least 6 % of the frame height
	staleScale     = 0.15 // … and the face size changed by at least 15 %
	staleShapeZ    = 4.0  // a shape metric within this many robust SDs …
	staleShapeRel  = 0.12 // … or within 12 % of its median is unchanged
	staleOn        = 0.5  // smoothed share of moved frames that starts the stale timer
	staleOff       = 0.2  // … and below which it is reset
	// moveCheckFor is how long after vision reports a camera move the
	// judged frames are checked for the sitter's place having moved.
	moveCheckFor = 10 * time.Second
)

// metricMoved: x is far from the baseline both statistically and in size.
func metricMoved(b *domain.Baseline, key string, x float64) bool {
	z, ok := b.RobustZ(key, x)
	if !ok || z <= stalePositionZ {
		return false
	}
	d := math.Abs(x - b.Metrics[key].Median)
	if key == domain.MetricFaceFrame {
		return d >= staleScale*math.Abs(b.Metrics[key].Median)
	}
	return d >= staleShift
}

// positionMoved: the sitter's place or size in the frame is far from the
// baseline's (any of positionMetrics moved).
func positionMoved(b *domain.Baseline, m domain.Metrics) bool {
	for _, k := range positionMetrics {
		if x, ok := m[k]; ok && metricMoved(b, k, x) {
			return true
		}
	}
	return false
}

// cameraMoved judges one frame: the face size and at least one height moved,
// while every measured body proportion is unchanged.
func cameraMoved(b *domain.Baseline, m domain.Metrics) bool {
	face, ok := m[domain.MetricFaceFrame]
	if !ok || !metricMoved(b, domain.MetricFaceFrame, face) {
		return false
	}
	height := false
	for _, k := range []string{domain.MetricShoulderHeight, domain.MetricEyeHeight} {
		if x, ok := m[k]; ok && metricMoved(b, k, x) {
			height = true
		}
	}
	if !height {
		return false
	}
	shapes := 0
	for _, k := range shapeMetrics {
		x, ok := m[k]
		if !ok {
			continue
		}
		z, ok := b.RobustZ(k, x)
		if !ok {
			continue
		}
		if z >= staleShapeZ && math.Abs(x-b.Metrics[k].Median) > staleShapeRel*math.Abs(b.Metrics[k].Median) {
			return false
		}
		shapes++
	}
	return shapes > 0
}

func (c *Coach) updateStale(obs domain.Observation, now time.Time) {
	if c.baseline == nil || c.staleDismissed {
		return
	}
	if c.movePending {
		// Vision saw the room behind the sitter shift for good. When the
		// sitter's place in the frame moved too, the calibration no
		// longer fits: no need to wait for the metrics' own check, which
		// wants the face's size changed as well (a screen tilted back
		// moves the eyes in the frame and keeps the face's size). When it
		// did not (a lamp lit behind, the camera turned about its axis),
		// the calibration still measures what it measured.
		if c.moveJudged.IsZero() {
			c.moveJudged = now
		}
		switch {
		case positionMoved(c.baseline, obs.Metrics):
			c.staleView = true
			if c.staleSince.IsZero() {
				c.staleSince = now
			}
			c.movePending = false
		case now.Sub(c.moveJudged) >= moveCheckFor:
			c.movePending = false
		}
	}
	x := 0.0
	if cameraMoved(c.baseline, obs.Metrics) {
		x = 1
	}
	dt := maxSmoothDt
	if !c.staleLast.IsZero() {
		dt = min(max(now.Sub(c.staleLast), 0), maxSmoothDt)
	}
	c.staleLast = now
	c.staleScore += (1 - math.Exp(-dt.Seconds()/staleTau.Seconds())) * (x - c.staleScore)
	switch {
	case c.staleScore >= staleOn && c.staleSince.IsZero():
		c.staleSince = now
	case c.staleScore < staleOff && !c.staleSuggested && !c.staleView:
		c.staleSince = time.Time{}
	}
}

// staleSuppressed: posture nudges rest while the baseline looks stale (from
// the first sustained signs until recalibrated or dismissed).
func (c *Coach) staleSuppressed() bool {
	return c.staleSuggested || !c.staleSince.IsZero()
}

func (c *Coach) staleEvent(now time.Time) (domain.Event, bool) {
	// A move vision saw is suggested at once; the metrics' signs must last
	// StaleAfter first.
	wait := c.cfg.StaleAfter.D()
	if c.staleView {
		wait = 0
	}
	if c.staleSuggested || c.staleSince.IsZero() || now.Sub(c.staleSince) < wait || c.silenced(now) {
		return domain.Event{}, false
	}
	c.staleSuggested = true
	e := c.ev(now, domain.EventRecalibrate)
	e.Message = "Your camera or seat seems to have moved, so the saved baseline no longer fits. " +
		"Posture alerts are on hold: recalibrate (or dismiss this) to resume them."
	if c.staleView {
		e.Message = "Your camera seems to have moved: the room behind you shifted, and you sit elsewhere in the picture " +
			"than in the saved baseline. Posture alerts are on hold: recalibrate (or dismiss this) to resume them."
	}
	return e, true
}
