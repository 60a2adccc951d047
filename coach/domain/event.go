package domain

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// EventType names what happened.
type EventType string

// Event types.
const (
	EventState       EventType = "state"       // the coach's state changed
	EventNudge       EventType = "nudge"       // a sustained fault: plain words and a quick fix
	EventSuggestion  EventType = "suggestion"  // repeated slouching: a stretch routine
	EventBreak       EventType = "break"       // sitting reminder after continuous presence
	EventSitting     EventType = "sitting"     // a sitting session ended with a real break (Duration = its length)
	EventRecalibrate EventType = "recalibrate" // the baseline no longer fits: recalibrate
	EventCalibration EventType = "calibration" // calibration started / finished / failed
	EventPaused      EventType = "paused"
	EventResumed     EventType = "resumed"
	EventStretch     EventType = "stretch" // routine or exercise reported done
	EventRoutine     EventType = "routine" // a stretch routine started playing (Routine set)
)

// State is the coach's overall state.
type State string

// States.
const (
	StateGood        State = "good"
	StateSlouching   State = "slouching"
	StateAway        State = "away"
	StatePaused      State = "paused"
	StateCalibrating State = "calibrating"
)

// Event is one thing the coach says. Offset is the position on the
// observations' own timeline (video time in replay).
type Event struct {
	Time     time.Time `json:"time"`
	Offset   Seconds   `json:"t_s"`
	Type     EventType `json:"type"`
	State    State     `json:"state,omitempty"`
	Fault    FaultName `json:"fault,omitempty"`
	Severity float64   `json:"severity,omitempty"`
	// Duration: for state events the duration of the previous state; for
	// sitting and break events the sitting time; for paused events the pause length.
	Duration Seconds `json:"duration_s,omitempty"`
	Previous State   `json:"previous,omitempty"` // previous state (state events)
	Message  string  `json:"message,omitempty"`  // plain words for the user
	Fix      string  `json:"fix,omitempty"`      // quick fix (nudges)
	// Faults are the weights (minutes of slouching per fault) a suggestion was picked for.
	Faults  map[FaultName]float64 `json:"faults,omitempty"`
	Routine *Routine              `json:"routine,omitempty"`
	Until   time.Time             `json:"until,omitzero"` // paused events
	// Calibration is started, finished or failed (calibration events).
	Calibration string    `json:"calibration,omitempty"`
	Baseline    *Baseline `json:"baseline,omitempty"`
	Exercise    string    `json:"exercise,omitempty"` // stretch events: exercise id ("" = whole routine)
	Error       string    `json:"error,omitempty"`
	// Test marks a nudge the user asked for to try notifications: shown
	// like any nudge, never counted or kept.
	Test bool `json:"test,omitempty"`
}

// String renders the event as one readable line (used by replay and the golden traces).
func (e Event) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%7.1fs %-11s", e.Offset.Seconds(), e.Type)
	add := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, " %s=%s", k, v)
		}
	}
	add("state", string(e.State))
	add("fault", string(e.Fault))
	add("prev", string(e.Previous))
	if e.Duration != 0 {
		add("dur", fmt.Sprintf("%.1fs", e.Duration.Seconds()))
	}
	if !e.Until.IsZero() {
		add("until", fmt.Sprintf("%.1fs", e.Offset.Seconds()+e.Until.Sub(e.Time).Seconds()))
	}
	add("calibration", e.Calibration)
	if len(e.Faults) > 0 {
		names := make([]string, 0, len(e.Faults))
		for f := range e.Faults {
			names = append(names, string(f))
		}
		sort.Strings(names)
		parts := make([]string, len(names))
		for i, n := range names {
			parts[i] = fmt.Sprintf("%s:%.2fmin", n, e.Faults[FaultName(n)])
		}
		add("faults", strings.Join(parts, ","))
	}
	if e.Routine != nil {
		add("routine", e.Routine.ID)
	}
	add("exercise", e.Exercise)
	add("error", quoteIf(e.Error))
	add("msg", quoteIf(e.Message))
	return b.String()
}

func quoteIf(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf("%q", s)
}

// nudgeWords gives each fault in plain words and its quick fix.
var nudgeWords = map[FaultName][2]string{
	ForwardHead:      {"Your head has drifted forward", "bring your chin back over your shoulders."},
	RoundedShoulders: {"Your shoulders are rolling forward", "draw your shoulder blades gently back and down."},
	Slouch:           {"You are sinking into the chair", "sit tall, as if a string pulled the top of your head up."},
	TooClose:         {"You are leaning in toward the screen", "sit back against the chair and let the screen come to you."},
	HeadDown:         {"You have been looking down for a while", "raise your eyes and the screen, not just your chin."},
	HeadTilt:         {"Your head is tilted to one side", "level your head, ears over your shoulders."},
	HeadTurn:         {"Your head has been turned for a while", "face the screen square on; move the screen if you must."},
	HeadBack:         {"Your chin is tipped up", "lower your chin a little, as if nodding slightly."},
	ShouldersRaised:  {"Your shoulders are creeping up", "drop your shoulders away from your ears and breathe out."},
	UnevenShoulders:  {"One shoulder is higher than the other", "let both shoulders settle to the same height."},
}

// NudgeText returns the plain-words message and the quick fix for a fault.
func NudgeText(f FaultName) (message, fix string) {
	if w, ok := nudgeWords[f]; ok {
		return w[0], w[1]
	}
	return "Your posture has changed", "sit upright and relax your shoulders."
}

// NudgeMessage is a nudge's whole text: the fault in plain words and the
// quick fix ("Your head has drifted forward — bring your chin back …").
func NudgeMessage(f FaultName) string {
	msg, fix := NudgeText(f)
	return msg + " — " + fix
}

// FaultLabel is a short human label for a fault ("forward head"; see
// faultLabels for the ones that are not the name's words).
func FaultLabel(f FaultName) string {
	if l, ok := faultLabels[f]; ok {
		return l
	}
	return strings.ReplaceAll(string(f), "_", " ")
}
