// Package metrics counts what the running service publishes, for
// Prometheus: the coach's state, time per fault, nudges, stretch breaks,
// how long frames take to analyse and what the camera is doing. It is a
// live.Publisher that only counts (no I/O, no goroutine), so it can sit
// in the service's publish path; the dashboard's server serves Handler at
// /metrics behind its own Host and access checks.
package metrics

import (
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"posturewatch/coach/domain"
)

// maxSampleGap bounds the time one sample may add to a fault: the slowest
// sampling is one frame in 10 s, so a longer gap is a hold or a pause
// whose end the next sample reports, not slouching.
const maxSampleGap = 15 * time.Second

// The stretch-break stages counted.
const (
	BreakSuggested = "suggested"
	BreakStarted   = "started"
	BreakFinished  = "finished"
)

// Collector is the set of metrics, in a registry of its own (never the
// global default, which any imported library may fill).
type Collector struct {
	reg      *prometheus.Registry
	state    *prometheus.GaugeVec
	score    prometheus.Gauge
	fault    *prometheus.CounterVec
	nudges   *prometheus.CounterVec
	breaks   *prometheus.CounterVec
	analysis prometheus.Histogram
	camera   *prometheus.GaugeVec
	held     prometheus.Gauge

	mu        sync.Mutex // the publish methods come from the service's goroutine, but nothing says only one
	lastAt    time.Time
	lastState domain.State
	lastFault domain.FaultName
	curState  domain.State
	curCamera domain.CameraState
}

// New makes the collector with every series present from the start (at
// zero), so a query sees a fault that never happened as 0, not as missing.
func New() *Collector {
	c := &Collector{
		reg: prometheus.NewRegistry(),
		state: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "posturewatch_posture_state",
			Help: "The coach's current state: 1 for the state it is in, 0 for the others."}, []string{"state"}),
		score: prometheus.NewGauge(prometheus.GaugeOpts{Name: "posturewatch_posture_score",
			Help: "The coach's posture score, 0-100 (100: no fault)."}),
		fault: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "posturewatch_slouch_seconds_total",
			Help: "Time counted as slouching, by the fault that held it, in seconds of the service clock."}, []string{"fault"}),
		nudges: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "posturewatch_nudges_total",
			Help: "Nudges given, by fault."}, []string{"fault"}),
		breaks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "posturewatch_stretch_breaks_total",
			Help: "Stretch breaks: suggested by the coach, started in the player, finished."}, []string{"stage"}),
		analysis: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "posturewatch_frame_analysis_seconds",
			Help:    "How long one analysed frame took: the models, decoding and judgement.",
			Buckets: []float64{0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2}}),
		camera: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "posturewatch_camera_state",
			Help: "What the camera (or video) is doing: 1 for its current state, 0 for the others."}, []string{"state"}),
		held: prometheus.NewGauge(prometheus.GaugeOpts{Name: "posturewatch_camera_held_ratio",
			Help: "Share of the time since the start that the camera was held open, 0-1."}),
	}
	c.reg.MustRegister(c.state, c.score, c.fault, c.nudges, c.breaks, c.analysis, c.camera, c.held,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, s := range domain.AllStates {
		c.state.WithLabelValues(string(s))
	}
	for _, f := range domain.AllFaults {
		c.fault.WithLabelValues(string(f))
		c.nudges.WithLabelValues(string(f))
	}
	for _, b := range []string{BreakSuggested, BreakStarted, BreakFinished} {
		c.breaks.WithLabelValues(b)
	}
	for _, s := range domain.AllCameraStates {
		c.camera.WithLabelValues(string(s))
	}
	return c
}

// WatchWebhook adds the webhook's totals: events delivered, given up and
// dropped (a full queue), read from counts at each scrape.
func (c *Collector) WatchWebhook(counts func() (sent, failed, dropped uint64)) {
	for i, outcome := range []string{"sent", "failed", "dropped"} {
		c.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "posturewatch_webhook_events_total",
			Help:        "Events for the webhook: delivered (sent), given up after the retries (failed), dropped because the queue was full (dropped).",
			ConstLabels: prometheus.Labels{"outcome": outcome}}, func() float64 {
			sent, failed, dropped := counts()
			return float64([]uint64{sent, failed, dropped}[i])
		}))
	}
}

// Handler serves the metrics in the Prometheus text format.
func (c *Collector) Handler() http.Handler {
	return promhttp.HandlerFor(c.reg, promhttp.HandlerOpts{Registry: c.reg})
}

// Registry is the collector's own registry (for tests and for gathering).
func (c *Collector) Registry() *prometheus.Registry { return c.reg }

// PublishEvent counts nudges and stretch breaks, and follows the state.
func (c *Collector) PublishEvent(e domain.Event) {
	switch e.Type {
	case domain.EventNudge:
		if e.Fault.Valid() { // a label outside the vocabulary would grow the series without bound
			c.nudges.WithLabelValues(string(e.Fault)).Inc()
		}
	case domain.EventSuggestion:
		c.breaks.WithLabelValues(BreakSuggested).Inc()
	case domain.EventRoutine:
		c.breaks.WithLabelValues(BreakStarted).Inc()
	case domain.EventStretch:
		if e.Exercise == "" { // the whole routine, not one exercise of it
			c.breaks.WithLabelValues(BreakFinished).Inc()
		}
	case domain.EventState:
		c.setState(e.State)
	}
}

// PublishStatus follows the state, the score and the camera.
func (c *Collector) PublishStatus(st domain.LiveStatus) {
	c.setState(st.State)
	c.score.Set(float64(st.Score))
	c.held.Set(st.Camera.HeldShare)
	c.mu.Lock()
	defer c.mu.Unlock()
	if st.Camera.State == c.curCamera || st.Camera.State == "" {
		return
	}
	for _, s := range domain.AllCameraStates {
		v := 0.0
		if s == st.Camera.State {
			v = 1
		}
		c.camera.WithLabelValues(string(s)).Set(v)
	}
	c.curCamera = st.Camera.State
}

// PublishSample adds the time since the previous sample to the fault the
// coach held then, and times the frame's analysis.
func (c *Collector) PublishSample(smp domain.Sample) {
	if smp.Analysis > 0 {
		c.analysis.Observe(smp.Analysis.Seconds())
	}
	c.mu.Lock()
	if !c.lastAt.IsZero() && c.lastState == domain.StateSlouching && c.lastFault.Valid() {
		if gap := smp.At.Sub(c.lastAt); gap > 0 {
			c.fault.WithLabelValues(string(c.lastFault)).Add(min(gap, maxSampleGap).Seconds())
		}
	}
	c.lastAt, c.lastState, c.lastFault = smp.At, smp.State, smp.Fault
	c.mu.Unlock()
	c.setState(smp.State)
}

// The rest of what the service publishes is not counted.
func (c *Collector) PublishStats(domain.StatsSnapshot) {}
func (c *Collector) PublishReps(domain.RepCount)       {}
func (c *Collector) PublishPreview(domain.Preview)     {}

func (c *Collector) setState(s domain.State) {
	if s == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s == c.curState {
		return
	}
	for _, k := range domain.AllStates {
		v := 0.0
		if k == s {
			v = 1
		}
		c.state.WithLabelValues(string(k)).Set(v)
	}
	c.curState = s
}
