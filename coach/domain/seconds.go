package domain

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"
)

// Seconds is a duration that JSON writes as a number of seconds, to the
// millisecond ("onset_delay_s": 20, "t_s": 41.5). Every duration that crosses
// the wire (API, WebSocket, config file, golden traces) is one, so there is
// one conversion with one rounding rule.
type Seconds time.Duration

// Sec converts a time.Duration; it reads better than a conversion at call sites.
func Sec(d time.Duration) Seconds { return Seconds(d) }

// D is the duration as a time.Duration.
func (s Seconds) D() time.Duration { return time.Duration(s) }

// Seconds is the duration as a floating-point number of seconds, as
// time.Duration.Seconds gives it.
func (s Seconds) Seconds() float64 { return time.Duration(s).Seconds() }

// maxSeconds bounds what JSON may say: beyond ±1e9 s (31 years) a duration is
// a mistake, and beyond ±9.2e9 s it would overflow time.Duration.
const maxSeconds = 1e9

// SecondsFromFloat converts a number of seconds, rounded to the millisecond.
// Non-finite and out-of-range values are an error, never a silent default.
func SecondsFromFloat(f float64) (Seconds, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > maxSeconds {
		return 0, fmt.Errorf("%g s is not a usable duration (want a number of seconds within ±%g)", f, float64(maxSeconds))
	}
	return Seconds(time.Duration(math.Round(f*1000)) * time.Millisecond), nil
}

// MarshalJSON writes seconds as a number, to the millisecond.
func (s Seconds) MarshalJSON() ([]byte, error) {
	return json.Marshal(math.Round(s.Seconds()*1000) / 1000)
}

// UnmarshalJSON reads a number of seconds.
func (s *Seconds) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		// json would leave the number at 0: a null would silently turn a
		// duration (the sitting reminder, say) off
		return errors.New("duration: want a number of seconds, not null")
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("duration: want a number of seconds: %w", err)
	}
	v, err := SecondsFromFloat(f)
	if err != nil {
		return err
	}
	*s = v
	return nil
}

func (s Seconds) String() string { return time.Duration(s).String() }
