// Package store keeps what the user saves on disk: the settings file.
package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"posturewatch/coach/domain"
)

// ConfigName is the settings file in the config directory.
const ConfigName = "config.json"

// lastGoodSuffix names the copy of the last settings that were saved and
// read back whole: the settings to go back to when config.json is damaged.
const lastGoodSuffix = ".last-good"

// RunSection is the key of the run settings (domain.RunSettings) in the
// settings file, beside the coach settings:
//
//	{"sensitivity": "normal", …, "run": {"metrics": true, "webhook": "https://…"}}
//
// The dashboard saves the coach settings only: a save keeps the section as
// the user wrote it.
const RunSection = "run"

// ConfigFile is the settings file, the one source of truth for the coach
// settings. Every save also refreshes a last-good copy beside it.
type ConfigFile struct {
	Path string
	// Env, when set, is what the environment overrides in this run. A
	// save keeps the file's own values of those settings (the user's file
	// is never rewritten with the environment's), and refuses to change
	// one of them: the change would not survive the next start.
	Env *Env
}

// NewConfigFile is the settings file in dir.
func NewConfigFile(dir string) ConfigFile { return ConfigFile{Path: filepath.Join(dir, ConfigName)} }

// Load reads the settings. No file means the defaults. A file that cannot
// be used is kept aside under a new name (never overwriting an earlier
// one), and the last good settings are used, else the defaults; notice
// then says in plain words what happened and where the damaged file is.
func (f ConfigFile) Load() (cfg domain.Config, notice string, err error) {
	RemoveStaleTemp(filepath.Dir(f.Path), time.Now())
	cfg, err = readConfig(f.Path)
	if err == nil || errors.Is(err, os.ErrNotExist) {
		if errors.Is(err, os.ErrNotExist) {
			cfg = domain.DefaultConfig()
		}
		return cfg, "", nil
	}
	var perr *os.PathError
	if errors.As(err, &perr) && !errors.Is(err, errDamaged) {
		// unreadable (permissions, a directory): nothing to move aside
		return domain.DefaultConfig(), "", fmt.Errorf("settings: %w", err)
	}
	kept, merr := KeepAside(f.Path, "bad", time.Now())
	if merr != nil {
		return domain.DefaultConfig(), "", fmt.Errorf("settings: %w (and it could not be kept aside: %v)", err, merr)
	}
	if good, gerr := readConfig(f.Path + lastGoodSuffix); gerr == nil {
		// the copy's own bytes go back, run section and all
		data, rerr := os.ReadFile(f.Path + lastGoodSuffix)
		werr := rerr
		if werr == nil {
			werr = WriteAtomic(f.Path, data)
		}
		if werr != nil {
			return good, "", fmt.Errorf("settings: the last good settings could not be restored to %s: %w", f.Path, werr)
		}
		return good, fmt.Sprintf("Your settings file could not be used (%v); the last good settings were restored. The damaged file is kept as %s.", err, kept), nil
	}
	return domain.DefaultConfig(), fmt.Sprintf("Your settings file could not be used (%v) and no earlier copy exists: the default settings are in use. The damaged file is kept as %s.", err, kept), nil
}

// errDamaged marks a file that was read but is not valid settings.
var errDamaged = errors.New("not valid settings")

func readConfig(path string) (domain.Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return domain.Config{}, err
	}
	fields, _, err := splitRun(data)
	if err != nil {
		return domain.Config{}, fmt.Errorf("%s: %w: %w", filepath.Base(path), errDamaged, err)
	}
	c := domain.DefaultConfig()
	if err := json.Unmarshal(fields, &c); err != nil {
		return domain.Config{}, fmt.Errorf("%s: %w: %w", filepath.Base(path), errDamaged, err)
	}
	if err := c.Validate(); err != nil {
		return domain.Config{}, fmt.Errorf("%s: %w: %w", filepath.Base(path), errDamaged, err)
	}
	return c, nil
}

// KeepAside renames a damaged file to path.<tag>-<time>, adding a number
// when that name is taken (so an earlier one is never overwritten), and
// returns the new name.
func KeepAside(path, tag string, now time.Time) (string, error) {
	base := path + "." + tag + "-" + now.Format("20060102-150405")
	name := base
	for i := 2; ; i++ {
		if _, err := os.Lstat(name); errors.Is(err, os.ErrNotExist) {
			break
		}
		name = fmt.Sprintf("%s-%d", base, i)
	}
	if err := os.Rename(path, name); err != nil {
		return "", err
	}
	return name, nil
}

// splitRun parses the file into its coach settings (a JSON object without
// the run section) and the run section's raw JSON (nil when absent).
func splitRun(data []byte) (coach, run json.RawMessage, err error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil || m == nil {
		return nil, nil, domain.Errorf(domain.EINVALID, "settings: want a JSON object of settings")
	}
	run = m[RunSection]
	delete(m, RunSection)
	coach, err = json.Marshal(m)
	return coach, run, err
}

// LoadRun reads the run section of the file. No file or no section means
// the defaults (nothing leaves the machine); a section that is not valid
// is an error naming the problem (the URL itself is never repeated).
func (f ConfigFile) LoadRun() (domain.RunSettings, error) {
	var run domain.RunSettings
	data, err := os.ReadFile(f.Path)
	if errors.Is(err, os.ErrNotExist) {
		return run, nil
	}
	if err != nil {
		return run, fmt.Errorf("settings: %w", err)
	}
	_, raw, err := splitRun(data)
	if err != nil || raw == nil {
		return run, nil // a damaged file is Load's to report and keep aside
	}
	if err := json.Unmarshal(raw, &run); err != nil {
		return domain.RunSettings{}, fmt.Errorf("%s: %q section: %w", f.Path, RunSection, err)
	}
	if err := run.Validate(); err != nil {
		return domain.RunSettings{}, fmt.Errorf("%s: %q section: %w", f.Path, RunSection, err)
	}
	return run, nil
}

// SaveConfig writes the settings atomically, then the last-good copy. The
// file's run section, and its own values of the settings the environment
// overrides, are kept as they are.
func (f ConfigFile) SaveConfig(cfg domain.Config) error {
	data, err := f.encode(cfg)
	if err != nil {
		return err
	}
	if err := WriteAtomic(f.Path, data); err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	if err := WriteAtomic(f.Path+lastGoodSuffix, data); err != nil {
		return fmt.Errorf("settings: saved, but the last-good copy was not: %w", err)
	}
	return nil
}

// encode is the file's new text: the settings in their declared order,
// then the run section the file had.
func (f ConfigFile) encode(cfg domain.Config) ([]byte, error) {
	data, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("settings: encode: %w", err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, fmt.Errorf("settings: encode: %w", err)
	}
	var onDisk map[string]json.RawMessage
	if old, err := os.ReadFile(f.Path); err == nil {
		_ = json.Unmarshal(old, &onDisk) // a damaged file has nothing to keep
	}
	if f.Env != nil && len(f.Env.Overrides) > 0 {
		envCfg, _, err := f.Env.Apply(cfg, domain.RunSettings{})
		if err != nil {
			return nil, err
		}
		for key, v := range f.Env.ConfigOverridden() {
			if !sameJSON(fields[key], fieldJSON(envCfg, key)) {
				return nil, domain.Errorf(domain.ECONFLICT, "%s is set by the environment variable %s in this run: change or unset it there, then restart posturewatch", key, v)
			}
			if own, ok := onDisk[key]; ok {
				fields[key] = own
			} else {
				delete(fields, key) // the file did not say: the default applies
			}
		}
	}
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	add := func(k string, v json.RawMessage) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		kj, _ := json.Marshal(k)
		b.Write(kj)
		b.WriteByte(':')
		b.Write(v)
	}
	for _, k := range domain.ConfigKeys {
		if v, ok := fields[k]; ok {
			add(k, v)
		}
	}
	if run, ok := onDisk[RunSection]; ok {
		add(RunSection, run)
	}
	b.WriteByte('}')
	var out bytes.Buffer
	if err := json.Indent(&out, b.Bytes(), "", "  "); err != nil {
		return nil, fmt.Errorf("settings: encode: %w", err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// WriteAtomic replaces path with data so that a crash leaves the old file
// or the new one, never a mix, and no temporary file behind.
func WriteAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // gone after the rename; removes it on any failure
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // the rename itself survives a power cut
		d.Close()
	}
	return nil
}

// staleAfter is how old a temporary file of WriteAtomic must be to be taken
// for the leftover of a killed save (a save takes milliseconds).
const staleAfter = time.Minute

// RemoveStaleTemp removes what a save killed half-way (kill -9, a power
// cut) left in dir: WriteAtomic's temporary files, older than a minute.
func RemoveStaleTemp(dir string, now time.Time) {
	names, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	for _, n := range names {
		if st, err := os.Lstat(n); err == nil && st.Mode().IsRegular() && now.Sub(st.ModTime()) > staleAfter {
			os.Remove(n)
		}
	}
}
