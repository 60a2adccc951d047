package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"posturewatch/coach/domain"
)

// EnvPrefix starts every environment variable that overrides a setting:
// POSTUREWATCH_ and the setting's JSON name in capitals
// (POSTUREWATCH_ONSET_DELAY_S=30, POSTUREWATCH_WEBHOOK=https://…).
const EnvPrefix = "POSTUREWATCH_"

// EnvVar is the environment variable that overrides the setting key.
func EnvVar(key string) string { return EnvPrefix + strings.ToUpper(key) }

// Override is one setting the environment sets for this run.
type Override struct {
	Var string // POSTUREWATCH_ONSET_DELAY_S
	Key string // onset_delay_s
	// Run is true for a run setting (the file's "run" section), false for
	// a coach setting.
	Run   bool
	value json.RawMessage // the setting's JSON form
}

// Env is what the environment overrides: applied over the settings file at
// start, never written into it.
type Env struct {
	Overrides []Override
	// Unknown are POSTUREWATCH_* variables that name no setting (a typo,
	// or a test's own variable): worth a warning, not a refusal.
	Unknown []string
}

// ConfigOverridden reports which coach settings the environment sets, by
// JSON key, mapped to their variable.
func (e Env) ConfigOverridden() map[string]string {
	m := map[string]string{}
	for _, o := range e.Overrides {
		if !o.Run {
			m[o.Key] = o.Var
		}
	}
	return m
}

// settingKinds maps each setting's JSON key to its Go type, for parsing.
var settingKinds = func() map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for _, t := range []reflect.Type{reflect.TypeFor[domain.Config](), reflect.TypeFor[domain.RunSettings]()} {
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			m[name] = t.Field(i).Type
		}
	}
	return m
}()

var secondsType = reflect.TypeFor[domain.Seconds]()

// ParseEnv reads the POSTUREWATCH_* variables of environ (os.Environ's
// form) strictly: a value that is not of its setting's type is an error
// naming the variable, never a silent default. Ranges are checked by Apply.
func ParseEnv(environ []string) (Env, error) {
	var env Env
	byVar := map[string]struct {
		key string
		run bool
	}{}
	for _, k := range domain.ConfigKeys {
		byVar[EnvVar(k)] = struct {
			key string
			run bool
		}{k, false}
	}
	for _, k := range domain.RunSettingKeys {
		byVar[EnvVar(k)] = struct {
			key string
			run bool
		}{k, true}
	}
	for _, kv := range environ {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, EnvPrefix) {
			continue
		}
		s, known := byVar[name]
		if !known {
			env.Unknown = append(env.Unknown, name)
			continue
		}
		raw, err := envValue(settingKinds[s.key], val)
		if err != nil {
			return Env{}, domain.Errorf(domain.EINVALID, "%s=%s: %v", name, quoteShort(val), err)
		}
		env.Overrides = slices.DeleteFunc(env.Overrides, func(o Override) bool { return o.Var == name }) // the last one wins, as in a shell
		env.Overrides = append(env.Overrides, Override{Var: name, Key: s.key, Run: s.run, value: raw})
	}
	slices.SortFunc(env.Overrides, func(a, b Override) int { return strings.Compare(a.Var, b.Var) })
	slices.Sort(env.Unknown)
	return env, nil
}

// quoteShort quotes a value for an error message, cut short: a webhook
// URL may carry a token, so only its scheme and host are repeated.
func quoteShort(v string) string {
	if strings.Contains(v, "://") {
		return strconv.Quote(domain.RedactURL(v) + "/…")
	}
	if len(v) > 40 {
		v = v[:40] + "…"
	}
	return strconv.Quote(v)
}

// envValue turns a variable's text into the JSON of a setting of type t.
func envValue(t reflect.Type, v string) (json.RawMessage, error) {
	v = strings.TrimSpace(v)
	switch {
	case t == secondsType || t.Kind() == reflect.Float64:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			if t == secondsType {
				return nil, fmt.Errorf("want a number of seconds (30, 0.5)")
			}
			return nil, fmt.Errorf("want a number (0.3)")
		}
		return json.Marshal(f)
	case t.Kind() == reflect.Int:
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, fmt.Errorf("want a whole number (3)")
		}
		return json.Marshal(n)
	case t.Kind() == reflect.Bool:
		switch strings.ToLower(v) {
		case "1", "true", "yes", "on":
			return json.RawMessage("true"), nil
		case "0", "false", "no", "off":
			return json.RawMessage("false"), nil
		}
		return nil, fmt.Errorf("want true or false (or 1/0, yes/no, on/off)")
	case t.Kind() == reflect.String:
		return json.Marshal(v)
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		items := []string{}
		for it := range strings.SplitSeq(v, ",") {
			if it = strings.TrimSpace(it); it != "" {
				items = append(items, it)
			}
		}
		return json.Marshal(items)
	}
	return nil, fmt.Errorf("settings of type %s cannot be set from the environment", t)
}

// Apply sets the overrides on the file's settings and checks the result;
// an error names the variable whose value is out of range.
func (e Env) Apply(cfg domain.Config, run domain.RunSettings) (domain.Config, domain.RunSettings, error) {
	for _, o := range e.Overrides {
		obj, err := json.Marshal(map[string]json.RawMessage{o.Key: o.value})
		if err != nil {
			return cfg, run, err
		}
		if o.Run {
			r := run
			if err := json.Unmarshal(obj, &r); err != nil {
				return cfg, run, domain.Errorf(domain.EINVALID, "%s: %s", o.Var, domain.ErrorMessage(err))
			}
			if err := r.Validate(); err != nil {
				return cfg, run, domain.Errorf(domain.EINVALID, "%s: %s", o.Var, domain.ErrorMessage(err))
			}
			run = r
			continue
		}
		c := cfg
		if err := json.Unmarshal(obj, &c); err != nil {
			return cfg, run, domain.Errorf(domain.EINVALID, "%s: %s", o.Var, domain.ErrorMessage(err))
		}
		if err := c.Validate(); err != nil {
			return cfg, run, domain.Errorf(domain.EINVALID, "%s: %s", o.Var, strings.TrimPrefix(domain.ErrorMessage(err), "invalid config: "))
		}
		cfg = c
	}
	return cfg, run, nil
}

// fieldJSON is one setting of cfg as JSON, for comparing.
func fieldJSON(cfg domain.Config, key string) json.RawMessage {
	data, err := json.Marshal(cfg)
	if err != nil {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil {
		return nil
	}
	return m[key]
}

// sameJSON compares two JSON values by their compact form.
func sameJSON(a, b json.RawMessage) bool {
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return false
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}
