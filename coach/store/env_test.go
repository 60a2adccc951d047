package store

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"posturewatch/coach/domain"
)

func TestEnvOverridesEverySettingKind(t *testing.T) {
	env, err := ParseEnv([]string{
		"HOME=/root",
		"POSTUREWATCH_ONSET_DELAY_S=30",
		"POSTUREWATCH_SENSITIVITY=high",
		"POSTUREWATCH_REPEAT_NUDGES= 4 ",
		"POSTUREWATCH_MIN_CONFIDENCE=0.5",
		"POSTUREWATCH_DESK_ONLY=yes",
		"POSTUREWATCH_EQUIPMENT=wall, band",
		"POSTUREWATCH_QUIET_HOURS=22:00-07:00",
		"POSTUREWATCH_METRICS=1",
		"POSTUREWATCH_WEBHOOK=https://ntfy.example/posture?auth=secret",
		"POSTUREWATCH_SOAK=5m",
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(env.Unknown, ",") != "POSTUREWATCH_SOAK" {
		t.Errorf("unknown variables %v, want POSTUREWATCH_SOAK", env.Unknown)
	}
	cfg, run, err := env.Apply(domain.DefaultConfig(), domain.RunSettings{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OnsetDelay.D() != 30*time.Second || cfg.Sensitivity != domain.SensitivityHigh || cfg.RepeatNudges != 4 ||
		cfg.MinConfidence != 0.5 || !cfg.DeskOnly || len(cfg.Equipment) != 2 || cfg.Equipment[1] != domain.EquipBand ||
		cfg.QuietHours != "22:00-07:00" {
		t.Errorf("config after the environment: %+v", cfg)
	}
	if !run.Metrics || run.Webhook != "https://ntfy.example/posture?auth=secret" {
		t.Errorf("run settings after the environment: %+v", run)
	}
	over := env.ConfigOverridden()
	if over["onset_delay_s"] != "POSTUREWATCH_ONSET_DELAY_S" || len(over) != 7 {
		t.Errorf("overridden coach settings: %v", over)
	}
}

// Every setting has a variable, and every kind of setting parses.
func TestEnvCoversEverySetting(t *testing.T) {
	for _, k := range append(append([]string{}, domain.ConfigKeys...), domain.RunSettingKeys...) {
		if _, ok := settingKinds[k]; !ok {
			t.Errorf("%s: no type", k)
		}
		if _, err := envValue(settingKinds[k], "x"); err != nil && strings.Contains(err.Error(), "cannot be set") {
			t.Errorf("%s: %v", k, err)
		}
	}
}

func TestEnvBadValuesNameTheVariable(t *testing.T) {
	for _, tc := range []struct{ kv, want string }{
		{"POSTUREWATCH_ONSET_DELAY_S=soon", "POSTUREWATCH_ONSET_DELAY_S"},
		{"POSTUREWATCH_ONSET_DELAY_S=NaN", "number of seconds"},
		{"POSTUREWATCH_ONSET_DELAY_S=500", "POSTUREWATCH_ONSET_DELAY_S: onset_delay_s: 500 s is outside"},
		{"POSTUREWATCH_REPEAT_NUDGES=2.5", "whole number"},
		{"POSTUREWATCH_DESK_ONLY=maybe", "true or false"},
		{"POSTUREWATCH_SENSITIVITY=extreme", "POSTUREWATCH_SENSITIVITY: sensitivity"},
		{"POSTUREWATCH_EQUIPMENT=trampoline", "POSTUREWATCH_EQUIPMENT"},
		{"POSTUREWATCH_METRICS=", "POSTUREWATCH_METRICS"},
		{"POSTUREWATCH_WEBHOOK=ftp://host/x", "only http and https"},
		{"POSTUREWATCH_WEBHOOK=https:///nohost", "no host"},
	} {
		env, err := ParseEnv([]string{tc.kv})
		if err == nil {
			_, _, err = env.Apply(domain.DefaultConfig(), domain.RunSettings{})
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) || domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%s: err %v, want EINVALID with %q", tc.kv, err, tc.want)
		}
	}
	// a URL's secret never reaches the message
	env, err := ParseEnv([]string{"POSTUREWATCH_WEBHOOK=gopher://h/tok-SECRET"})
	if err == nil {
		_, _, err = env.Apply(domain.DefaultConfig(), domain.RunSettings{})
	}
	if err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("err %v: want a refusal without the URL's path", err)
	}
}

// The dashboard's save keeps the file's run section and its own values of
// the settings the environment overrides, and refuses to change those.
func TestSaveKeepsRunSectionAndFileValuesUnderEnv(t *testing.T) {
	dir := t.TempDir()
	f := NewConfigFile(dir)
	file := `{"onset_delay_s": 25, "sensitivity": "low", "run": {"metrics": true, "webhook": "https://hook.example/x?t=1"}}`
	if err := os.WriteFile(f.Path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, notice, err := f.Load()
	if err != nil || notice != "" || cfg.OnsetDelay.D() != 25*time.Second {
		t.Fatalf("Load: %+v %q %v", cfg, notice, err)
	}
	run, err := f.LoadRun()
	if err != nil || !run.Metrics || run.Webhook != "https://hook.example/x?t=1" {
		t.Fatalf("LoadRun: %+v %v", run, err)
	}
	env, err := ParseEnv([]string{"POSTUREWATCH_ONSET_DELAY_S=40", "POSTUREWATCH_SITTING_REMINDER_S=0"})
	if err != nil {
		t.Fatal(err)
	}
	running, _, err := env.Apply(cfg, run)
	if err != nil {
		t.Fatal(err)
	}
	f.Env = &env

	// the dashboard changes the sensitivity, sending everything else as it runs
	running.Sensitivity = domain.SensitivityHigh
	if err := f.SaveConfig(running); err != nil {
		t.Fatal(err)
	}
	var onDisk map[string]json.RawMessage
	data, _ := os.ReadFile(f.Path)
	if err := json.Unmarshal(data, &onDisk); err != nil {
		t.Fatal(err)
	}
	if string(onDisk["onset_delay_s"]) != "25" || string(onDisk["sensitivity"]) != `"high"` {
		t.Errorf("file after the save:\n%s\nwant onset 25 (the file's own) and sensitivity high", data)
	}
	if _, ok := onDisk["sitting_reminder_s"]; ok {
		t.Errorf("the save wrote the sitting reminder the file never had:\n%s", data)
	}
	if !strings.Contains(string(onDisk["run"]), "hook.example") {
		t.Errorf("run section lost:\n%s", data)
	}

	// changing an overridden setting is refused, and nothing is written
	running.OnsetDelay = domain.Sec(60 * time.Second)
	err = f.SaveConfig(running)
	if domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(err.Error(), "POSTUREWATCH_ONSET_DELAY_S") {
		t.Errorf("changing an overridden setting: %v, want ECONFLICT naming the variable", err)
	}
	if after, _ := os.ReadFile(f.Path); string(after) != string(data) {
		t.Errorf("a refused save changed the file")
	}

	// a damaged file comes back from the last good copy with its run section
	if err := os.WriteFile(f.Path, []byte(`{"sensitivity":`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, notice, err := f.Load(); err != nil || notice == "" {
		t.Fatalf("restore: %q %v", notice, err)
	}
	if run, err := f.LoadRun(); err != nil || run.Webhook == "" {
		t.Errorf("run section after the restore: %+v %v", run, err)
	}
}

func TestLoadRunRefusesBadSection(t *testing.T) {
	f := NewConfigFile(t.TempDir())
	for _, sec := range []string{`{"webhook": "file:///etc/passwd"}`, `{"metric": true}`, `{"metrics": "yes"}`, `7`} {
		if err := os.WriteFile(f.Path, []byte(`{"run": `+sec+`}`), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := f.LoadRun(); err == nil || !strings.Contains(err.Error(), `"run" section`) {
			t.Errorf("run %s: err %v", sec, err)
		}
		// the coach settings stay usable
		if _, notice, err := f.Load(); err != nil || notice != "" {
			t.Errorf("run %s: Load %q %v", sec, notice, err)
		}
	}
}

// The environment is outside input: whatever it holds, parsing and
// applying either refuse with EINVALID or give valid settings.
func FuzzEnv(f *testing.F) {
	f.Add("POSTUREWATCH_ONSET_DELAY_S", "30")
	f.Add("POSTUREWATCH_EQUIPMENT", "wall,band,,")
	f.Add("POSTUREWATCH_QUIET_HOURS", "22:00-07:00")
	f.Add("POSTUREWATCH_WEBHOOK", "http://127.0.0.1:9/x")
	f.Add("POSTUREWATCH_DESK_ONLY", "on")
	f.Add("POSTUREWATCH_MIN_CONFIDENCE", "1e308")
	f.Fuzz(func(t *testing.T, name, value string) {
		env, err := ParseEnv([]string{name + "=" + value})
		if err != nil {
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("parse error of kind %s: %v", domain.ErrorCode(err), err)
			}
			return
		}
		cfg, run, err := env.Apply(domain.DefaultConfig(), domain.RunSettings{})
		if err != nil {
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("apply error of kind %s: %v", domain.ErrorCode(err), err)
			}
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("applied settings are not valid: %v", err)
		}
		if err := run.Validate(); err != nil {
			t.Fatalf("applied run settings are not valid: %v", err)
		}
	})
}
