package domain

import "time"

// Bucket is the aggregate of one period (a minute, an hour or a day). Times
// are in seconds.
type Bucket struct {
	Start           time.Time             `json:"start"`
	PresentS        float64               `json:"present_s"`
	GoodS           float64               `json:"good_s"`
	FaultS          map[FaultName]float64 `json:"fault_s,omitempty"` // time counted as slouching, per fault
	Nudges          int                   `json:"nudges"`
	BreaksSuggested int                   `json:"breaks_suggested"` // stretch suggestions and sitting reminders
	BreaksDone      int                   `json:"breaks_done"`      // routines reported done
	LongestGoodS    float64               `json:"longest_good_s"`   // longest good streak reaching into this period
}

// MinuteAggregate is one finished minute, for the history store.
type MinuteAggregate = Bucket

// StatsSnapshot is the recent history kept in memory, oldest first.
type StatsSnapshot struct {
	Days  []Bucket `json:"days"`
	Hours []Bucket `json:"hours"`
}

// Period is the size of a history bucket.
type Period string

// The history periods.
const (
	ByMinute Period = "minute"
	ByHour   Period = "hour"
	ByDay    Period = "day"
)
