package webui

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"posturewatch/coach/about"
	"posturewatch/coach/domain"
	"posturewatch/coach/history"
	"posturewatch/coach/store"
	"posturewatch/webui/webuitest"
)

// aboutFixture is a real About service over a history with 20 minutes, a
// setting from the environment and a webhook whose path is a secret.
func aboutFixture(t *testing.T) (*about.Service, *history.DB) {
	t.Helper()
	dataDir, configDir := t.TempDir(), t.TempDir()
	h, err := history.Open(filepath.Join(dataDir, history.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	// Yesterday at noon: one day's minutes, at any hour of the test (an hour
	// back from just after midnight straddles two days, two export rows).
	y, mo, d := time.Now().AddDate(0, 0, -1).Date()
	start := time.Date(y, mo, d, 12, 0, 0, 0, time.Local)
	var ms []domain.MinuteAggregate
	for i := range 20 {
		ms = append(ms, domain.MinuteAggregate{Start: start.Add(time.Duration(i) * time.Minute), PresentS: 60, GoodS: 45,
			FaultS: map[domain.FaultName]float64{domain.ForwardHead: 15}})
	}
	if err := h.AddMinutes(ms...); err != nil {
		t.Fatal(err)
	}
	if err := h.AddEvents(domain.Event{Time: start.Add(5 * time.Minute), Type: domain.EventNudge, Fault: domain.ForwardHead}); err != nil {
		t.Fatal(err)
	}
	cfg := store.NewConfigFile(configDir)
	if err := cfg.SaveConfig(domain.DefaultConfig()); err != nil {
		t.Fatal(err)
	}
	env, err := store.ParseEnv([]string{"POSTUREWATCH_ONSET_DELAY_S=30"})
	if err != nil {
		t.Fatal(err)
	}
	svc := about.New(about.Options{Version: "test", DataDir: dataDir, ConfigDir: configDir, History: h, Env: env,
		Run: domain.RunSettings{Metrics: true, Webhook: "https://hooks.example/SECRET-ID"}, ConfigFile: cfg.Path,
		Checks: func() []domain.Check {
			return []domain.Check{{Level: "ok", What: "OpenCV 4.6.0"}, {Level: "warn", What: "no session bus", Fix: "run inside your desktop session"}}
		}})
	return svc, h
}

// The About API: the facts, the export in both formats, and a deletion
// that needs the CSRF token.
func TestAboutAPI(t *testing.T) {
	svc, h := aboutFixture(t)
	ts := startTestServer(t, func(o *Options) { o.About = svc })

	code, m, _ := ts.do("GET", "/api/about", nil)
	if code != 200 || m["history_kept"] != true || m["metrics"] != true || m["webhook"] != "https://hooks.example" {
		t.Fatalf("GET /api/about: %d %v", code, m)
	}
	places := map[string]map[string]any{}
	for _, p := range m["places"].([]any) {
		pm := p.(map[string]any)
		places[pm["what"].(string)] = pm
	}
	if db := places["history database"]; db == nil || db["exists"] != true || db["bytes"].(float64) < 4096 {
		t.Errorf("history database place: %v", db)
	}
	if f := places["settings file"]; f == nil || f["exists"] != true || f["bytes"].(float64) < 100 {
		t.Errorf("settings file place: %v", f)
	}
	if p := places["calibration profiles"]; p == nil || p["exists"] != false {
		t.Errorf("no profiles yet: %v", p)
	}
	if env := m["environment"].([]any); len(env) != 1 || env[0].(map[string]any)["var"] != "POSTUREWATCH_ONSET_DELAY_S" {
		t.Errorf("environment: %v", env)
	}

	get := func(path string) (int, string, http.Header) {
		resp, err := http.Get(ts.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	code, body, hdr := get("/api/history/export?format=csv")
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") || !strings.Contains(hdr.Get("Content-Disposition"), "attachment") ||
		lines[0] != strings.Join(history.CSVHeader(), ",") || len(lines) < 2 || !strings.Contains(body, ",1200.0,900.0,") {
		t.Errorf("CSV export: %d %v\n%s", code, hdr, body)
	}
	code, body, _ = get("/api/history/export?format=json")
	if code != 200 || strings.Count(body, `"present_s": 60`) != 20 || !strings.Contains(body, `"type": "nudge"`) {
		t.Errorf("JSON export: %d\n%.300s", code, body)
	}
	code, m, _ = ts.do("GET", "/api/history/export?format=xml", nil)
	wantError(t, "export as xml", code, m, 400, "json or csv")

	code, m, _ = ts.do("DELETE", "/api/history", nil, noCSRF())
	wantError(t, "delete without the CSRF token", code, m, 403, "CSRF")
	code, m, _ = ts.do("DELETE", "/api/history", nil, withOrigin("http://evil.example"))
	wantError(t, "delete from another origin", code, m, 403, "origin")
	if n, _, _ := h.Count(t.Context(), time.Now().Add(time.Hour)); n != 20 {
		t.Fatalf("refused deletions deleted: %d minutes left", n)
	}
	code, m, _ = ts.do("DELETE", "/api/history", nil)
	if code != 200 || m["minutes"] != float64(20) || m["events"] != float64(1) {
		t.Errorf("DELETE /api/history: %d %v", code, m)
	}
	if n, e, _ := h.Count(t.Context(), time.Now().Add(time.Hour)); n != 0 || e != 0 {
		t.Errorf("after the deletion: %d minutes, %d events", n, e)
	}

	none := newTS(t)
	code, m, _ = none.do("GET", "/api/about", nil)
	if code != 200 || m["version"] != "test" || m["history_kept"] != false {
		t.Errorf("about without a service: %d %v", code, m)
	}
	code, m, _ = none.do("DELETE", "/api/history", nil)
	wantError(t, "delete without a service", code, m, 503, "About")
}

// The About panel in a real Chromium: the data's places and sizes, the
// environment's setting, what leaves the computer (the webhook's host, not
// its secret path), the self-checks, a download, and a deletion that asks
// first.
func TestAboutPanelInChromium(t *testing.T) {
	svc, h := aboutFixture(t)
	ts := startTestServer(t, func(o *Options) { o.About = svc })
	b := webuitest.NewBrowser(t)
	defer b.Close()

	openDashboard(t, b, ts.srv.URL())
	b.Click(t, "#tab-about") // About is one of the secondary views
	b.WaitJS(t, "the About places", `document.querySelectorAll('#about-places tr').length === 5`, 5*time.Second)
	row := webuitest.Eval[string](t, b, `document.querySelector('#about-places tr[data-what="history database"]').textContent`)
	if !strings.Contains(row, history.FileName) || !strings.Contains(row, "KiB") {
		t.Errorf("history database row %q: want its path and a size in KiB", row)
	}
	if env := b.Text(t, "#about-env"); !strings.Contains(env, "onset_delay_s is set by POSTUREWATCH_ONSET_DELAY_S") {
		t.Errorf("environment list %q", env)
	}
	if out := b.Text(t, "#about-outside"); !strings.Contains(out, "https://hooks.example") || strings.Contains(out, "SECRET") || !strings.Contains(out, "/metrics") {
		t.Errorf("what leaves the computer: %q", out)
	}
	levels := webuitest.Eval[[]string](t, b, `[...document.querySelectorAll('#about-checks li')].map(li => li.dataset.level + ':' + li.textContent)`)
	if len(levels) != 2 || levels[0] != "ok:OpenCV 4.6.0" || !strings.HasPrefix(levels[1], "warn:no session bus → run inside") {
		t.Errorf("self-checks shown: %q", levels)
	}
	// the download link serves the CSV (fetched as the link would be)
	webuitest.Eval[bool](t, b, `(() => { const a = document.getElementById('about-export-csv'); fetch(a.href).then(async (r) => { window.csvGot = a.hasAttribute('download') + ' ' + r.status + ' ' + (await r.text()).split('\n')[0]; }); return true; })()`)
	b.WaitJS(t, "the CSV download", `typeof window.csvGot === 'string'`, 5*time.Second)
	csv := webuitest.Eval[string](t, b, `window.csvGot`)
	if csv != "true 200 "+strings.Join(history.CSVHeader(), ",") {
		t.Errorf("CSV download: %q", csv)
	}
	b.Do(t, chromedp.ScrollIntoView("#about-delete"))
	b.Screenshot(t, "about-01-panel")

	// deleting asks first; "Keep it" deletes nothing
	b.Click(t, "#about-delete")
	if !b.Visible(t, "#about-delete-confirm") {
		t.Fatal("no confirmation before deleting")
	}
	b.Screenshot(t, "about-02-confirm")
	b.Click(t, "#about-delete-no")
	b.WaitText(t, "#about-delete-msg", "Nothing was deleted.", 3*time.Second)
	if n, _, _ := h.Count(t.Context(), time.Now().Add(time.Hour)); n != 20 {
		t.Fatalf("kept history lost minutes: %d left", n)
	}
	b.Click(t, "#about-delete")
	b.Click(t, "#about-delete-yes")
	b.WaitText(t, "#about-delete-msg", "Deleted 20 minutes and 1 event.", 5*time.Second)
	if n, e, _ := h.Count(t.Context(), time.Now().Add(time.Hour)); n != 0 || e != 0 {
		t.Errorf("after deleting from the page: %d minutes, %d events", n, e)
	}
	// the settings form greys out what the environment holds
	b.Click(t, "#tab-settings")
	b.WaitText(t, "#settings-env-note", "POSTUREWATCH_ONSET_DELAY_S", 5*time.Second)
	if !webuitest.Eval[bool](t, b, `document.getElementById('set-onset').disabled`) ||
		webuitest.Eval[bool](t, b, `document.getElementById('set-sensitivity').disabled`) {
		t.Error("want the onset delay greyed out (the environment holds it) and the sensitivity not")
	}
	b.AssertNoConsoleErrors(t)
}
