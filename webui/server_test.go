package webui

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"posturewatch/coach/domain"
	"posturewatch/coach/exercise"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

type testServer struct {
	t    *testing.T
	srv  *Server
	fb   *fakeBackend
	base string // http://127.0.0.1:port
	host string // 127.0.0.1:port
	// dial, when set, connects to a server in a synctest bubble
	// (startBubbleServer) over an in-memory pipe.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

func startTestServer(t *testing.T, mod func(*Options)) *testServer {
	t.Helper()
	fb := newFakeBackend()
	opts := Options{Listen: "127.0.0.1:0", Backend: fb, Logger: quietLogger(), Version: "test"}
	if mod != nil {
		mod(&opts)
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	addr, err := srv.Start()
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		sctx, c2 := context.WithTimeout(context.Background(), patience)
		defer c2()
		if err := srv.Shutdown(sctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return &testServer{t: t, srv: srv, fb: fb, base: "http://" + addr, host: addr}
}

type reqOpt func(*http.Request)

func withHost(h string) reqOpt   { return func(r *http.Request) { r.Host = h } }
func withOrigin(o string) reqOpt { return func(r *http.Request) { r.Header.Set("Origin", o) } }
func withHeader(k, v string) reqOpt {
	return func(r *http.Request) { r.Header.Set(k, v) }
}
func noCSRF() reqOpt { return func(r *http.Request) { r.Header.Del(CSRFHeader) } }

// do sends a request the way the dashboard does: same-origin, with the CSRF
// token; opts change that.
func (ts *testServer) do(method, path string, body any, opts ...reqOpt) (int, map[string]any, http.Header) {
	ts.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			ts.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, ts.base+path, rd)
	if err != nil {
		ts.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Origin", ts.base)
	req.Header.Set(CSRFHeader, ts.srv.CSRFToken())
	for _, o := range opts {
		o(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(data, &m); err != nil {
			ts.t.Fatalf("%s %s: response is not a JSON object: %v: %s", method, path, err, data)
		}
	}
	return resp.StatusCode, m, resp.Header
}

// wantError checks a refused request: the status and a JSON error whose text
// contains want.
func wantError(t *testing.T, what string, code int, m map[string]any, wantCode int, want string) {
	t.Helper()
	if code != wantCode {
		t.Errorf("%s: status %d, want %d (body %v)", what, code, wantCode, m)
		return
	}
	msg, _ := m["error"].(string)
	if msg == "" {
		t.Errorf("%s: no JSON error message in %v", what, m)
		return
	}
	if !strings.Contains(strings.ToLower(msg), strings.ToLower(want)) {
		t.Errorf("%s: error %q does not mention %q", what, msg, want)
	}
}

func TestNewRejectsUnsafeListen(t *testing.T) {
	fb := newFakeBackend()
	cases := []struct {
		name string
		opts Options
		want string
	}{
		{"remote without flag", Options{Listen: "0.0.0.0:0", Backend: fb}, "allow-remote"},
		{"remote without token", Options{Listen: "0.0.0.0:0", AllowRemote: true, Backend: fb}, "access token"},
		{"remote short token", Options{Listen: "192.168.1.5:8484", AllowRemote: true, AccessToken: "short", Backend: fb}, "access token"},
		{"no port", Options{Listen: "127.0.0.1", Backend: fb}, "host:port"},
		{"no backend", Options{Listen: "127.0.0.1:0"}, "Backend"},
	}
	for _, c := range cases {
		_, err := New(c.opts)
		if err == nil {
			t.Errorf("%s: New accepted %+v", c.name, c.opts.Listen)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not mention %q", c.name, err, c.want)
		}
	}
	if _, err := New(Options{Listen: "0.0.0.0:0", AllowRemote: true, AccessToken: NewAccessToken(), Backend: fb, Logger: quietLogger()}); err != nil {
		t.Errorf("remote with token refused: %v", err)
	}
}

func TestDashboardAndHeaders(t *testing.T) {
	ts := newTS(t)
	resp, err := http.Get(ts.base + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !bytes.Contains(body, []byte(ts.srv.CSRFToken())) {
		t.Error("dashboard page does not carry the CSRF token")
	}
	if bytes.Contains(body, []byte("{{CSRF_TOKEN}}")) {
		t.Error("CSRF placeholder left in the page")
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "connect-src 'self' ws://" + ts.host, "img-src 'self' data: blob:", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q", got)
	}
	if got := resp.Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy = %q", got)
	}
	for _, p := range []string{"/static/js/main.js", "/static/style.css"} {
		resp, err := http.Get(ts.base + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(b) < 100 {
			t.Errorf("GET %s = %d, %d bytes", p, resp.StatusCode, len(b))
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff", p)
		}
	}
	if strings.Contains(string(body), "http://") || strings.Contains(string(body), "https://") {
		t.Error("dashboard page references an external URL (no CDN allowed)")
	}
	code, m, _ := ts.do("GET", "/static/nope.js", nil)
	wantError(t, "missing asset", code, m, 404, "no such file")
	code, m, _ = ts.do("GET", "/static/../server.go", nil)
	if code == 200 {
		t.Errorf("path traversal served: %v", m)
	}
}

func newTS(t *testing.T) *testServer { return startTestServer(t, nil) }

func TestAPIRoutes(t *testing.T) {
	ts := newTS(t)

	code, m, _ := ts.do("GET", "/api/status", nil)
	if code != 200 || m["state"] != "good" || m["camera"] == nil {
		t.Fatalf("status = %d %v", code, m)
	}
	code, m, _ = ts.do("GET", "/api/csrf", nil)
	if code != 200 || m["token"] != ts.srv.CSRFToken() || m["header"] != CSRFHeader {
		t.Errorf("csrf = %d %v", code, m)
	}
	code, m, _ = ts.do("GET", "/api/stats", nil)
	if days, _ := m["days"].([]any); code != 200 || len(days) != 1 {
		t.Errorf("stats = %d %v", code, m)
	}

	// pause / resume: 15 minutes from when the server took the request
	asked := time.Now()
	code, m, _ = ts.do("POST", "/api/pause", map[string]any{"minutes": 15})
	answered := time.Now()
	if code != 200 || m["state"] != "paused" {
		t.Fatalf("pause = %d %v", code, m)
	}
	ts.fb.mu.Lock()
	pauses := append([]time.Time(nil), ts.fb.pauses...)
	ts.fb.mu.Unlock()
	if n := len(pauses); n != 1 || pauses[0].Before(asked.Add(15*time.Minute)) || pauses[0].After(answered.Add(15*time.Minute)) {
		t.Errorf("pause until = %v, want 15 min after the request", pauses)
	}
	until := time.Now().Add(2 * time.Hour).Format(time.RFC3339)
	code, m, _ = ts.do("POST", "/api/pause", map[string]any{"until": until})
	if code != 200 || ts.fb.pauses[1].Format(time.RFC3339) != until {
		t.Errorf("pause until = %d %v %v", code, m, ts.fb.pauses)
	}
	code, m, _ = ts.do("POST", "/api/resume", nil)
	if code != 200 || m["state"] != "good" {
		t.Errorf("resume = %d %v", code, m)
	}
	code, m, _ = ts.do("POST", "/api/resume", nil)
	wantError(t, "resume when not paused", code, m, 409, "not paused")

	// config
	code, m, _ = ts.do("GET", "/api/config", nil)
	if code != 200 || m["sensitivity"] != "normal" || m["onset_delay_s"] != 20.0 {
		t.Fatalf("config = %d %v", code, m)
	}
	code, m, _ = ts.do("PATCH", "/api/config", map[string]any{"sensitivity": "high", "onset_delay_s": 30, "quiet_hours": "22:00-07:00"})
	if code != 200 || m["sensitivity"] != "high" || m["onset_delay_s"] != 30.0 || m["cooldown_s"] != 300.0 {
		t.Fatalf("patch config = %d %v", code, m)
	}
	if cfg := ts.fb.Config(); cfg.OnsetDelay.D() != 30*time.Second || cfg.QuietHours != "22:00-07:00" {
		t.Errorf("backend config not updated: %+v", cfg)
	}

	// calibration and profiles
	code, m, _ = ts.do("POST", "/api/calibration/finish", map[string]any{"profile": "desk"})
	wantError(t, "finish before start", code, m, 409, "start one first")
	code, m, _ = ts.do("POST", "/api/calibration/cancel", nil)
	wantError(t, "cancel with none running", code, m, 409, "no calibration is running")
	code, m, _ = ts.do("POST", "/api/calibration/start", nil)
	if code != 200 || m["state"] != "calibrating" {
		t.Errorf("calibration start = %d %v", code, m)
	}
	code, m, _ = ts.do("POST", "/api/calibration/cancel", nil)
	if code != 200 || m["state"] != "good" {
		t.Errorf("calibration cancel = %d %v", code, m)
	}
	// The server's name rule is the only one: "desk monitor" is fine.
	code, m, _ = ts.do("POST", "/api/profiles/check", map[string]any{"name": "desk monitor"})
	if code != 200 || m["ok"] != true {
		t.Errorf("check \"desk monitor\" = %d %v", code, m)
	}
	code, m, _ = ts.do("POST", "/api/profiles/check", map[string]any{"name": "../x"})
	wantError(t, "check a path", code, m, 400, "not allowed")
	code, m, _ = ts.do("POST", "/api/recalibrate/dismiss", nil)
	if code != 200 || m["recalibrate_suggested"] != false {
		t.Errorf("dismiss = %d %v", code, m)
	}
	code, m, _ = ts.do("POST", "/api/calibration/start", nil)
	if code != 200 || m["state"] != "calibrating" {
		t.Errorf("calibration start again = %d %v", code, m)
	}
	code, m, _ = ts.do("POST", "/api/calibration/finish", map[string]any{"profile": "desk"})
	if b, _ := m["baseline"].(map[string]any); code != 200 || b["name"] != "desk" {
		t.Fatalf("calibration finish = %d %v", code, m)
	}
	code, m, _ = ts.do("GET", "/api/profiles", nil)
	if ps, _ := m["profiles"].([]any); code != 200 || len(ps) != 1 || ps[0].(map[string]any)["active"] != true {
		t.Errorf("profiles = %d %v", code, m)
	}
	code, m, _ = ts.do("POST", "/api/profiles/desk/activate", nil)
	if code != 200 || m["profile"] != "desk" {
		t.Errorf("activate = %d %v", code, m)
	}
	code, m, _ = ts.do("POST", "/api/profiles/nothere/activate", nil)
	wantError(t, "activate unknown", code, m, 404, "no profile")
	code, m, _ = ts.do("DELETE", "/api/profiles/desk", nil)
	if code != 200 || m["deleted"] != "desk" {
		t.Errorf("delete = %d %v", code, m)
	}
	code, m, _ = ts.do("DELETE", "/api/profiles/desk", nil)
	wantError(t, "delete twice", code, m, 404, "no profile")

	// catalogue and routines
	code, m, _ = ts.do("GET", "/api/catalogue", nil)
	if ex, _ := m["exercises"].([]any); code != 200 || len(ex) < 10 {
		t.Errorf("catalogue = %d, %d exercises", code, len(ex))
	}
	code, m, _ = ts.do("POST", "/api/routine/start", map[string]any{"faults": []string{"forward_head"}})
	r, _ := m["routine"].(map[string]any)
	if code != 200 || r == nil || r["id"] == "" {
		t.Fatalf("routine start = %d %v", code, m)
	}
	items, _ := r["items"].([]any)
	if len(items) == 0 {
		t.Fatalf("routine has no items: %v", r)
	}
	code, m, _ = ts.do("POST", "/api/routine/start", map[string]any{"id": r["id"]})
	if r2, _ := m["routine"].(map[string]any); code != 200 || r2["id"] != r["id"] {
		t.Errorf("routine start by id = %d %v", code, m)
	}
	code, m, _ = ts.do("POST", "/api/routine/start", map[string]any{"id": "gone"})
	wantError(t, "unknown routine", code, m, 404, "no routine")
	code, m, _ = ts.do("POST", "/api/routine/start", map[string]any{"faults": []string{"bad_back"}})
	wantError(t, "unknown fault", code, m, 400, "unknown fault")
	code, m, _ = ts.do("POST", "/api/routine/exercise-done", map[string]any{"routine_id": r["id"], "exercise_id": "chin_tuck"})
	if code != 200 || len(ts.fb.done) != 1 || ts.fb.done[0] != r["id"].(string)+"/chin_tuck" {
		t.Errorf("exercise done = %d %v %v", code, m, ts.fb.done)
	}
	code, m, _ = ts.do("POST", "/api/routine/exercise-done", map[string]any{"routine_id": r["id"], "exercise_id": "x", "skipped": true})
	if code != 200 || ts.fb.done[1] != r["id"].(string)+"/x/skipped" {
		t.Errorf("exercise skipped = %d %v %v", code, m, ts.fb.done)
	}
	code, m, _ = ts.do("POST", "/api/routine/exercise-done", map[string]any{})
	wantError(t, "exercise done without ids", code, m, 400, "routine_id")
	code, m, _ = ts.do("POST", "/api/routine/stop", map[string]any{})
	if code != 200 || ts.fb.done[len(ts.fb.done)-1] != "stopped" {
		t.Errorf("routine stop = %d %v %v", code, m, ts.fb.done)
	}

	// history without a store
	code, m, _ = ts.do("GET", "/api/history", nil)
	wantError(t, "history disabled", code, m, 503, "no history is kept")

	// notifications without a notifier
	code, m, _ = ts.do("GET", "/api/notifications", nil)
	if code != 200 || m["available"] != false {
		t.Errorf("notifications = %d %v", code, m)
	}
}

func TestPauseValidation(t *testing.T) {
	ts := newTS(t)
	past := time.Now().Add(-time.Minute).Format(time.RFC3339)
	far := time.Now().Add(72 * time.Hour).Format(time.RFC3339)
	cases := []struct {
		body any
		want string
	}{
		{map[string]any{"minutes": 0}, "positive"},
		{map[string]any{"minutes": -5}, "positive"},
		{map[string]any{"minutes": 100000}, "at most"},
		{map[string]any{"until": past}, "in the past"},
		{map[string]any{"until": far}, "ahead"},
		{map[string]any{"until": "tomorrow"}, "RFC 3339"},
		{map[string]any{"minutes": 5, "until": far}, "not both"},
		{map[string]any{}, "minutes"},
		{map[string]any{"minutes": "ten"}, "malformed JSON"},
		{map[string]any{"hours": 1}, "unknown field"},
	}
	for _, c := range cases {
		code, m, _ := ts.do("POST", "/api/pause", c.body)
		wantError(t, "pause "+mustJSON(c.body), code, m, 400, c.want)
	}
	if len(ts.fb.pauses) != 0 {
		t.Errorf("invalid pauses reached the backend: %v", ts.fb.pauses)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestConfigPatchValidation(t *testing.T) {
	ts := newTS(t)
	before := ts.fb.Config()
	cases := []struct {
		body any
		want string
	}{
		{map[string]any{"sensitivity": "extreme"}, "sensitivity"},
		{map[string]any{"onset_delay_s": 500}, "onset_delay_s"},
		{map[string]any{"quiet_hours": "late"}, "quiet_hours"},
		{map[string]any{"equipment": []string{"trampoline"}}, "equipment"},
		{map[string]any{"colour": "blue"}, "unknown field"},
		{`{"sensitivity": "high",}`, "malformed JSON"},
		{`[1,2]`, "JSON object"},
		{`{"sensitivity":"high"} {"x":1}`, "after the object"},
		{``, "empty"},
	}
	for _, c := range cases {
		code, m, _ := ts.do("PATCH", "/api/config", c.body)
		wantError(t, "patch "+mustJSON(c.body), code, m, 400, c.want)
	}
	if after := ts.fb.Config(); after.Sensitivity != before.Sensitivity || after.OnsetDelay != before.OnsetDelay {
		t.Errorf("rejected patches changed the config: %+v", after)
	}
	code, m, _ := ts.do("PATCH", "/api/config", `{"sensitivity":"low"}`, withHeader("Content-Type", "text/plain"))
	wantError(t, "wrong content type", code, m, 415, "application/json")
}

func TestSecurityRefusals(t *testing.T) {
	ts := newTS(t)
	type call struct {
		method, path string
		body         any
	}
	mutating := []call{
		{"POST", "/api/pause", map[string]any{"minutes": 15}},
		{"POST", "/api/resume", nil},
		{"PATCH", "/api/config", map[string]any{"sensitivity": "high"}},
		{"POST", "/api/calibration/start", nil},
		{"POST", "/api/calibration/finish", map[string]any{"profile": "a"}},
		{"POST", "/api/profiles/a/activate", nil},
		{"DELETE", "/api/profiles/a", nil},
		{"POST", "/api/routine/start", map[string]any{}},
		{"POST", "/api/routine/exercise-done", map[string]any{"routine_id": "r"}},
		{"POST", "/api/routine/stop", map[string]any{}},
		{"POST", "/api/notifications", map[string]any{"desktop": true}},
	}
	for _, c := range mutating {
		name := c.method + " " + c.path
		code, m, _ := ts.do(c.method, c.path, c.body, noCSRF())
		wantError(t, name+" without CSRF", code, m, 403, "CSRF")
		code, m, _ = ts.do(c.method, c.path, c.body, withHeader(CSRFHeader, "0000"))
		wantError(t, name+" wrong CSRF", code, m, 403, "CSRF")
		code, m, _ = ts.do(c.method, c.path, c.body, withOrigin("http://evil.example"))
		wantError(t, name+" foreign Origin", code, m, 403, "origin")
		code, m, _ = ts.do(c.method, c.path, c.body, withHost("evil.example:80"))
		wantError(t, name+" wrong Host", code, m, 403, "not allowed")
	}
	if len(ts.fb.pauses) != 0 || ts.fb.calibrating || len(ts.fb.done) != 0 || ts.fb.Config().Sensitivity != "normal" {
		t.Error("a refused request reached the backend")
	}
	// Reads are protected from DNS rebinding too.
	for _, p := range []string{"/", "/api/status", "/api/csrf", "/static/js/main.js", "/ws"} {
		code, m, _ := ts.do("GET", p, nil, withHost("attacker.example:"+strings.Split(ts.host, ":")[1]))
		wantError(t, "GET "+p+" wrong Host", code, m, 403, "not allowed")
	}
	// The allowed loopback names all work.
	port := strings.Split(ts.host, ":")[1]
	for _, h := range []string{"127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port} {
		if code, m, _ := ts.do("GET", "/api/status", nil, withHost(h)); code != 200 {
			t.Errorf("Host %s refused: %d %v", h, code, m)
		}
	}
	// Not found and wrong method are JSON errors.
	code, m, _ := ts.do("GET", "/api/nothing", nil)
	wantError(t, "unknown route", code, m, 404, "no such")
	code, m, _ = ts.do("GET", "/api/pause", nil)
	wantError(t, "GET on POST route", code, m, 405, "not allowed")
	code, m, _ = ts.do("PUT", "/api/config", map[string]any{})
	wantError(t, "PUT on config", code, m, 405, "not allowed")
	// Malformed profile names.
	code, m, _ = ts.do("POST", "/api/profiles/..%2f..%2fetc/activate", nil)
	if code != 400 && code != 404 {
		t.Errorf("traversal profile name: %d %v", code, m)
	}
	code, m, _ = ts.do("POST", "/api/calibration/finish", map[string]any{"profile": "../x"})
	wantError(t, "bad profile name", code, m, 400, "profile")
}

func TestBodyLimits(t *testing.T) {
	ts := startTestServer(t, func(o *Options) { o.MaxBodyBytes = 1024 })
	big := `{"sensitivity":"` + strings.Repeat("a", 4096) + `"}`
	code, m, _ := ts.do("PATCH", "/api/config", big)
	wantError(t, "oversize body", code, m, 413, "too large")

	// Without a Content-Length (chunked) the limit applies while reading.
	req, _ := http.NewRequest("PATCH", ts.base+"/api/config", io.MultiReader(strings.NewReader(big)))
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(CSRFHeader, ts.srv.CSRFToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var em map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&em)
	resp.Body.Close()
	wantError(t, "oversize chunked body", resp.StatusCode, em, 413, "too large")
	if ts.fb.Config().Sensitivity != "normal" {
		t.Error("oversize body changed the config")
	}
}

func TestAccessToken(t *testing.T) {
	tok := NewAccessToken()
	ts := startTestServer(t, func(o *Options) { o.AccessToken = tok })
	code, m, _ := ts.do("GET", "/api/status", nil)
	wantError(t, "no token", code, m, 401, "access token")
	code, m, _ = ts.do("GET", "/api/status", nil, withHeader("Authorization", "Bearer "+strings.Repeat("x", len(tok))))
	wantError(t, "wrong token", code, m, 401, "wrong access token")
	code, _, _ = ts.do("GET", "/api/status", nil, withHeader("Authorization", "Bearer "+tok))
	if code != 200 {
		t.Errorf("bearer token refused: %d", code)
	}
	// ?token= sets a cookie that then suffices.
	resp, err := http.Get(ts.base + "/?token=" + tok)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var ck *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == tokenCookie {
			ck = c
		}
	}
	if resp.StatusCode != 200 || ck == nil || !ck.HttpOnly {
		t.Fatalf("?token= = %d cookie %v", resp.StatusCode, ck)
	}
	code, _, _ = ts.do("GET", "/api/status", nil, withHeader("Cookie", tokenCookie+"="+tok))
	if code != 200 {
		t.Errorf("cookie token refused: %d", code)
	}
	if !strings.Contains(ts.srv.URL(), "?token="+tok) {
		t.Errorf("URL %q lacks the token", ts.srv.URL())
	}
}

// connect opens a same-origin WebSocket to ts, closed when the test ends;
// the test fails if it cannot.
func connect(t *testing.T, ts *testServer) *websocket.Conn {
	t.Helper()
	c, _, err := dialWS(t, ts, ts.base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func dialWS(t *testing.T, ts *testServer, origin string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	// The handshake's timeout only ends a test that hangs: a loaded
	// machine under -race may be slow to answer.
	d := websocket.Dialer{HandshakeTimeout: patience, NetDialContext: ts.dial}
	return d.Dial("ws://"+ts.host+"/ws", h)
}

func TestWebSocketOrigin(t *testing.T) {
	ts := newTS(t)
	_, resp, err := dialWS(t, ts, "http://evil.example")
	if err == nil {
		t.Fatal("foreign Origin accepted")
	}
	if resp == nil || resp.StatusCode != 403 {
		t.Fatalf("foreign Origin: resp %v err %v", resp, err)
	}
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	wantError(t, "ws foreign origin", resp.StatusCode, m, 403, "origin")

	_, resp, err = dialWS(t, ts, "http://localhost:1") // right name, wrong port
	if err == nil || resp == nil || resp.StatusCode != 403 {
		t.Errorf("other-port Origin accepted: %v", err)
	}

	// A plain GET on /ws is a clear error.
	code, m, _ := ts.do("GET", "/ws", nil)
	wantError(t, "plain GET /ws", code, m, 400, "WebSocket upgrade")

	c := connect(t, ts)
	msg := readMsg(t, c, patience)
	if msg.Type != MsgHello || msg.Hello == nil || msg.Hello.Status.State != domain.StateGood || msg.Hello.SampleMS != 200 {
		t.Errorf("first message = %+v", msg)
	}
}

// wireMsg is what the hub sends, decoded with the server's own wire type.
type wireMsg = envelope

func readMsg(t *testing.T, c *websocket.Conn, timeout time.Duration) wireMsg {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(timeout))
	_, data, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("read websocket: %v", err)
	}
	var m wireMsg
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("bad message %s: %v", data, err)
	}
	return m
}

// panicBackend panics in Catalogue, like a bug in the service would.
type panicBackend struct{ *fakeBackend }

func (panicBackend) Catalogue() *exercise.Catalogue { panic("catalogue exploded") }

func TestPanicBecomesJSON500(t *testing.T) {
	fb := newFakeBackend()
	ts := startTestServer(t, func(o *Options) { o.Backend = panicBackend{fb} })
	code, m, _ := ts.do("GET", "/api/catalogue", nil)
	wantError(t, "panicking handler", code, m, 500, "internal error")
	// The server keeps serving.
	if code, _, _ := ts.do("GET", "/api/status", nil); code != 200 {
		t.Errorf("after a panic: status %d", code)
	}
}

// The access token never reaches the log (logs are pasted into bug
// reports), though URL() carries it for the user.
func TestAccessTokenNotLogged(t *testing.T) {
	tok := NewAccessToken()
	var logs bytes.Buffer
	var mu sync.Mutex
	ts := startTestServer(t, func(o *Options) {
		o.AccessToken = tok
		o.Logger = slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	ts.do("GET", "/api/status", nil, withHeader("Authorization", "Bearer "+tok))
	mu.Lock()
	defer mu.Unlock()
	if strings.Contains(logs.String(), tok) {
		t.Errorf("the token is in the log:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "dashboard listening") {
		t.Errorf("nothing logged at start:\n%s", logs.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Another loopback address (127.0.0.2) is this computer: the dashboard
// answers the browser that names it as the Host.
func TestListenOnAnotherLoopbackAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no 127.0.0.2 here: %v", err)
	}
	ln.Close()
	ts := startTestServer(t, func(o *Options) { o.Listen = "127.0.0.2:0" })
	if !strings.HasPrefix(ts.host, "127.0.0.2:") {
		t.Fatalf("listening on %s", ts.host)
	}
	code, _, _ := ts.do("GET", "/api/status", nil)
	if code != 200 {
		t.Errorf("GET with Host %s: %d", ts.host, code)
	}
}

// New starts nothing: a server never served leaves no goroutine behind,
// and publishing to it and shutting it down return at once.
func TestNewStartsNothing(t *testing.T) {
	before := runtime.NumGoroutine()
	srv, err := New(Options{Listen: "127.0.0.1:0", Backend: newFakeBackend(), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("New started %d goroutines", n-before)
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv.PublishStatus(domain.LiveStatus{}) // returns: the hub is gone
	srv.PublishEvent(domain.Event{Type: domain.EventNudge})
}
