// Package webuitest holds helpers for driving the posturewatch dashboard in a
// real headless Chromium with chromedp. It is used by the webui tests (with a
// fake backend) and by the end-to-end tests of `posturewatch run`.
//
// Typical use:
//
//	b := webuitest.NewBrowser(t)           // skips when Chromium is absent
//	defer b.Close()
//	b.Do(t, chromedp.Navigate(url))
//	b.WaitText(t, "#state", "Good posture", 10*time.Second)
//	b.Screenshot(t, "01-good")
//	b.AssertNoConsoleErrors(t)
package webuitest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// ChromiumPath returns the browser to use: $POSTUREWATCH_CHROMIUM if set,
// else /usr/bin/chromium, else chromium or chromium-browser on PATH; "" if none.
func ChromiumPath() string {
	if p := os.Getenv("POSTUREWATCH_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, n := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// Browser is one headless Chromium with one tab, recording console errors,
// uncaught exceptions and error log entries of the page.
type Browser struct {
	// Ctx is the chromedp context of the tab; use it with chromedp.Run.
	Ctx context.Context
	// ShotsDir is where Screenshot writes (created with os.MkdirTemp so it
	// survives the test; its path is logged).
	ShotsDir string

	cancel  func()
	dataDir string
	mu      sync.Mutex
	errors  []string
	console []string
}

// Options tune NewBrowser.
type Options struct {
	Width, Height int           // window size, default 1280×900
	Timeout       time.Duration // whole-browser deadline, default 5 min
	ShotsPrefix   string        // temp dir prefix, default "posturewatch-shots-"
}

// NewBrowser starts headless Chromium (no sandbox, no GPU, no background
// networking, a new empty profile). It skips the test in -short mode, and
// with a clear message when Chromium is not installed.
func NewBrowser(t testing.TB, opts ...Options) *Browser {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.Width == 0 {
		o.Width, o.Height = 1280, 900
	}
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Minute
	}
	if o.ShotsPrefix == "" {
		o.ShotsPrefix = "posturewatch-shots-"
	}
	exe := ChromiumPath()
	if exe == "" {
		t.Skip("Chromium not found (/usr/bin/chromium, chromium, chromium-browser or $POSTUREWATCH_CHROMIUM): install the Debian package chromium (make test does) to run the browser tests")
	}
	dataDir, err := os.MkdirTemp("", "posturewatch-chromium-profile-")
	if err != nil {
		t.Fatalf("chromium profile dir: %v", err)
	}
	shots, err := os.MkdirTemp("", o.ShotsPrefix)
	if err != nil {
		t.Fatalf("screenshot dir: %v", err)
	}
	t.Logf("browser screenshots go to %s", shots)
	allocOpts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(dataDir),
		chromedp.WindowSize(o.Width, o.Height),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
	}
	base, cancelTimeout := context.WithTimeout(context.Background(), o.Timeout)
	actx, cancelAlloc := chromedp.NewExecAllocator(base, allocOpts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	b := &Browser{Ctx: ctx, ShotsDir: shots, dataDir: dataDir}
	b.cancel = func() { cancelCtx(); cancelAlloc(); cancelTimeout() }
	// Start the browser now so a broken install fails here, clearly.
	if err := chromedp.Do(ctx); err != nil {
		b.Close()
		t.Fatalf("start Chromium %s: %v", exe, err)
	}
	// Record console API calls, uncaught exceptions and browser log entries.
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			line := string(m.Type) + ": " + m.Text
			if m.URL != "" {
				line += fmt.Sprintf(" (%s:%d)", m.URL, m.Line+1)
			}
			b.mu.Lock()
			b.console = append(b.console, line)
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.errors = append(b.errors, line)
			}
			b.mu.Unlock()
		}
	}()
	return b
}

// Close stops the browser and removes its profile directory (screenshots stay).
func (b *Browser) Close() {
	if b.cancel != nil {
		b.cancel()
	}
	if b.dataDir != "" {
		os.RemoveAll(b.dataDir)
	}
}

// Do runs chromedp actions on the tab and fails the test on error.
func (b *Browser) Do(t testing.TB, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.Ctx, actions...); err != nil {
		b.Screenshot(t, "failure")
		t.Fatalf("browser: %v", err)
	}
}

// Eval evaluates a JavaScript expression and returns its value as T.
func Eval[T any](t testing.TB, b *Browser, expr string) T {
	t.Helper()
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.Screenshot(t, "failure")
		t.Fatalf("browser: evaluate %s: %v", expr, err)
	}
	return v
}

// Errors returns the console errors, uncaught exceptions and error log
// entries seen so far.
func (b *Browser) Errors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

// Console returns every console API call seen so far ("log: …", "error: …").
func (b *Browser) Console() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.console...)
}

// AssertNoConsoleErrors fails the test if the page logged any error (a
// module that fails to load or link, an uncaught exception, a failed
// request) other than those containing one of expected: the failed
// requests the test provoked on purpose, such as a refused form.
func (b *Browser) AssertNoConsoleErrors(t testing.TB, expected ...string) {
	t.Helper()
	var errs []string
	for _, e := range b.Errors() {
		if !slices.ContainsFunc(expected, func(x string) bool { return strings.Contains(e, x) }) {
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		t.Errorf("the page logged %d error(s):\n  %s", len(errs), strings.Join(errs, "\n  "))
	}
}

// Screenshot saves a full-page PNG named name.png in ShotsDir.
func (b *Browser) Screenshot(t testing.TB, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 15*time.Second)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	p := filepath.Join(b.ShotsDir, name+".png")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	return p
}

// Text returns the visible text of the first element matching sel ("" if none).
func (b *Browser) Text(t testing.TB, sel string) string {
	t.Helper()
	return Eval[string](t, b, fmt.Sprintf(`(function(){const e=document.querySelector(%q);return e?e.textContent:""})()`, sel))
}

// WaitText polls until the text of sel contains want, or fails after
// timeout (at least MinWait).
func (b *Browser) WaitText(t testing.TB, sel, want string, timeout time.Duration) string {
	t.Helper()
	return b.WaitFunc(t, sel+" contains "+fmt.Sprintf("%q", want), timeout, func() (string, bool) {
		s := b.Text(t, sel)
		return s, strings.Contains(s, want)
	})
}

// WaitJS polls a JavaScript boolean expression until it is true, or fails
// after timeout (at least MinWait).
func (b *Browser) WaitJS(t testing.TB, what, expr string, timeout time.Duration) {
	t.Helper()
	b.WaitFunc(t, what, timeout, func() (string, bool) {
		ok := Eval[bool](t, b, expr)
		return fmt.Sprint(ok), ok
	})
}

// MinWait is the least time any wait (WaitText, WaitJS, WaitFunc) gives
// its condition before it fails. A wait only bounds a failure: its
// condition is one the page reaches by itself, and under -race on a loaded
// 2-core machine Chromium and the server can take seconds to get there, so
// a caller's shorter timeout (what the wait takes on an idle machine) is
// raised to it.
const MinWait = time.Minute

// WaitFunc polls cond every 100 ms until it reports true; after timeout (at
// least MinWait) it takes a screenshot and fails with the last observed
// value.
func (b *Browser) WaitFunc(t testing.TB, what string, timeout time.Duration, cond func() (string, bool)) string {
	t.Helper()
	timeout = max(timeout, MinWait)
	deadline := time.Now().Add(timeout)
	var last string
	for {
		v, ok := cond()
		if ok {
			return v
		}
		last = v
		if time.Now().After(deadline) {
			p := b.Screenshot(t, "timeout")
			t.Fatalf("browser: timed out after %v waiting for %s (last value %q; screenshot %s)", timeout, what, last, p)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Click clicks the element matching the CSS selector (after it is visible).
func (b *Browser) Click(t testing.TB, sel string) {
	t.Helper()
	b.Do(t, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)))
}

// Visible reports whether the element matching sel is shown (not hidden by
// the hidden attribute or display:none anywhere up the tree).
func (b *Browser) Visible(t testing.TB, sel string) bool {
	t.Helper()
	return Eval[bool](t, b, fmt.Sprintf(`(function(){const e=document.querySelector(%q);return !!e && e.getClientRects().length>0})()`, sel))
}

// CanvasInk returns how many pixels of a canvas are not fully transparent
// (0 for a blank canvas).
func (b *Browser) CanvasInk(t testing.TB, sel string) int {
	t.Helper()
	return Eval[int](t, b, fmt.Sprintf(`(function(){const c=document.querySelector(%q);if(!c||!c.width||!c.height)return 0;
		const d=c.getContext('2d').getImageData(0,0,c.width,c.height).data;let n=0;
		for(let i=3;i<d.length;i+=4){if(d[i]!==0)n++}return n})()`, sel))
}

// SetViewport resizes the page viewport (to check the layout at 800 px).
func (b *Browser) SetViewport(t testing.TB, w, h int) {
	t.Helper()
	b.Do(t, chromedp.EmulateViewport(int64(w), int64(h)))
}

// ColorScheme emulates prefers-color-scheme ("light" or "dark"; "" resets).
func (b *Browser) ColorScheme(t testing.TB, scheme string) {
	t.Helper()
	b.Do(t, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		p := emulation.SetEmulatedMediaParams{}
		if scheme != "" {
			p.Features = []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}
		}
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, p)
		return err
	}))
}
