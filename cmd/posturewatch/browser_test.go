package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"posturewatch/coach/domain"
	"posturewatch/vision"
	"posturewatch/webui/webuitest"
)

// The real program in a real headless Chromium: the forward-head clip plays
// at 2× speed (its parts last long enough in wall time for a loaded machine
// to analyse them, see TestRunEndToEnd); the dashboard's live state changes
// to forward head, the nudge toast appears, the stretch player runs a hold
// timer with the camera counting chin tucks, pause works and closes the
// source, the history chart renders from the session's minutes, and the
// page logs no console errors. Screenshots go to a temp folder named in
// the test output.
func TestRunDashboardInChromium(t *testing.T) {
	clip := replayClip(t, "forward-head-session.mp4")
	b := webuitest.NewBrowser(t, webuitest.Options{ShotsPrefix: "posturewatch-run-shots-"})
	defer b.Close()
	rs := startService(t, runOptions{source: clip, speed: 2})

	b.Do(t, chromedp.Navigate(rs.base+"/"))
	b.WaitText(t, "#conn", "Live", 15*time.Second)
	// No profile yet: the first-run guide opens over the page and judges
	// the framing from the real pipeline's observations; skip it. The clip's
	// person sits with her shoulders at 91–93 % of the picture's height: the
	// framing passes, with the advice to bring them clear of the bottom edge.
	b.WaitJS(t, "first-run guide open", `document.getElementById('firstrun').open`, 15*time.Second)
	b.WaitText(t, "#fr-frame-verdict", "The framing will do", 20*time.Second)
	b.WaitJS(t, "shoulders at the bottom edge", `document.getElementById('fr-shoulders').dataset.ok === 'warn'`, 5*time.Second)
	if got := b.Text(t, "#fr-shoulders"); got != domain.ShouldersLowAdvice {
		t.Errorf("the shoulders' check reads %q, want the server's advice", got)
	}
	b.Screenshot(t, "00-first-run")
	b.Click(t, "#fr-frame [data-fr-skip]")
	b.WaitJS(t, "guide skipped", `!document.getElementById('firstrun').open`, 5*time.Second)
	b.WaitJS(t, "a live score", `/^\d+$/.test(document.getElementById('score').textContent.trim())`, 15*time.Second)
	// The live view keeps the framing advice while her shoulders sit at the
	// bottom edge.
	b.WaitJS(t, "the live framing hint", `!document.getElementById('framing-hint').hidden`, 20*time.Second)
	if got := b.Text(t, "#framing-hint"); got != domain.ShouldersLowAdvice {
		t.Errorf("the live framing hint reads %q, want the server's advice", got)
	}
	b.Screenshot(t, "01-live")

	// 20 s into the video the head goes forward; 20 s later the nudge.
	b.WaitText(t, "#state", "forward head", 30*time.Second)
	b.Screenshot(t, "02-forward-head")
	msg, fix := domain.NudgeText(domain.ForwardHead)
	b.WaitJS(t, "nudge toast", `!document.getElementById('toast').hidden`, 30*time.Second)
	b.WaitText(t, "#toast", msg, 3*time.Second)
	if !strings.Contains(b.Text(t, "#toast"), fix) {
		t.Errorf("toast %q lacks the fix %q", b.Text(t, "#toast"), fix)
	}
	b.Screenshot(t, "03-nudge")

	// Stretch player: ask for a routine (the service builds it for today's
	// faults and the page starts it), run a hold timer.
	b.Click(t, "#routine-request")
	b.WaitJS(t, "routine playing", `document.getElementById('stretch-player').dataset.phase === 'run'`, 5*time.Second)
	if !strings.Contains(b.Text(t, "#safety"), "pain") {
		t.Errorf("safety text missing: %q", b.Text(t, "#safety"))
	}
	st := rs.svc.Status()
	if st.Routine == nil || len(st.Routine.Items) == 0 {
		t.Fatalf("the service has no routine after the request: %+v", st.Routine)
	}
	r := st.Routine
	if len(r.Faults) == 0 || r.Faults[0] != domain.ForwardHead {
		t.Errorf("routine built for %v, want today's forward head first", r.Faults)
	}
	b.WaitText(t, "#exercise-name", r.Items[0].Exercise.Name, 5*time.Second)
	timed := false
	for i, it := range r.Items {
		if it.Exercise.Checkable != "" {
			// the service counts this one from the camera and says so live
			b.WaitText(t, "#rep-source", "camera counted", 10*time.Second)
		}
		if it.Exercise.Dose.HoldSeconds >= 3 {
			before := b.Text(t, "#stretch-timer")
			b.Click(t, "#exercise-start")
			// the timer counts down (how fast the page ticks under a loaded
			// machine is not this test's business: it waits for 2 s less)
			b.WaitFunc(t, "the stretch timer counting down", 10*time.Second, func() (string, bool) {
				after := b.Text(t, "#stretch-timer")
				return before + " then " + after, clockSecs(t, before)-clockSecs(t, after) >= 2
			})
			b.Screenshot(t, "04-stretch-timer")
			timed = true
			break
		}
		b.Click(t, "#exercise-skip")
		if i+1 < len(r.Items) {
			b.WaitText(t, "#exercise-index", fmt.Sprintf("Exercise %d", i+2), 5*time.Second)
		}
	}
	if !timed {
		t.Errorf("routine %s has no exercise with a hold timer", r.ID)
	}
	b.Click(t, "#exercise-done")
	// The stretch break holds the coach (state paused, said as a break)
	// until the routine ends: stop it from the player.
	b.WaitText(t, "#state", "Stretch break", 5*time.Second)
	b.Click(t, "#routine-stop")
	b.WaitJS(t, "stop asks", `document.getElementById('stop-dialog').open`, 5*time.Second)
	b.Click(t, "#stop-confirm")
	b.WaitJS(t, "coaching again after the break", `!/Paused|Stretch break/.test(document.getElementById('state').textContent)`, 10*time.Second)

	// History: the session's finished minutes are drawn.
	b.Click(t, "#hist-hour")
	b.WaitFunc(t, "history chart with a bar", 30*time.Second, func() (string, bool) {
		n := webuitest.Eval[string](t, b, `document.getElementById('history-chart').dataset.bars || ''`)
		if n == "" || n == "0" {
			webuitest.Eval[bool](t, b, `(document.getElementById('hist-hour').click(), true)`)
			return n, false
		}
		return n, true
	})
	if ink := b.CanvasInk(t, "#history-chart"); ink < 200 {
		t.Errorf("history chart looks blank: %d inked pixels", ink)
	}
	b.Screenshot(t, "05-history")

	// Pause from the menu: paused on the page, the source closed.
	b.Click(t, "#pause-btn")
	b.Click(t, "#pause-15")
	b.WaitText(t, "#state", "Paused", 5*time.Second)
	if cam := rs.eye.Supervisor().Status(); cam.State != vision.SourceReleased || cam.Open {
		t.Errorf("after the pause the source is %+v, want released", cam)
	}
	if st := rs.svc.Status(); st.State != domain.StatePaused || !st.Camera.Released {
		t.Errorf("service status after the pause: %q %+v", st.State, st.Camera)
	}
	b.Screenshot(t, "06-paused")
	b.Click(t, "#resume-btn")
	b.WaitJS(t, "monitoring again", `!/Paused/.test(document.getElementById('state').textContent)`, 10*time.Second)
	// The supervisor reopens the source in its own goroutine, just after
	// the coach resumes: give it a moment.
	deadline := time.Now().Add(patience)
	for rs.eye.Supervisor().Status().State == vision.SourceReleased && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if cam := rs.eye.Supervisor().Status(); cam.State == vision.SourceReleased {
		t.Errorf("%v after resume the source is still released: %+v", patience, cam)
	}

	b.AssertNoConsoleErrors(t)
	t.Logf("screenshots of the run dashboard in %s", b.ShotsDir)
}

// clockSecs reads a m:ss timer.
func clockSecs(t *testing.T, clock string) int {
	t.Helper()
	var m, s int
	if _, err := fmt.Sscanf(strings.TrimSpace(clock), "%d:%d", &m, &s); err != nil {
		t.Fatalf("timer text %q is not m:ss", clock)
	}
	return m*60 + s
}
