// Package store keeps what the user saves on disk: the settings file.
package store

import (
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

// ConfigFile is the settings file, the one source of truth for the coach
// settings. Every save also refreshes a last-good copy beside it.
type ConfigFile struct {
	Path string
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
		if werr := f.SaveConfig(good); werr != nil {
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
	c := domain.DefaultConfig()
	if err := json.Unmarshal(data, &c); err != nil {
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

// SaveConfig writes the settings atomically, then the last-good copy.
func (f ConfigFile) SaveConfig(cfg domain.Config) error {
	data, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return fmt.Errorf("settings: encode: %w", err)
	}
	data = append(data, '\n')
	if err := WriteAtomic(f.Path, data); err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	if err := WriteAtomic(f.Path+lastGoodSuffix, data); err != nil {
		return fmt.Errorf("settings: saved, but the last-good copy was not: %w", err)
	}
	return nil
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
