package coach

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Sensitivity scales the per-fault enter and exit thresholds.
type Sensitivity string

// Sensitivity levels.
const (
	SensitivityLow    Sensitivity = "low"
	SensitivityNormal Sensitivity = "normal"
	SensitivityHigh   Sensitivity = "high"
)

// Limits for the settable durations.
const (
	MaxOnsetDelay = 120 * time.Second
)

// Config holds the user's coaching settings. In JSON every duration is a
// number of seconds in a field ending in "_s" (onset_delay_s, cooldown_s …);
// unmarshalling onto an existing Config changes only the fields present, so a
// PATCH can be applied with json.Unmarshal(body, &cfg) followed by Validate.
type Config struct {
	Sensitivity Sensitivity
	// OnsetDelay is how long a fault must persist before it counts as slouching (0–120 s).
	OnsetDelay time.Duration
	// Cooldown is the least time between two nudges for the same fault.
	Cooldown time.Duration
	// QuietHours is "HH:MM-HH:MM" in the local time of the injected clock
	// (it may wrap past midnight, e.g. "22:00-07:00"); empty means none.
	QuietHours string
	// RepeatNudges nudges within RepeatWindow lead to a stretch-break suggestion.
	RepeatNudges int
	RepeatWindow time.Duration
	// SittingReminder is the continuous presence after which a break reminder is sent.
	SittingReminder time.Duration
	// BreakLength is how long the user must be away (or paused) for it to count
	// as a break that resets the sitting timer.
	BreakLength time.Duration
	// AwayAfter is how long nobody must be seen before the state becomes away.
	AwayAfter time.Duration
	// StaleAfter is how long the metrics must sit far from the baseline, in a
	// camera-moved pattern, before recalibration is suggested.
	StaleAfter time.Duration
	// MinConfidence is the person-detection confidence below which a frame is
	// treated as unknown (and rejected during calibration).
	MinConfidence float64
	// Equipment the user has, and whether routines must be doable seated at the desk.
	Equipment []Equipment
	DeskOnly  bool
	// RoutineMax caps the length of a suggested routine.
	RoutineMax time.Duration
}

// DefaultConfig returns the default settings.
func DefaultConfig() Config {
	return Config{
		Sensitivity:     SensitivityNormal,
		OnsetDelay:      20 * time.Second,
		Cooldown:        5 * time.Minute,
		RepeatNudges:    3,
		RepeatWindow:    30 * time.Minute,
		SittingReminder: 50 * time.Minute,
		BreakLength:     2 * time.Minute,
		AwayAfter:       3 * time.Second,
		StaleAfter:      time.Minute,
		MinConfidence:   0.3,
		Equipment:       []Equipment{EquipNone, EquipWall, EquipChair},
		RoutineMax:      5 * time.Minute,
	}
}

// configJSON is the wire form of Config.
type configJSON struct {
	Sensitivity      Sensitivity `json:"sensitivity"`
	OnsetDelayS      float64     `json:"onset_delay_s"`
	CooldownS        float64     `json:"cooldown_s"`
	QuietHours       string      `json:"quiet_hours"`
	RepeatNudges     int         `json:"repeat_nudges"`
	RepeatWindowS    float64     `json:"repeat_window_s"`
	SittingReminderS float64     `json:"sitting_reminder_s"`
	BreakLengthS     float64     `json:"break_length_s"`
	AwayAfterS       float64     `json:"away_after_s"`
	StaleAfterS      float64     `json:"stale_after_s"`
	MinConfidence    float64     `json:"min_confidence"`
	Equipment        []Equipment `json:"equipment"`
	DeskOnly         bool        `json:"desk_only"`
	RoutineMaxS      float64     `json:"routine_max_s"`
}

func secs(d time.Duration) float64 { return d.Seconds() }

func dur(s float64) time.Duration {
	if math.IsNaN(s) || math.IsInf(s, 0) || s > 1e9 || s < -1e9 {
		return time.Duration(math.MaxInt64) // rejected by Validate
	}
	return time.Duration(math.Round(s * float64(time.Second)))
}

func (c Config) toJSON() configJSON {
	return configJSON{
		Sensitivity: c.Sensitivity, OnsetDelayS: secs(c.OnsetDelay), CooldownS: secs(c.Cooldown),
		QuietHours: c.QuietHours, RepeatNudges: c.RepeatNudges, RepeatWindowS: secs(c.RepeatWindow),
		SittingReminderS: secs(c.SittingReminder), BreakLengthS: secs(c.BreakLength),
		AwayAfterS: secs(c.AwayAfter), StaleAfterS: secs(c.StaleAfter), MinConfidence: c.MinConfidence,
		Equipment: c.Equipment, DeskOnly: c.DeskOnly, RoutineMaxS: secs(c.RoutineMax),
	}
}

// MarshalJSON writes durations as seconds.
func (c Config) MarshalJSON() ([]byte, error) { return json.Marshal(c.toJSON()) }

// UnmarshalJSON reads the wire form; fields absent from the input keep their
// current values. It does not validate: call Validate.
func (c *Config) UnmarshalJSON(b []byte) error {
	w := c.toJSON()
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	*c = Config{
		Sensitivity: w.Sensitivity, OnsetDelay: dur(w.OnsetDelayS), Cooldown: dur(w.CooldownS),
		QuietHours: w.QuietHours, RepeatNudges: w.RepeatNudges, RepeatWindow: dur(w.RepeatWindowS),
		SittingReminder: dur(w.SittingReminderS), BreakLength: dur(w.BreakLengthS),
		AwayAfter: dur(w.AwayAfterS), StaleAfter: dur(w.StaleAfterS), MinConfidence: w.MinConfidence,
		Equipment: w.Equipment, DeskOnly: w.DeskOnly, RoutineMax: dur(w.RoutineMaxS),
	}
	return nil
}

// Validate reports the first bad setting, naming its JSON field.
func (c Config) Validate() error {
	var errs []error
	switch c.Sensitivity {
	case SensitivityLow, SensitivityNormal, SensitivityHigh:
	default:
		errs = append(errs, fmt.Errorf("sensitivity: %q is not one of low, normal, high", c.Sensitivity))
	}
	if c.OnsetDelay < 0 || c.OnsetDelay > MaxOnsetDelay {
		errs = append(errs, fmt.Errorf("onset_delay_s: %g s is outside 0–120 s", c.OnsetDelay.Seconds()))
	}
	if c.Cooldown < 0 || c.Cooldown > 24*time.Hour {
		errs = append(errs, fmt.Errorf("cooldown_s: %g s is outside 0 s–24 h", c.Cooldown.Seconds()))
	}
	if _, _, err := parseQuietHours(c.QuietHours); err != nil {
		errs = append(errs, fmt.Errorf("quiet_hours: %w", err))
	}
	if c.RepeatNudges < 1 || c.RepeatNudges > 100 {
		errs = append(errs, fmt.Errorf("repeat_nudges: %d is outside 1–100", c.RepeatNudges))
	}
	if c.RepeatWindow < time.Minute || c.RepeatWindow > 24*time.Hour {
		errs = append(errs, fmt.Errorf("repeat_window_s: %g s is outside 60 s–24 h", c.RepeatWindow.Seconds()))
	}
	if c.SittingReminder < 0 || c.SittingReminder > 12*time.Hour {
		errs = append(errs, fmt.Errorf("sitting_reminder_s: %g s is outside 0 (off)–12 h", c.SittingReminder.Seconds()))
	} else if c.SittingReminder > 0 && c.SittingReminder < time.Minute {
		errs = append(errs, fmt.Errorf("sitting_reminder_s: %g s is too short (at least 60 s, or 0 for off)", c.SittingReminder.Seconds()))
	}
	if c.BreakLength < 10*time.Second || c.BreakLength > 2*time.Hour {
		errs = append(errs, fmt.Errorf("break_length_s: %g s is outside 10 s–2 h", c.BreakLength.Seconds()))
	}
	if c.AwayAfter < time.Second || c.AwayAfter > 2*time.Minute {
		errs = append(errs, fmt.Errorf("away_after_s: %g s is outside 1–120 s", c.AwayAfter.Seconds()))
	}
	if c.StaleAfter < 10*time.Second || c.StaleAfter > time.Hour {
		errs = append(errs, fmt.Errorf("stale_after_s: %g s is outside 10 s–1 h", c.StaleAfter.Seconds()))
	}
	if !(c.MinConfidence >= 0 && c.MinConfidence < 1) {
		errs = append(errs, fmt.Errorf("min_confidence: %g is outside 0–1", c.MinConfidence))
	}
	for _, e := range c.Equipment {
		if !e.Valid() {
			errs = append(errs, fmt.Errorf("equipment: unknown item %q (known: none, wall, doorway, foam_roller, band, weights, chair)", e))
		}
	}
	if c.RoutineMax < time.Minute || c.RoutineMax > 30*time.Minute {
		errs = append(errs, fmt.Errorf("routine_max_s: %g s is outside 60 s–30 min", c.RoutineMax.Seconds()))
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid config: %w", errors.Join(errs...))
	}
	return nil
}

// parseQuietHours parses "HH:MM-HH:MM" into minutes after midnight. Empty → (−1, −1).
func parseQuietHours(s string) (from, to int, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return -1, -1, nil
	}
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0, fmt.Errorf("%q: want HH:MM-HH:MM, e.g. 22:00-07:00", s)
	}
	if from, err = parseClock(a); err != nil {
		return 0, 0, fmt.Errorf("%q: %w", s, err)
	}
	if to, err = parseClock(b); err != nil {
		return 0, 0, fmt.Errorf("%q: %w", s, err)
	}
	if from == to {
		return 0, 0, fmt.Errorf("%q: start and end are the same", s)
	}
	return from, to, nil
}

func parseClock(s string) (int, error) {
	s = strings.TrimSpace(s)
	h, m, ok := strings.Cut(s, ":")
	if !ok {
		return 0, fmt.Errorf("bad time %q (want HH:MM)", s)
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 || len(m) != 2 {
		return 0, fmt.Errorf("bad time %q (want HH:MM, 00:00–23:59)", s)
	}
	return hh*60 + mm, nil
}

// inQuietHours reports whether now (in its own location) falls in the quiet hours.
func (c Config) inQuietHours(now time.Time) bool {
	from, to, err := parseQuietHours(c.QuietHours)
	if err != nil || from < 0 {
		return false
	}
	m := now.Hour()*60 + now.Minute()
	if from < to {
		return m >= from && m < to
	}
	return m >= from || m < to
}

// thresholds returns the enter and exit levels of smoothed severity for a fault.
func (c Config) thresholds(f FaultName) (enter, exit float64) {
	enter, exit = 0.5, 0.3
	switch f {
	case HeadTilt, UnevenShoulders, HeadTurn:
		// noisier, and often harmless for a moment: a little higher
		enter, exit = 0.6, 0.4
	}
	switch c.Sensitivity {
	case SensitivityLow:
		enter, exit = math.Min(enter*1.3, 0.9), math.Min(exit*1.3, 0.75)
	case SensitivityHigh:
		enter, exit = enter*0.7, exit*0.7
	}
	return enter, exit
}

// minOnset is the least onset for faults that brief glances produce (looking
// at the keyboard, turning to someone): they never count in under this time,
// whatever OnsetDelay says.
func minOnset(f FaultName) time.Duration {
	switch f {
	case HeadDown, HeadTurn:
		return 8 * time.Second
	}
	return 0
}
