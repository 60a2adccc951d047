package domain

import (
	"math"
	"time"
)

// This file holds what the live service tells the dashboard: the status
// snapshot, the camera's state, live samples, repetition counts and preview
// frames. The service builds them, the HTTP layer only encodes them.

// CameraState is what the frame source is doing.
type CameraState string

const (
	CameraStarting CameraState = "starting" // not opened yet
	CameraOK       CameraState = "ok"       // frames flowing
	CameraRetrying CameraState = "retrying" // could not open it or lost it; retrying with backoff
	CameraReleased CameraState = "released" // closed on purpose (paused)
	CameraEnded    CameraState = "ended"    // a video file (without loop) reached its end
	CameraStopped  CameraState = "stopped"  // the source has stopped for good
)

// CameraStatus describes the frame source: whether frames flow and, if
// not, why and how to fix it.
type CameraStatus struct {
	State  CameraState `json:"state"`
	OK     bool        `json:"ok"`
	Source string      `json:"source,omitempty"` // "/dev/video0", "clip.mp4 (looped)"
	Error  string      `json:"error,omitempty"`  // why no frames flow
	Hint   string      `json:"hint,omitempty"`   // how to fix it
	// Released is true when the camera was closed on purpose (pause).
	Released bool `json:"released,omitempty"`
	// Resting: closed between two frames far apart (its light is off); it
	// opens again by itself.
	Resting bool `json:"resting,omitempty"`
	// HeldShare is the share of the time since the start that the camera
	// was held open (0..1).
	HeldShare float64 `json:"held_share"`
}

// CameraDevice is a camera that can be chosen: a capture device (not a
// metadata node) as the system lists it.
type CameraDevice struct {
	Path string `json:"path"` // "/dev/video0"
	// Link is a name for it that survives reboots and re-plugging
	// ("/dev/v4l/by-id/usb-…"), when udev made one: the one to remember.
	Link   string `json:"link,omitempty"`
	Index  int    `json:"index"`            // the N of /dev/videoN: what --camera N means
	Name   string `json:"name"`             // "Integrated Camera: Integrated C"; "" when unreadable
	Driver string `json:"driver,omitempty"` // "uvcvideo"
	// Problem says why it cannot be opened now, with the fix ("not in the
	// video group: …"); empty when it can.
	Problem string `json:"problem,omitempty"`
}

// Cameras is what the dashboard's camera chooser shows.
type Cameras struct {
	Devices []CameraDevice `json:"devices"`
	// Chosen is the camera setting (Config.Camera); empty means the first camera.
	Chosen string `json:"chosen"`
	// InUse is the device watched now ("/dev/video2"); empty when a video
	// file plays instead.
	InUse string `json:"in_use,omitempty"`
	// Fixed says why the choice cannot be changed in this run ("a video
	// file plays instead of a camera"); empty when it can.
	Fixed string `json:"fixed,omitempty"`
}

// LiveStatus is the live state snapshot the dashboard shows: the coach's
// status plus what the service knows (camera, profile, running routine).
// The Status fields are flattened into the JSON object.
type LiveStatus struct {
	Status
	Camera CameraStatus `json:"camera"`
	// Profile is the active calibration profile; empty means the default thresholds.
	Profile string `json:"profile,omitempty"`
	// Message is a plain sentence worth showing, e.g. "No profile: using the default thresholds."
	Message string `json:"message,omitempty"`
	// PresentTodayS is the time present at the desk today, in seconds.
	PresentTodayS float64 `json:"present_today_s"`
	// Routine is the routine suggested or running, if any.
	Routine *Routine `json:"routine,omitempty"`
	// Waiting says why monitoring waits by itself (screen locked, camera
	// in use by another program); empty when it does not.
	Waiting string `json:"waiting,omitempty"`
	// RoutineRunning: Routine is being played (not only suggested), now at
	// its exercise RoutineExercise (0-based), so a reloaded player resumes.
	RoutineRunning  bool `json:"routine_running,omitempty"`
	RoutineExercise int  `json:"routine_exercise,omitempty"`
	// Setup is where the active profile says the camera sits, in words.
	Setup *Setup `json:"setup,omitempty"`
	// FirstRun: no calibration profile is stored or in use yet, so the
	// dashboard offers its set-up guide.
	FirstRun bool `json:"first_run,omitempty"`
}

// Sample is one live observation as the dashboard shows it, with the
// coach's view at the same instant.
type Sample struct {
	At         time.Time `json:"at"`
	Posture    Posture   `json:"posture"`
	Score      *float64  `json:"score"` // 0..100, null when nobody or too little is visible
	Faults     []Fault   `json:"faults"`
	Confidence float64   `json:"confidence"`
	Metrics    Metrics   `json:"metrics,omitempty"`
	State      State     `json:"state,omitempty"` // the coach's state at this sample
	Fault      FaultName `json:"fault,omitempty"`
	StreakS    float64   `json:"streak_s"`
	Watching   *Watch    `json:"watching,omitempty"` // the fault being timed, if any
	// GoodTodayS and PresentTodayS are the day's totals, earlier runs
	// included: both come from the same buckets, so good never exceeds
	// present and neither drops when the server restarts.
	GoodTodayS    float64 `json:"good_today_s"`
	PresentTodayS float64 `json:"present_today_s"`
	// Minute is the unfinished minute so far, for the day's timeline.
	Minute *Bucket `json:"minute,omitempty"`
	// Why, Visible, Picture and Backlit are the observation's own words on
	// what it could see (the first-run framing check shows them).
	Why     string         `json:"why,omitempty"`
	Visible []string       `json:"visible,omitempty"`
	Picture PictureProblem `json:"picture,omitempty"`
	Backlit bool           `json:"backlit,omitempty"` // see Observation.Backlit
	People  int            `json:"people,omitempty"`  // see Observation.People
	// Analysis is how long the frame took to analyse (0: not measured).
	// It stays off the wire: the metrics read it, the page has no use for it.
	Analysis time.Duration `json:"-"`
}

// SampleOf builds a Sample from an observation, with its posture score
// (see Score). The coach fields are filled by WithStatus.
func SampleOf(obs Observation) Sample {
	faults := obs.Faults
	if faults == nil {
		faults = []Fault{}
	}
	var metrics Metrics
	if len(obs.Metrics) > 0 {
		metrics = make(Metrics, len(obs.Metrics))
		for k, v := range obs.Metrics {
			if !math.IsNaN(v) && !math.IsInf(v, 0) { // JSON cannot carry them
				metrics[k] = v
			}
		}
	}
	return Sample{At: obs.Time, Posture: obs.Posture, Score: Score(obs), Faults: faults,
		Confidence: obs.Confidence, Metrics: metrics, Why: obs.Why, Visible: obs.Visible, Picture: obs.Picture, Backlit: obs.Backlit, People: obs.People, Analysis: obs.Analysis}
}

// WithStatus fills the coach fields of the sample (state, fault, streak,
// good time today) from the coach's status at the same instant.
func (s Sample) WithStatus(st Status) Sample {
	s.State = st.State
	s.Fault = st.Fault
	s.StreakS = st.StreakS
	s.Watching = st.Watching
	s.GoodTodayS = st.GoodTodayS
	return s
}

// Score is the posture score 0..100 of one observation: 100 minus the worst
// fault severity in percent (so a frame with no fault scores 100). It is nil
// when nobody is there or too little is visible to judge.
func Score(obs Observation) *float64 {
	if obs.Posture == PostureAway || obs.Posture == PostureUnknown || obs.Posture == "" {
		return nil
	}
	worst := 0.0
	for _, f := range obs.Faults {
		worst = max(worst, f.Severity)
	}
	s := math.Round((1 - min(worst, 1)) * 100)
	return &s
}

// RepCount is the live repetition count of a camera-checked exercise.
type RepCount struct {
	RoutineID  string  `json:"routine_id,omitempty"`
	ExerciseID string  `json:"exercise_id"`
	Count      int     `json:"count"`
	Target     int     `json:"target,omitempty"`
	HoldS      float64 `json:"hold_s,omitempty"` // current hold time
	Holding    bool    `json:"holding,omitempty"`
	Phase      string  `json:"phase,omitempty"` // the counter's phase, e.g. "calibrating", "rest", "hold"
}

// Preview is one camera preview frame with the keypoints to draw over it.
// It exists only in memory, on its way to a dashboard that asked for it.
type Preview struct {
	JPEG      []byte     `json:"jpeg"` // base64 in JSON
	Width     int        `json:"width"`
	Height    int        `json:"height"`
	Keypoints []Keypoint `json:"keypoints"`
	// Outline is the active calibration's keypoints (same pixels), to draw
	// beside the current ones; empty without one.
	Outline []Keypoint `json:"outline,omitempty"`
	At      time.Time  `json:"at"`
}

// Sighting is one analysed frame: the observation, and a preview picture
// when one was asked for.
type Sighting struct {
	Observation Observation
	Preview     *Preview
}

// RoutineStart asks for a stretch routine: the suggested one by its ID, or
// one built for the given faults (for the day's faults when none are given).
type RoutineStart struct {
	ID     string      `json:"id,omitempty"`
	Faults []FaultName `json:"faults,omitempty"`
}

// NotificationSettings says whether desktop notifications can be shown and
// whether they are on.
type NotificationSettings struct {
	Desktop   bool `json:"desktop"`   // desktop notifications from the program
	Available bool `json:"available"` // whether this run can show them at all
}

// Hold asks monitoring to let go of the camera for a reason that is not
// the user's choice (the screen is locked, the machine is going to sleep,
// another program uses the camera), or, with On false, ends that hold.
// Holds from different sources stack: monitoring resumes when none is left.
type Hold struct {
	Source string // what holds: HoldScreen, HoldSleep, HoldCamera
	Reason string // plain words: "the screen is locked", "zoom (pid 1234) uses the camera"
	On     bool
	// Ack, when set, is called once the camera is closed (a sleep waits
	// for it).
	Ack func()
}

// The sources of holds.
const (
	HoldScreen = "screen"
	HoldSleep  = "sleep"
	HoldCamera = "camera"
)
