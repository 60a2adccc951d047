package domain

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzValidateProfileName: never panics; a name it accepts is safe as the
// file name NAME.json in the profile directory (valid UTF-8, no separator,
// not hidden, not "..", not padded, no control character, within the rune
// and byte limits).
func FuzzValidateProfileName(f *testing.F) {
	for _, s := range []string{
		"laptop", "Desk 2", "büro_links", "a.b-c", "x", "0", "名前", "Профиль",
		"", " ", ".", "..", "../evil", "a/b", `a\b`, ".hidden", "x..", "trailing ", "trailing.",
		"a\x00b", "a\nb", "a\tb", "\xff", "a\xffb", "0..0", "é", "e\u0301", "a\u200bb", "\u00a0a",
		strings.Repeat("x", 64), strings.Repeat("x", 65), strings.Repeat("名", 64), strings.Repeat("𝔸", 50),
		"CON", "nul", "a:b", "a*b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		err := ValidateProfileName(name)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("refusal of %q is not EINVALID: %v", name, err)
			}
			return
		}
		n := utf8.RuneCountInString(name)
		switch {
		case !utf8.ValidString(name):
			t.Fatalf("accepted invalid UTF-8 %q", name)
		case n < 1 || n > MaxProfileNameChars:
			t.Fatalf("accepted %q of %d characters", name, n)
		case len(name) > MaxProfileNameBytes:
			t.Fatalf("accepted %q of %d bytes", name, len(name))
		case strings.ContainsAny(name, "/\\\x00"):
			t.Fatalf("accepted %q with a separator or NUL", name)
		case strings.HasPrefix(name, ".") || name == "..":
			t.Fatalf("accepted hidden or dot-dot name %q", name)
		case strings.TrimSpace(name) != name:
			t.Fatalf("accepted padded name %q", name)
		case filepath.Base(name+".json") != name+".json" || filepath.Clean(name) != name:
			t.Fatalf("accepted %q, which is not one clean file name", name)
		}
		for _, r := range name {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
				t.Fatalf("accepted %q with control character %U", name, r)
			}
		}
	})
}

// FuzzSecondsJSON: Seconds decodes only a JSON number of seconds within
// ±1e9 s (anything else, null included, is an error that leaves the value
// as it was), to the millisecond, and writes back what it read.
func FuzzSecondsJSON(f *testing.F) {
	for _, s := range []string{
		"20", "41.5", "0", "nul", "nulll", "true1", "-0", "0.0005", "0.0015", "-1", "1e9", "-1e9", "1e9.0", "1000000000.0004",
		"1000000001", "1e10", "9.3e9", "1e308", "-1e308", "1e-320", "5e-324", "0.1", "119.9996",
		"null", `"20"`, `"NaN"`, "NaN", "Infinity", "true", "[]", "{}", "", " 20 ", "20 20", "0x10", "01", "+1", ".5", "1.",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const sentinel = Seconds(7 * time.Second)
		s := sentinel
		err := json.Unmarshal(data, &s)
		if err != nil {
			if s != sentinel {
				t.Fatalf("%q: error %v but the value changed to %v", data, err, s)
			}
			return
		}
		// A success must come from a number: json.Unmarshal validated the
		// whole input, so after trimming it is one literal.
		lit := bytes.TrimSpace(data)
		var f64 float64
		if len(lit) == 0 || (lit[0] != '-' && (lit[0] < '0' || lit[0] > '9')) || json.Unmarshal(lit, &f64) != nil {
			t.Fatalf("%q is not a number, yet it decoded as %v (a silent default)", data, s)
		}
		if math.Abs(f64) > 1e9 {
			t.Fatalf("%q: %g s is out of range, yet it decoded as %v", data, f64, s)
		}
		if s.D()%time.Millisecond != 0 {
			t.Fatalf("%q: %v is not a whole number of milliseconds", data, s)
		}
		if d := math.Abs(s.Seconds() - f64); d > 0.0005+1e-9*math.Abs(f64) {
			t.Fatalf("%q: %v is %g s away from %g s", data, s, d, f64)
		}
		out, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("%q: marshal %v: %v", data, s, err)
		}
		var back Seconds
		if err := json.Unmarshal(out, &back); err != nil || back != s {
			t.Fatalf("%q → %v → %s → %v, %v: no round trip", data, s, out, back, err)
		}
	})
}

// FuzzConfigJSON: decoding a settings object onto the defaults never
// panics; an error is an EINVALID *Error; it never writes through to
// another copy of the settings it decodes onto (webui decodes a PATCH onto
// the running coach's settings, then may refuse it); fields the object does
// not name keep their values; settings that decode and Validate are
// written back and read again unchanged, and still Validate.
func FuzzConfigJSON(f *testing.F) {
	for _, s := range []string{
		`{}`,
		`{"sensitivity": "low"}`,
		`{"sensitivity": "extreme"}`,
		`{"onset_delay_s": 45, "cooldown_s": 600}`,
		`{"onset_delay_s": 121}`,
		`{"onset_delay_s": -1}`,
		`{"onset_delay_s": "20"}`,
		`{"onset_delay_s": null}`,
		`{"equipment": ["wall"], "sensitivity": "extreme"}`,
		`{"quiet_hours": "22:00-07:00"}`,
		`{"quiet_hours": "22:00-22:00"}`,
		`{"quiet_hours": "24:00-07:00"}`,
		`{"quiet_hours": " 7:5-8:00"}`,
		`{"repeat_nudges": 0}`,
		`{"repeat_nudges": 1.5}`,
		`{"repeat_window_s": 59.9995}`,
		`{"sitting_reminder_s": 0}`,
		`{"sitting_reminder_s": 30}`,
		`{"break_length_s": 7200.0004}`,
		`{"away_after_s": 1e300}`,
		`{"stale_after_s": 600}`,
		`{"min_confidence": 1}`,
		`{"min_confidence": -0}`,
		`{"equipment": []}`,
		`{"equipment": null}`,
		`{"desk_only": true, "routine_max_s": 1800}`,
		`{"desktop_notifications": true}`,
		`{"Sensitivity": "low"}`,
		`{"sensitivity": "low", "sensitivity": "high"}`,
		`{"unknown": 1}`,
		`[]`, `null`, `"x"`, ``, `{`, `{"sensitivity": "low"} {}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		def := DefaultConfig()
		running := DefaultConfig()
		cfg := running // a copy, as Coach.Config returns it
		err := json.Unmarshal(data, &cfg)
		if !reflect.DeepEqual(running, def) {
			t.Fatalf("%q: decoding onto a copy changed the original settings: %+v (error: %v)", data, running, err)
		}
		if err != nil {
			var de *Error
			if errors.As(err, &de) && de.Code != EINVALID {
				t.Fatalf("%q: error of kind %q: %v", data, de.Code, err)
			}
			return
		}
		var named map[string]json.RawMessage
		if err := json.Unmarshal(data, &named); err != nil {
			t.Fatalf("%q decoded as settings but not as an object: %v", data, err)
		}
		cv, dv := reflect.ValueOf(cfg), reflect.ValueOf(def)
		for i, key := range ConfigKeys {
			if _, ok := named[key]; ok {
				continue
			}
			if !reflect.DeepEqual(cv.Field(i).Interface(), dv.Field(i).Interface()) {
				t.Fatalf("%q: %s is not in the object, yet it changed from %v to %v", data, key, dv.Field(i), cv.Field(i))
			}
		}
		if cfg.Validate() != nil {
			return
		}
		out, err := json.Marshal(cfg)
		if err != nil {
			t.Fatalf("%q: marshal valid settings: %v", data, err)
		}
		var back Config
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("%q: valid settings %s do not read back: %v", data, out, err)
		}
		if !reflect.DeepEqual(back, cfg) {
			t.Fatalf("%q: round trip changed the settings:\n%+v\n%+v", data, cfg, back)
		}
		if err := back.Validate(); err != nil {
			t.Fatalf("%q: settings no longer valid after a round trip: %v", data, err)
		}
	})
}
