package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"posturewatch/coach/domain"
	"posturewatch/coach/store"
	"posturewatch/webui"
)

// ---- helpers shared by the run tests ----

// svcLogger writes the service's logs into the test log (warnings and up).
func svcLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// runningService is a service started in-process with runService.
type runningService struct {
	running
	base   string // http://127.0.0.1:port
	cancel context.CancelFunc
	done   chan int
	out    *bytes.Buffer
}

// startService runs `posturewatch run` in-process on 127.0.0.1:0 and waits
// until the dashboard listens. Stop it with stop (also registered as cleanup).
func startService(t testing.TB, o runOptions) *runningService {
	t.Helper()
	if o.listen == "" {
		o.listen = "127.0.0.1:0"
	}
	if o.dataDir == "" {
		o.dataDir = t.TempDir()
	}
	if o.configDir == "" {
		o.configDir = t.TempDir()
	}
	if o.log == nil {
		o.log = svcLogger(t)
	}
	// A developer's locked screen must not pause the service under test;
	// the desktop's holds are tested on a private bus in coach/desktop.
	o.noDesktop = true
	started := make(chan running, 1)
	o.started = func(r running) { started <- r }
	ctx, cancel := context.WithCancel(context.Background())
	rs := &runningService{cancel: cancel, done: make(chan int, 1), out: &bytes.Buffer{}}
	var errb syncBuffer
	go func() { rs.done <- runService(ctx, o, rs.out, &errb) }()
	select {
	case rs.running = <-started:
	case code := <-rs.done:
		cancel()
		t.Fatalf("run exited with %d before serving: %s", code, errb.String())
	case <-time.After(patience):
		cancel()
		t.Fatalf("the service did not start within %v", patience)
	}
	rs.base = strings.TrimSuffix(rs.web.URL(), "/")
	t.Cleanup(func() { rs.stop(t) })
	return rs
}

// stop cancels the service and returns its exit code.
func (rs *runningService) stop(t testing.TB) int {
	rs.cancel()
	select {
	case code, ok := <-rs.done:
		if !ok {
			return 0
		}
		close(rs.done)
		return code
	case <-time.After(patience):
		t.Fatalf("the service did not stop within %v", patience)
		return -1
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// apiClient calls the dashboard API like the dashboard page does: same
// Origin, the CSRF token header on every change.
type apiClient struct {
	base string
	csrf string
}

func newAPIClient(t testing.TB, base string) *apiClient {
	t.Helper()
	c := &apiClient{base: base}
	var tok struct {
		Token  string `json:"token"`
		Header string `json:"header"`
	}
	if code := c.call(t, "GET", "/api/csrf", nil, &tok); code != 200 || tok.Token == "" {
		t.Fatalf("GET /api/csrf: %d %+v", code, tok)
	}
	if tok.Header != webui.CSRFHeader {
		t.Fatalf("CSRF header %q, want %q", tok.Header, webui.CSRFHeader)
	}
	c.csrf = tok.Token
	return c
}

// call does one request; out (if not nil) receives the JSON answer. It
// returns the HTTP status.
func (c *apiClient) call(t testing.TB, method, path string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if method != "GET" {
		req.Header.Set("Origin", c.base)
		req.Header.Set(webui.CSRFHeader, c.csrf)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read: %v", method, path, err)
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %d, bad JSON %q: %v", method, path, resp.StatusCode, data, err)
		}
	}
	if resp.StatusCode >= 300 {
		t.Logf("%s %s → %d %s", method, path, resp.StatusCode, bytes.TrimSpace(data))
	}
	return resp.StatusCode
}

// wsMsg is one WebSocket message as the dashboard receives it.
type wsMsg struct {
	Type    string                `json:"type"`
	Hello   *webui.Hello          `json:"hello"`
	Sample  *domain.Sample        `json:"sample"`
	Event   *domain.Event         `json:"event"`
	Status  *domain.LiveStatus    `json:"status"`
	Stats   *domain.StatsSnapshot `json:"stats"`
	Preview *domain.Preview       `json:"preview"`
	Reps    *domain.RepCount      `json:"reps"`
	at      time.Time             // when it was received
}

// dialWS connects a WebSocket client; messages arrive on the channel, which
// is closed when the connection ends.
func dialWS(t testing.TB, base string, preview bool) <-chan wsMsg {
	t.Helper()
	u := "ws" + strings.TrimPrefix(base, "http") + "/ws"
	if preview {
		u += "?preview=1"
	}
	conn, resp, err := websocket.DefaultDialer.Dial(u, nil)
	if err != nil {
		t.Fatalf("dial %s: %v (%v)", u, err, resp)
	}
	ch := make(chan wsMsg, 4096)
	go func() {
		defer close(ch)
		for {
			_, data, err := conn.ReadMessage()
			at := time.Now()
			if err != nil {
				return
			}
			var m wsMsg
			if err := json.Unmarshal(data, &m); err != nil {
				t.Errorf("bad WebSocket message %q: %v", data, err)
				return
			}
			m.at = at
			ch <- m
		}
	}()
	t.Cleanup(func() { conn.Close() })
	return ch
}

// ---- in-process tests ----

// No camera at start: the server still starts and the status says why and
// how to fix it.
func TestRunWithoutCamera(t *testing.T) {
	needModel(t)
	rs := startService(t, runOptions{camera: "/dev/video987"})
	if !strings.Contains(rs.out.String(), "posturewatch dashboard: http://127.0.0.1:") {
		t.Errorf("stdout %q does not give the dashboard URL", rs.out.String())
	}
	api := newAPIClient(t, rs.base)
	var st domain.LiveStatus
	deadline := time.Now().Add(patience)
	for {
		if code := api.call(t, "GET", "/api/status", nil, &st); code != 200 {
			t.Fatalf("GET /api/status: %d", code)
		}
		if st.Camera.Error != "" && !strings.HasPrefix(st.Camera.Error, "opening") || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if st.Camera.OK {
		t.Fatalf("camera reported OK: %+v", st.Camera)
	}
	if !strings.Contains(st.Camera.Error, "no such device") || !strings.Contains(st.Camera.Hint, "plug") {
		t.Errorf("camera status %+v: want the reason (no such device) and how to fix it", st.Camera)
	}
	if !strings.Contains(st.Message, "No picture") {
		t.Errorf("status message %q does not tell the user", st.Message)
	}
	// calibration is refused with a clear reason while there is no picture
	if code := api.call(t, "POST", "/api/calibration/start", map[string]any{}, nil); code != http.StatusServiceUnavailable {
		t.Errorf("calibration without a camera: HTTP %d, want 503", code)
	}
	if code := rs.stop(t); code != 0 {
		t.Errorf("exit code %d", code)
	}
}

// Settings saved from the dashboard survive a restart; a damaged settings
// file is kept aside, not lost, and the last good settings come back.
func TestRunSettingsPersist(t *testing.T) {
	needModel(t)
	cfgDir, dataDir := t.TempDir(), t.TempDir()
	o := runOptions{camera: "/dev/video987", configDir: cfgDir, dataDir: dataDir}
	rs := startService(t, o)
	api := newAPIClient(t, rs.base)
	var cfg map[string]any
	if code := api.call(t, "PATCH", "/api/config", map[string]any{"onset_delay_s": 35, "sensitivity": "high", "quiet_hours": "22:00-07:00"}, &cfg); code != 200 {
		t.Fatalf("PATCH /api/config: %d %v", code, cfg)
	}
	if code := api.call(t, "PATCH", "/api/config", map[string]any{"onset_delay_s": 500}, nil); code != 400 {
		t.Errorf("onset 500 s accepted: %d", code)
	}
	rs.stop(t)

	rs = startService(t, o)
	api = newAPIClient(t, rs.base)
	cfg = nil
	api.call(t, "GET", "/api/config", nil, &cfg)
	if cfg["onset_delay_s"] != 35.0 || cfg["sensitivity"] != "high" || cfg["quiet_hours"] != "22:00-07:00" {
		t.Errorf("after a restart the settings are %v", cfg)
	}
	rs.stop(t)

	// a damaged file: the last good settings come back, the user is told,
	// and the damaged file is kept
	if err := os.WriteFile(filepath.Join(cfgDir, store.ConfigName), []byte(`{"onset_delay_s": "soon"`), 0o600); err != nil {
		t.Fatal(err)
	}
	rs = startService(t, o)
	api = newAPIClient(t, rs.base)
	cfg = nil
	api.call(t, "GET", "/api/config", nil, &cfg)
	if cfg["onset_delay_s"] != 35.0 || cfg["sensitivity"] != "high" {
		t.Errorf("with a damaged file the settings are %v, want the last good ones", cfg)
	}
	var st domain.LiveStatus
	api.call(t, "GET", "/api/status", nil, &st)
	if !strings.Contains(st.Message, "last good settings were restored") {
		t.Errorf("the user is not told: status message %q", st.Message)
	}
	kept, _ := filepath.Glob(filepath.Join(cfgDir, store.ConfigName+".bad-*"))
	if len(kept) != 1 {
		t.Fatalf("damaged files kept: %v", kept)
	}
	if b, err := os.ReadFile(kept[0]); err != nil || !strings.Contains(string(b), "soon") {
		t.Errorf("the damaged settings were not kept aside: %v %q", err, b)
	}
	rs.stop(t)

	// no file at all (the user removed it): the defaults
	if err := os.Remove(filepath.Join(cfgDir, store.ConfigName)); err != nil {
		t.Fatal(err)
	}
	rs = startService(t, o)
	api = newAPIClient(t, rs.base)
	cfg = nil
	api.call(t, "GET", "/api/config", nil, &cfg)
	if cfg["onset_delay_s"] != domain.DefaultConfig().OnsetDelay.Seconds() {
		t.Errorf("without a settings file the settings are %v, want the defaults", cfg)
	}
}

// The live loop at 2× speed: calibration from the dashboard makes and
// activates a profile, a routine with chin tucks counts repetitions live,
// the preview goes only to a client that asked for it, and the nudge reaches
// the WebSocket client (how fast is measured by BenchmarkServiceCPU's
// ms-nudge, not asserted here: under -race on a loaded machine a wall-clock
// bound says more about the machine than the code).
func TestRunLiveCalibrationRoutinePreviewLatency(t *testing.T) {
	clip := replayClip(t, "forward-head-session.mp4")
	var mu sync.Mutex
	decided := map[string]time.Time{} // event key → when Step returned it
	cfgDir := t.TempDir()
	// 2× real time: calibration has to finish within the clip's good first
	// 20 s (10 s of wall time) even when -race and other test packages slow
	// the analysis to a frame or two a second (frames are analysed
	// newest-wins on the clip's wall-clock timeline: at 4× a loaded
	// machine took some of the calibration from the forward head after it).
	rs := startService(t, runOptions{source: clip, speed: 2, configDir: cfgDir,
		onEvent: func(e domain.Event, at time.Time) {
			mu.Lock()
			decided[eventKey(e)] = at
			mu.Unlock()
		}})
	api := newAPIClient(t, rs.base)
	plain := dialWS(t, rs.base, false)
	withPreview := dialWS(t, rs.base, true)

	// calibration during the good first 20 s of the clip, once frames flow
	waitSample(t, plain)
	if code := api.call(t, "POST", "/api/calibration/start", map[string]any{}, nil); code != 200 {
		t.Fatalf("calibration start: %d", code)
	}
	deadline := time.Now().Add(patience)
	for {
		var st domain.LiveStatus
		api.call(t, "GET", "/api/status", nil, &st)
		if st.State != domain.StateCalibrating {
			t.Fatalf("state %q while calibrating", st.State)
		}
		if st.CalibrationFrames >= 12 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d calibration frames after %v", st.CalibrationFrames, patience)
		}
		time.Sleep(50 * time.Millisecond)
	}
	var fin struct {
		Baseline *domain.Baseline  `json:"baseline"`
		Status   domain.LiveStatus `json:"status"`
	}
	if code := api.call(t, "POST", "/api/calibration/finish", map[string]any{"profile": "desk"}, &fin); code != 200 {
		t.Fatalf("calibration finish: %d", code)
	}
	if fin.Baseline == nil || fin.Baseline.Name != "desk" || fin.Baseline.Frames < domain.MinCalibrationFrames || fin.Status.Profile != "desk" {
		t.Fatalf("calibration gave %+v, status profile %q", fin.Baseline, fin.Status.Profile)
	}
	if _, err := os.Stat(filepath.Join(cfgDir, "profiles", "desk.json")); err != nil {
		t.Errorf("profile not saved in the config dir: %v", err)
	}
	var profiles struct {
		Profiles []domain.ProfileInfo `json:"profiles"`
	}
	api.call(t, "GET", "/api/profiles", nil, &profiles)
	if len(profiles.Profiles) != 1 || !profiles.Profiles[0].Active || profiles.Profiles[0].Name != "desk" {
		t.Errorf("profiles %+v, want desk active", profiles.Profiles)
	}

	// a routine for forward head: chin tucks first, counted by the camera
	var rr struct {
		Routine *domain.Routine `json:"routine"`
	}
	if code := api.call(t, "POST", "/api/routine/start", map[string]any{"faults": []string{"forward_head"}}, &rr); code != 200 || rr.Routine == nil || len(rr.Routine.Items) == 0 {
		t.Fatalf("routine start: %d %+v", code, rr.Routine)
	}
	first := rr.Routine.Items[0].Exercise
	if code := api.call(t, "POST", "/api/routine/exercise-done", map[string]any{"routine_id": rr.Routine.ID, "exercise_id": "no-such-exercise"}, nil); code != 404 {
		t.Errorf("unknown exercise: %d, want 404", code)
	}

	// wait for: reps (if the first exercise is camera-checked), preview, the nudge
	var (
		nudges         []wsMsg
		stateFwd       bool
		reps, previews int
		plainPreviews  int
		samples        int
	)
	timeout := time.After(patience)
	breakOver := false // the stretch break holds the nudges: end it once reps and previews are seen
	for len(nudges) == 0 || (first.Checkable != "" && reps == 0) || previews == 0 {
		if !breakOver && (first.Checkable == "" || reps > 0) && previews > 0 {
			if code := api.call(t, "POST", "/api/routine/stop", map[string]any{}, nil); code != 200 {
				t.Fatalf("routine stop: %d", code)
			}
			breakOver = true
		}
		select {
		case m, ok := <-plain:
			if !ok {
				t.Fatal("WebSocket closed")
			}
			switch m.Type {
			case webui.MsgPreview:
				plainPreviews++
			case webui.MsgSample:
				samples++
			case webui.MsgReps:
				if m.Reps.ExerciseID == first.ID && m.Reps.RoutineID == rr.Routine.ID {
					reps++
				}
			case webui.MsgEvent:
				if m.Event.Type == domain.EventState && m.Event.State == domain.StateSlouching && m.Event.Fault == domain.ForwardHead {
					stateFwd = true
				}
				if m.Event.Type == domain.EventNudge {
					if !breakOver {
						t.Errorf("a nudge during the stretch break: %+v", m.Event)
					}
					nudges = append(nudges, m)
				}
			}
		case m, ok := <-withPreview:
			if ok && m.Type == webui.MsgPreview {
				p := m.Preview
				if len(p.JPEG) < 1000 || p.JPEG[0] != 0xFF || p.JPEG[1] != 0xD8 || p.Width > 640 || p.Width < 100 || len(p.Keypoints) == 0 {
					t.Errorf("preview frame: %d bytes, %dx%d, %d keypoints", len(p.JPEG), p.Width, p.Height, len(p.Keypoints))
				}
				previews++
			}
		case <-timeout:
			t.Fatalf("after %v: %d nudges, %d reps messages (first exercise %s, checkable %q), %d previews", patience, len(nudges), reps, first.ID, first.Checkable, previews)
		}
	}
	if plainPreviews > 0 {
		t.Errorf("%d preview frames went to a client that did not ask", plainPreviews)
	}
	if samples == 0 || !stateFwd {
		t.Errorf("samples %d, state change to forward head seen %v", samples, stateFwd)
	}
	n := nudges[0]
	if n.Event.Fault != domain.ForwardHead {
		t.Errorf("nudge for %s, want forward_head", n.Event.Fault)
	}
	mu.Lock()
	at, ok := decided[eventKey(*n.Event)]
	mu.Unlock()
	if !ok {
		t.Fatal("the nudge was not seen leaving coach.Step")
	}
	if lat := n.at.Sub(at); lat < 0 {
		t.Errorf("the nudge reached the client %v before the coach decided it", -lat)
	} else {
		t.Logf("nudge latency (coach.Step → WebSocket client): %v", lat)
	}

	// a routine played to its end: stretch events and back to no routine
	if code := api.call(t, "POST", "/api/routine/start", map[string]any{"faults": []string{"forward_head"}}, &rr); code != 200 || rr.Routine == nil {
		t.Fatalf("second routine start: %d", code)
	}
	first = rr.Routine.Items[0].Exercise
	if code := api.call(t, "POST", "/api/routine/exercise-done", map[string]any{"routine_id": rr.Routine.ID, "exercise_id": first.ID}, nil); code != 200 {
		t.Errorf("exercise done: %d", code)
	}
	if code := api.call(t, "POST", "/api/routine/exercise-done", map[string]any{"routine_id": rr.Routine.ID}, nil); code != 200 {
		t.Errorf("routine done: %d", code)
	}
	var st domain.LiveStatus
	api.call(t, "GET", "/api/status", nil, &st)
	if st.Routine != nil && st.Routine.ID == rr.Routine.ID {
		t.Errorf("routine still shown after it was done")
	}
	var stats domain.StatsSnapshot
	api.call(t, "GET", "/api/stats", nil, &stats)
	done := 0
	for _, d := range stats.Days {
		done += d.BreaksDone
	}
	if done != 1 {
		t.Errorf("breaks done %d, want 1", done)
	}

	// deleting the profile in use goes back to the defaults
	if code := api.call(t, "DELETE", "/api/profiles/desk", nil, nil); code != 200 {
		t.Errorf("delete profile: %d", code)
	}
	st = domain.LiveStatus{}
	api.call(t, "GET", "/api/status", nil, &st)
	if st.Profile != "" || st.Baseline != "defaults" {
		t.Errorf("after deleting the profile: profile %q baseline %q", st.Profile, st.Baseline)
	}
	if code := api.call(t, "POST", "/api/profiles/desk/activate", nil, nil); code != 404 {
		t.Errorf("activating a deleted profile: %d, want 404", code)
	}
}

// waitSample waits for the first live sample.
func waitSample(t testing.TB, ch <-chan wsMsg) {
	t.Helper()
	timeout := time.After(patience)
	for {
		select {
		case m, ok := <-ch:
			if !ok {
				t.Fatal("WebSocket closed before the first sample")
			}
			if m.Type == webui.MsgSample {
				return
			}
		case <-timeout:
			t.Fatalf("no sample within %v", patience)
		}
	}
}

func eventKey(e domain.Event) string {
	return fmt.Sprintf("%s/%s/%s/%d", e.Type, e.State, e.Fault, e.Time.UnixNano())
}

// --open hands the dashboard URL to xdg-open when there is one, and the
// service runs all the same when there is none.
func TestRunOpenBrowser(t *testing.T) {
	needModel(t)
	bin := t.TempDir()
	got := filepath.Join(t.TempDir(), "opened.txt")
	script := "#!/bin/sh\nprintf '%s' \"$1\" > " + got + "\n"
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	rs := startService(t, runOptions{camera: "/dev/video987", open: true})
	var opened []byte
	deadline := time.Now().Add(patience)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(got); err == nil && len(b) > 0 {
			opened = b
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if string(opened) != rs.base+"/" {
		t.Errorf("xdg-open got %q, want the dashboard URL %q", opened, rs.base+"/")
	}
	if code := rs.stop(t); code != 0 {
		t.Errorf("exit %d", code)
	}

	t.Setenv("PATH", t.TempDir()) // no xdg-open at all
	rs = startService(t, runOptions{camera: "/dev/video987", open: true})
	api := newAPIClient(t, rs.base)
	if code := api.call(t, "GET", "/api/status", nil, nil); code != 200 {
		t.Errorf("without xdg-open the dashboard answers %d", code)
	}
}

// Settings from config.json are used from the start; the coach's stretch
// suggestion can be started by its id right after the dashboard hears of it.
func TestRunSuggestedRoutineStartsByID(t *testing.T) {
	clip := replayClip(t, "forward-head-session.mp4")
	cfgDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(cfgDir, store.ConfigName), []byte(`{"repeat_nudges": 1, "onset_delay_s": 5}`), 0o600); err != nil {
		t.Fatal(err)
	}
	rs := startService(t, runOptions{source: clip, speed: 8, configDir: cfgDir})
	api := newAPIClient(t, rs.base)
	ws := dialWS(t, rs.base, false)
	var sugg *domain.Routine
	timeout := time.After(patience)
	for sugg == nil {
		select {
		case m, ok := <-ws:
			if !ok {
				t.Fatal("WebSocket closed")
			}
			if m.Type == webui.MsgEvent && m.Event.Type == domain.EventSuggestion {
				if m.Event.Routine == nil {
					t.Fatalf("suggestion without a routine: %+v", m.Event)
				}
				sugg = m.Event.Routine
			}
		case <-timeout:
			t.Fatalf("no stretch suggestion within %v (repeat_nudges 1, onset 5 s)", patience)
		}
	}
	if len(sugg.Faults) == 0 || sugg.Faults[0] != domain.ForwardHead {
		t.Errorf("suggestion for %v, want forward head", sugg.Faults)
	}
	var rr struct {
		Routine *domain.Routine `json:"routine"`
	}
	if code := api.call(t, "POST", "/api/routine/start", map[string]any{"id": sugg.ID}, &rr); code != 200 || rr.Routine == nil || rr.Routine.ID != sugg.ID {
		t.Fatalf("start the suggested routine %s: %d %+v", sugg.ID, code, rr.Routine)
	}
	if code := api.call(t, "POST", "/api/routine/start", map[string]any{"id": "routine-nope"}, nil); code != 404 {
		t.Errorf("unknown routine id: %d, want 404", code)
	}
	var cfg map[string]any
	api.call(t, "GET", "/api/config", nil, &cfg)
	if cfg["repeat_nudges"] != 1.0 || cfg["onset_delay_s"] != 5.0 {
		t.Errorf("config.json not in use: %v", cfg)
	}
}
