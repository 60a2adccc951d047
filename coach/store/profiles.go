package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"posturewatch/coach/domain"
	"sort"
	"strings"
	"time"
)

// ErrNoProfile is returned (wrapped) when a named profile does not exist.
var ErrNoProfile = &domain.Error{Code: domain.ENOTFOUND, Message: "no such profile"}

// ProfileStore keeps named baselines as JSON files NAME.json in one
// directory, plus the name of the active profile in a file named "active".
type ProfileStore struct {
	Dir string
}

// DefaultProfileDir is os.UserConfigDir()/posturewatch/profiles.
func DefaultProfileDir() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("profiles: no user config dir: %w", err)
	}
	return filepath.Join(d, "posturewatch", "profiles"), nil
}

// NewProfileStore returns a store in dir ("" = DefaultProfileDir).
func NewProfileStore(dir string) (*ProfileStore, error) {
	if dir == "" {
		d, err := DefaultProfileDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	RemoveStaleTemp(dir, time.Now())
	return &ProfileStore{Dir: dir}, nil
}

func (s *ProfileStore) path(name string) (string, error) {
	if err := domain.ValidateProfileName(name); err != nil {
		return "", err
	}
	return filepath.Join(s.Dir, name+".json"), nil
}

// List returns the stored profiles sorted by name. A damaged profile file
// is listed with its problem (never silently skipped, never hiding the
// others), and a damaged "active" file only means none is marked active. A
// missing directory is an empty list.
func (s *ProfileStore) List() ([]domain.ProfileInfo, error) {
	ents, err := os.ReadDir(s.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("profiles: %w", err)
	}
	active, _ := s.Active() // damaged: none is marked; Active's callers report it
	var out []domain.ProfileInfo
	for _, e := range ents {
		n, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || e.IsDir() || domain.ValidateProfileName(n) != nil {
			continue
		}
		b, err := LoadBaseline(filepath.Join(s.Dir, e.Name()))
		if err != nil {
			out = append(out, domain.ProfileInfo{Name: n, Active: n == active, Problem: err.Error()})
			continue
		}
		out = append(out, domain.ProfileInfo{Name: n, Frames: b.Frames, Created: b.Created.Format("2006-01-02 15:04"), Active: n == active})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Load reads the named profile. The baseline's Name is set to name.
func (s *ProfileStore) Load(name string) (*domain.Baseline, error) {
	p, err := s.path(name)
	if err != nil {
		return nil, err
	}
	b, err := LoadBaseline(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("profile %q: %w (in %s)", name, ErrNoProfile, s.Dir)
	}
	if err != nil {
		return nil, err
	}
	b.Name = name
	return b, nil
}

// Save writes the baseline as profile b.Name, atomically.
func (s *ProfileStore) Save(b *domain.Baseline) error {
	if b == nil {
		return errors.New("profiles: nil baseline")
	}
	p, err := s.path(b.Name)
	if err != nil {
		return err
	}
	return SaveBaseline(p, b)
}

// Delete removes the named profile (and clears it as active).
func (s *ProfileStore) Delete(name string) error {
	p, err := s.path(name)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("profile %q: %w", name, ErrNoProfile)
		}
		return fmt.Errorf("profiles: delete %q: %w", name, err)
	}
	if a, _ := s.Active(); a == name {
		return s.SetActive("")
	}
	return nil
}

// Active returns the active profile's name ("" = none: vision defaults).
func (s *ProfileStore) Active() (string, error) {
	b, err := os.ReadFile(filepath.Join(s.Dir, "active"))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("profiles: read active profile: %w", err)
	}
	name := strings.TrimSpace(string(b))
	if name == "" {
		return "", nil
	}
	if err := domain.ValidateProfileName(name); err != nil {
		return "", fmt.Errorf("profiles: file %s is corrupt: %w", filepath.Join(s.Dir, "active"), err)
	}
	return name, nil
}

// SetActive makes name the active profile ("" = none). The profile must exist.
func (s *ProfileStore) SetActive(name string) error {
	if name != "" {
		p, err := s.path(name)
		if err != nil {
			return err
		}
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("profile %q: %w", name, ErrNoProfile)
		}
	}
	return WriteAtomic(filepath.Join(s.Dir, "active"), []byte(name+"\n"))
}

// SaveBaseline writes b as indented JSON to path atomically (temp file in the
// same directory, fsync, rename), creating the directory if needed.
func SaveBaseline(path string, b *domain.Baseline) error {
	if err := b.Validate(); err != nil {
		return fmt.Errorf("save baseline %s: %w", path, err)
	}
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return fmt.Errorf("save baseline %s: %w", path, err)
	}
	return WriteAtomic(path, append(data, '\n'))
}

// LoadBaseline reads a baseline JSON file. A file that is not a valid baseline
// gives an error naming it.
func LoadBaseline(path string) (*domain.Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load baseline: %w", err)
	}
	var b domain.Baseline
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("baseline file %s is corrupt: %w", path, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("baseline file %s is corrupt: extra data after the JSON object", path)
	}
	if err := b.Validate(); err != nil {
		return nil, fmt.Errorf("baseline file %s is corrupt: %w", path, err)
	}
	return &b, nil
}
