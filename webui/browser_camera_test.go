package webui

import (
	"strings"
	"testing"
	"time"

	"posturewatch/coach/domain"

	"posturewatch/webui/webuitest"
)

// The settings offer the cameras the server lists, with what keeps one
// from opening; choosing one saves it as the "camera" setting, and the
// page then says which camera is watched.
func TestDashboardCameraChooser(t *testing.T) {
	b := webuitest.NewBrowser(t)
	defer b.Close()
	ts := newTS(t)
	openDashboard(t, b, ts.srv.URL())
	b.WaitJS(t, "cameras listed", `document.querySelectorAll('#set-camera option').length === 3`, 5*time.Second)
	opts := webuitest.Eval[[]string](t, b, `[...document.querySelectorAll('#set-camera option')].map(o => o.value + '=' + o.textContent)`)
	want := []string{"=First camera (default)", "/dev/video0=Integrated Camera (/dev/video0)",
		"/dev/video2=USB Webcam (/dev/video2) — cannot be opened: permission denied: add yourself to the video group"}
	if strings.Join(opts, "|") != strings.Join(want, "|") {
		t.Errorf("camera options\n%q\nwant\n%q", opts, want)
	}
	b.WaitText(t, "#set-camera-note", "Watching Integrated Camera (/dev/video0).", 2*time.Second)

	webuitest.Eval[bool](t, b, `(function(){const s=document.getElementById('set-camera');s.value='/dev/video2';
		s.dispatchEvent(new Event('change'));document.getElementById('settings-save').click();return true})()`)
	b.WaitText(t, "#settings-msg", "Saved.", 5*time.Second)
	if got := ts.fb.Config().Camera; got != "/dev/video2" {
		t.Errorf("camera setting saved as %q, want /dev/video2", got)
	}
	b.WaitText(t, "#set-camera-note", "Watching USB Webcam (/dev/video2).", 5*time.Second)
	b.Screenshot(t, "camera-chooser")
	b.AssertNoConsoleErrors(t)
}

// During a stretch break the coach is paused but the camera is not: the
// headline says it is a break, not "Paused … the camera is off".
func TestDashboardStretchBreakHeadline(t *testing.T) {
	b := webuitest.NewBrowser(t)
	defer b.Close()
	ts := newTS(t)
	openDashboard(t, b, ts.srv.URL())
	st := ts.fb.setStatus(func(st *domain.LiveStatus) {
		st.State, st.Since, st.RoutineRunning = domain.StatePaused, time.Now(), true
	})
	ts.srv.PublishStatus(st)
	b.WaitText(t, "#state", "Stretch break", 5*time.Second)
	if d := b.Text(t, "#state-detail"); strings.Contains(d, "camera is off") {
		t.Errorf("a stretch break says %q", d)
	}
	st = ts.fb.setStatus(func(st *domain.LiveStatus) { st.RoutineRunning = false })
	ts.srv.PublishStatus(st)
	b.WaitText(t, "#state", "Paused", 5*time.Second)
}
