package webui

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"posturewatch/coach/domain"
	"posturewatch/coach/history"
	"posturewatch/webui/webuitest"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// liveSample is a sample as the service sends it: the observation and the
// coach's view at the same instant, with the day's totals.
func liveSample(at time.Time, sev float64, st domain.Status, good, present float64) domain.Sample {
	obs := domain.Observation{Time: at, Posture: domain.PostureGood, Confidence: 0.9}
	if sev > 0 {
		obs.Faults = []domain.Fault{{Name: domain.ForwardHead, Severity: sev}}
		if sev >= 0.5 {
			obs.Posture = domain.PostureBad
		}
	}
	st.At = at
	smp := domain.SampleOf(obs).WithStatus(st)
	smp.GoodTodayS, smp.PresentTodayS = good, present
	smp.Minute = &domain.Bucket{Start: at.Truncate(time.Minute), PresentS: 30, GoodS: 20}
	return smp
}

// press sends one key to the focused element.
func press(t *testing.T, b *webuitest.Browser, key string) {
	t.Helper()
	b.Do(t, chromedp.KeyEvent(key))
}

func activeID(t *testing.T, b *webuitest.Browser) string {
	t.Helper()
	return webuitest.Eval[string](t, b, `document.activeElement ? (document.activeElement.id || document.activeElement.textContent.trim()) : ''`)
}

// contrastJS measures the contrast of the text of every chip and badge
// against the background it sits on (the first opaque one up the tree),
// for every level a chip can take. It returns "what: ratio" lines.
const contrastJS = `(() => {
  const rgb = (s) => { const m = s.match(/[\d.]+/g).map(Number); return { r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1 }; };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const bgOf = (el) => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.a > 0.5) return c; }
    return rgb(getComputedStyle(document.body).backgroundColor); };
  const ratio = (el) => { const a = lum(rgb(getComputedStyle(el).color)), b = lum(bgOf(el)); return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); };
  const out = [];
  for (const el of document.querySelectorAll('.chip, .badge')) {
    const levels = el.classList.contains('chip') ? ['none', 'seen', 'active', 'confirmed'] :
      el.id === 'conn' ? ['connecting', 'open', 'closed'] : [null];
    const key = el.id === 'conn' ? 'state' : 'level';
    const keep = el.dataset[key];
    for (const l of levels) {
      if (l !== null) el.dataset[key] = l;
      out.push((el.id || el.dataset.fault || el.textContent.trim()) + (l ? '[' + l + ']' : '') + ': ' + ratio(el).toFixed(2));
    }
    if (keep !== undefined) el.dataset[key] = keep;
  }
  return out;
})()`

// TestDashboardLiveView drives the live view as a user meets it: a fault
// being timed, the slouch it becomes, the toast and its actions, the
// preview, the keyboard, contrast in both colour schemes, the server going
// away and coming back, and the day's totals across that restart.
func TestDashboardLiveView(t *testing.T) {
	b := webuitest.NewBrowser(t)
	defer b.Close()
	// A headless tab never has the system's focus, so no focus event fires
	// there; a user's window has it.
	b.Do(t, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return err
	}))
	h, err := history.Open(filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	// The stored minutes are a day's first half hour, so they are today's
	// at any hour (an hour back from now was yesterday's just after
	// midnight); tomorrow's too, for the page to find them should midnight
	// pass while the test runs.
	y, mo, d := time.Now().Date()
	day := time.Date(y, mo, d, 0, 0, 0, 0, time.Local)
	var ms []domain.MinuteAggregate
	for _, start := range []time.Time{day, day.AddDate(0, 0, 1)} {
		for i := range 30 {
			ms = append(ms, domain.MinuteAggregate{Start: start.Add(time.Duration(i) * time.Minute), PresentS: 60, GoodS: float64(20 + i),
				FaultS: map[domain.FaultName]float64{domain.ForwardHead: float64(40 - i)}})
		}
	}
	if err := h.AddMinutes(ms...); err != nil {
		t.Fatal(err)
	}
	ts := startTestServer(t, func(o *Options) { o.Backend.(*fakeBackend).hist = h })
	srv, fb := ts.srv, ts.fb
	fb.onChange = func(st domain.LiveStatus) { srv.PublishStatus(st) }
	fb.profiles["desk"] = &domain.Baseline{Name: "desk", Frames: 40, Metrics: map[string]domain.Stat{domain.MetricNeckShoulders: {Median: 0.6}}}
	fb.profiles["laptop"] = &domain.Baseline{Name: "laptop", Frames: 30, Metrics: map[string]domain.Stat{domain.MetricNeckShoulders: {Median: 0.6}}}
	fb.active = "desk"

	// the scripted coach runs a minute behind the wall clock, so a new
	// server's status (at the wall time) is newer than all of it
	now := time.Now().Add(-time.Minute)
	good := fb.setStatus(func(st *domain.LiveStatus) {
		st.At, st.Since = now, now.Add(-5*time.Minute)
		st.GoodTodayS, st.PresentTodayS, st.StreakS = 420, 600, 300
	})
	srv.PublishStatus(good)
	openDashboard(t, b, srv.URL())
	b.WaitText(t, "#state", "Good posture", 5*time.Second)
	b.WaitJS(t, "title follows the state", `document.title.startsWith('Good posture')`, 5*time.Second)
	b.WaitJS(t, "favicon drawn", `document.getElementById('favicon').dataset.state === 'good' && document.getElementById('favicon').href.startsWith('data:image/png')`, 5*time.Second)
	goodIcon := webuitest.Eval[string](t, b, `document.getElementById('favicon').href`)
	b.WaitText(t, "#good-today", "7 min", 5*time.Second)
	b.WaitText(t, "#present-today", "10 min", 5*time.Second)

	// Record every headline from here on.
	webuitest.Eval[bool](t, b, `(() => { window.headlines = []; const s = document.getElementById('state');
		new MutationObserver(() => window.headlines.push(s.dataset.state + '|' + s.textContent)).observe(s, { childList: true, characterData: true, subtree: true, attributes: true });
		return true; })()`)

	// A forward head is timed: the coach's state is still good, but the
	// headline says what is watched, and the good time stops growing.
	onset := now.Add(time.Second)
	watch := &domain.Watch{Fault: domain.ForwardHead, Since: onset, OnsetS: 20, Nudge: true}
	for i := 0; i <= 12; i += 3 {
		at := onset.Add(time.Duration(i) * time.Second)
		w := *watch
		w.ForS = float64(i)
		st := good.Status
		st.Watching, st.StreakS = &w, 300
		srv.PublishSample(liveSample(at, 0.8, st, 420, 600+float64(i)))
		b.WaitJS(t, fmt.Sprintf("the sample of %d s shown", i), fmt.Sprintf(`document.getElementById('state').textContent.includes('— %d s') || %d === 0`, i, i), 5*time.Second)
	}
	b.WaitText(t, "#state", "Forward head — 12 s, nudge at 20 s", 5*time.Second)
	if st := webuitest.Eval[string](t, b, `document.getElementById('state').dataset.state`); st != "watching" {
		t.Errorf("headline state %q while a fault is timed, want watching", st)
	}
	b.WaitJS(t, "title names the fault being timed", `document.title.startsWith('Forward head')`, 5*time.Second)
	if icon := webuitest.Eval[string](t, b, `document.getElementById('favicon').href`); icon == goodIcon {
		t.Error("the favicon did not change while a fault is timed")
	}
	if lvl := webuitest.Eval[string](t, b, `document.querySelector('#faults [data-fault="forward_head"]').dataset.level`); lvl != "active" {
		t.Errorf("forward-head chip %q while timed, want active", lvl)
	}
	if g := b.Text(t, "#good-today"); g != "7 min" {
		t.Errorf("good today %q while a fault is timed, want the 7 min it was", g)
	}
	if s := b.Text(t, "#streak"); s != "5 min" {
		t.Errorf("streak %q while a fault is timed, want it held at 5 min", s)
	}
	b.Screenshot(t, "20-watching")

	// Judged by the defaults while the camera's view is learnt, the fault
	// counts only if that view agrees: no nudge time is promised.
	held := *watch
	held.ForS, held.AwaitsView = 14, true
	st := good.Status
	st.Watching, st.StreakS = &held, 300
	srv.PublishSample(liveSample(onset.Add(14*time.Second), 0.8, st, 420, 614))
	b.WaitText(t, "#state", "Forward head — 14 s, checking against your camera", 5*time.Second)
	if d := b.Text(t, "#state-detail"); !strings.Contains(d, "learning how this camera shows you") {
		t.Errorf("detail %q while the fault awaits the camera's view", d)
	}
	// and it may wait past its onset: the time runs on (a fault timed
	// since 12 s before the one above)
	held.Since, held.ForS = onset.Add(-12*time.Second), 26
	srv.PublishSample(liveSample(onset.Add(14*time.Second), 0.8, st, 420, 614))
	b.WaitText(t, "#state", "Forward head — 26 s, checking against your camera", 5*time.Second)

	// The coach decides: slouching.
	slouch := fb.setStatus(func(st *domain.LiveStatus) {
		at := onset.Add(20 * time.Second)
		st.At, st.State, st.Fault, st.Since, st.Score, st.StreakS = at, domain.StateSlouching, domain.ForwardHead, at, 20, 0
		st.Faults = []domain.FaultStatus{{Name: domain.ForwardHead, Severity: 0.8, Active: true, Confirmed: true}}
		st.Watching = nil
	})
	srv.PublishStatus(slouch)
	b.WaitText(t, "#state", "Slouching: forward head", 5*time.Second)
	b.WaitJS(t, "title says slouching", `document.title.startsWith('Slouching')`, 5*time.Second)
	heads := webuitest.Eval[[]string](t, b, `window.headlines`)
	for _, h := range heads {
		if strings.Contains(h, "Good posture") || strings.HasPrefix(h, "good|") {
			t.Errorf("while a fault was timed the headline read %q (all: %q)", h, heads)
			break
		}
	}

	// The day's totals: a stats message with this run's smaller figures
	// for the day (local, as the service's) does not lower them (they come
	// from samples and status only).
	srv.PublishStats(domain.StatsSnapshot{Days: []domain.Bucket{{Start: time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.Local), PresentS: 30, GoodS: 10}}})
	srv.PublishStatus(slouch) // a message after it, so the page has taken both
	b.WaitText(t, "#state", "Slouching", 5*time.Second)
	if p := b.Text(t, "#present-today"); p != "10 min" {
		t.Errorf("present today %q after a stats message, want 10 min", p)
	}

	// A nudge: a toast in the page's flow with its actions; a second one
	// replaces it. Snooze pauses for 15 minutes.
	_, fix := domain.NudgeText(domain.ForwardHead)
	srv.PublishEvent(domain.Event{Time: now, Type: domain.EventNudge, Fault: domain.ForwardHead, Message: "first nudge", Fix: fix})
	b.WaitText(t, "#toast", "first nudge", 5*time.Second)
	srv.PublishEvent(domain.Event{Time: now, Type: domain.EventNudge, Fault: domain.ForwardHead, Message: domain.NudgeMessage(domain.ForwardHead), Fix: fix})
	b.WaitText(t, "#toast", domain.NudgeMessage(domain.ForwardHead), 5*time.Second)
	if n := webuitest.Eval[int](t, b, `[...document.querySelectorAll('[role=alert]')].filter(e => e.getClientRects().length && e.textContent.includes('first nudge')).length`); n != 0 {
		t.Error("the old toast lingers beside the new one")
	}
	acts := webuitest.Eval[[]string](t, b, `[...document.querySelectorAll('#toast-actions button')].map(b => b.textContent)`)
	if strings.Join(acts, ",") != "Snooze 15 min,Fixed it,Stretch now" {
		t.Errorf("toast actions %v", acts)
	}
	// it covers nothing: no control of the page lies under it
	covered := webuitest.Eval[[]string](t, b, `(() => { const r = document.getElementById('toast').getBoundingClientRect(); const out = [];
		for (const e of document.querySelectorAll('button, input, select, canvas, a')) { if (document.getElementById('toast').contains(e)) continue;
		  const q = e.getBoundingClientRect(); if (!q.width) continue;
		  if (q.left < r.right && q.right > r.left && q.top < r.bottom && q.bottom > r.top) out.push(e.id || e.textContent); }
		return out; })()`)
	if len(covered) > 0 {
		t.Errorf("the toast covers %v", covered)
	}
	b.Screenshot(t, "21-nudge-toast")
	// Keyboard: into the toast and out with Escape, back to where the focus was.
	b.Do(t, chromedp.Focus("#pause-btn"))
	webuitest.Eval[bool](t, b, `(document.querySelector('#toast-actions button').focus(), true)`)
	press(t, b, kb.Escape)
	b.WaitJS(t, "toast closed by Escape", `document.getElementById('toast').hidden`, 5*time.Second)
	if id := activeID(t, b); id != "pause-btn" {
		t.Errorf("after Escape in the toast the focus is on %q, want the pause button", id)
	}
	srv.PublishEvent(domain.Event{Time: now, Type: domain.EventNudge, Fault: domain.ForwardHead, Message: "again", Fix: fix})
	b.WaitText(t, "#toast", "again", 5*time.Second)
	clicked := time.Now()
	b.Click(t, `#toast-actions [data-action="snooze"]`)
	b.WaitText(t, "#state", "Paused", 5*time.Second)
	fb.mu.Lock()
	pauses := append([]time.Time(nil), fb.pauses...)
	fb.mu.Unlock()
	// 15 minutes from when the server took the request: between the click
	// and now, however long the page took
	if len(pauses) != 1 || pauses[0].Before(clicked.Add(15*time.Minute)) || pauses[0].After(time.Now().Add(15*time.Minute)) {
		t.Errorf("snooze reached the backend as %v, want 15 min after the click", pauses)
	}
	if b.Visible(t, "#toast") {
		t.Error("the toast stayed up after its action")
	}
	// While paused: a countdown, and its time written as the pause menu writes times.
	b.WaitJS(t, "pause countdown", `/left/.test(document.getElementById('state-detail').textContent)`, 5*time.Second)
	detail := b.Text(t, "#state-detail")
	b.Click(t, "#resume-btn")
	b.WaitJS(t, "resumed", `!document.getElementById('pause-btn').hidden`, 5*time.Second)

	// The pause menu by keyboard: arrows move, Escape closes and gives the
	// focus back to the button.
	b.Do(t, chromedp.Focus("#pause-btn"))
	press(t, b, kb.Enter)
	b.WaitJS(t, "menu open on the first item", `document.activeElement.id === 'pause-15'`, 5*time.Second)
	press(t, b, kb.ArrowDown)
	if id := activeID(t, b); id != "pause-60" {
		t.Errorf("ArrowDown moved the focus to %q", id)
	}
	press(t, b, kb.End)
	if id := activeID(t, b); id != "pause-tomorrow" {
		t.Errorf("End moved the focus to %q", id)
	}
	press(t, b, kb.ArrowDown)
	if id := activeID(t, b); id != "pause-15" {
		t.Errorf("ArrowDown from the last item went to %q, want the first", id)
	}
	menu15 := b.Text(t, "#pause-15")
	timeRe := regexp.MustCompile(`\d{1,2}:\d{2}(\s?[AP]M)?`)
	if a, m := timeRe.FindString(detail), timeRe.FindString(menu15); a == "" || m == "" || strings.HasSuffix(a, "M") != strings.HasSuffix(m, "M") {
		t.Errorf("the page writes %q (%q), the pause menu %q (%q): not one format", a, detail, m, menu15)
	}
	press(t, b, kb.Escape)
	b.WaitJS(t, "menu closed", `document.getElementById('pause-menu').hidden`, 5*time.Second)
	if id := activeID(t, b); id != "pause-btn" {
		t.Errorf("after Escape the focus is on %q, want the pause button", id)
	}

	// Tabs by keyboard, About from the header, and a profile's "Use".
	b.Do(t, chromedp.Focus("#tab-history"))
	press(t, b, kb.ArrowRight)
	if id := activeID(t, b); id != "tab-calibration" || b.Visible(t, "#panel-history") || !b.Visible(t, "#panel-calibration") {
		t.Errorf("ArrowRight on the tabs: focus %q", id)
	}
	press(t, b, kb.End)
	press(t, b, kb.ArrowLeft)
	if id := activeID(t, b); id != "tab-profiles" {
		t.Errorf("End then ArrowLeft: focus %q, want the profiles tab", id)
	}
	b.WaitJS(t, "profiles listed", `!!document.querySelector('#profiles-list [data-profile="laptop"] button')`, 5*time.Second)
	b.Click(t, `#profiles-list [data-profile="laptop"] button`)
	b.WaitText(t, "#profiles-msg", "Now using laptop", 5*time.Second)
	b.WaitJS(t, "focus back in the laptop row", `!!document.activeElement.closest('[data-profile="laptop"]')`, 5*time.Second)
	b.Click(t, "#about-btn")
	b.WaitJS(t, "about shown and focused", `document.activeElement.id === 'panel-about' && !document.getElementById('panel-about').hidden`, 5*time.Second)
	if n := webuitest.Eval[int](t, b, `[...document.querySelectorAll('[role=tab]')].filter(t => t.getAttribute('aria-selected') === 'true').length`); n != 1 {
		t.Errorf("%d tabs selected", n)
	}
	// Focus rings: a focused button draws an outline.
	b.Do(t, chromedp.Focus("#pause-btn"))
	press(t, b, kb.Tab)
	if w := webuitest.Eval[string](t, b, `getComputedStyle(document.activeElement).outlineWidth`); w == "0px" || w == "" {
		t.Errorf("the focused %s has no focus ring (outline %s)", activeID(t, b), w)
	}

	// The preview: mirrored, with the verdict and the calibrated outline.
	srv.PublishStatus(slouch)
	b.Click(t, "#preview-btn")
	waitFor(t, "server sees the preview request", patience, srv.PreviewWanted)
	var buf bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 320, 180))
	for i := range img.Pix {
		img.Pix[i] = 60
	}
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	// the person sits in the picture's left half; mirrored, on the right
	kps := []domain.Keypoint{{Name: "nose", X: 60, Y: 60, Score: 0.9}, {Name: "left_eye", X: 70, Y: 50, Score: 0.9},
		{Name: "right_eye", X: 50, Y: 50, Score: 0.9}, {Name: "left_shoulder", X: 110, Y: 150, Score: 0.8},
		{Name: "right_shoulder", X: 10, Y: 150, Score: 0.8}}
	outline := []domain.Keypoint{{Name: "nose", X: 60, Y: 40, Score: 1}, {Name: "left_eye", X: 70, Y: 30, Score: 1},
		{Name: "right_eye", X: 50, Y: 30, Score: 1}, {Name: "left_shoulder", X: 115, Y: 140, Score: 1}, {Name: "right_shoulder", X: 5, Y: 140, Score: 1}}
	srv.PublishPreview(domain.Preview{JPEG: buf.Bytes(), Width: 320, Height: 180, Keypoints: kps, Outline: outline, At: time.Now()})
	b.WaitJS(t, "preview drawn", `document.getElementById('preview-canvas').dataset.mirrored === 'true'`, 5*time.Second)
	halves := webuitest.Eval[[]int](t, b, `(() => { const c = document.getElementById('preview-canvas'); const d = c.getContext('2d').getImageData(0, 40, c.width, c.height - 40).data;
		let l = 0, r = 0; for (let i = 0; i < d.length; i += 4) { if (d[i+1] > 150 && d[i] < 120 && d[i+2] < 160) { ((i / 4) % c.width < c.width / 2) ? l++ : r++; } } return [l, r]; })()`)
	if halves[1] < 50 || halves[0] > halves[1]/5 {
		t.Errorf("skeleton pixels left/right %v: the preview is not mirrored", halves)
	}
	if v := webuitest.Eval[string](t, b, `document.getElementById('preview-canvas').dataset.verdict + ' ' + document.getElementById('preview-canvas').dataset.ringed + ' ' + document.getElementById('preview-canvas').dataset.outline`); v != "slouching:forward_head true 5" {
		t.Errorf("preview verdict/ring/outline %q", v)
	}
	b.Screenshot(t, "22-preview")
	b.Click(t, "#preview-btn")

	// Contrast of every chip and badge, light and dark; screenshots at 1280
	// and 800 px in both.
	b.Click(t, "#tab-profiles")
	b.WaitJS(t, "in-use badge", `!!document.querySelector('#profiles-list .badge')`, 5*time.Second)
	for _, scheme := range []string{"light", "dark"} {
		b.ColorScheme(t, scheme)
		for _, line := range webuitest.Eval[[]string](t, b, contrastJS) {
			what, r, _ := strings.Cut(line, ": ")
			var ratio float64
			fmt.Sscan(r, &ratio)
			if ratio < 4.5 {
				t.Errorf("%s mode: %s has contrast %.2f:1, under 4.5:1", scheme, what, ratio)
			}
		}
		for _, w := range []int{1280, 800} {
			b.SetViewport(t, w, 900)
			b.WaitJS(t, "viewport", fmt.Sprintf(`window.innerWidth === %d`, w), 5*time.Second)
			// the charts follow the width, at the screen's pixel ratio
			b.Click(t, "#tab-history")
			b.WaitJS(t, "history chart sized to its box", `(() => { const c = document.getElementById('history-chart');
				return c.clientWidth > 0 && Math.abs(c.width - Math.round(c.clientWidth * devicePixelRatio)) <= 1; })()`, 5*time.Second)
			b.WaitJS(t, "timeline sized to its box", `(() => { const c = document.getElementById('timeline');
				return Math.abs(c.width - Math.round(c.clientWidth * devicePixelRatio)) <= 1; })()`, 5*time.Second)
			if sw := webuitest.Eval[int](t, b, `document.documentElement.scrollWidth`); sw > w {
				t.Errorf("%s at %d px: the page is %d px wide", scheme, w, sw)
			}
			p := b.Screenshot(t, fmt.Sprintf("30-%s-%d", scheme, w))
			t.Logf("screenshot %s", p)
		}
	}
	b.ColorScheme(t, "light")
	b.SetViewport(t, 1280, 900)

	// Charts: the 14-day view labels today; a tooltip under the pointer.
	b.Click(t, "#tab-history")
	b.Click(t, "#hist-day")
	b.WaitJS(t, "14 days drawn", `document.getElementById('hist-day').getAttribute('aria-pressed') === 'true' && JSON.parse(document.getElementById('history-chart').dataset.labels || '[]').includes('Today')`, 5*time.Second)
	tip := func(sel string, frac float64) string {
		return webuitest.Eval[string](t, b, fmt.Sprintf(`(() => { const c = document.querySelector(%q); c.scrollIntoView(); const r = c.getBoundingClientRect();
			c.dispatchEvent(new MouseEvent('mousemove', { clientX: r.left + r.width * %g, clientY: r.top + r.height / 2, bubbles: true }));
			const t = document.getElementById('chart-tip'); return t.hidden ? '' : t.textContent; })()`, sel, frac))
	}
	if got := tip("#history-chart", 0.99); !strings.Contains(got, "Today") || !strings.Contains(got, "% good") {
		t.Errorf("tooltip over today's bar: %q", got)
	}
	// The timeline: the stored minutes, with a tooltip per minute.
	if n := webuitest.Eval[int](t, b, `Number(document.getElementById('timeline').dataset.bars)`); n < 30 {
		t.Errorf("timeline drew %d minutes, want the 30 stored and the live one", n)
	}
	b.Do(t, chromedp.Focus("#timeline"))
	press(t, b, kb.Home)
	// The first minute in time: the day's first stored one (good 20 s of
	// 60), unless the live minute (every sample carries 20 s good of 30) is
	// that minute (just after midnight: the two add up) or yesterday's last.
	// The page's day is the test's, or the next one if midnight has passed
	// since the test began.
	firstOn := func(day time.Time) string {
		switch live := onset.Add(14 * time.Second).Truncate(time.Minute); {
		case live.Equal(day):
			return "good 40 s of 90 s"
		case live.Before(day):
			return "good 20 s of 30 s"
		}
		return "good 20 s of 60 s"
	}
	y, mo, d = time.Now().Date()
	first, firstLater := firstOn(day), firstOn(time.Date(y, mo, d, 0, 0, 0, 0, time.Local))
	if got := b.Text(t, "#timeline-read"); !strings.Contains(got, first) && !strings.Contains(got, firstLater) {
		t.Errorf("the first minute read by the keyboard: %q, want %q", got, first)
	}

	// Stretch now, from a nudge's toast: a routine starts in the player.
	srv.PublishEvent(domain.Event{Time: now, Type: domain.EventNudge, Fault: domain.ForwardHead, Message: "stretch?", Fix: fix})
	b.WaitText(t, "#toast", "stretch?", 5*time.Second)
	fb.mu.Lock()
	startsBefore := fb.starts
	fb.mu.Unlock()
	b.Click(t, `#toast-actions [data-action="stretch"]`)
	b.WaitJS(t, "the routine plays", `document.getElementById('stretch-player').dataset.phase === 'run'`, 5*time.Second)
	// the player asks before it stops a break
	b.Click(t, "#routine-stop")
	b.WaitJS(t, "stop asks", `document.getElementById('stop-dialog').open`, 5*time.Second)
	b.Click(t, "#stop-confirm")
	b.WaitJS(t, "the routine stopped", `document.getElementById('stretch-player').dataset.phase === 'idle'`, 5*time.Second)
	fb.mu.Lock()
	started := fb.starts - startsBefore
	fb.mu.Unlock()
	if started != 1 {
		t.Errorf("Stretch now started the routine %d times at the server, want once", started)
	}
	// A notification's action arrives from the service worker as a message:
	// the worker is registered, and the page acts on its message.
	b.WaitJS(t, "service worker registered", `(navigator.serviceWorker.getRegistration('/static/').then((r) => { window.swOK = !!r && !!(r.active || r.installing || r.waiting); }), window.swOK === true)`, 10*time.Second)
	webuitest.Eval[bool](t, b, `(import('/static/js/notify.js').then((m) => m.notificationAction({ type: 'notification-action', action: 'snooze' })), true)`)
	waitFor(t, "snooze from a notification", patience, func() bool { fb.mu.Lock(); defer fb.mu.Unlock(); return len(fb.pauses) == 2 })
	b.WaitText(t, "#state", "Paused", 5*time.Second)
	b.Click(t, "#resume-btn")
	b.WaitJS(t, "resumed", `!document.getElementById('pause-btn').hidden`, 5*time.Second)

	// The server goes away: at once the banner, a stale card, no "good".
	srv.PublishStatus(good)
	back2 := good.Status
	back2.StreakS = 0
	srv.PublishSample(liveSample(onset.Add(30*time.Second), 0, back2, 425, 640))
	b.WaitText(t, "#state", "Good posture", 5*time.Second)
	addr := ts.host
	sctx, cancel := context.WithTimeout(context.Background(), patience)
	if err := srv.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	b.WaitJS(t, "offline banner", `!document.getElementById('offline').hidden`, 5*time.Second)
	if s := b.Text(t, "#state"); strings.Contains(s, "Good") {
		t.Errorf("disconnected, the headline still says %q", s)
	}
	if st := webuitest.Eval[string](t, b, `document.getElementById('now').dataset.stale + ' ' + document.getElementById('streak').textContent`); st != "true –" {
		t.Errorf("disconnected: stale and streak %q, want the card stale and no streak", st)
	}
	b.WaitJS(t, "title says not connected", `document.title.startsWith('Not connected')`, 5*time.Second)
	b.Screenshot(t, "40-offline")
	b.Click(t, "#retry-now") // with nobody there, it tries and stays offline
	b.WaitJS(t, "still offline after a retry", `!document.getElementById('offline').hidden && document.getElementById('conn').dataset.state !== 'open'`, 5*time.Second)

	// A new server on the same address with this run's totals including
	// the earlier ones: the page finds it by itself and shows them.
	fb2 := newFakeBackend()
	fb2.status.At, fb2.status.Since = time.Now(), time.Now()
	fb2.status.GoodTodayS, fb2.status.PresentTodayS = 480, 660
	fb2.hist = h
	srv2, err := New(Options{Listen: addr, Backend: fb2, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	back := time.Now()
	if _, err := srv2.Start(); err != nil {
		t.Fatalf("restart on %s: %v", addr, err)
	}
	defer srv2.Shutdown(context.Background())
	b.WaitText(t, "#conn", "Live", 30*time.Second)
	t.Logf("reconnected %v after the server came back", time.Since(back).Round(10*time.Millisecond))
	b.WaitJS(t, "banner gone", `document.getElementById('offline').hidden`, 5*time.Second)
	b.WaitText(t, "#present-today", "11 min", 5*time.Second)
	b.WaitText(t, "#good-today", "8 min", 5*time.Second)
	b.Screenshot(t, "41-reconnected")

	b.AssertNoConsoleErrors(t, "/ws", "ERR_CONNECTION_REFUSED")
	t.Logf("screenshots in %s", filepath.Clean(b.ShotsDir))
}

// The live framing hint: shoulders at the picture's bottom edge on most of
// the latest samples bring the server's advice under the Now card; one
// stray sample does not, and a framing fixed takes it away again.
func TestDashboardFramingHint(t *testing.T) {
	b := webuitest.NewBrowser(t)
	defer b.Close()
	ts := newTS(t)
	srv := ts.srv
	openDashboard(t, b, srv.URL())
	b.WaitJS(t, "vocabulary loaded", `document.querySelectorAll('#faults [data-fault]').length > 0`, 5*time.Second)
	now := time.Now()
	at := func(i int) time.Time { return now.Add(time.Duration(i) * time.Second) }
	// Samples reach a page as the latest one (a slow page skips some), so
	// each is published once the page shows the one before: its minutes
	// present today count them.
	backlit := false
	samples := func(from, n int, height float64) {
		for i := from; i < from+n; i++ {
			smp := liveSample(at(i), 0, ts.fb.status.Status, 0, float64(60*(i+1)))
			smp.Metrics = domain.Metrics{domain.MetricNeckEyes: 2.6, domain.MetricShoulderHeight: height}
			smp.Backlit = backlit
			srv.PublishSample(smp)
			b.WaitText(t, "#present-today", fmt.Sprintf("%d min", i+1), 5*time.Second)
		}
	}
	hidden := func() bool { return webuitest.Eval[bool](t, b, `document.getElementById('framing-hint').hidden`) }

	// A stray low sample among few says nothing.
	samples(0, 3, 0.93)
	if !hidden() {
		t.Error("the framing hint shows after three samples")
	}
	samples(3, 12, 0.92)
	b.WaitJS(t, "the framing hint shows", `!document.getElementById('framing-hint').hidden`, 5*time.Second)
	if got := b.Text(t, "#framing-hint"); got != domain.ShouldersLowAdvice {
		t.Errorf("framing hint %q, want the server's advice", got)
	}
	b.Screenshot(t, "50-framing-hint")
	// The camera tilted down: the shoulders clear of the edge.
	samples(15, 20, 0.78)
	b.WaitJS(t, "the framing hint goes", `document.getElementById('framing-hint').hidden`, 5*time.Second)
	// A bright window behind the user: the same window of samples speaks
	// for the light, and goes when it is fixed.
	backlit = true
	samples(35, 12, 0.78)
	b.WaitJS(t, "the light hint shows", `!document.getElementById('framing-hint').hidden`, 5*time.Second)
	if got := b.Text(t, "#framing-hint"); got != domain.BacklitAdvice {
		t.Errorf("light hint %q, want the server's advice", got)
	}
	b.Screenshot(t, "51-light-hint")
	backlit = false
	samples(47, 12, 0.78)
	b.WaitJS(t, "the light hint goes", `document.getElementById('framing-hint').hidden`, 5*time.Second)
	b.AssertNoConsoleErrors(t)
}
