package about

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"posturewatch/coach/domain"
	"posturewatch/coach/history"
)

func TestAboutWithoutHistory(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "profiles"), 0o700); err != nil {
		t.Fatal(err)
	}
	for name, n := range map[string]int{"profiles/desk.json": 300, "profiles/laptop.json": 200} {
		if err := os.WriteFile(filepath.Join(dir, name), make([]byte, n), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// a link to a big file elsewhere is not counted as ours
	if err := os.Symlink("/etc/services", filepath.Join(dir, "profiles", "linked.json")); err != nil {
		t.Fatal(err)
	}
	s := New(Options{DataDir: dir, ConfigDir: dir, ConfigFile: filepath.Join(dir, "config.json"),
		Run: domain.RunSettings{Webhook: "http://u:pw@10.0.0.9:8123/api/webhook/secret"}})
	a, err := s.About(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if a.HistoryKept || a.Webhook != "http://10.0.0.9:8123" || len(a.Environment) != 0 || a.Checks == nil {
		t.Errorf("about: %+v", a)
	}
	for _, p := range a.Places {
		switch p.What {
		case "calibration profiles":
			if !p.Exists || p.Bytes != 500 {
				t.Errorf("profiles: %+v, want 500 bytes", p)
			}
		case "settings file", "history database":
			if p.Exists || p.Bytes != 0 {
				t.Errorf("%s: %+v, want absent", p.What, p)
			}
		}
	}
	var buf bytes.Buffer
	if err := s.ExportHistory(t.Context(), &buf, "json"); domain.ErrorCode(err) != domain.EUNAVAILABLE {
		t.Errorf("export without history: %v", err)
	}
	if _, _, err := s.DeleteHistory(t.Context()); domain.ErrorCode(err) != domain.EUNAVAILABLE {
		t.Errorf("delete without history: %v", err)
	}
}

func TestExportEmptyHistory(t *testing.T) {
	h, err := history.Open(filepath.Join(t.TempDir(), history.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	s := New(Options{History: h, Now: func() time.Time { return time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) }})
	var csv, js bytes.Buffer
	if err := s.ExportHistory(t.Context(), &csv, "csv"); err != nil || strings.TrimSpace(csv.String()) != strings.Join(history.CSVHeader(), ",") {
		t.Errorf("empty CSV: %q %v", csv.String(), err)
	}
	if err := s.ExportHistory(t.Context(), &js, "json"); err != nil || !strings.Contains(js.String(), `"minutes": []`) {
		t.Errorf("empty JSON: %q %v", js.String(), err)
	}
	if err := s.ExportHistory(t.Context(), &js, "yaml"); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("yaml: %v", err)
	}
}
