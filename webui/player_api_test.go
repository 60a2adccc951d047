package webui

import (
	"strings"
	"testing"

	"posturewatch/coach/domain"
)

// POST /api/nudge/test reaches the backend (with the CSRF token only), and
// a finished calibration answers with the camera's place in words; the
// vocabulary carries the profile-name pattern.
func TestPlayerAndFirstRunAPI(t *testing.T) {
	ts := newTS(t)
	var sent []domain.Event
	ts.fb.onTestNudge = func(e domain.Event) { sent = append(sent, e) }
	if code, _, _ := ts.do("POST", "/api/nudge/test", map[string]any{}, noCSRF()); code != 403 {
		t.Errorf("test nudge without the CSRF token: %d", code)
	}
	if code, m, _ := ts.do("POST", "/api/nudge/test", nil); code != 200 || m["ok"] != true {
		t.Errorf("test nudge: %d %v", code, m)
	}
	if len(sent) != 1 || !sent[0].Test {
		t.Errorf("test nudges sent: %+v", sent)
	}
	if code, _, _ := ts.do("POST", "/api/nudge/test", map[string]any{"x": 1}); code != 400 {
		t.Errorf("test nudge with an unknown field: %d", code)
	}

	if code, m, _ := ts.do("POST", "/api/calibration/start", nil); code != 200 {
		t.Fatalf("calibration start: %d %v", code, m)
	}
	code, m, _ := ts.do("POST", "/api/calibration/finish", map[string]any{"profile": "desk"})
	if code != 200 {
		t.Fatalf("calibration finish: %d %v", code, m)
	}
	setup, _ := m["setup"].(map[string]any)
	if s, _ := setup["summary"].(string); s != "Camera a little below your eyes, about 60 cm away." {
		t.Errorf("setup in words: %v", setup)
	}
	if a, _ := setup["assumptions"].(string); !strings.Contains(a, "6.3 cm") {
		t.Errorf("the assumptions are not stated: %v", setup)
	}

	code, m, _ = ts.do("GET", "/api/vocabulary", nil)
	pn, _ := m["profile_name"].(map[string]any)
	if code != 200 || pn["pattern"] != domain.ProfileNamePattern {
		t.Errorf("vocabulary profile_name: %d %v", code, pn)
	}
}
