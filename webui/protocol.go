package webui

import (
	"encoding/json"
	"math"
	"posturewatch/coach/domain"
	"posturewatch/coach/reps"
	"time"
)

// The WebSocket message types. Every message is one JSON object (one text
// frame) with a "type" field; see doc.go for the full protocol.
const (
	MsgHello   = "hello"   // first message on every connection
	MsgSample  = "sample"  // live posture, at most ~5/s per client, newest wins
	MsgEvent   = "event"   // a coach event (state, nudge, suggestion, …); never dropped
	MsgStatus  = "status"  // a new status snapshot; never dropped
	MsgStats   = "stats"   // today's statistics; never dropped
	MsgPreview = "preview" // a camera preview frame with keypoints; only to clients that asked, newest wins
	MsgReps    = "reps"    // live repetition count of a camera-checked exercise; never dropped
)

// Status is the live state snapshot the dashboard shows: the coach's status
// plus what the service knows (camera, profile, running routine). It is
// returned by GET /api/status, sent in the hello message and in every
// "status" message. The domain.Status fields are flattened into the object.
type Status struct {
	domain.Status
	// Camera tells whether frames are flowing and, if not, why and how to fix it.
	Camera CameraStatus `json:"camera"`
	// Profile is the active calibration profile; empty means the vision defaults.
	Profile string `json:"profile,omitempty"`
	// Message is a plain sentence worth showing, e.g. "No profile: using the default thresholds."
	Message string `json:"message,omitempty"`
	// PresentTodayS is the time present at the desk today, in seconds.
	PresentTodayS float64 `json:"present_today_s"`
	// Routine is the routine suggested or running, if any.
	Routine *domain.Routine `json:"routine,omitempty"`
}

// CameraStatus describes the frame source.
type CameraStatus struct {
	OK     bool   `json:"ok"`
	Source string `json:"source,omitempty"` // "/dev/video0", "clip.mp4 (looped)"
	Error  string `json:"error,omitempty"`  // why no frames flow
	Hint   string `json:"hint,omitempty"`   // how to fix it
	// Released is true when the camera was closed on purpose (pause).
	Released bool `json:"released,omitempty"`
}

// Sample is one live observation as the dashboard shows it.
type Sample struct {
	At         time.Time        `json:"at"`
	Posture    domain.Posture   `json:"posture"`
	Score      *float64         `json:"score"` // 0..100, null when nobody or too little is visible
	Faults     []domain.Fault   `json:"faults"`
	Confidence float64          `json:"confidence"`
	Metrics    domain.Metrics   `json:"metrics,omitempty"`
	State      domain.State     `json:"state,omitempty"` // the coach's state at this sample
	Fault      domain.FaultName `json:"fault,omitempty"`
	StreakS    float64          `json:"streak_s"`
	GoodTodayS float64          `json:"good_today_s"`
}

// SampleFromObservation builds a Sample from a vision observation, computing
// the posture score (see Score). The coach state fields are left for the
// caller to fill.
func SampleFromObservation(obs domain.Observation) Sample {
	faults := obs.Faults
	if faults == nil {
		faults = []domain.Fault{}
	}
	at := obs.Time
	if at.IsZero() {
		at = time.Now()
	}
	var metrics domain.Metrics
	if len(obs.Metrics) > 0 {
		metrics = make(domain.Metrics, len(obs.Metrics))
		for k, v := range obs.Metrics {
			if !math.IsNaN(v) && !math.IsInf(v, 0) { // JSON cannot carry them
				metrics[k] = v
			}
		}
	}
	return Sample{
		At:         at,
		Posture:    obs.Posture,
		Score:      Score(obs),
		Faults:     faults,
		Confidence: obs.Confidence,
		Metrics:    metrics,
	}
}

// WithStatus fills the coach fields of the sample (state, fault, streak,
// good time today) from the coach's status at the same instant.
func (s Sample) WithStatus(st domain.Status) Sample {
	s.State = st.State
	s.Fault = st.Fault
	s.StreakS = st.StreakS
	s.GoodTodayS = st.GoodTodayS
	return s
}

// Score is the posture score 0..100 of one observation: 100 minus the worst
// fault severity in percent (so a frame with no fault scores 100). It is nil
// when nobody is there or too little is visible to judge.
func Score(obs domain.Observation) *float64 {
	if obs.Posture == domain.PostureAway || obs.Posture == domain.PostureUnknown || obs.Posture == "" {
		return nil
	}
	worst := 0.0
	for _, f := range obs.Faults {
		if f.Severity > worst {
			worst = f.Severity
		}
	}
	if worst > 1 {
		worst = 1
	}
	s := float64(int((1-worst)*100 + 0.5))
	return &s
}

// Reps is a live repetition count for a camera-checked exercise.
type Reps struct {
	RoutineID  string  `json:"routine_id,omitempty"`
	ExerciseID string  `json:"exercise_id"`
	Count      int     `json:"count"`
	Target     int     `json:"target,omitempty"`
	HoldS      float64 `json:"hold_s,omitempty"` // current hold time
	Holding    bool    `json:"holding,omitempty"`
	Phase      string  `json:"phase,omitempty"` // the counter's phase, e.g. "calibrating", "rest", "hold"
}

// RepsFromUpdate builds a reps message from the coach's rep counter update.
func RepsFromUpdate(routineID, exerciseID string, target int, u reps.Update) Reps {
	return Reps{RoutineID: routineID, ExerciseID: exerciseID, Count: u.Reps, Target: target,
		HoldS: math.Round(u.HoldTime.D().Seconds()*10) / 10, Holding: u.Holding, Phase: u.Phase}
}

// Preview is one camera preview frame with the keypoints to draw over it.
type Preview struct {
	JPEG      []byte            `json:"jpeg"` // base64 in JSON
	Width     int               `json:"width"`
	Height    int               `json:"height"`
	Keypoints []domain.Keypoint `json:"keypoints"`
	At        time.Time         `json:"at"`
}

// Hello is the first message on every WebSocket connection.
type Hello struct {
	Version    string                `json:"version"`
	Status     Status                `json:"status"`
	Stats      *domain.StatsSnapshot `json:"stats,omitempty"`
	SampleMS   int                   `json:"sample_ms"` // minimum interval between samples
	Preview    bool                  `json:"preview"`   // whether this client gets preview frames
	ServerTime string                `json:"server_time"`
	LastSample *Sample               `json:"last_sample,omitempty"`
	History    bool                  `json:"history"` // whether GET /api/history is served
}

// envelope is the wire form of every WebSocket message.
type envelope struct {
	Type    string                `json:"type"`
	Hello   *Hello                `json:"hello,omitempty"`
	Sample  *Sample               `json:"sample,omitempty"`
	Event   *domain.Event         `json:"event,omitempty"`
	Status  *Status               `json:"status,omitempty"`
	Stats   *domain.StatsSnapshot `json:"stats,omitempty"`
	Preview *Preview              `json:"preview,omitempty"`
	Reps    *Reps                 `json:"reps,omitempty"`
}

func marshalEnvelope(e envelope) []byte {
	b, err := json.Marshal(e)
	if err != nil {
		// Only unmarshalable values (NaN, channels) get here; send an
		// explicit error message rather than nothing.
		b, _ = json.Marshal(map[string]string{"type": "error", "error": "cannot encode " + e.Type + ": " + err.Error()})
	}
	return b
}

// clientMessage is what the browser sends: {"type":"preview","on":true}.
type clientMessage struct {
	Type string `json:"type"`
	On   bool   `json:"on"`
}
