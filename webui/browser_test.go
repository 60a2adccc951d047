package webui

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"posturewatch/coach/domain"
	"posturewatch/coach/history"
	"posturewatch/webui/webuitest"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// openDashboard loads the page and waits until its socket is live.
func openDashboard(t *testing.T, b *webuitest.Browser, url string) {
	t.Helper()
	b.Do(t, chromedp.Navigate(url))
	b.WaitText(t, "#conn", "Live", 10*time.Second)
}

// TestDashboardInChromium opens the embedded dashboard in a real headless
// Chromium against a server with a fake backend that publishes a scripted
// sequence: good → forward-head state → nudge → stretch suggestion. It checks
// what a user sees, then pauses, restarts the server and checks reconnection.
func TestDashboardInChromium(t *testing.T) {
	b := webuitest.NewBrowser(t)
	defer b.Close()

	// History with some of today's minutes so the charts have bars: the
	// day's first twenty, today's and tomorrow's, so that the page finds
	// them whatever the hour, even if midnight passes while the test runs.
	h, err := history.Open(filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	now := time.Now()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.Local)
	var ms []domain.MinuteAggregate
	for _, start := range []time.Time{today, today.AddDate(0, 0, 1)} {
		for i := 0; i < 20; i++ {
			m := domain.MinuteAggregate{Start: start.Add(time.Duration(i) * time.Minute), PresentS: 60, GoodS: 40,
				FaultS: map[domain.FaultName]float64{domain.ForwardHead: 15, domain.RoundedShoulders: 5}}
			if i == 5 {
				m.Nudges = 1
			}
			ms = append(ms, m)
		}
	}
	if err := h.AddMinutes(ms...); err != nil {
		t.Fatal(err)
	}

	ts := startTestServer(t, func(o *Options) { o.Backend.(*fakeBackend).hist = h })
	srv := ts.srv
	ts.fb.onChange = func(st domain.LiveStatus) {
		srv.PublishStatus(st)
		srv.PublishEvent(domain.Event{Time: time.Now(), Type: domain.EventPaused, State: domain.StatePaused, Until: st.PausedUntil})
	}

	openDashboard(t, b, srv.URL())
	b.WaitText(t, "#state", "Good posture", 5*time.Second)
	// Every embedded module was loaded (a module that fails to load or link
	// also logs an error, checked at the end).
	mods, err := fs.Glob(staticFS, "static/js/*.js")
	if err != nil {
		t.Fatal(err)
	}
	loaded := webuitest.Eval[int](t, b, `new Set(performance.getEntriesByType('resource').map(e => new URL(e.name).pathname).filter(p => p.startsWith('/static/js/'))).size`)
	if loaded != len(mods) {
		t.Errorf("the page loaded %d modules, %d are embedded", loaded, len(mods))
	}

	// Live good samples: the score shows.
	good := domain.Observation{Time: time.Now(), Posture: domain.PostureGood, Confidence: 0.9,
		Faults: []domain.Fault{{Name: domain.ForwardHead, Severity: 0.04}}}
	srv.PublishSample(domain.SampleOf(good))
	b.WaitText(t, "#score", "96", 5*time.Second)
	b.Screenshot(t, "01-good")

	// Forward head: samples, then the coach's state change.
	bad := domain.Observation{Time: time.Now(), Posture: domain.PostureBad, Confidence: 0.9,
		Faults: []domain.Fault{{Name: domain.ForwardHead, Severity: 0.8, Why: "head ahead"}}}
	srv.PublishSample(domain.SampleOf(bad))
	b.WaitText(t, "#score", "20", 5*time.Second)
	// A state event alone changes nothing on the page: the state shown is
	// the one the server pushes (here the status, as the service sends after
	// every event), which the page also refetches on the event.
	srv.PublishEvent(domain.Event{Time: time.Now(), Type: domain.EventState, State: domain.StateSlouching, Fault: domain.ForwardHead, Previous: domain.StateGood})
	// the page refetches the status on the event: wait for that request
	b.WaitJS(t, "status refetched", `performance.getEntriesByType('resource').some(e => e.name.endsWith('/api/status'))`, 5*time.Second)
	if got := b.Text(t, "#state"); got != "Good posture" {
		t.Errorf("after a state event the page shows %q without the server saying so", got)
	}
	st := ts.fb.setStatus(func(st *domain.LiveStatus) {
		st.State, st.Fault, st.Since, st.Score = domain.StateSlouching, domain.ForwardHead, time.Now(), 20
		st.GoodTodayS, st.PresentTodayS = 420, 600
		st.Faults = []domain.FaultStatus{{Name: domain.ForwardHead, Severity: 0.8, Active: true, Confirmed: true, ForS: 12}}
	})
	srv.PublishStatus(st)
	b.WaitText(t, "#state", "Slouching: forward head", 5*time.Second)
	if lvl := webuitest.Eval[string](t, b, `document.querySelector('#faults [data-fault="forward_head"]').dataset.level`); lvl != "confirmed" {
		t.Errorf("forward-head indicator level %q, want confirmed", lvl)
	}
	// One chip per fault of the server's vocabulary, in its order, with its label.
	chips := webuitest.Eval[[]string](t, b, `[...document.querySelectorAll('#faults li')].map(li => li.dataset.fault + '=' + li.textContent)`)
	var want []string
	for _, f := range domain.AllFaults {
		l := domain.FaultLabel(f)
		want = append(want, string(f)+"="+strings.ToUpper(l[:1])+l[1:])
	}
	if strings.Join(chips, ",") != strings.Join(want, ",") {
		t.Errorf("fault chips %v, want %v", chips, want)
	}

	// The nudge: a toast with the plain words and the fix.
	_, fix := domain.NudgeText(domain.ForwardHead)
	msg := domain.NudgeMessage(domain.ForwardHead) // as the coach sends it
	srv.PublishEvent(domain.Event{Time: time.Now(), Type: domain.EventNudge, Fault: domain.ForwardHead, Message: msg, Fix: fix})
	b.WaitJS(t, "toast visible", `!document.getElementById('toast').hidden`, 5*time.Second)
	b.WaitText(t, "#toast", msg, 2*time.Second)
	if !strings.Contains(b.Text(t, "#toast"), fix) {
		t.Errorf("toast %q lacks the fix %q", b.Text(t, "#toast"), fix)
	}
	b.Screenshot(t, "02-nudge")

	// The suggestion: the stretch player offers the routine, then plays it.
	r := ts.fb.suggest(domain.ForwardHead)
	srv.PublishEvent(domain.Event{Time: time.Now(), Type: domain.EventSuggestion, Routine: r,
		Message: "You slouched three times in half an hour: a short stretch break helps."})
	b.WaitJS(t, "routine offered", `document.getElementById('stretch-player').dataset.phase === 'offer'`, 5*time.Second)
	b.WaitText(t, "#routine-title", r.Title, 2*time.Second)
	if !strings.Contains(b.Text(t, "#safety"), "pain") {
		t.Errorf("safety text missing from the stretch player: %q", b.Text(t, "#safety"))
	}
	b.Click(t, "#routine-begin")
	b.WaitText(t, "#exercise-name", r.Items[0].Exercise.Name, 5*time.Second)
	// Find an exercise with a hold timer (skipping the others) and run it.
	for i := 0; i < len(r.Items); i++ {
		d := r.Items[i].Exercise.Dose
		if d.HoldSeconds >= 3 {
			if r.Items[i].Exercise.Checkable != "" {
				// The camera counts chin tucks: a reps message updates the counter.
				srv.PublishReps(domain.RepCount{RoutineID: r.ID, ExerciseID: r.Items[i].Exercise.ID, Count: 3, Target: d.Reps})
				b.WaitText(t, "#rep-count", "3", 5*time.Second)
			}
			before := b.Text(t, "#stretch-timer")
			b.Click(t, "#exercise-start")
			// it counts down; how fast the page ticks on a loaded machine is
			// not this test's business
			b.WaitFunc(t, "the stretch timer counting down", 10*time.Second, func() (string, bool) {
				after := b.Text(t, "#stretch-timer")
				return before + " then " + after, secs(t, before)-secs(t, after) >= 2
			})
			b.Screenshot(t, "03-stretch-timer")
			break
		}
		b.Click(t, "#exercise-skip")
		b.WaitText(t, "#exercise-index", "Exercise "+itoa(i+2), 5*time.Second)
	}
	b.Click(t, "#exercise-done")
	waitFor(t, "exercise done recorded", patience, func() bool {
		ts.fb.mu.Lock()
		defer ts.fb.mu.Unlock()
		for _, d := range ts.fb.done {
			if strings.HasPrefix(d, r.ID+"/") && !strings.HasSuffix(d, "/skipped") {
				return true
			}
		}
		return false
	})

	// History charts render, both on canvas: the share bars, and one bar per
	// fault labelled in the server's words.
	b.WaitJS(t, "history chart drawn", `document.getElementById('history-chart').dataset.bars >= 1`, 10*time.Second)
	if ink := b.CanvasInk(t, "#history-chart"); ink < 500 {
		t.Errorf("history chart looks blank: %d inked pixels", ink)
	}
	if n := webuitest.Eval[string](t, b, `document.getElementById('faults-chart').dataset.bars`); n != "2" {
		t.Errorf("fault chart has %s bars, want 2", n)
	}
	if l := webuitest.Eval[string](t, b, `document.getElementById('faults-chart').dataset.labels`); l != `["Forward head","Rounded shoulders"]` {
		t.Errorf("fault chart labels %s", l)
	}
	if ink := b.CanvasInk(t, "#faults-chart"); ink < 300 {
		t.Errorf("fault chart looks blank: %d inked pixels", ink)
	}
	if n := webuitest.Eval[int](t, b, `document.querySelectorAll('svg').length`); n != 0 {
		t.Errorf("%d SVG elements: the charts are drawn one way, on canvas", n)
	}
	b.WaitText(t, "#history-summary", "1 nudge", 5*time.Second)

	// Pause from the menu: the API is called and the state shows paused,
	// 15 minutes from when the server took the request (between the click
	// and now, however long the page took).
	b.Click(t, "#pause-btn")
	clicked := time.Now()
	b.Click(t, "#pause-15")
	b.WaitText(t, "#state", "Paused", 5*time.Second)
	ts.fb.mu.Lock()
	pauses := append([]time.Time(nil), ts.fb.pauses...)
	ts.fb.mu.Unlock()
	if len(pauses) != 1 || pauses[0].Before(clicked.Add(15*time.Minute)) || pauses[0].After(time.Now().Add(15*time.Minute)) {
		t.Errorf("pause reached the backend as %v, want 15 min after the click", pauses)
	}
	if !b.Visible(t, "#resume-btn") || b.Visible(t, "#pause-btn") {
		t.Error("resume button not shown while paused")
	}
	b.Screenshot(t, "04-paused")

	// Narrow window: no horizontal scrolling at 800 px.
	b.SetViewport(t, 800, 900)
	b.WaitJS(t, "800 px layout", `window.innerWidth === 800`, 5*time.Second)
	if w := webuitest.Eval[int](t, b, `document.documentElement.scrollWidth`); w > 800 {
		t.Errorf("page is %d px wide at an 800 px window", w)
	}
	b.Screenshot(t, "05-800px")
	b.SetViewport(t, 1280, 900)

	// Restart the server on the same address: the page reconnects by itself
	// and its state-changing calls work with the new CSRF token.
	addr := ts.host
	sctx, cancel := context.WithTimeout(context.Background(), patience)
	if err := srv.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	b.WaitJS(t, "offline banner", `!document.getElementById('offline').hidden`, 5*time.Second)
	fb2 := newFakeBackend()
	fb2.status.State = domain.StatePaused
	fb2.status.PausedUntil = time.Now().Add(10 * time.Minute)
	fb2.hist = h
	srv2, err := New(Options{Listen: addr, Backend: fb2, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv2.Start(); err != nil {
		t.Fatalf("restart on %s: %v", addr, err)
	}
	defer srv2.Shutdown(context.Background())
	fb2.onChange = func(st domain.LiveStatus) { srv2.PublishStatus(st) }
	b.WaitText(t, "#conn", "Live", 20*time.Second)
	// the page refreshes its CSRF token on hello; a resume sent before that
	// is refused and tried again by clicking once more
	b.WaitFunc(t, "resume accepted after the restart", 10*time.Second, func() (string, bool) {
		fb2.mu.Lock()
		n := fb2.resumes
		fb2.mu.Unlock()
		if n == 0 && b.Visible(t, "#resume-btn") {
			b.Click(t, "#resume-btn")
		}
		return fmt.Sprint(n), n == 1
	})
	b.WaitText(t, "#state", "Good posture", 5*time.Second)
	b.Screenshot(t, "06-reconnected")

	// While the server was down, a refresh that fell in the gap (the
	// history card's, on a timer) failed to connect: Chromium logs every
	// refused request as an error, whatever the page does with it.
	b.AssertNoConsoleErrors(t, "net::ERR_CONNECTION_REFUSED")
	t.Logf("screenshots in %s", b.ShotsDir)
}

// vocabularyRewrite runs before the page's modules: it marks every label
// of the vocabulary answer, so the test can tell the page shows the labels
// it received and keeps none of its own.
const vocabularyRewrite = `(() => {
  const orig = window.fetch;
  window.fetch = async (...args) => {
    const resp = await orig(...args);
    if (!String(args[0]).endsWith('/api/vocabulary')) return resp;
    const v = await resp.json();
    for (const f of v.faults) f.label = 'SERVER ' + f.label.toUpperCase();
    return new Response(JSON.stringify(v), { status: resp.status, headers: resp.headers });
  };
})();`

func secs(t *testing.T, clock string) int {
	t.Helper()
	m, s, ok := strings.Cut(strings.TrimSpace(clock), ":")
	if !ok {
		t.Fatalf("timer text %q is not m:ss", clock)
	}
	return atoiOr(m)*60 + atoiOr(s)
}

func atoiOr(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// TestDashboardCalibrationPreviewDark drives the calibration wizard, the
// camera preview with its skeleton, and dark mode.
func TestDashboardCalibrationPreviewDark(t *testing.T) {
	b := webuitest.NewBrowser(t)
	defer b.Close()
	ts := newTS(t)
	srv := ts.srv
	// The page's words are the server's: rewrite the labels in the answer of
	// GET /api/vocabulary as the page receives it, and they show rewritten.
	b.Do(t, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: vocabularyRewrite})
		return chromedp.Void{}, err
	})
	openDashboard(t, b, srv.URL())
	b.WaitJS(t, "fault chips", `document.querySelectorAll('#faults li').length > 0`, 5*time.Second)
	chips := webuitest.Eval[[]string](t, b, `[...document.querySelectorAll('#faults li')].map(li => li.textContent)`)
	if len(chips) != len(domain.AllFaults) {
		t.Errorf("%d fault chips, want the vocabulary's %d", len(chips), len(domain.AllFaults))
	}
	for i, c := range chips {
		if i < len(domain.AllFaults) && c != "SERVER "+strings.ToUpper(domain.FaultLabel(domain.AllFaults[i])) {
			t.Errorf("chip %d reads %q, not the label the server sent", i, c)
		}
	}
	if n := webuitest.Eval[int](t, b, `document.getElementById('calib-name').maxLength`); n != domain.MaxProfileNameChars {
		t.Errorf("profile name field takes %d characters, the server %d", n, domain.MaxProfileNameChars)
	}

	// Calibration wizard, with short countdowns. The server judges the
	// name: it refuses a slash and takes the README's "desk monitor".
	b.Click(t, "#tab-calibration")
	webuitest.Eval[bool](t, b, `(function(){const c=document.getElementById('calibration');c.dataset.prepareS='1';c.dataset.captureS='2';return true})()`)
	b.Do(t, chromedp.SetValue(chromedp.CSS("#calib-name"), "desk/monitor"))
	b.Click(t, "#calib-start")
	b.WaitText(t, "#calib-name-hint", "not allowed", 3*time.Second)
	if step := webuitest.Eval[string](t, b, `document.getElementById('calibration').dataset.step`); step != "intro" {
		t.Errorf("a refused name started the calibration (step %q)", step)
	}
	b.Do(t, chromedp.SetValue(chromedp.CSS("#calib-name"), "desk monitor"))
	b.Click(t, "#calib-start")
	b.WaitJS(t, "countdown shown", `document.getElementById('calibration').dataset.step === 'run'`, 3*time.Second)
	if e := b.Text(t, "#calib-error"); e != "" {
		t.Errorf("error left after a good name: %q", e)
	}
	b.WaitJS(t, "calibration done", `document.getElementById('calibration').dataset.step === 'done'`, 10*time.Second)
	b.WaitText(t, "#calib-summary", `"desk monitor"`, 2*time.Second)
	if rows := webuitest.Eval[int](t, b, `document.querySelectorAll('#calib-table tbody tr').length`); rows != 4 {
		t.Errorf("baseline table has %d rows, want 4", rows)
	}
	b.WaitJS(t, "profile listed", `!!document.querySelector('#profiles-list [data-profile="desk monitor"]')`, 5*time.Second)
	b.Screenshot(t, "11-calibrated")
	b.Click(t, "#calib-redo")
	b.WaitJS(t, "wizard back at the start", `document.getElementById('calibration').dataset.step === 'intro'`, 2*time.Second)

	// Camera preview: off by default; one click asks the server for frames.
	if srv.PreviewWanted() || b.Visible(t, "#preview-canvas") {
		t.Fatal("preview on before the click")
	}
	b.Click(t, "#preview-btn")
	waitFor(t, "server sees the preview request", patience, srv.PreviewWanted)
	var buf bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 320, 180))
	for i := range img.Pix {
		img.Pix[i] = 90
	}
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	kps := []domain.Keypoint{{Name: "nose", X: 160, Y: 60, Score: 0.9}, {Name: "left_eye", X: 170, Y: 50, Score: 0.9},
		{Name: "right_eye", X: 150, Y: 50, Score: 0.9}, {Name: "left_shoulder", X: 220, Y: 150, Score: 0.8},
		{Name: "right_shoulder", X: 100, Y: 150, Score: 0.8}}
	srv.PublishPreview(domain.Preview{JPEG: buf.Bytes(), Width: 320, Height: 180, Keypoints: kps, At: time.Now()})
	b.WaitJS(t, "preview drawn", `document.getElementById('preview-canvas').width === 320`, 5*time.Second)
	// The skeleton is drawn in green over the grey frame.
	green := webuitest.Eval[int](t, b, `(function(){const c=document.getElementById('preview-canvas');
		const d=c.getContext('2d').getImageData(0,0,c.width,c.height).data;let n=0;
		for(let i=0;i<d.length;i+=4){if(d[i+1]>150&&d[i]<120)n++}return n})()`)
	if green < 50 {
		t.Errorf("skeleton not drawn on the preview: %d green pixels", green)
	}
	b.Screenshot(t, "12-preview")
	b.Click(t, "#preview-btn")
	waitFor(t, "preview off at the server", patience, func() bool { return !srv.PreviewWanted() })

	// Dark mode follows the system preference.
	b.ColorScheme(t, "dark")
	bg := webuitest.Eval[string](t, b, `getComputedStyle(document.body).backgroundColor`)
	if !strings.HasPrefix(bg, "rgb(17, 20, 24") {
		t.Errorf("dark mode background = %s", bg)
	}
	b.Screenshot(t, "13-dark")
	b.ColorScheme(t, "light")
	if bg := webuitest.Eval[string](t, b, `getComputedStyle(document.body).backgroundColor`); !strings.HasPrefix(bg, "rgb(246, 247, 249") {
		t.Errorf("light mode background = %s", bg)
	}

	// Keyboard: every button can take the focus (a menu's items and the
	// tabs not selected are reached with the arrow keys, as ARIA has it).
	if n := webuitest.Eval[int](t, b, `[...document.querySelectorAll('button:not([role=menuitem]):not([role=tab])')].filter(x=>x.tabIndex<0).length`); n != 0 {
		t.Errorf("%d buttons are out of the tab order", n)
	}
	// The refused name is the one failed request the test asked for.
	b.AssertNoConsoleErrors(t, "/api/profiles/check")
}
