package store

import (
	"errors"
	"os"
	"path/filepath"
	"posturewatch/coach/domain"
	"strings"
	"testing"
	"time"
)

func testBaseline(name string) *domain.Baseline {
	return &domain.Baseline{Name: name, Created: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), Frames: 20,
		Metrics: map[string]domain.Stat{domain.MetricNeckEyes: {Median: 0.5, MAD: 0.01, N: 20}, domain.MetricShoulderHeight: {Median: 0.7, MAD: 0.02, N: 20}}}
}

func TestProfileStoreRoundTrip(t *testing.T) {
	s, err := NewProfileStore(filepath.Join(t.TempDir(), "profiles"))
	if err != nil {
		t.Fatal(err)
	}
	if l, err := s.List(); err != nil || len(l) != 0 {
		t.Fatalf("empty store: %v %v", l, err)
	}
	for _, n := range []string{"laptop", "desk monitor"} {
		if err := s.Save(testBaseline(n)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetActive("laptop"); err != nil {
		t.Fatal(err)
	}
	l, err := s.List()
	if err != nil || len(l) != 2 || l[0].Name != "desk monitor" || l[1].Name != "laptop" || !l[1].Active || l[0].Active || l[1].Frames != 20 {
		t.Fatalf("list: %+v %v", l, err)
	}
	b, err := s.Load("laptop")
	if err != nil || b.Metrics[domain.MetricNeckEyes].Median != 0.5 || b.Name != "laptop" {
		t.Fatalf("load: %+v %v", b, err)
	}
	if err := s.Delete("laptop"); err != nil {
		t.Fatal(err)
	}
	if a, err := s.Active(); err != nil || a != "" {
		t.Errorf("deleting the active profile should clear it, got %q %v", a, err)
	}
	if _, err := s.Load("laptop"); !errors.Is(err, ErrNoProfile) {
		t.Errorf("load deleted: want ErrNoProfile, got %v", err)
	}
	if err := s.SetActive("nope"); !errors.Is(err, ErrNoProfile) {
		t.Errorf("activate missing: want ErrNoProfile, got %v", err)
	}
	// no temp files left behind
	ents, _ := os.ReadDir(s.Dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temp file left: %s", e.Name())
		}
	}
}

func TestProfileNames(t *testing.T) {
	s, _ := NewProfileStore(t.TempDir())
	for _, bad := range []string{"", "../evil", "a/b", `a\b`, ".hidden", "x..", "trailing ", "a\x00b", strings.Repeat("x", 65)} {
		if err := domain.ValidateProfileName(bad); err == nil {
			t.Errorf("name %q accepted", bad)
		}
		if err := s.Save(testBaseline(bad)); err == nil {
			t.Errorf("save %q accepted", bad)
		}
		if _, err := s.Load(bad); err == nil || errors.Is(err, ErrNoProfile) {
			t.Errorf("load %q: want a name error, got %v", bad, err)
		}
	}
	for _, good := range []string{"laptop", "Desk 2", "büro_links", "a.b-c"} {
		if err := domain.ValidateProfileName(good); err != nil {
			t.Errorf("name %q refused: %v", good, err)
		}
	}
}

// One damaged profile (even an inactive one) is listed with its problem and
// hides none of the others; a damaged "active" file only unmarks.
func TestCorruptProfileIsAnError(t *testing.T) {
	dir := t.TempDir()
	s, _ := NewProfileStore(dir)
	if err := s.Save(testBaseline("ok")); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "broken.json")
	os.WriteFile(bad, []byte(`{"name":"broken","metrics":{"neck_length":{"median":0.5,`), 0o644)
	if err := s.SetActive("ok"); err != nil {
		t.Fatal(err)
	}
	list, err := s.List()
	if err != nil || len(list) != 2 {
		t.Fatalf("list with a corrupt file: %+v %v", list, err)
	}
	if list[0].Name != "broken" || !strings.Contains(list[0].Problem, bad) || list[1].Name != "ok" || list[1].Problem != "" || !list[1].Active {
		t.Errorf("list: %+v; want broken with a problem naming %s, and ok active", list, bad)
	}
	os.WriteFile(filepath.Join(dir, "active"), []byte("../../etc\n"), 0o644)
	if list, err := s.List(); err != nil || len(list) != 2 || list[1].Active {
		t.Errorf("damaged active file: %+v %v", list, err)
	}
	if _, err := s.Active(); err == nil {
		t.Error("a damaged active file is not reported by Active")
	}
	if _, err := s.Load("broken"); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("load corrupt: %v", err)
	}
	os.WriteFile(bad, []byte(`{"name":"broken","metrics":{}}`), 0o644)
	if _, err := s.Load("broken"); err == nil || !strings.Contains(err.Error(), "no metrics") {
		t.Errorf("load without metrics: %v", err)
	}
	os.WriteFile(bad, []byte(`{"name":"broken","metrics":{"x":{"median":1,"mad":-1}}}`), 0o644)
	if _, err := LoadBaseline(bad); err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Errorf("negative MAD: %v", err)
	}
}

func TestSaveBaselineAtomicAndLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "base.json")
	b := testBaseline("x")
	if err := SaveBaseline(path, b); err != nil {
		t.Fatal(err)
	}
	// a failing save (invalid baseline) leaves the saved file intact
	if err := SaveBaseline(path, &domain.Baseline{Name: "empty"}); err == nil {
		t.Fatal("saving a baseline without metrics: want an error")
	}
	got, err := LoadBaseline(path)
	if err != nil || got.Frames != 20 || got.Metrics[domain.MetricShoulderHeight].MAD != 0.02 || !got.Created.Equal(b.Created) {
		t.Fatalf("load: %+v %v", got, err)
	}
	// a save that cannot rename (target is a directory) keeps nothing half-written
	dirTarget := filepath.Join(t.TempDir(), "isdir")
	os.MkdirAll(filepath.Join(dirTarget, "x"), 0o755)
	if err := SaveBaseline(dirTarget, b); err == nil {
		t.Errorf("save over a directory: want an error")
	}
	ents, _ := os.ReadDir(filepath.Dir(dirTarget))
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temp file left: %s", e.Name())
		}
	}
	if _, err := LoadBaseline(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Errorf("missing file: want an error")
	}
}

func TestDefaultProfileDir(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/tmp/xdg-test")
	d, err := DefaultProfileDir()
	if err != nil || d != filepath.Join("/tmp/xdg-test", "posturewatch", "profiles") {
		t.Errorf("default dir %q %v", d, err)
	}
}
