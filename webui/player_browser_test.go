package webui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"posturewatch/coach/domain"
	"posturewatch/webui/webuitest"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// fakeClock is installed before the page's modules run (and again on every
// reload): the player and the calibration countdowns take their time from
// it, and the test moves it on with __pwClock.advance(ms), running every
// timer that falls due on the way, in order.
const fakeClock = `(() => {
  let t = Date.now(), next = 1;
  const timers = new Map();
  window.__pwClock = {
    now: () => t,
    every(ms, fn) { const id = next++; timers.set(id, { ms, fn, due: t + ms }); return id; },
    cancel(id) { timers.delete(id); },
    advance(ms) {
      const end = t + ms;
      for (;;) {
        let id = 0, first = null;
        for (const [k, v] of timers) if (v.due <= end && (!first || v.due < first.due)) { id = k; first = v; }
        if (!first) break;
        t = first.due;
        first.due += first.ms;
        first.fn();
      }
      t = end;
      return true;
    },
  };
})();`

func installFakeClock(t *testing.T, b *webuitest.Browser) {
	t.Helper()
	b.Do(t, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: fakeClock})
		return chromedp.Void{}, err
	})
}

// advance moves the page's clock on by d.
func advance(t *testing.T, b *webuitest.Browser, d time.Duration) {
	t.Helper()
	webuitest.Eval[bool](t, b, fmt.Sprintf(`window.__pwClock.advance(%d)`, d.Milliseconds()))
}

func (f *fakeBackend) doneCalls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.done...)
}

func countOf(xs []string, x string) int {
	n := 0
	for _, s := range xs {
		if s == x {
			n++
		}
	}
	return n
}

// TestStretchPlayerInChromium drives the stretch player in a real browser
// with the page's clock in the test's hands: the overview, the figures,
// holds and rests that advance by themselves, the manual rep counter beside
// the camera's, resuming after a reload, Stop asking first, and Close
// stopping the service's routine.
func TestStretchPlayerInChromium(t *testing.T) {
	b := webuitest.NewBrowser(t)
	defer b.Close()
	installFakeClock(t, b)
	ts := newTS(t)
	srv := ts.srv
	ts.fb.cfg.Equipment = []domain.Equipment{domain.EquipDoorway}

	openDashboard(t, b, srv.URL())

	// The overview: every exercise with its figure and dose, the total
	// time, where and with what; nothing on the floor at the desk.
	r := ts.fb.suggest(domain.ForwardHead, domain.RoundedShoulders, domain.Slouch)
	srv.PublishEvent(domain.Event{Time: time.Now(), Type: domain.EventSuggestion, Routine: r, Message: "A short stretch break helps."})
	b.WaitJS(t, "overview shown", `document.getElementById('stretch-player').dataset.phase === 'offer'`, 5*time.Second)
	ids := webuitest.Eval[[]string](t, b, `[...document.querySelectorAll('#routine-list li')].map(li => li.dataset.exercise)`)
	if len(ids) != len(r.Items) {
		t.Fatalf("overview lists %v, routine has %d exercises", ids, len(r.Items))
	}
	for i, it := range r.Items {
		if ids[i] != it.Exercise.ID {
			t.Errorf("overview item %d is %s, want %s", i, ids[i], it.Exercise.ID)
		}
		if it.Exercise.Floor {
			t.Errorf("%s is done on the floor, yet offered at the desk", it.Exercise.ID)
		}
	}
	b.WaitJS(t, "overview figures loaded", `[...document.querySelectorAll('#routine-list img')].every(i => i.complete && i.naturalWidth > 0)`, 5*time.Second)
	summary := b.Text(t, "#routine-summary")
	minutes := fmt.Sprintf("%d min", int(r.Duration.D().Round(time.Minute).Minutes()))
	if !strings.Contains(summary, fmt.Sprintf("%d exercises", len(r.Items))) || !strings.Contains(summary, minutes) {
		t.Errorf("overview summary %q lacks the count or the total (%s)", summary, minutes)
	}
	if strings.Contains(summary, "doorway") != routineNeeds(r, domain.EquipDoorway) {
		t.Errorf("overview summary %q says the wrong equipment", summary)
	}
	t.Logf("overview: %s", b.Screenshot(t, "21-player-overview"))

	// Begin: the first exercise with its figure, a "get ready" countdown.
	if !b.Visible(t, "#toast") {
		t.Error("the suggestion came without its toast")
	}
	b.Click(t, "#routine-begin")
	b.WaitText(t, "#exercise-name", r.Items[0].Exercise.Name, 5*time.Second)
	if b.Visible(t, "#toast") {
		t.Error("the suggestion's toast (with its own \"Stretch now\") stays up while its break plays")
	}
	b.WaitJS(t, "figure shown", `(() => { const i = document.getElementById('exercise-figure');
		return i.complete && i.naturalWidth > 0 && i.src.endsWith('/static/figures/`+r.Items[0].Exercise.ID+`.svg') })()`, 5*time.Second)
	if got := b.Text(t, "#stretch-step"); got != "Get ready" {
		t.Errorf("before the first exercise the player says %q", got)
	}

	// The first is chin tucks, counted by the camera; when it counts
	// nothing the user's +1 and −1 count, and both show side by side.
	ex := r.Items[0].Exercise
	if ex.Checkable == "" {
		t.Fatalf("the routine starts with %s, not a camera-checked exercise", ex.ID)
	}
	advance(t, b, 10*time.Second)
	b.WaitJS(t, "the set began by itself", `document.getElementById('stretch-run').dataset.step === 'reps'`, 2*time.Second)
	b.Click(t, "#rep-plus")
	b.Click(t, "#rep-plus")
	b.Click(t, "#rep-minus")
	b.WaitText(t, "#rep-count", "1", 2*time.Second)
	srv.PublishReps(domain.RepCount{RoutineID: r.ID, ExerciseID: ex.ID, Count: 3, Target: ex.Dose.Reps})
	b.WaitText(t, "#rep-count", "4", 5*time.Second)
	if src := b.Text(t, "#rep-source"); !strings.Contains(src, "camera counted 3") || !strings.Contains(src, "+1") {
		t.Errorf("rep source %q does not show the camera's count beside the user's", src)
	}
	t.Logf("reps: %s", b.Screenshot(t, "22-player-reps"))

	// Skip to a stretch held on a timer: the hold runs out and the rest
	// comes by itself, then the next hold.
	hold := -1
	for i := 1; i < len(r.Items); i++ {
		b.Click(t, "#exercise-skip")
		b.WaitText(t, "#exercise-name", r.Items[i].Exercise.Name, 5*time.Second)
		if d := r.Items[i].Exercise.Dose; d.Reps == 0 && d.Sets*map[bool]int{true: 2, false: 1}[d.PerSide] > 1 {
			hold = i
			break
		}
	}
	if hold < 0 {
		t.Fatalf("the routine %v has no stretch held over more than one set or side", ids)
	}
	d := r.Items[hold].Exercise.Dose
	advance(t, b, 10*time.Second)
	b.WaitJS(t, "holding", `document.getElementById('stretch-run').dataset.step === 'hold'`, 2*time.Second)
	if got, want := b.Text(t, "#stretch-timer"), fmt.Sprintf("0:%02d", d.HoldSeconds); got != want {
		t.Errorf("the hold shows %s, want %s", got, want)
	}
	advance(t, b, time.Duration(d.HoldSeconds-5)*time.Second)
	b.WaitText(t, "#stretch-timer", "0:05", 2*time.Second)
	firstBlock := b.Text(t, "#stretch-block")
	advance(t, b, 5*time.Second)
	b.WaitJS(t, "the rest began by itself", `document.getElementById('stretch-run').dataset.step === 'rest'`, 2*time.Second)
	t.Logf("rest: %s", b.Screenshot(t, "23-player-rest"))
	advance(t, b, time.Duration(max(d.RestSeconds, 3))*time.Second)
	b.WaitJS(t, "the next hold began by itself", `document.getElementById('stretch-run').dataset.step === 'hold'`, 2*time.Second)
	if b.Text(t, "#stretch-block") == firstBlock {
		t.Errorf("still %q after the rest", firstBlock)
	}
	advance(t, b, 4*time.Second)
	timerBefore := b.Text(t, "#stretch-timer")

	// Reload: the same exercise, the same set, the timer where it was.
	b.Do(t, chromedp.Reload())
	b.WaitText(t, "#conn", "Live", 10*time.Second)
	b.WaitText(t, "#exercise-name", r.Items[hold].Exercise.Name, 5*time.Second)
	if got := b.Text(t, "#stretch-timer"); got != timerBefore {
		t.Errorf("after the reload the timer shows %s, before %s", got, timerBefore)
	}
	if got := b.Text(t, "#stretch-note"); !strings.Contains(got, "Resumed") {
		t.Errorf("no word of resuming: %q", got)
	}
	b.Click(t, "#exercise-start") // Resume
	b.WaitJS(t, "running again", `document.getElementById('stretch-run').dataset.running === 'true'`, 2*time.Second)
	t.Logf("resumed: %s", b.Screenshot(t, "24-player-resumed"))

	// The audio countdown: off by default, remembered when turned on.
	if webuitest.Eval[bool](t, b, `document.getElementById('beeps').checked`) {
		t.Error("beeps on by default")
	}
	b.Click(t, "#beeps")
	if v := webuitest.Eval[string](t, b, `localStorage.getItem('posturewatch.beeps')`); v != "on" {
		t.Errorf("beeps setting stored as %q", v)
	}

	// Stop asks first; "Keep going" keeps going, "Stop" stops the service's routine.
	b.Click(t, "#routine-stop")
	b.WaitJS(t, "stop asks", `document.getElementById('stop-dialog').open`, 2*time.Second)
	t.Logf("stop dialog: %s", b.Screenshot(t, "25-player-stop-asks"))
	b.Click(t, "#stop-cancel")
	b.WaitJS(t, "kept going", `!document.getElementById('stop-dialog').open && document.getElementById('stretch-player').dataset.phase === 'run'`, 2*time.Second)
	if n := countOf(ts.fb.doneCalls(), "stopped"); n != 0 {
		t.Errorf("'Keep going' stopped the routine (%d stops)", n)
	}
	if f := webuitest.Eval[string](t, b, `document.activeElement.id`); f != "routine-stop" {
		t.Errorf("after 'Keep going' the focus is on %q", f)
	}
	b.Click(t, "#routine-stop")
	b.WaitJS(t, "stop asks again", `document.getElementById('stop-dialog').open`, 2*time.Second)
	b.Click(t, "#stop-confirm")
	b.WaitJS(t, "stopped", `document.getElementById('stretch-player').dataset.phase === 'idle'`, 2*time.Second)
	waitFor(t, "the service's routine stopped", patience, func() bool { return countOf(ts.fb.doneCalls(), "stopped") == 1 })
	if v := webuitest.Eval[int](t, b, `Object.keys(localStorage).filter(k => k.startsWith('posturewatch.player.')).length`); v != 0 {
		t.Errorf("%d saved players left after stopping", v)
	}

	// A whole routine to its end: Close stops the service's routine too.
	b.Click(t, "#routine-request")
	b.WaitJS(t, "playing", `document.getElementById('stretch-player').dataset.phase === 'run'`, 5*time.Second)
	for i := 0; i < 12 && webuitest.Eval[string](t, b, `document.getElementById('stretch-player').dataset.phase`) == "run"; i++ {
		before := b.Text(t, "#exercise-index")
		b.Click(t, "#exercise-done")
		b.WaitFunc(t, "the next exercise", 5*time.Second, func() (string, bool) {
			ph := webuitest.Eval[string](t, b, `document.getElementById('stretch-player').dataset.phase`)
			return ph, ph != "run" || b.Text(t, "#exercise-index") != before
		})
	}
	b.WaitJS(t, "finished", `document.getElementById('stretch-player').dataset.phase === 'finished'`, 5*time.Second)
	t.Logf("finished: %s", b.Screenshot(t, "26-player-finished"))
	b.Click(t, "#routine-close")
	waitFor(t, "close stopped the service's routine", patience, func() bool { return countOf(ts.fb.doneCalls(), "stopped") == 2 })
	b.WaitJS(t, "closed", `document.getElementById('stretch-player').dataset.phase === 'idle'`, 2*time.Second)

	b.AssertNoConsoleErrors(t)
	t.Logf("screenshots in %s", b.ShotsDir)
}

// routineNeeds reports whether an exercise of r needs q.
func routineNeeds(r *domain.Routine, q domain.Equipment) bool {
	for _, it := range r.Items {
		for _, e := range it.Exercise.Equipment {
			if e == q {
				return true
			}
		}
	}
	return false
}

// TestCalibrationAndFirstRunInChromium drives the first-run guide (framing
// from the observations, calibration with live frame counts and the result
// in words, notifications, a test nudge), then the calibration card: the
// name checked as typed, frames counting, cancel, the result in words and
// the profile in use named after switching.
func TestCalibrationAndFirstRunInChromium(t *testing.T) {
	b := webuitest.NewBrowser(t)
	defer b.Close()
	installFakeClock(t, b)
	ts := newTS(t)
	srv := ts.srv
	ts.fb.status.FirstRun = true
	ts.fb.onTestNudge = func(e domain.Event) { srv.PublishEvent(e) }
	calibrating := func() bool { ts.fb.mu.Lock(); defer ts.fb.mu.Unlock(); return ts.fb.calibrating }
	frames := func(n int) {
		srv.PublishStatus(ts.fb.setStatus(func(st *domain.LiveStatus) { st.CalibrationFrames = n }))
	}

	openDashboard(t, b, srv.URL())

	// It opens by itself for someone with no profile, on the framing check,
	// with the camera preview on.
	b.WaitJS(t, "first-run guide open", `document.getElementById('firstrun').open`, 5*time.Second)
	waitFor(t, "the guide asked for the preview", patience, srv.PreviewWanted)
	sample := func(obs domain.Observation) {
		obs.Time = time.Now()
		srv.PublishSample(domain.SampleOf(obs))
	}
	sample(domain.Observation{Posture: domain.PostureAway, Why: "nobody at the desk"})
	b.WaitJS(t, "nobody seen", `document.getElementById('fr-head').dataset.ok === 'false'`, 5*time.Second)
	sample(domain.Observation{Posture: domain.PostureUnknown, Picture: domain.PictureDark, Why: "too dark"})
	b.WaitJS(t, "too dark", `document.getElementById('fr-light').dataset.ok === 'false'`, 5*time.Second)
	if !webuitest.Eval[bool](t, b, `document.getElementById('fr-frame-next').disabled`) {
		t.Error("Next is offered while the framing is wrong")
	}
	t.Logf("framing wrong: %s", b.Screenshot(t, "31-firstrun-framing-dark"))
	// someone else beside the user: not yet
	twoOf := domain.Observation{Posture: domain.PostureGood, Confidence: 0.9, Visible: []string{"face", "eyes", "shoulders"},
		Metrics: domain.Metrics{domain.MetricNeckEyes: 2.1, domain.MetricFaceFrame: 0.09}, People: 2}
	sample(twoOf)
	b.WaitJS(t, "two people", `document.getElementById('fr-people').dataset.ok === 'false'`, 5*time.Second)
	if got := b.Text(t, "#fr-people"); !strings.Contains(got, "2 people in view") {
		t.Errorf("two people in view read %q", got)
	}
	if !webuitest.Eval[bool](t, b, `document.getElementById('fr-frame-next').disabled`) {
		t.Error("Next is offered with two people in view")
	}
	// What will do, with the server's advice: the check marked "!", Next
	// offered, the verdict saying what would be better.
	willDo := func(what, check, advice, verdict, shot string, obs domain.Observation) {
		t.Helper()
		sample(obs)
		b.WaitJS(t, what, `document.getElementById('`+check+`').dataset.ok === 'warn'`, 5*time.Second)
		if got := b.Text(t, "#"+check); got != advice {
			t.Errorf("%s read %q, want the server's advice", what, got)
		}
		if webuitest.Eval[bool](t, b, `document.getElementById('fr-frame-next').disabled`) {
			t.Errorf("Next is refused for %s: the framing will do", what)
		}
		b.WaitText(t, "#fr-frame-verdict", verdict, 2*time.Second)
		t.Logf("%s: %s", what, b.Screenshot(t, shot))
	}
	willDo("shoulders at the bottom edge", "fr-shoulders", domain.ShouldersLowAdvice, "better with your shoulders clear of the bottom edge", "31b-firstrun-shoulders-low",
		domain.Observation{Posture: domain.PostureGood, Confidence: 0.9, Visible: []string{"face", "eyes", "shoulders"},
			Metrics: domain.Metrics{domain.MetricNeckEyes: 2.6, domain.MetricFaceFrame: 0.08, domain.MetricShoulderHeight: 0.92}, People: 1})
	willDo("a bright window behind", "fr-light", domain.BacklitAdvice, "better with the light in front of you", "31c-firstrun-backlit",
		domain.Observation{Posture: domain.PostureGood, Confidence: 0.9, Visible: []string{"face", "eyes", "shoulders"},
			Metrics: domain.Metrics{domain.MetricNeckEyes: 2.1, domain.MetricFaceFrame: 0.09}, People: 1, Backlit: true})
	sample(domain.Observation{Posture: domain.PostureGood, Confidence: 0.9, Visible: []string{"face", "eyes", "shoulders"},
		Metrics: domain.Metrics{domain.MetricNeckEyes: 2.1, domain.MetricFaceFrame: 0.09}, People: 1})
	b.WaitJS(t, "framing good", `['fr-head','fr-shoulders','fr-light','fr-people'].every(id => document.getElementById(id).dataset.ok === 'true')`, 5*time.Second)
	b.WaitText(t, "#fr-frame-verdict", "The framing is good.", 2*time.Second)
	b.Click(t, "#fr-frame-next")

	// Calibration with live feedback and the result in words.
	b.WaitJS(t, "calibration step", `document.getElementById('firstrun').dataset.step === 'calibrate'`, 2*time.Second)
	b.Click(t, "#fr-calib-start")
	advance(t, b, 3*time.Second)
	waitFor(t, "calibration started at the server", patience, calibrating)
	b.WaitText(t, "#fr-calib-phase", "Hold still", 5*time.Second) // the capture countdown runs
	frames(6)
	b.WaitText(t, "#fr-calib-frames", "6 frames captured", 5*time.Second)
	frames(14)
	b.WaitText(t, "#fr-calib-frames", "14 frames captured", 5*time.Second)
	advance(t, b, 10*time.Second)
	b.WaitText(t, "#fr-calib-result", "Camera a little below your eyes, about 60 cm away.", 5*time.Second)
	// the Now card takes the status the answer carries: calibrating no more
	b.WaitJS(t, "the live view left calibrating", `document.getElementById('state').dataset.state === 'good'`, 5*time.Second)
	t.Logf("first-run calibrated: %s", b.Screenshot(t, "32-firstrun-calibrated"))
	b.Click(t, "#fr-calib-next")

	// Notifications, then a test nudge through the real path.
	b.WaitJS(t, "notification step", `document.getElementById('firstrun').dataset.step === 'notify'`, 2*time.Second)
	if b.Text(t, "#fr-notify-state") == "" {
		t.Error("the notification step says nothing about the permission")
	}
	b.Click(t, "#fr-notify-next")
	b.Click(t, "#fr-test-send")
	b.WaitText(t, "#fr-test-state", "It arrived", 5*time.Second)
	b.WaitText(t, "#toast", "Test nudge", 2*time.Second)
	ts.fb.mu.Lock()
	sent := ts.fb.testNudges
	ts.fb.mu.Unlock()
	if sent != 1 {
		t.Errorf("%d test nudges asked of the server", sent)
	}
	t.Logf("test nudge: %s", b.Screenshot(t, "33-firstrun-test-nudge"))
	b.Click(t, "#fr-test-next")
	b.Click(t, "#fr-finish")
	b.WaitJS(t, "guide closed", `!document.getElementById('firstrun').open`, 2*time.Second)
	// it opened by itself over the live view: the focus stays in the page
	if id := webuitest.Eval[string](t, b, `document.activeElement === document.body ? 'body' : document.activeElement.id`); id == "body" {
		t.Error("after the guide closed the focus fell to the page body")
	}
	waitFor(t, "preview off once the guide closed", patience, func() bool { return !srv.PreviewWanted() })
	if v := webuitest.Eval[string](t, b, `localStorage.getItem('posturewatch.firstrun')`); v != "done" {
		t.Errorf("guide finished, stored %q", v)
	}
	// It can be opened again from the calibration tab, and skipped; the
	// focus goes back to the button that opened it.
	b.Click(t, "#tab-calibration")
	b.Click(t, "#firstrun-open")
	b.WaitJS(t, "guide open again", `document.getElementById('firstrun').open`, 2*time.Second)
	b.Click(t, "#fr-frame [data-fr-skip]")
	b.WaitJS(t, "guide skipped", `!document.getElementById('firstrun').open`, 2*time.Second)
	if id := webuitest.Eval[string](t, b, `document.activeElement.id`); id != "firstrun-open" {
		t.Errorf("after skipping the guide the focus is on %q", id)
	}

	// The card names the profile in use, with the camera's place in words.
	srv.PublishStatus(ts.fb.Status())
	b.WaitText(t, "#calib-active", "Profile in use: desk", 5*time.Second)
	b.WaitText(t, "#calib-active-setup", "about 60 cm away", 2*time.Second)

	// The name is checked as it is typed, by the server's rule.
	setName := func(v string) {
		webuitest.Eval[bool](t, b, `(() => { const i = document.getElementById('calib-name'); i.value = ''; i.dispatchEvent(new Event('input')); return true })()`)
		b.Do(t, chromedp.SendKeys(chromedp.CSS("#calib-name"), v))
	}
	setName("desk/monitor")
	b.WaitText(t, "#calib-name-hint", `"/" is not allowed`, 2*time.Second)
	if !webuitest.Eval[bool](t, b, `document.getElementById('calib-start').disabled && document.getElementById('calib-name').getAttribute('aria-invalid') === 'true'`) {
		t.Error("a refused name leaves Start enabled or the field valid")
	}
	setName("desk ")
	b.WaitText(t, "#calib-name-hint", "must not start or end with a space", 2*time.Second)
	t.Logf("name refused: %s", b.Screenshot(t, "34-calibration-name"))
	setName("desk monitor")
	b.WaitJS(t, "name accepted", `document.getElementById('calib-name-hint').textContent === '' && !document.getElementById('calib-start').disabled`, 2*time.Second)

	// Frames count while capturing; Cancel ends it at the server.
	b.Click(t, "#calib-start")
	advance(t, b, 3*time.Second)
	waitFor(t, "card calibration started", patience, calibrating)
	b.WaitText(t, "#calib-phase", "Hold still", 5*time.Second)
	frames(5)
	b.WaitText(t, "#calib-frames", "5 frames captured (8 needed)", 5*time.Second)
	frames(9)
	b.WaitText(t, "#calib-frames", "9 frames captured", 5*time.Second)
	t.Logf("capturing: %s", b.Screenshot(t, "35-calibration-frames"))
	b.Click(t, "#calib-cancel")
	waitFor(t, "calibration cancelled at the server", patience, func() bool { return !calibrating() })
	b.WaitJS(t, "back to the start", `document.getElementById('calibration').dataset.step === 'intro'`, 2*time.Second)
	b.WaitJS(t, "the live view left calibrating after cancel", `document.getElementById('state').dataset.state === 'good'`, 5*time.Second)
	advance(t, b, 15*time.Second) // a cancelled countdown finishes nothing
	if step := webuitest.Eval[string](t, b, `document.getElementById('calibration').dataset.step`); step != "intro" || calibrating() {
		t.Errorf("after cancel: step %s, calibrating %v", step, calibrating())
	}

	// Again to the end: the result in words, the numbers folded away.
	b.Click(t, "#calib-start")
	advance(t, b, 3*time.Second)
	waitFor(t, "card calibration started again", patience, calibrating)
	b.WaitText(t, "#calib-phase", "Hold still", 5*time.Second)
	frames(20)
	advance(t, b, 10*time.Second)
	b.WaitJS(t, "calibrated", `document.getElementById('calibration').dataset.step === 'done'`, 5*time.Second)
	b.WaitText(t, "#calib-words", "Camera a little below your eyes, about 60 cm away.", 2*time.Second)
	if webuitest.Eval[bool](t, b, `document.getElementById('calib-table').closest('details').open`) {
		t.Error("the raw table shows instead of staying folded under the words")
	}
	t.Logf("calibrated: %s", b.Screenshot(t, "36-calibration-words"))

	// Switching profiles: the card names the new one.
	ts.fb.mu.Lock()
	ts.fb.profiles["laptop"] = &domain.Baseline{Name: "laptop", Frames: 30, Created: time.Now(),
		Metrics: map[string]domain.Stat{domain.MetricFaceFrame: {Median: 0.14, MAD: 0.01}}}
	ts.fb.mu.Unlock()
	srv.PublishStatus(ts.fb.Status())
	b.Do(t, chromedp.Navigate(srv.URL()))
	b.WaitText(t, "#calib-active", "Profile in use: desk monitor", 10*time.Second)
	b.Click(t, "#tab-profiles")
	b.WaitJS(t, "laptop listed", `!!document.querySelector('#profiles-list [data-profile="laptop"] button')`, 5*time.Second)
	b.Click(t, `#profiles-list [data-profile="laptop"] button`)
	waitFor(t, "laptop in use", patience, func() bool { return ts.fb.Status().Profile == "laptop" })
	srv.PublishStatus(ts.fb.Status()) // as the service does on a switch
	b.WaitText(t, "#calib-active", "Profile in use: laptop", 5*time.Second)

	b.AssertNoConsoleErrors(t)
	t.Logf("screenshots in %s", b.ShotsDir)
}
