package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"posturewatch/coach/domain"
	"posturewatch/coach/store"
)

// scrapeMetrics reads /metrics into name{labels} → value.
func scrapeMetrics(t *testing.T, base string, host string) (int, map[string]float64) {
	t.Helper()
	req, err := http.NewRequest("GET", base+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	m := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			m[line[:i]] = v
		}
	}
	return resp.StatusCode, m
}

// hookCall is one call the webhook receiver got.
type hookCall struct {
	status int
	body   map[string]any
	at     time.Time
}

// The demo clip through the real run wiring with --metrics and --webhook,
// and a coach setting from the environment: the metrics follow the state
// (good, then forward head with its nudge and time), the webhook receiver
// gets the nudge, and a call it fails is retried; the environment's
// setting is in use but never saved into the file.
//
// The clip plays at 2×: the metrics are read while its good first 20 s and
// its forward head (20–60 s) last, on the wall clock, so a loaded machine
// must still analyse frames often enough and the test must still see them
// (at 8× both lasted a few seconds of wall time, see TestRunEndToEnd).
func TestRunMetricsWebhookAndEnvironment(t *testing.T) {
	clip := replayClip(t, "forward-head-session.mp4")
	dataDir, cfgDir := t.TempDir(), t.TempDir()

	var mu sync.Mutex
	var calls []hookCall
	nudged := make(chan map[string]any, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		data, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(data, &body); err != nil || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("webhook body %q (%v), content type %q", data, err, r.Header.Get("Content-Type"))
		}
		mu.Lock()
		defer mu.Unlock()
		status := http.StatusNoContent
		if len(calls) == 0 {
			status = http.StatusInternalServerError // the first call fails: it must come again
		}
		calls = append(calls, hookCall{status: status, body: body, at: time.Now()})
		w.WriteHeader(status)
		if body["type"] == "nudge" && status < 300 {
			nudged <- body
		}
	}))
	defer hook.Close()

	cmd, base, errb := startProgramEnv(t, []string{"POSTUREWATCH_COOLDOWN_S=600"},
		"run", "--source", clip, "--speed", "2", "--listen", "127.0.0.1:0",
		"--data-dir", dataDir, "--config-dir", cfgDir, "--metrics", "--webhook", hook.URL+"/hook/SECRET-PATH?token=SECRET-TOKEN")
	api := newAPIClient(t, base)

	// good posture first: the state, the camera and the frame timings
	var early map[string]float64
	deadline := time.Now().Add(patience)
	for {
		code, m := scrapeMetrics(t, base, "")
		if code != 200 {
			t.Fatalf("/metrics: %d", code)
		}
		if m[`posturewatch_posture_state{state="good"}`] == 1 && m["posturewatch_frame_analysis_seconds_count"] > 0 {
			early = m
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no good state with analysed frames in the metrics within %v: %v", patience, m)
		}
		time.Sleep(100 * time.Millisecond) // polling a live program, not timing it
	}
	if early[`posturewatch_camera_state{state="ok"}`] != 1 || early[`posturewatch_nudges_total{fault="forward_head"}`] != 0 ||
		early["posturewatch_frame_analysis_seconds_sum"] <= 0 {
		t.Errorf("early metrics: camera ok %v, nudges %v, analysis sum %v", early[`posturewatch_camera_state{state="ok"}`],
			early[`posturewatch_nudges_total{fault="forward_head"}`], early["posturewatch_frame_analysis_seconds_sum"])
	}
	if code, _ := scrapeMetrics(t, base, "attacker.example:80"); code != http.StatusForbidden {
		t.Errorf("/metrics with a foreign Host: %d, want 403", code)
	}

	var nudge map[string]any
	select {
	case nudge = <-nudged:
	case <-time.After(patience):
		mu.Lock()
		n := len(calls)
		mu.Unlock()
		t.Fatalf("no nudge reached the webhook within %v; calls %d; stderr:\n%s", patience, n, errb.String())
	}
	if nudge["fault"] != "forward_head" || nudge["source"] != "posturewatch" || !strings.Contains(nudge["message"].(string), "chin") {
		t.Errorf("webhook nudge %v", nudge)
	}
	// the time per fault grows while the head stays forward
	var late map[string]float64
	for deadline := time.Now().Add(patience); ; {
		_, late = scrapeMetrics(t, base, "")
		if (late[`posturewatch_slouch_seconds_total{fault="forward_head"}`] >= 4 && late[`posturewatch_webhook_events_total{outcome="sent"}`] >= 1) ||
			time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond) // polling a live program, not timing it
	}
	if late[`posturewatch_nudges_total{fault="forward_head"}`] != 1 || late[`posturewatch_posture_state{state="slouching"}`] != 1 ||
		late[`posturewatch_posture_state{state="good"}`] != 0 || late[`posturewatch_slouch_seconds_total{fault="forward_head"}`] < 4 ||
		late["posturewatch_frame_analysis_seconds_count"] <= early["posturewatch_frame_analysis_seconds_count"] ||
		late[`posturewatch_webhook_events_total{outcome="sent"}`] < 1 {
		t.Errorf("metrics after the nudge: nudges %v, slouching %v, good %v, forward-head seconds %v, frames %v → %v, webhook sent %v",
			late[`posturewatch_nudges_total{fault="forward_head"}`], late[`posturewatch_posture_state{state="slouching"}`],
			late[`posturewatch_posture_state{state="good"}`], late[`posturewatch_slouch_seconds_total{fault="forward_head"}`],
			early["posturewatch_frame_analysis_seconds_count"], late["posturewatch_frame_analysis_seconds_count"],
			late[`posturewatch_webhook_events_total{outcome="sent"}`])
	}
	mu.Lock()
	if len(calls) < 2 || calls[0].status != 500 || calls[1].body["id"] != calls[0].body["id"] || calls[1].status >= 300 {
		t.Errorf("the failed first call was not retried: %+v", calls)
	} else if gap := calls[1].at.Sub(calls[0].at); gap < 900*time.Millisecond {
		t.Errorf("retried after %v, want the 1 s backoff", gap)
	}
	mu.Unlock()

	// the environment's cooldown is in use, and a save keeps it out of the file
	var cfg domain.Config
	api.call(t, "GET", "/api/config", nil, &cfg)
	if cfg.Cooldown.D() != 10*time.Minute {
		t.Errorf("cooldown in use %v, want the environment's 10 min", cfg.Cooldown)
	}
	if code := api.call(t, "PATCH", "/api/config", map[string]any{"sensitivity": "high"}, nil); code != 200 {
		t.Errorf("PATCH sensitivity: %d", code)
	}
	var refused map[string]any
	if code := api.call(t, "PATCH", "/api/config", map[string]any{"cooldown_s": 60}, &refused); code != http.StatusConflict ||
		!strings.Contains(refused["error"].(string), "POSTUREWATCH_COOLDOWN_S") {
		t.Errorf("PATCH of the environment's setting: %d %v, want 409 naming the variable", code, refused)
	}
	data, err := os.ReadFile(filepath.Join(cfgDir, store.ConfigName))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"high"`) || strings.Contains(string(data), "cooldown_s") {
		t.Errorf("settings file after the dashboard's save:\n%s\nwant sensitivity high and no cooldown (the file never had one)", data)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit: %v", err)
	}
	if logs := errb.String(); strings.Contains(logs, "SECRET") || !strings.Contains(logs, "POSTUREWATCH_COOLDOWN_S") {
		t.Errorf("log: the webhook's secret must not appear, the environment's setting must:\n%s", logs)
	}
}

// Bad settings from the environment, the file's run section or the command
// line stop the start with the reason and exit 2.
func TestRunRefusesBadOutsideSettings(t *testing.T) {
	dir := t.TempDir()
	clip := replayClip(t, "forward-head-session.mp4")
	run := func(args ...string) (int, string) {
		var out, errb syncBuffer
		code := runRun(append(args, "--data-dir", dir, "--config-dir", dir, "--source", clip, "--listen", "127.0.0.1:0"), &out, &errb)
		return code, errb.String()
	}
	if code, msg := run("--webhook", "ftp://files.example/x?SECRET"); code != 2 || !strings.Contains(msg, "--webhook") ||
		!strings.Contains(msg, "only http and https") || strings.Contains(msg, "SECRET") {
		t.Errorf("--webhook ftp: exit %d %q", code, msg)
	}
	t.Run("environment", func(t *testing.T) {
		t.Setenv("POSTUREWATCH_ONSET_DELAY_S", "soon")
		if code, msg := run(); code != 2 || !strings.Contains(msg, "POSTUREWATCH_ONSET_DELAY_S") {
			t.Errorf("exit %d %q", code, msg)
		}
		t.Setenv("POSTUREWATCH_ONSET_DELAY_S", "900")
		if code, msg := run(); code != 2 || !strings.Contains(msg, "POSTUREWATCH_ONSET_DELAY_S: onset_delay_s") {
			t.Errorf("exit %d %q", code, msg)
		}
	})
	t.Run("file", func(t *testing.T) {
		if err := os.WriteFile(filepath.Join(dir, store.ConfigName), []byte(`{"run": {"webhook": "gopher://h/SECRET"}}`), 0o600); err != nil {
			t.Fatal(err)
		}
		if code, msg := run(); code != 2 || !strings.Contains(msg, `"run" section`) || strings.Contains(msg, "SECRET") {
			t.Errorf("exit %d %q", code, msg)
		}
	})
}
