package domain

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
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
// Unknown fields are an error.
type Config struct {
	Sensitivity Sensitivity `json:"sensitivity"`
	// OnsetDelay is how long a fault must persist before it counts as slouching (0–120 s).
	OnsetDelay Seconds `json:"onset_delay_s"`
	// Cooldown is the least time between two nudges for the same fault (the
	// sit-up faults, FaultName.SitUp, count as one).
	Cooldown Seconds `json:"cooldown_s"`
	// QuietHours is "HH:MM-HH:MM" in the local time of the injected clock
	// (it may wrap past midnight, e.g. "22:00-07:00"); empty means none.
	QuietHours string `json:"quiet_hours"`
	// RepeatNudges nudges within RepeatWindow lead to a stretch-break suggestion.
	RepeatNudges int     `json:"repeat_nudges"`
	RepeatWindow Seconds `json:"repeat_window_s"`
	// SittingReminder is the continuous presence after which a break reminder is sent.
	SittingReminder Seconds `json:"sitting_reminder_s"`
	// BreakLength is how long the user must be away (or paused) for it to count
	// as a break that resets the sitting timer.
	BreakLength Seconds `json:"break_length_s"`
	// AwayAfter is how long nobody must be seen before the state becomes away.
	AwayAfter Seconds `json:"away_after_s"`
	// StaleAfter is how long the metrics must sit far from the baseline, in a
	// camera-moved pattern, before recalibration is suggested.
	StaleAfter Seconds `json:"stale_after_s"`
	// MinConfidence is the person-detection confidence below which a frame is
	// treated as unknown (and rejected during calibration).
	MinConfidence float64 `json:"min_confidence"`
	// Equipment the user has, and whether routines must be doable seated at the desk.
	Equipment []Equipment `json:"equipment"`
	DeskOnly  bool        `json:"desk_only"`
	// RoutineMax caps the length of a suggested routine.
	RoutineMax Seconds `json:"routine_max_s"`
	// DesktopNotifications shows nudges as desktop notifications too (for
	// when the dashboard's tab is in the background).
	DesktopNotifications bool `json:"desktop_notifications"`
	// Camera is the camera to watch, as chosen in the dashboard or the
	// file: an index ("0"), a device path ("/dev/video2", or a stable
	// /dev/v4l/by-id/… link) or a camera's name. Empty means the first
	// camera. `run --camera` overrides it for that run.
	Camera string `json:"camera"`
}

// DefaultConfig returns the default settings.
func DefaultConfig() Config {
	return Config{
		Sensitivity:     SensitivityNormal,
		OnsetDelay:      Sec(20 * time.Second),
		Cooldown:        Sec(5 * time.Minute),
		RepeatNudges:    3,
		RepeatWindow:    Sec(30 * time.Minute),
		SittingReminder: Sec(50 * time.Minute),
		BreakLength:     Sec(2 * time.Minute),
		AwayAfter:       Sec(3 * time.Second),
		StaleAfter:      Sec(time.Minute),
		MinConfidence:   0.3,
		Equipment:       []Equipment{EquipNone, EquipWall, EquipChair},
		RoutineMax:      Sec(5 * time.Minute),
	}
}

// configFields is Config without its methods, for decoding.
type configFields Config

// ConfigKeys are the JSON names of the settings, in declaration order.
var ConfigKeys = func() []string {
	t := reflect.TypeFor[Config]()
	keys := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		keys = append(keys, name)
	}
	return keys
}()

// UnmarshalJSON reads the wire form strictly: an unknown setting or a value
// of the wrong type is an EINVALID error naming the setting. Fields absent
// from the input keep their current values. It does not validate: call
// Validate.
func (c *Config) UnmarshalJSON(b []byte) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil || fields == nil {
		return Errorf(EINVALID, "settings: want a JSON object of settings")
	}
	for k := range fields {
		if !slices.Contains(ConfigKeys, k) {
			return Errorf(EINVALID, "settings: unknown field %q (known: %s)", k, strings.Join(ConfigKeys, ", "))
		}
	}
	w := configFields(*c)
	// json decodes an array into the slice's own backing array: without a
	// copy a refused change would still rewrite the equipment of the
	// settings it was decoded onto (the running coach's)
	w.Equipment = slices.Clone(c.Equipment)
	if err := json.Unmarshal(b, &w); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return Errorf(EINVALID, "settings: %s: want a %s, not a %s", te.Field, te.Type, te.Value)
		}
		return &Error{Code: EINVALID, Message: "settings: " + err.Error(), Err: err}
	}
	*c = Config(w)
	return nil
}

// Validate reports every bad setting, naming its JSON field, in one EINVALID
// error whose message is one line.
func (c Config) Validate() error {
	var errs []string
	switch c.Sensitivity {
	case SensitivityLow, SensitivityNormal, SensitivityHigh:
	default:
		errs = append(errs, fmt.Sprintf("sensitivity: %q is not one of low, normal, high", c.Sensitivity))
	}
	if c.OnsetDelay.D() < 0 || c.OnsetDelay.D() > MaxOnsetDelay {
		errs = append(errs, fmt.Sprintf("onset_delay_s: %g s is outside 0–120 s", c.OnsetDelay.D().Seconds()))
	}
	if c.Cooldown.D() < 0 || c.Cooldown.D() > 24*time.Hour {
		errs = append(errs, fmt.Sprintf("cooldown_s: %g s is outside 0 s–24 h", c.Cooldown.D().Seconds()))
	}
	if _, _, err := parseQuietHours(c.QuietHours); err != nil {
		errs = append(errs, "quiet_hours: "+err.Error())
	}
	if c.RepeatNudges < 1 || c.RepeatNudges > 100 {
		errs = append(errs, fmt.Sprintf("repeat_nudges: %d is outside 1–100", c.RepeatNudges))
	}
	if c.RepeatWindow.D() < time.Minute || c.RepeatWindow.D() > 24*time.Hour {
		errs = append(errs, fmt.Sprintf("repeat_window_s: %g s is outside 60 s–24 h", c.RepeatWindow.D().Seconds()))
	}
	if c.SittingReminder.D() < 0 || c.SittingReminder.D() > 12*time.Hour {
		errs = append(errs, fmt.Sprintf("sitting_reminder_s: %g s is outside 0 (off)–12 h", c.SittingReminder.D().Seconds()))
	} else if c.SittingReminder.D() > 0 && c.SittingReminder.D() < time.Minute {
		errs = append(errs, fmt.Sprintf("sitting_reminder_s: %g s is too short (at least 60 s, or 0 for off)", c.SittingReminder.D().Seconds()))
	}
	if c.BreakLength.D() < 10*time.Second || c.BreakLength.D() > 2*time.Hour {
		errs = append(errs, fmt.Sprintf("break_length_s: %g s is outside 10 s–2 h", c.BreakLength.D().Seconds()))
	}
	if c.AwayAfter.D() < time.Second || c.AwayAfter.D() > 2*time.Minute {
		errs = append(errs, fmt.Sprintf("away_after_s: %g s is outside 1–120 s", c.AwayAfter.D().Seconds()))
	}
	if c.StaleAfter.D() < 10*time.Second || c.StaleAfter.D() > time.Hour {
		errs = append(errs, fmt.Sprintf("stale_after_s: %g s is outside 10 s–1 h", c.StaleAfter.D().Seconds()))
	}
	if !(c.MinConfidence >= 0 && c.MinConfidence < 1) {
		errs = append(errs, fmt.Sprintf("min_confidence: %g is outside 0–1", c.MinConfidence))
	}
	for _, e := range c.Equipment {
		if !e.Valid() {
			errs = append(errs, fmt.Sprintf("equipment: unknown item %q (known: none, wall, doorway, foam_roller, band, weights, chair)", e))
		}
	}
	if c.RoutineMax.D() < time.Minute || c.RoutineMax.D() > 30*time.Minute {
		errs = append(errs, fmt.Sprintf("routine_max_s: %g s is outside 60 s–30 min", c.RoutineMax.D().Seconds()))
	}
	if err := validCameraSpec(c.Camera); err != nil {
		errs = append(errs, "camera: "+err.Error())
	}
	if len(errs) > 0 {
		return Errorf(EINVALID, "invalid config: %s", strings.Join(errs, "; "))
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

// InQuietHours reports whether now (in its own location) falls in the quiet hours.
func (c Config) InQuietHours(now time.Time) bool {
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

// MaxCameraSpec bounds the camera setting's length (a udev by-id link is
// under 100 bytes; a sysfs name under 32).
const MaxCameraSpec = 256

// validCameraSpec checks the form of a camera setting only; whether such a
// camera exists is for the camera side to say, when it is applied.
func validCameraSpec(s string) error {
	if len(s) > MaxCameraSpec {
		return fmt.Errorf("%d bytes is too long (at most %d)", len(s), MaxCameraSpec)
	}
	if strings.TrimSpace(s) != s {
		return fmt.Errorf("%q has spaces at its ends", s)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return fmt.Errorf("%q has control characters or invalid UTF-8", s)
		}
	}
	return nil
}
