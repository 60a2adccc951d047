package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"posturewatch/coach/domain"
)

func TestConfigMissingIsDefaults(t *testing.T) {
	f := NewConfigFile(t.TempDir())
	cfg, notice, err := f.Load()
	if err != nil || notice != "" {
		t.Fatalf("Load without a file: notice %q, err %v", notice, err)
	}
	if cfg.Sensitivity != domain.DefaultConfig().Sensitivity {
		t.Errorf("not the defaults: %+v", cfg)
	}
}

func TestConfigSaveLoadLeavesNoTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	f := NewConfigFile(dir)
	cfg := domain.DefaultConfig()
	cfg.Sensitivity = domain.SensitivityHigh
	if err := f.SaveConfig(cfg); err != nil {
		t.Fatal(err)
	}
	got, notice, err := f.Load()
	if err != nil || notice != "" || got.Sensitivity != domain.SensitivityHigh {
		t.Fatalf("read back %v (%q, %v), want sensitivity 0.8", got.Sensitivity, notice, err)
	}
	names := dirNames(t, dir)
	if strings.Join(names, " ") != "config.json config.json.last-good" {
		t.Errorf("files after a save: %v", names)
	}
}

// A damaged settings file is kept (every one of them, under its own name)
// and the last good settings come back, in the file as well as in use.
func TestConfigDamagedRestoresLastGood(t *testing.T) {
	dir := t.TempDir()
	f := NewConfigFile(dir)
	cfg := domain.DefaultConfig()
	cfg.Sensitivity = domain.SensitivityHigh
	cfg.OnsetDelay = domain.Sec(45 * time.Second)
	if err := f.SaveConfig(cfg); err != nil {
		t.Fatal(err)
	}
	for i, damage := range []string{`{"sensitivity": `, `{"sensitivity": "extreme"}`} {
		if err := os.WriteFile(f.Path, []byte(damage), 0o600); err != nil {
			t.Fatal(err)
		}
		got, notice, err := f.Load()
		if err != nil {
			t.Fatalf("damage %d: %v", i, err)
		}
		if got.Sensitivity != domain.SensitivityHigh || got.OnsetDelay != cfg.OnsetDelay {
			t.Errorf("damage %d: settings %v/%v, want the last good 0.8/45s", i, got.Sensitivity, got.OnsetDelay)
		}
		if !strings.Contains(notice, "last good settings were restored") || !strings.Contains(notice, ".bad-") {
			t.Errorf("damage %d: notice %q", i, notice)
		}
		if again, n2, _ := f.Load(); again.Sensitivity != domain.SensitivityHigh || n2 != "" {
			t.Errorf("damage %d: the restored file does not read back clean: %v %q", i, again.Sensitivity, n2)
		}
	}
	bad := 0
	for _, n := range dirNames(t, dir) {
		if strings.HasPrefix(n, "config.json.bad-") {
			bad++
		}
	}
	if bad != 2 {
		t.Errorf("%d damaged files kept, want both: %v", bad, dirNames(t, dir))
	}
}

func TestConfigDamagedWithoutCopyIsDefaultsAndSaysSo(t *testing.T) {
	dir := t.TempDir()
	f := NewConfigFile(dir)
	if err := os.WriteFile(f.Path, []byte("not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, notice, err := f.Load()
	if err != nil || cfg.Sensitivity != domain.DefaultConfig().Sensitivity {
		t.Fatalf("cfg %v err %v", cfg.Sensitivity, err)
	}
	if !strings.Contains(notice, "default settings are in use") || !strings.Contains(notice, filepath.Join(dir, "config.json.bad-")) {
		t.Errorf("notice %q", notice)
	}
}

func TestConfigUnreadableIsAnError(t *testing.T) {
	dir := t.TempDir()
	f := NewConfigFile(dir)
	if err := os.Mkdir(f.Path, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.Load(); err == nil {
		t.Error("config.json a directory: no error")
	}
	if _, err := os.Stat(f.Path); err != nil {
		t.Errorf("the directory was moved: %v", err)
	}
}

func FuzzConfigLoad(f *testing.F) {
	f.Add([]byte(`{"sensitivity": "low"}`))
	f.Add([]byte(`{"quiet_hours": [{"from": "22:00", "to": "07:00"}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cf := NewConfigFile(t.TempDir())
		if err := os.WriteFile(cf.Path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, _, err := cf.Load()
		if err != nil {
			t.Fatalf("a file that reads gives an error: %v", err)
		}
		if verr := cfg.Validate(); verr != nil {
			t.Fatalf("Load returned invalid settings: %v", verr)
		}
	})
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// What a save killed half-way left behind is cleaned up at the next start;
// a save going on right now (a fresh temporary file) is left alone.
func TestStaleTemporaryFilesRemoved(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, ".config.json.tmp-123")
	fresh := filepath.Join(dir, ".config.json.tmp-456")
	for _, p := range []string{old, fresh} {
		if err := os.WriteFile(p, []byte("{"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-time.Hour)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	if _, _, err := NewConfigFile(dir).Load(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Error("the stale temporary file is still there")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("a fresh temporary file was removed")
	}
}
