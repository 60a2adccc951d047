package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"posturewatch/coach/domain"
	"posturewatch/coach/live"
)

var _ live.Publisher = (*Sender)(nil)

type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) { l.mu.Lock(); defer l.mu.Unlock(); return l.b.Write(p) }
func (l *logBuf) String() string              { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

func nudge() domain.Event {
	return domain.Event{Time: time.Date(2026, 3, 2, 10, 0, 41, 0, time.UTC), Type: domain.EventNudge,
		Fault: domain.ForwardHead, Message: domain.NudgeMessage(domain.ForwardHead)}
}

// patience bounds a wait on a real listener: it only turns a hang into a
// failure, so it is generous (a loaded machine under -race can take
// seconds to answer on the loopback).
const patience = time.Minute

// A real listener that fails once gets the same event again after the
// backoff, and the body is the documented JSON. Each attempt may take up to
// patience: a loaded machine answering late must not turn the one retry
// this test expects into two.
func TestRetriesAfter500(t *testing.T) {
	var mu sync.Mutex
	var bodies [][]byte
	var uas []string
	got := make(chan struct{}, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		bodies = append(bodies, b)
		uas = append(uas, r.Header.Get("Content-Type"))
		if len(bodies) == 1 {
			http.Error(w, "busy", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
		got <- struct{}{}
	}))
	defer srv.Close()
	var waits []time.Duration
	logs := &logBuf{}
	s, err := New(Options{URL: srv.URL + "/hook/SECRET-TOKEN?key=SECRET-KEY", Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Timeout: patience,
		Wait:    func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return ctx.Err() }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	s.PublishEvent(nudge())
	s.PublishEvent(domain.Event{Type: domain.EventStretch, Exercise: "chin_tuck"}) // one exercise: not sent
	for i := range 2 {
		if i == 1 {
			// the next event arriving means the first one's delivery is over
			s.PublishEvent(domain.Event{Type: domain.EventResumed})
		}
		select {
		case <-got:
		case <-time.After(patience):
			t.Fatal("the retry never arrived")
		}
	}
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	// The stop may cut the last call before its answer was read: it is then
	// sent once more at shutdown, with the same id (at least once).
	if len(bodies) == 4 && bytes.Equal(bodies[2], bodies[3]) {
		bodies = bodies[:3]
	}
	if len(bodies) != 3 || !bytes.Equal(bodies[0], bodies[1]) {
		t.Fatalf("bodies %q: want the same event twice, then the next", bodies)
	}
	if len(waits) != 1 || waits[0] != DefaultBackoff {
		t.Errorf("waits %v, want one of %v; log:\n%s", waits, DefaultBackoff, logs)
	}
	var p map[string]any
	if err := json.Unmarshal(bodies[0], &p); err != nil {
		t.Fatal(err)
	}
	if p["type"] != "nudge" || p["fault"] != "forward_head" || p["fault_label"] != "forward head" || p["source"] != "posturewatch" ||
		p["title"] != "Posture: forward head" || !strings.HasPrefix(p["message"].(string), "Your head has drifted forward") ||
		p["time"] != "2026-03-02T10:00:41Z" || len(p["id"].(string)) != 24 || uas[0] != "application/json" {
		t.Errorf("payload %s", bodies[0])
	}
	if strings.Contains(logs.String(), "SECRET") {
		t.Errorf("the URL's secret reached the log:\n%s", logs)
	}
	if !strings.Contains(logs.String(), "retrying") {
		t.Errorf("no retry logged:\n%s", logs)
	}
}

// An answer a retry would not change (404) is given up at once.
func TestClientErrorNotRetried(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		mu.Unlock()
		http.NotFound(w, r)
	}))
	defer srv.Close()
	s, err := New(Options{URL: srv.URL, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Wait: func(context.Context, time.Duration) error { t.Error("waited to retry a 404"); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	err = s.deliver(context.Background(), PayloadOf(nudge(), "x"))
	if err == nil || !strings.Contains(err.Error(), "404") || calls != 1 {
		t.Errorf("404: err %v after %d calls, want one call and the status", err, calls)
	}
}

// hung is a receiver that never answers: a request waits until it is given up.
type hung struct{ calls chan *http.Request }

func (h hung) RoundTrip(r *http.Request) (*http.Response, error) {
	h.calls <- r
	<-r.Context().Done()
	return nil, r.Context().Err()
}

// A receiver that never answers costs the service nothing: publishing
// never waits, the queue drops (said once), each attempt ends at the
// timeout, the backoff doubles, and shutdown ends a retry at once.
func TestHungReceiverNeverBlocks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logs := &logBuf{}
		h := hung{calls: make(chan *http.Request, 100)}
		s, err := New(Options{URL: "https://hooks.example/SECRET", Client: &http.Client{Transport: h}, QueueSize: 4,
			Logger: slog.New(slog.NewTextHandler(logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { s.Run(ctx); close(done) }()

		start := time.Now()
		for range 50 {
			s.PublishEvent(nudge())
		}
		if time.Since(start) != 0 {
			t.Errorf("publishing 50 events took %v of the service's time", time.Since(start))
		}
		// the first attempt, then retries after 1 s, 2 s, 4 s, each waiting the 5 s timeout
		var at []time.Duration
		for range 1 + DefaultRetries {
			<-h.calls
			at = append(at, time.Since(start))
		}
		want := []time.Duration{0, 6 * time.Second, 13 * time.Second, 22 * time.Second}
		for i := range want {
			if at[i] != want[i] {
				t.Errorf("attempts at %v, want %v", at, want)
				break
			}
		}
		<-h.calls // the next queued event's first attempt
		if n := strings.Count(logs.String(), "not keeping up"); n != 1 {
			t.Errorf("the drop was logged %d times, want once:\n%s", n, logs)
		}
		if _, failed, dropped := s.Counts(); failed != 1 || dropped == 0 {
			t.Errorf("counts: %d failed, %d dropped; want 1 given up and some dropped", failed, dropped)
		}
		if !strings.Contains(logs.String(), "no answer within 5s") {
			t.Errorf("the given-up event is not logged with its reason:\n%s", logs)
		}
		cancel()
		<-done // Run ends with the attempt in flight
		if strings.Contains(logs.String(), "SECRET") {
			t.Errorf("the URL's secret reached the log:\n%s", logs)
		}
	})
}

func TestNewRefusesWhatIsNotHTTP(t *testing.T) {
	for _, u := range []string{"", "ftp://h/x", "file:///etc/passwd", "https://", "hooks.example/x", "javascript:alert(1)", "http://h/#frag"} {
		if _, err := New(Options{URL: u}); err == nil {
			t.Errorf("New(%q) accepted", u)
		}
	}
	s, err := New(Options{URL: "https://user:pw@hooks.example:8443/p?q=1"})
	if err != nil || s.Target() != "https://hooks.example:8443" {
		t.Errorf("Target %q %v", s.Target(), err)
	}
}

func TestOnlyEventsWorthACallAreSent(t *testing.T) {
	for _, tc := range []struct {
		e    domain.Event
		want bool
	}{
		{domain.Event{Type: domain.EventNudge}, true},
		{domain.Event{Type: domain.EventState}, true},
		{domain.Event{Type: domain.EventRoutine}, true},
		{domain.Event{Type: domain.EventStretch}, true},
		{domain.Event{Type: domain.EventStretch, Exercise: "x"}, false},
		{domain.Event{Type: domain.EventCalibration}, false},
		{domain.Event{Type: domain.EventSitting}, false},
	} {
		if Sent(tc.e) != tc.want {
			t.Errorf("Sent(%s %q) = %v", tc.e.Type, tc.e.Exercise, !tc.want)
		}
	}
}

// handlerTransport serves requests with a handler in-process: no socket,
// so a Sender using it can run in a synctest bubble. Like a real transport
// it sends nothing for a request whose context has ended, and fails one
// whose context ended before the answer.
type handlerTransport struct{ h http.Handler }

func (tr handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		defer r.Body.Close()
	}
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	tr.h.ServeHTTP(rec, r)
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	return rec.Result(), nil
}

// What is still queued when the service stops is sent once before Run
// returns, so the last state change is not lost with the shutdown. The
// drain has DrainTimeout (2 s) for all of it: on fake time (a synctest
// bubble, the receiver in-process) that is the drain's own bound, not a
// race with a loaded machine's scheduler.
func TestQueuedEventsDeliveredAtShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var got []Payload
		receiver := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var p Payload
			if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
				t.Errorf("body: %v", err)
			}
			mu.Lock()
			got = append(got, p)
			mu.Unlock()
		})
		s, err := New(Options{URL: "http://hooks.example/hook", Client: &http.Client{Transport: handlerTransport{receiver}},
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		s.PublishEvent(nudge())
		s.PublishEvent(domain.Event{Time: time.Now(), Type: domain.EventState, State: domain.StateGood, Previous: domain.StateSlouching})
		s.PublishEvent(domain.Event{Time: time.Now(), Type: domain.EventPaused, State: domain.StatePaused})
		ctx, cancel := context.WithCancel(t.Context())
		cancel() // stopping before Run took anything
		s.Run(ctx)
		mu.Lock()
		defer mu.Unlock()
		var types []domain.EventType
		for _, p := range got {
			types = append(types, p.Type)
		}
		if sent, failed, _ := s.Counts(); sent != 3 || failed != 0 {
			t.Errorf("counts after the drain: %d sent, %d failed", sent, failed)
		}
		want := []domain.EventType{domain.EventNudge, domain.EventState, domain.EventPaused}
		if len(types) != len(want) || types[0] != want[0] || types[1] != want[1] || types[2] != want[2] {
			t.Errorf("delivered at shutdown %v, want %v", types, want)
		}
	})
}
