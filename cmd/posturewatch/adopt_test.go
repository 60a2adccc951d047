package main

import (
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"posturewatch/coach/domain"
	"posturewatch/coach/history"
	"posturewatch/coach/store"
)

// The notification toggle older versions kept in the history database is
// carried over to the settings file once, and not lost.
func TestAdoptNotifySetting(t *testing.T) {
	h, err := history.Open(filepath.Join(t.TempDir(), history.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if err := h.SetSetting(history.LegacyNotifySetting, "true"); err != nil {
		t.Fatal(err)
	}
	settings := store.NewConfigFile(t.TempDir())
	cfg := domain.DefaultConfig()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	adoptNotifySetting(h, settings, &cfg, log)
	if !cfg.DesktopNotifications {
		t.Error("not carried over")
	}
	saved, _, err := settings.Load()
	if err != nil || !saved.DesktopNotifications {
		t.Errorf("not saved: %v %v", saved.DesktopNotifications, err)
	}
	if _, ok, _ := h.Setting(history.LegacyNotifySetting); ok {
		t.Error("the old setting is still in the database")
	}
}
