package domain

import "time"

// FaultStatus is the live view of one fault.
type FaultStatus struct {
	Name      FaultName `json:"name"`
	Severity  float64   `json:"severity"`  // smoothed 0..1
	Active    bool      `json:"active"`    // above its threshold, onset running
	Confirmed bool      `json:"confirmed"` // past the onset delay: counts as slouching
	ForS      float64   `json:"for_s"`     // how long it has been active
}

// Watch is a fault the coach is timing: above its threshold, but not yet
// for the onset delay. Until it is decided that time counts neither as good
// posture nor as slouching, and the dashboard says what is being watched
// instead of "good posture".
type Watch struct {
	Fault  FaultName `json:"fault"`
	Since  time.Time `json:"since"`   // when the fault crossed its threshold
	ForS   float64   `json:"for_s"`   // how long it has lasted so far
	OnsetS float64   `json:"onset_s"` // how long it must last to count as slouching
	// Nudge tells whether a nudge comes once it counts (not in quiet
	// hours, a pause, the fault's cooldown or a stale baseline).
	Nudge bool `json:"nudge"`
	// AwaitsView: the frames are judged against the defaults while the
	// session learns how this camera shows its sitter upright; the fault
	// counts only once a frame judged against that view confirms it (or
	// coach.ProvisionalHold has passed), even after OnsetS.
	AwaitsView bool `json:"awaits_view,omitempty"`
}

// Status is the coach's current state for the dashboard.
type Status struct {
	// At is the instant the status describes, on the coach's clock (the
	// camera's): the dashboard measures every "for" and countdown from it,
	// so its timers agree with each other and with the samples.
	At                   time.Time     `json:"at"`
	State                State         `json:"state"`
	Fault                FaultName     `json:"fault,omitempty"`
	Since                time.Time     `json:"since"`
	ForS                 float64       `json:"for_s"`
	Faults               []FaultStatus `json:"faults"` // faults with a smoothed severity above their exit level
	Score                int           `json:"score"`  // 0–100, 100 = no fault
	GoodTodayS           float64       `json:"good_today_s"`
	StreakS              float64       `json:"streak_s"` // current good streak: time counted good since the last slouch or absence
	Watching             *Watch        `json:"watching,omitempty"`
	SittingS             float64       `json:"sitting_s"` // continuous presence
	PausedUntil          time.Time     `json:"paused_until,omitzero"`
	Quiet                bool          `json:"quiet"` // in quiet hours
	Baseline             string        `json:"baseline"`
	RecalibrateSuggested bool          `json:"recalibrate_suggested"`
	CalibrationFrames    int           `json:"calibration_frames,omitempty"` // usable frames so far while calibrating
}
