package webui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"posturewatch/coach/domain"
	"posturewatch/coach/history"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fuzzServer is a dashboard server for fuzzing. It listens (which fills its
// Host allow-list, as for the real dashboard), but every fuzz iteration is
// one request served in process through Handler(): no socket, no client.
type fuzzServer struct {
	srv  *Server
	fb   *fakeBackend
	host string // 127.0.0.1:port
}

func newFuzzServer(f *testing.F, fb *fakeBackend) *fuzzServer {
	f.Helper()
	srv, err := New(Options{Listen: "127.0.0.1:0", Backend: fb, Logger: quietLogger(), Version: "fuzz"})
	if err != nil {
		f.Fatalf("New: %v", err)
	}
	addr, err := srv.Start()
	if err != nil {
		f.Fatalf("Start: %v", err)
	}
	f.Cleanup(func() {
		sctx, c2 := context.WithTimeout(context.Background(), patience)
		defer c2()
		if err := srv.Shutdown(sctx); err != nil {
			f.Errorf("Shutdown: %v", err)
		}
	})
	return &fuzzServer{srv: srv, fb: fb, host: addr}
}

// serve sends one request the way the dashboard does (same origin, CSRF
// token, JSON) and checks what every answer must be: never a 5xx, always a
// JSON body, and an error message on every refusal.
func (fs *fuzzServer) serve(t *testing.T, method, target string, body []byte) (int, []byte) {
	t.Helper()
	var req *http.Request
	if body == nil {
		req = httptest.NewRequest(method, target, nil)
	} else {
		req = httptest.NewRequest(method, target, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	}
	req.Host = fs.host
	req.Header.Set("Origin", "http://"+fs.host)
	req.Header.Set(CSRFHeader, fs.srv.CSRFToken())
	rec := httptest.NewRecorder()
	fs.srv.Handler().ServeHTTP(rec, req)
	out := rec.Body.Bytes()
	if rec.Code >= 500 {
		t.Fatalf("%s %s %q: status %d: %s", method, target, body, rec.Code, out)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s %s %q: status %d with content type %q: %s", method, target, body, rec.Code, ct, out)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("%s %s %q: status %d, the body is not a JSON object (%v): %q", method, target, body, rec.Code, err, out)
	}
	if rec.Code != http.StatusOK {
		if msg, _ := m["error"].(string); msg == "" {
			t.Fatalf("%s %s %q: status %d without an error message: %s", method, target, body, rec.Code, out)
		}
	}
	return rec.Code, out
}

// refusal checks that a refused body got a client-error status a dashboard
// can act on.
func refusal(t *testing.T, code int, body []byte, allowed ...int) {
	t.Helper()
	for _, a := range append([]int{http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge}, allowed...) {
		if code == a {
			return
		}
	}
	t.Fatalf("body %q: status %d", body, code)
}

// bodySeeds are request bodies every endpoint should refuse cleanly.
var bodySeeds = []string{
	``, ` `, `{}`, `{`, `}`, `[]`, `null`, `true`, `"x"`, `1`, `{} {}`, `{}x`, `{"a":1}`,
	`{"__proto__":{}}`, "\xef\xbb\xbf{}", "{\"x\":\"\xff\"}", `{"a":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}`,
}

func addBodies(f *testing.F, bodies ...string) {
	for _, b := range append(bodies, bodySeeds...) {
		f.Add([]byte(b))
	}
}

// FuzzAPIConfigPatch: PATCH /api/config never answers 5xx; a 200 leaves
// (and returns) settings that Validate; a refusal leaves them unchanged.
func FuzzAPIConfigPatch(f *testing.F) {
	fs := newFuzzServer(f, newFakeBackend())
	addBodies(f,
		`{"sensitivity":"high"}`,
		`{"sensitivity":"extreme"}`,
		`{"onset_delay_s":45,"cooldown_s":600,"quiet_hours":"22:00-07:00"}`,
		`{"onset_delay_s":121}`,
		`{"onset_delay_s":-0.0004}`,
		`{"onset_delay_s":"20"}`,
		`{"onset_delay_s":1e400}`,
		`{"repeat_nudges":3.5}`,
		`{"repeat_window_s":60,"sitting_reminder_s":0,"break_length_s":10,"away_after_s":1,"stale_after_s":10}`,
		`{"min_confidence":0.99999}`,
		`{"equipment":["wall","band"],"desk_only":true,"routine_max_s":1800}`,
		`{"equipment":null}`,
		`{"desktop_notifications":true}`,
		`{"quiet_hours":"7:00-07:00"}`,
		`{"Sensitivity":"low"}`,
		`{"sensitivity":"low","sensitivity":"bad"}`,
		`{"unknown":1}`,
		`{"equipment":["wall"],"sensitivity":"extreme"}`, // refused, yet rewrote the running equipment (fixed)
		`{"sitting_reminder_s":null}`,                    // silently 0 (fixed)
	)
	f.Fuzz(func(t *testing.T, body []byte) {
		fs.fb.mu.Lock()
		fs.fb.cfg = domain.DefaultConfig()
		fs.fb.mu.Unlock()
		code, out := fs.serve(t, http.MethodPatch, "/api/config", body)
		refusal(t, code, body, http.StatusUnsupportedMediaType)
		cfg := fs.fb.Config()
		if code != http.StatusOK {
			if !reflect.DeepEqual(cfg, domain.DefaultConfig()) {
				t.Fatalf("refused %q (%d) but the settings changed: %+v", body, code, cfg)
			}
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("200 for %q left invalid settings: %v", body, err)
		}
		got := domain.DefaultConfig()
		if err := json.Unmarshal(out, &got); err != nil || !reflect.DeepEqual(got, cfg) {
			t.Fatalf("200 for %q answered %s (%v), the settings are %+v", body, out, err, cfg)
		}
	})
}

// FuzzAPIPause: POST /api/pause never answers 5xx; a 200 pauses until a
// time after the request and at most MaxPause ahead.
func FuzzAPIPause(f *testing.F) {
	fs := newFuzzServer(f, newFakeBackend())
	soon := time.Now().Add(time.Hour).Format(time.RFC3339)
	addBodies(f,
		`{"minutes":15}`, `{"minutes":2880}`, `{"minutes":2880.0001}`, `{"minutes":0}`, `{"minutes":-5}`,
		`{"minutes":1e-300}`, `{"minutes":1e300}`, `{"minutes":"15"}`, `{"minutes":null}`,
		`{"until":"`+soon+`"}`, `{"until":"2020-01-01T00:00:00Z"}`, `{"until":"2999-01-01T00:00:00Z"}`,
		`{"until":"tomorrow"}`, `{"until":"2026-01-02T08:00:00+25:00"}`, `{"until":null}`,
		`{"minutes":15,"until":"`+soon+`"}`, `{"minutes":15,"seconds":3}`,
	)
	f.Fuzz(func(t *testing.T, body []byte) {
		fs.fb.mu.Lock()
		n := len(fs.fb.pauses)
		fs.fb.mu.Unlock()
		start := time.Now()
		code, _ := fs.serve(t, http.MethodPost, "/api/pause", body)
		end := time.Now()
		refusal(t, code, body, http.StatusUnsupportedMediaType)
		fs.fb.mu.Lock()
		pauses := fs.fb.pauses[n:]
		fs.fb.pauses = fs.fb.pauses[:0]
		fs.fb.mu.Unlock()
		if code != http.StatusOK {
			if len(pauses) != 0 {
				t.Fatalf("refused %q (%d) but paused", body, code)
			}
			return
		}
		if len(pauses) != 1 {
			t.Fatalf("200 for %q paused %d times", body, len(pauses))
		}
		if u := pauses[0]; !u.After(start) || u.Sub(end) > MaxPause {
			t.Fatalf("200 for %q paused until %v (request at %v)", body, u, start)
		}
	})
}

// FuzzAPICalibrationFinish: POST /api/calibration/finish never answers
// 5xx; a 200 saved a profile under a name ValidateProfileName accepts.
func FuzzAPICalibrationFinish(f *testing.F) {
	fs := newFuzzServer(f, newFakeBackend())
	addBodies(f,
		`{"profile":"laptop"}`, `{"profile":"Desk 2"}`, `{"profile":"büro_links"}`, `{"profile":""}`,
		`{"profile":"../evil"}`, `{"profile":".hidden"}`, `{"profile":"a\u0000b"}`, `{"profile":"a\\b"}`,
		`{"profile":"`+strings.Repeat("x", 65)+`"}`, `{"profile":7}`, `{"profile":null}`, `{"name":"laptop"}`,
	)
	f.Fuzz(func(t *testing.T, body []byte) {
		fs.fb.mu.Lock()
		fs.fb.calibrating = true
		fs.fb.profiles = map[string]*domain.Baseline{}
		fs.fb.mu.Unlock()
		code, out := fs.serve(t, http.MethodPost, "/api/calibration/finish", body)
		refusal(t, code, body, http.StatusUnsupportedMediaType)
		fs.fb.mu.Lock()
		saved := fs.fb.profiles
		fs.fb.mu.Unlock()
		if code != http.StatusOK {
			if len(saved) != 0 {
				t.Fatalf("refused %q (%d) but saved %v", body, code, saved)
			}
			return
		}
		var resp struct {
			Baseline domain.Baseline `json:"baseline"`
		}
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatalf("200 for %q: %v: %s", body, err, out)
		}
		if err := domain.ValidateProfileName(resp.Baseline.Name); err != nil || len(saved) != 1 || saved[resp.Baseline.Name] == nil {
			t.Fatalf("200 for %q saved %v as %q (%v)", body, saved, resp.Baseline.Name, err)
		}
	})
}

// FuzzAPIRoutineStart: POST /api/routine/start never answers 5xx (an empty
// body is a general routine); a 200 returns a routine with exercises.
func FuzzAPIRoutineStart(f *testing.F) {
	fs := newFuzzServer(f, newFakeBackend())
	addBodies(f,
		`{"faults":["forward_head"]}`, `{"faults":["slouch","rounded_shoulders","head_tilt"]}`,
		`{"faults":["nope"]}`, `{"faults":[]}`, `{"faults":null}`, `{"faults":"slouch"}`,
		`{"id":"r-1"}`, `{"id":""}`, `{"id":7}`, `{"faults":["forward_head","forward_head"]}`,
	)
	f.Fuzz(func(t *testing.T, body []byte) {
		var b []byte
		if len(body) > 0 {
			b = body
		}
		code, out := fs.serve(t, http.MethodPost, "/api/routine/start", b)
		refusal(t, code, body, http.StatusUnsupportedMediaType, http.StatusNotFound, http.StatusConflict)
		if code != http.StatusOK {
			return
		}
		var resp struct {
			Routine *domain.Routine `json:"routine"`
		}
		if err := json.Unmarshal(out, &resp); err != nil || resp.Routine == nil || len(resp.Routine.Items) == 0 || resp.Routine.ID == "" {
			t.Fatalf("200 for %q: %v: %s", body, err, out)
		}
	})
}

// FuzzAPIExerciseDone: POST /api/routine/exercise-done never answers 5xx;
// a 200 recorded exactly what the body said.
func FuzzAPIExerciseDone(f *testing.F) {
	fs := newFuzzServer(f, newFakeBackend())
	addBodies(f,
		`{"routine_id":"r1","exercise_id":"chin_tuck"}`, `{"routine_id":"r1","exercise_id":"chin_tuck","skipped":true}`,
		`{"routine_id":"r1"}`, `{"exercise_id":"chin_tuck"}`, `{"routine_id":"","exercise_id":""}`,
		`{"routine_id":1}`, `{"routine_id":"r1","skipped":"yes"}`, `{"routine_id":"r1","done":true}`,
	)
	f.Fuzz(func(t *testing.T, body []byte) {
		code, _ := fs.serve(t, http.MethodPost, "/api/routine/exercise-done", body)
		refusal(t, code, body, http.StatusUnsupportedMediaType, http.StatusNotFound, http.StatusConflict)
		fs.fb.mu.Lock()
		done := fs.fb.done
		fs.fb.done = nil
		fs.fb.mu.Unlock()
		if code != http.StatusOK {
			if len(done) != 0 {
				t.Fatalf("refused %q (%d) but recorded %v", body, code, done)
			}
			return
		}
		var req ExerciseDoneRequest
		if err := json.Unmarshal(body, &req); err != nil {
			t.Fatalf("200 for %q, which does not decode: %v", body, err)
		}
		want := req.RoutineID + "/" + req.ExerciseID
		if req.Skipped {
			want += "/skipped"
		}
		if len(done) != 1 || done[0] != want || (req.RoutineID == "" && req.ExerciseID == "") {
			t.Fatalf("200 for %q recorded %v, want [%s]", body, done, want)
		}
	})
}

// FuzzAPIProfileCheck: POST /api/profiles/check never answers 5xx, and says
// ok exactly for the names ValidateProfileName accepts.
func FuzzAPIProfileCheck(f *testing.F) {
	fs := newFuzzServer(f, newFakeBackend())
	addBodies(f,
		`{"name":"laptop"}`, `{"name":"Desk 2"}`, `{"name":"名前"}`, `{"name":""}`, `{"name":" x"}`,
		`{"name":"x."}`, `{"name":"../x"}`, `{"name":"\ud800"}`, `{"name":"a\u0000"}`, `{"name":null}`,
		`{"name":["x"]}`, `{"profile":"laptop"}`, `{"name":"`+strings.Repeat("é", 64)+`"}`,
	)
	f.Fuzz(func(t *testing.T, body []byte) {
		code, out := fs.serve(t, http.MethodPost, "/api/profiles/check", body)
		refusal(t, code, body, http.StatusUnsupportedMediaType)
		var req struct {
			Name string `json:"name"`
		}
		decodes := strictDecode(body, &req) == nil
		valid := decodes && domain.ValidateProfileName(req.Name) == nil
		if (code == http.StatusOK) != valid {
			t.Fatalf("%q: status %d: %s (decodes: %v, name valid: %v)", body, code, out, decodes, valid)
		}
		if code == http.StatusOK {
			var resp struct {
				Name string `json:"name"`
				OK   bool   `json:"ok"`
			}
			if err := json.Unmarshal(out, &resp); err != nil || !resp.OK || resp.Name != req.Name {
				t.Fatalf("200 for %q: %s", body, out)
			}
		}
	})
}

// strictDecode decodes a body as the API's rule says a body must be: one
// JSON object, no unknown fields, nothing after it.
func strictDecode(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return errNotObject
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errNotObject
	}
	return nil
}

var errNotObject = errors.New("not one JSON object")

// FuzzAPIHistory: GET /api/history answers 200 or 400 whatever the from,
// to, by and tz parameters, never a range longer than 400 days (31 days by
// hour), and a 200 is a well-formed answer whose buckets cover the range.
func FuzzAPIHistory(f *testing.F) {
	h, err := history.Open(filepath.Join(f.TempDir(), "history.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { h.Close() })
	now := time.Now()
	hour := time.Date(now.Year(), now.Month(), now.Day(), now.Hour(), 0, 0, 0, time.Local)
	if err := h.AddMinutes(domain.MinuteAggregate{Start: hour, PresentS: 60, GoodS: 30,
		FaultS: map[domain.FaultName]float64{domain.ForwardHead: 30}}); err != nil {
		f.Fatal(err)
	}
	fb := newFakeBackend()
	fb.hist = h
	fs := newFuzzServer(f, fb)
	for _, s := range [][4]string{
		{"", "", "", ""},
		{"", "", "day", ""},
		{"", "", "hour", "UTC"},
		{"2026-01-01", "2026-01-02", "hour", "Europe/Berlin"},
		{"2026-03-28", "2026-03-30", "hour", "Europe/Berlin"},
		{"2026-10-24", "2026-10-26", "hour", "America/New_York"},
		{"2026-04-02", "2026-04-04", "hour", "Australia/Lord_Howe"},
		{"2026-10-03", "2026-10-05", "hour", "Australia/Lord_Howe"},
		{"2011-12-20", "2011-12-28", "day", "Pacific/Apia"},
		{"2026-04-04", "2026-04-06", "hour", "Australia/Lord_Howe"},                              // 1:30 twice: the hour did not advance (fixed)
		{"2011-12-28", "2012-01-02", "day", "Pacific/Apia"},                                      // a skipped day (fixed)
		{"0000-01-01T00:00:00+01:00", "0000-01-01T05:00:00+01:00", "hour", "UTC"},                // year 0: an empty 200 (fixed)
		{"9999-12-31T00:00:00-12:00", "9999-12-31T10:00:00-12:00", "hour", "Pacific/Kiritimati"}, // year 10000 (fixed)
		{"2025-01-01", "2026-02-05", "day", "Asia/Kolkata"},
		{"2025-01-01", "2026-02-06", "day", ""},
		{"2025-01-01", "2025-02-01", "hour", ""},
		{"2025-01-01", "2025-02-02", "hour", ""},
		{"2026-01-01T00:00:00Z", "2026-01-01T01:00:00+01:00", "hour", ""},
		{"2026-01-01T00:00:00+14:00", "2026-01-01T00:00:00-12:00", "hour", "Pacific/Kiritimati"},
		{"0000-01-01", "0000-01-02", "day", "UTC"},
		{"0000-01-01T00:00:00-01:00", "0000-01-01T05:00:00-01:00", "hour", "UTC"},
		{"9999-12-30", "9999-12-31", "day", "UTC"},
		{"9999-12-31T00:00:00+12:00", "9999-12-31T10:00:00+12:00", "hour", "Pacific/Kiritimati"},
		{"2026-02-01", "2026-01-01", "day", ""},
		{"2026-13-01", "", "", ""},
		{"yesterday", "", "", ""},
		{"", "", "week", ""},
		{"", "", "", "Mars/Olympus"},
		{"", "", "", "../../../../etc/passwd"},
		{"", "", "", "Local"},
		{"", "", "", "/etc/localtime"},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	f.Fuzz(func(t *testing.T, from, to, by, tz string) {
		q := url.Values{}
		for k, v := range map[string]string{"from": from, "to": to, "by": by, "tz": tz} {
			if v != "" {
				q.Set(k, v)
			}
		}
		target := "/api/history?" + q.Encode()
		code, out := fs.serve(t, http.MethodGet, target, nil)
		if code != http.StatusOK && code != http.StatusBadRequest {
			t.Fatalf("%s: status %d: %s", target, code, out)
		}
		if code != http.StatusOK {
			return
		}
		var resp struct {
			By      domain.Period   `json:"by"`
			From    time.Time       `json:"from"`
			To      time.Time       `json:"to"`
			TZ      string          `json:"tz"`
			Buckets []domain.Bucket `json:"buckets"`
		}
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatalf("%s: 200 with a body that does not decode (%v): %s", target, err, out)
		}
		span := resp.To.Sub(resp.From)
		limit := 400 * 24 * time.Hour
		if resp.By == domain.ByHour {
			limit = 31 * 24 * time.Hour
		} else if resp.By != domain.ByDay {
			t.Fatalf("%s: by %q", target, resp.By)
		}
		if span <= 0 || span > limit {
			t.Fatalf("%s: 200 for a range of %v (%v to %v), the limit is %v", target, span, resp.From, resp.To, limit)
		}
		if len(resp.Buckets) == 0 {
			t.Fatalf("%s: 200 without buckets", target)
		}
		for i, b := range resp.Buckets {
			if !b.Start.Before(resp.To) || (i > 0 && !b.Start.After(resp.Buckets[i-1].Start)) {
				t.Fatalf("%s: bucket %d starts at %v (range %v to %v)", target, i, b.Start, resp.From, resp.To)
			}
		}
		if first := resp.Buckets[0].Start; first.After(resp.From) {
			t.Fatalf("%s: the first bucket starts at %v, after from %v", target, first, resp.From)
		}
	})
}
