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

// Status is the coach's current state for the dashboard.
type Status struct {
	State                State         `json:"state"`
	Fault                FaultName     `json:"fault,omitempty"`
	Since                time.Time     `json:"since"`
	ForS                 float64       `json:"for_s"`
	Faults               []FaultStatus `json:"faults"` // faults with a smoothed severity above their exit level
	Score                int           `json:"score"`  // 0–100, 100 = no fault
	GoodTodayS           float64       `json:"good_today_s"`
	StreakS              float64       `json:"streak_s"`  // current good streak
	SittingS             float64       `json:"sitting_s"` // continuous presence
	PausedUntil          time.Time     `json:"paused_until,omitzero"`
	Quiet                bool          `json:"quiet"` // in quiet hours
	Baseline             string        `json:"baseline"`
	RecalibrateSuggested bool          `json:"recalibrate_suggested"`
	CalibrationFrames    int           `json:"calibration_frames,omitempty"` // usable frames so far while calibrating
}
