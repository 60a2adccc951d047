package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"posturewatch/coach/domain"
	"posturewatch/coach/history"
	"posturewatch/coach/store"
	"posturewatch/webui"
)

// TestRunMainProcess is not a test: it is the `posturewatch` program when
// the end-to-end tests start this test binary as a subprocess (the usual
// helper-process pattern), so the real main path — flags, signals, exit
// code — runs in its own process.
func TestRunMainProcess(t *testing.T) {
	if os.Getenv("POSTUREWATCH_RUN_MAIN") != "1" {
		return
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	os.Exit(dispatch(args, os.Stdout, os.Stderr))
}

// startProgram starts `posturewatch ARGS…` as a subprocess and returns it
// with the dashboard base URL it printed.
func startProgram(t *testing.T, args ...string) (*exec.Cmd, string, *syncBuffer) {
	t.Helper()
	return startProgramEnv(t, nil, args...)
}

// startProgramEnv is startProgram with more environment variables.
func startProgramEnv(t *testing.T, env []string, args ...string) (*exec.Cmd, string, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestRunMainProcess$", "--"}, args...)...)
	cmd.Env = append(append(os.Environ(), "POSTUREWATCH_RUN_MAIN=1", "OPENCV_LOG_LEVEL=ERROR"), env...)
	var errb syncBuffer
	cmd.Stderr = &errb
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
		if t.Failed() {
			t.Logf("program stderr:\n%s", errb.String())
		}
	})
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "posturewatch dashboard: "); ok {
				urlc <- u
			}
		}
	}()
	select {
	case u := <-urlc:
		if !strings.HasPrefix(u, "http://127.0.0.1:") || strings.HasSuffix(u, ":0/") {
			t.Fatalf("dashboard URL %q: want the real loopback port", u)
		}
		return cmd, strings.TrimSuffix(u, "/"), &errb
	case <-time.After(patience):
		t.Fatalf("no dashboard URL printed within %v; stderr:\n%s", patience, errb.String())
	}
	return nil, "", nil
}

// End to end, as a user runs it: the program plays the forward-head clip
// (2× faster, the coach on video time); a WebSocket client gets samples, the
// change to forward head and exactly one nudge 40–45 s into the video; a
// pause from the API closes the source; SIGTERM stops the program cleanly
// and the history database holds the session.
//
// The clip plays on the wall clock and frames are analysed newest-wins, so
// a slow analysis leaves gaps in video time: 8× under -race on a loaded
// 2-core machine left ~5 s between frames and no nudge before the clip's
// forward head ended. At 2× the gaps stay near a second of video. The test's
// own waits are in video time (the samples' clock) or only bound a failure.
func TestRunEndToEnd(t *testing.T) {
	clip := replayClip(t, "forward-head-session.mp4")
	dataDir, cfgDir := t.TempDir(), t.TempDir()
	cmd, base, errb := startProgram(t, "run", "--source", clip, "--speed", "2", "--listen", "127.0.0.1:0",
		"--data-dir", dataDir, "--config-dir", cfgDir, "--log-level", "info")
	ws := dialWS(t, base, false)
	api := newAPIClient(t, base)

	var (
		samples  int
		stateFwd *domain.Event
		nudges   []domain.Event
	)
	timeout := time.After(patience)
collect:
	for {
		select {
		case m, ok := <-ws:
			if !ok {
				t.Fatal("WebSocket closed")
			}
			switch m.Type {
			case webui.MsgSample:
				samples++
				// 12 s more of video after the nudge: no second nudge
				if len(nudges) > 0 && !m.Sample.At.Before(nudges[0].Time.Add(12*time.Second)) {
					break collect
				}
			case webui.MsgEvent:
				e := *m.Event
				if e.Type == domain.EventState && e.State == domain.StateSlouching && e.Fault == domain.ForwardHead && stateFwd == nil {
					stateFwd = &e
				}
				if e.Type == domain.EventNudge {
					nudges = append(nudges, e)
				}
			}
		case <-timeout:
			t.Fatalf("after %v: %d samples, forward-head state %v, nudges %+v", patience, samples, stateFwd != nil, nudges)
		}
	}
	if stateFwd != nil && len(nudges) > 0 {
		t.Logf("%d samples; forward head from %.1f s, nudged at %.1f s of video", samples, stateFwd.Offset.Seconds(), nudges[0].Offset.Seconds())
	}
	if samples < 10 {
		t.Errorf("only %d samples", samples)
	}
	if stateFwd == nil {
		t.Fatal("no state change to forward head")
	}
	if ts := stateFwd.Offset.Seconds(); ts < 20 || ts > 45 {
		t.Errorf("forward head state at %.1f s of video, want after 20 s (and before the nudge)", ts)
	}
	if len(nudges) != 1 || nudges[0].Fault != domain.ForwardHead {
		t.Fatalf("want exactly one forward_head nudge, got %+v", nudges)
	}
	if ts := nudges[0].Offset.Seconds(); ts < 40 || ts > 45 {
		t.Errorf("nudge at %.1f s of video, want 40–45 s (20 s + the 20 s onset delay, +5 s)", ts)
	}
	if nudges[0].Message == "" || nudges[0].Fix == "" {
		t.Errorf("nudge without words: %+v", nudges[0])
	}

	// pause: the source is closed and the status says so
	var st domain.LiveStatus
	if code := api.call(t, "POST", "/api/pause", map[string]any{"minutes": 15}, &st); code != 200 {
		t.Fatalf("POST /api/pause: %d", code)
	}
	if st.State != domain.StatePaused || !st.Camera.Released || st.Camera.OK {
		t.Errorf("pause answered state %q camera %+v, want paused and released", st.State, st.Camera)
	}
	released := false
	deadline := time.After(patience)
	for !released {
		select {
		case m, ok := <-ws:
			if !ok {
				t.Fatal("WebSocket closed")
			}
			if m.Type == webui.MsgStatus && m.Status.Camera.Released {
				released = true
			}
		case <-deadline:
			t.Fatalf("no status with the camera released within %v of the pause", patience)
		}
	}
	// With the source closed no frame comes. What may still land after the
	// release: the sample of a frame the pipeline was analysing when the
	// source closed, and one published before it that the client's pacing
	// held back (its slot keeps only the newest). A third would be a frame
	// read after the release. How long this looks only bounds the check;
	// however slow the machine, it cannot make a third sample.
	late := 0
	look := time.After(3 * time.Second)
watchReleased:
	for {
		select {
		case m, ok := <-ws:
			if !ok {
				t.Fatal("WebSocket closed")
			}
			if m.Type == webui.MsgSample {
				late++
			}
		case <-look:
			break watchReleased
		}
	}
	if late > 2 {
		t.Errorf("%d samples after the camera was released, want at most the 2 already on their way", late)
	}
	st = domain.LiveStatus{}
	api.call(t, "GET", "/api/status", nil, &st)
	if st.State != domain.StatePaused || st.PausedUntil.IsZero() || !st.Camera.Released {
		t.Errorf("GET /api/status: state %q until %v camera %+v", st.State, st.PausedUntil, st.Camera)
	}

	// SIGTERM: a clean exit, history flushed. How long it takes on a loaded
	// machine is not this test's business; that nothing held it up is: the
	// one bounded step, the dashboard's shutdown, logs a warning when it
	// runs out of its 5 s, and a hang runs into the guard.
	t0 := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(patience):
		t.Fatalf("still running %v after SIGTERM", patience)
	}
	t.Logf("stopped %v after SIGTERM", time.Since(t0).Round(time.Millisecond))
	if !strings.Contains(errb.String(), "stopped") {
		t.Errorf("no clean stop in the log:\n%s", errb.String())
	}
	if strings.Contains(errb.String(), "dashboard shutdown") {
		t.Errorf("the dashboard's shutdown ran out of time:\n%s", errb.String())
	}

	h, err := history.Open(filepath.Join(dataDir, history.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	ctx := context.Background()
	from, to := time.Now().Add(-2*time.Hour), time.Now().Add(2*time.Hour)
	mins, err := h.Minutes(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	present, fwd := 0.0, 0.0
	for _, m := range mins {
		present += m.PresentS
		fwd += m.FaultS[domain.ForwardHead]
	}
	// the session ran ~45–55 s of video before the pause
	if present < 35 || present > 90 || fwd < 1 {
		t.Errorf("history minutes: present %.1f s, forward head %.1f s over %d minutes", present, fwd, len(mins))
	}
	evs, err := h.Events(ctx, from, to, 0)
	if err != nil {
		t.Fatal(err)
	}
	var hn, hp int
	for _, e := range evs {
		switch e.Event.Type {
		case domain.EventNudge:
			hn++
			if e.Event.Fault != domain.ForwardHead {
				t.Errorf("stored nudge for %s", e.Event.Fault)
			}
		case domain.EventPaused:
			hp++
		}
	}
	if hn != 1 || hp != 1 {
		t.Errorf("history holds %d nudges and %d pauses, want 1 and 1 (of %d events)", hn, hp, len(evs))
	}

	// started again on the same data, the dashboard still counts today's
	// time: what the history holds for the day the restarted service calls
	// today. That day is read before the start and after the status: when
	// midnight falls between (or between the session and the restart), the
	// service's today is one of the two, and the session's minutes count
	// only if they are on it.
	dayOf := func(at time.Time) time.Time {
		y, m, d := at.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.Local)
	}
	heldOn := func(day time.Time) (present, good float64) {
		ms, err := h.Minutes(ctx, day, day.AddDate(0, 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			present += m.PresentS
			good += m.GoodS
		}
		return present, good
	}
	if len(mins) == 0 {
		t.Fatal("the session left no minutes in the history")
	}
	sessionDay := dayOf(mins[len(mins)-1].Start)
	before := dayOf(time.Now())
	rs := startService(t, runOptions{camera: "/dev/video987", dataDir: dataDir, configDir: cfgDir})
	st = domain.LiveStatus{}
	newAPIClient(t, rs.base).call(t, "GET", "/api/status", nil, &st)
	after := dayOf(time.Now())
	if !sessionDay.Equal(before) || !before.Equal(after) {
		t.Logf("midnight passed: the session's last minute is of %s, the restart between %s and %s", sessionDay.Format(time.DateOnly), before.Format(time.DateOnly), after.Format(time.DateOnly))
	}
	counted := false
	var wantPresent, wantGood float64
	for _, day := range []time.Time{before, after} {
		wantPresent, wantGood = heldOn(day)
		if st.PresentTodayS == wantPresent && st.GoodTodayS == wantGood {
			counted = true
			break
		}
	}
	if !counted {
		t.Errorf("after a restart: present today %.1f s, good today %.1f s; history holds %.1f and %.1f", st.PresentTodayS, st.GoodTodayS, wantPresent, wantGood)
	}
	if p, _ := heldOn(before); before.Equal(after) && before.Equal(sessionDay) && p < 1 {
		t.Errorf("the history holds %.1f s for today, the session's day", p)
	}
}

// Bad command lines are refused with a clear message before anything starts.
func TestRunBadArguments(t *testing.T) {
	dir := t.TempDir()
	// Random bytes with a video's name: it must be refused at start, not retried for ever.
	if err := os.WriteFile(filepath.Join(dir, "fake.mp4"), []byte("not a video at all, just text"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--speed", "8"}, 2, "--speed works only with --source"},
		{[]string{"--loop"}, 2, "--loop works only with --source"},
		{[]string{"--source", filepath.Join(dir, "none.mp4")}, 2, "no such file"},
		{[]string{"--source", "run.go"}, 2, "not a video file"},
		{[]string{"--source", filepath.Join(dir, "fake.mp4")}, 2, "cannot open it"},
		{[]string{"--camera", "1", "--source", "x.mp4"}, 2, "choose one"},
		{[]string{"extra"}, 2, "unexpected argument"},
		{[]string{"--profile", "../etc"}, 2, "--profile"},
		{[]string{"--log-level", "loud"}, 2, "log level"},
		{[]string{"--camera", "no such camera name"}, 2, "posturewatch cameras"},
		{[]string{"--camera", "/dev/null"}, 2, "not a Video4Linux device"},
	}
	for _, c := range cases {
		var out, errb syncBuffer
		code := runRun(append(c.args, "--data-dir", dir, "--config-dir", dir), &out, &errb)
		if code != c.code || !strings.Contains(errb.String(), c.want) {
			t.Errorf("run %v: exit %d, stderr %q; want exit %d and %q", c.args, code, errb.String(), c.code, c.want)
		}
	}
	var out, errb syncBuffer
	if code := runRun([]string{"-h"}, &out, &errb); code != 0 || strings.Contains(errb.String(), "--speed") || !strings.Contains(errb.String(), "--source") {
		t.Errorf("help: exit %d, text %q (the testing flag --speed must stay hidden)", code, errb.String())
	}
}

// A profile that does not exist, or a remote address without a token, stops
// the start with the reason.
func TestRunRefusesMissingProfileAndOpenRemote(t *testing.T) {
	needModel(t)
	dir := t.TempDir()
	var out, errb syncBuffer
	code := runService(context.Background(), runOptions{camera: "/dev/video987", profile: "nosuch",
		listen: "127.0.0.1:0", dataDir: dir, configDir: dir, log: svcLogger(t)}, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), `profile "nosuch"`) {
		t.Errorf("missing profile: exit %d, %q", code, errb.String())
	}
	errb = syncBuffer{}
	code = runService(context.Background(), runOptions{camera: "/dev/video987",
		listen: "0.0.0.0:0", dataDir: dir, configDir: dir, log: svcLogger(t)}, &out, &errb)
	if code != 2 || !strings.Contains(errb.String(), "token") {
		t.Errorf("remote listen without a token: exit %d, %q", code, errb.String())
	}
}

// Finished minutes and events reach the database while the program runs, so
// a kill -9 loses at most the current minute.
func TestRunHistorySurvivesKill(t *testing.T) {
	clip := replayClip(t, "forward-head-session.mp4")
	dataDir, cfgDir := t.TempDir(), t.TempDir()
	cmd, _, _ := startProgram(t, "run", "--source", clip, "--loop", "--speed", "10", "--listen", "127.0.0.1:0",
		"--data-dir", dataDir, "--config-dir", cfgDir, "--log-level", "warn")
	h, err := history.Open(filepath.Join(dataDir, history.FileName))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	from, to := time.Now().Add(-2*time.Hour), time.Now().Add(2*time.Hour)
	var mins []domain.MinuteAggregate
	deadline := time.Now().Add(patience)
	for len(mins) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no finished minute in the database after %v (a minute of video takes 6 s)", patience)
		}
		time.Sleep(200 * time.Millisecond)
		if mins, err = h.Minutes(ctx, from, to); err != nil {
			t.Fatal(err)
		}
	}
	h.Close()
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	h, err = history.Open(filepath.Join(dataDir, history.FileName))
	if err != nil {
		t.Fatalf("history after kill -9: %v", err)
	}
	defer h.Close()
	after, err := h.Minutes(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) < len(mins) || after[0].PresentS <= 0 {
		t.Errorf("after kill -9 the database holds %d minutes (saw %d while running): %+v", len(after), len(mins), after)
	}
	evs, err := h.Events(ctx, from, to, 0, string(domain.EventState))
	if err != nil || len(evs) == 0 {
		t.Errorf("no state events after kill -9: %v", err)
	}
}

// Monitoring starts whatever state the history is in, and the dashboard
// says what happened: a damaged database is moved aside for a fresh one; a
// directory in its place means a run without history.
func TestRunStartsWithBrokenHistory(t *testing.T) {
	needModel(t)
	garbage := t.TempDir()
	if err := os.WriteFile(filepath.Join(garbage, history.FileName), []byte(strings.Repeat("damaged ", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	rs := startService(t, runOptions{camera: "/dev/video987", dataDir: garbage})
	var st domain.LiveStatus
	newAPIClient(t, rs.base).call(t, "GET", "/api/status", nil, &st)
	kept, _ := filepath.Glob(filepath.Join(garbage, history.FileName+".damaged-*"))
	if len(kept) != 1 || !strings.Contains(st.Message, kept[0]) {
		t.Errorf("damaged database: kept %v, status message %q", kept, st.Message)
	}
	rs.stop(t)

	dirInPlace := t.TempDir()
	if err := os.Mkdir(filepath.Join(dirInPlace, history.FileName), 0o700); err != nil {
		t.Fatal(err)
	}
	rs = startService(t, runOptions{camera: "/dev/video987", dataDir: dirInPlace})
	api := newAPIClient(t, rs.base)
	st = domain.LiveStatus{}
	api.call(t, "GET", "/api/status", nil, &st)
	if !strings.Contains(st.Message, "History is not kept in this run") {
		t.Errorf("history.db a directory: status message %q", st.Message)
	}
	var m map[string]any
	if code := api.call(t, "GET", "/api/history", nil, &m); code != 503 {
		t.Errorf("GET /api/history without history: %d %v", code, m)
	}
}

// A damaged profile, even the active one, hides none of the others, and the
// status says why the defaults are in use instead of "no profile".
func TestRunWithDamagedProfile(t *testing.T) {
	needModel(t)
	cfgDir := t.TempDir()
	profiles, err := store.NewProfileStore(filepath.Join(cfgDir, "profiles"))
	if err != nil {
		t.Fatal(err)
	}
	good := &domain.Baseline{Name: "desk", Version: domain.MetricsVersion, Frames: 20, Created: time.Now(),
		Metrics: map[string]domain.Stat{domain.MetricNeckShoulders: {Median: 0.5, MAD: 0.02, N: 20}}}
	if err := profiles.Save(good); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfgDir, "profiles", "laptop.json"), []byte(`{"name":"laptop","metrics":{`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfgDir, "profiles", "active"), []byte("laptop\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rs := startService(t, runOptions{camera: "/dev/video987", configDir: cfgDir})
	api := newAPIClient(t, rs.base)
	var st domain.LiveStatus
	api.call(t, "GET", "/api/status", nil, &st)
	if !strings.Contains(st.Message, `Your profile "laptop" cannot be used`) {
		t.Errorf("status message %q", st.Message)
	}
	var res struct {
		Profiles []domain.ProfileInfo `json:"profiles"`
	}
	if code := api.call(t, "GET", "/api/profiles", nil, &res); code != 200 || len(res.Profiles) != 2 || res.Profiles[1].Problem == "" || res.Profiles[0].Problem != "" {
		t.Errorf("profiles: %d %+v", code, res.Profiles)
	}
	if code := api.call(t, "POST", "/api/profiles/desk/activate", nil, nil); code != 200 {
		t.Errorf("the good profile cannot be used: %d", code)
	}
}

// The camera chosen in the settings is the one watched at the next start,
// unless --camera says otherwise; choosing another in the dashboard
// switches to it and remembers it; what can never be a camera is refused;
// a remembered camera that cannot be used is kept as the choice while the
// first camera is watched, and the dashboard says so.
func TestRunRemembersTheCamera(t *testing.T) {
	needModel(t)
	cfgDir := t.TempDir()
	settings := store.NewConfigFile(cfgDir)
	cfg := domain.DefaultConfig()
	cfg.Camera = "/dev/video986" // not plugged in: waited for
	if err := settings.SaveConfig(cfg); err != nil {
		t.Fatal(err)
	}
	rs := startService(t, runOptions{camera: "0", configDir: cfgDir})
	if got := rs.eye.Supervisor().Camera(); got != "/dev/video986" {
		t.Fatalf("watching %q, want the remembered /dev/video986", got)
	}
	api := newAPIClient(t, rs.base)
	var cams domain.Cameras
	if code := api.call(t, "GET", "/api/cameras", nil, &cams); code != 200 || cams.Chosen != "/dev/video986" || cams.InUse != "/dev/video986" || cams.Fixed != "" {
		t.Errorf("GET /api/cameras: %d %+v", code, cams)
	}
	if code := api.call(t, "PATCH", "/api/config", map[string]any{"camera": "/dev/video985"}, nil); code != 200 {
		t.Fatalf("choosing /dev/video985: %d", code)
	}
	waitFor(t, "the switch to /dev/video985", patience, func() bool { return rs.eye.Supervisor().Camera() == "/dev/video985" })
	for _, bad := range []string{"/dev/null", "No Such Camera"} {
		var e map[string]any
		if code := api.call(t, "PATCH", "/api/config", map[string]any{"camera": bad}, &e); code != 400 {
			t.Errorf("camera %q: %d %v, want 400", bad, code, e)
		}
	}
	saved, _, err := settings.Load()
	if err != nil || saved.Camera != "/dev/video985" {
		t.Errorf("saved camera %q (%v), want /dev/video985", saved.Camera, err)
	}
	rs.stop(t)

	// --camera overrides the setting for this run and leaves it as it is.
	rs = startService(t, runOptions{camera: "/dev/video984", cameraSet: true, configDir: cfgDir})
	if got := rs.eye.Supervisor().Camera(); got != "/dev/video984" {
		t.Errorf("watching %q, want --camera's /dev/video984", got)
	}
	rs.stop(t)
	if saved, _, _ := settings.Load(); saved.Camera != "/dev/video985" {
		t.Errorf("--camera rewrote the setting to %q", saved.Camera)
	}

	// A remembered camera that is not there: the first camera meanwhile.
	cfg.Camera = "Ghost Camera"
	if err := settings.SaveConfig(cfg); err != nil {
		t.Fatal(err)
	}
	rs = startService(t, runOptions{camera: "0", configDir: cfgDir})
	if got := rs.eye.Supervisor().Camera(); got != "/dev/video0" {
		t.Errorf("watching %q, want /dev/video0 while the chosen camera is missing", got)
	}
	var st domain.LiveStatus
	newAPIClient(t, rs.base).call(t, "GET", "/api/status", nil, &st)
	if !strings.Contains(st.Message, `The camera chosen in the settings ("Ghost Camera") cannot be used now`) {
		t.Errorf("status message %q", st.Message)
	}
	if saved, _, _ := settings.Load(); saved.Camera != "Ghost Camera" {
		t.Errorf("the choice was forgotten: %q", saved.Camera)
	}
}

// patience bounds a wait for what the program under test guarantees will
// happen (a start, a message, a file written): it only turns a hang into a
// failure, so it is generous. These tests run the real pipeline under -race
// on a loaded machine, beside other test packages.
const patience = 3 * time.Minute

// waitFor polls cond until it holds or timeout passes (a real service on
// real goroutines: no fake clock reaches it).
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
