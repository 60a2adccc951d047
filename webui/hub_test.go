package webui

import (
	"encoding/json"
	"posturewatch/coach/domain"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gorilla/websocket"
)

func seqSample(i int) domain.Sample {
	return domain.Sample{At: time.Now(), Posture: domain.PostureGood, Metrics: domain.Metrics{"seq": float64(i)}}
}

// collector reads every message of a connection in the background.
type collector struct {
	mu      sync.Mutex
	msgs    []wireMsg
	arrived []time.Time
	err     error
	done    chan struct{}
}

func collect(c *websocket.Conn) *collector {
	col := &collector{done: make(chan struct{})}
	go func() {
		defer close(col.done)
		for {
			_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
			_, data, err := c.ReadMessage()
			if err != nil {
				col.mu.Lock()
				col.err = err
				col.mu.Unlock()
				return
			}
			var m wireMsg
			if err := json.Unmarshal(data, &m); err != nil {
				col.mu.Lock()
				col.err = err
				col.mu.Unlock()
				return
			}
			col.mu.Lock()
			col.msgs = append(col.msgs, m)
			col.arrived = append(col.arrived, time.Now())
			col.mu.Unlock()
		}
	}()
	return col
}

func (col *collector) snapshot() ([]wireMsg, []time.Time) {
	col.mu.Lock()
	defer col.mu.Unlock()
	return append([]wireMsg(nil), col.msgs...), append([]time.Time(nil), col.arrived...)
}

func (col *collector) count(typ string) int {
	msgs, _ := col.snapshot()
	n := 0
	for _, m := range msgs {
		if m.Type == typ {
			n++
		}
	}
	return n
}

// patience bounds a wait for what the code under test guarantees will
// happen (a message arriving, a client counted): it only turns a hang into
// a failure, so it is generous. On a real socket a loaded machine under
// -race can take seconds; in a synctest bubble it is fake time anyway.
const patience = time.Minute

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A flood of samples reaches a client at most one per SampleInterval, in
// order, the newest last, the ones in between dropped. On fake time (a
// synctest bubble, in-memory connections) the arrivals are the writer's
// sends, so their spacing is the hub's rule and not the scheduler's.
func TestHubSamplesRateLimitedLatestWins(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ts := startBubbleServer(t, nil)
		c := connect(t, ts)
		col := collect(c)
		waitFor(t, "hello", patience, func() bool { return col.count(MsgHello) == 1 })

		const n = 1000
		start := time.Now()
		for i := 1; i <= n; i++ {
			ts.srv.PublishSample(seqSample(i))
			time.Sleep(2 * time.Millisecond)
		}
		elapsed := time.Since(start)
		// After the flood, the newest sample must arrive.
		waitFor(t, "the newest sample", patience, func() bool {
			msgs, _ := col.snapshot()
			last := msgs[len(msgs)-1]
			return last.Type == MsgSample && last.Sample.Metrics["seq"] == n
		})
		time.Sleep(300 * time.Millisecond) // nothing more comes
		synctest.Wait()
		msgs, arrived := col.snapshot()
		var seqs []float64
		var times []time.Time
		for i, m := range msgs {
			if m.Type == MsgSample {
				seqs = append(seqs, m.Sample.Metrics["seq"])
				times = append(times, arrived[i])
			}
		}
		// Every sample went out between the first publish and the newest
		// sample's arrival, at least one interval apart.
		window := times[len(times)-1].Sub(start)
		maxAllowed := int(window/(200*time.Millisecond)) + 1
		if len(seqs) > maxAllowed || len(seqs) < 3 {
			t.Errorf("%d samples in %v: want between 3 and %d (≤5/s)", len(seqs), window, maxAllowed)
		}
		for i := 1; i < len(seqs); i++ {
			if seqs[i] <= seqs[i-1] {
				t.Errorf("samples out of order: %v", seqs)
				break
			}
		}
		for i := 1; i < len(times); i++ {
			if gap := times[i].Sub(times[i-1]); gap < 200*time.Millisecond {
				t.Errorf("samples %d and %d arrived %v apart, want at least 200ms", i-1, i, gap)
			}
		}
		if seqs[len(seqs)-1] != n {
			t.Errorf("last sample %v, want the newest %d", seqs[len(seqs)-1], n)
		}
		// Latest wins: skipped samples are dropped, not queued.
		if len(seqs) > 0 && int(seqs[len(seqs)-1])-len(seqs) < n/2 {
			t.Errorf("samples do not look coalesced: %d delivered of %d", len(seqs), n)
		}
		t.Logf("%d samples published over %v, %d delivered", n, elapsed.Round(time.Millisecond), len(seqs))
	})
}

// Events are never dropped or reordered while samples flood in, and no
// healthy client is taken for a slow one. On fake time (a synctest bubble)
// every client reads what it was sent before the clock moves, so whether
// a reader keeps up is the hub's doing, not the scheduler's.
func TestHubEventsNeverDroppedUnderSampleFlood(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ts := startBubbleServer(t, nil)
		clients := make([]*collector, 3)
		for i := range clients {
			c := connect(t, ts)
			clients[i] = collect(c)
		}
		waitFor(t, "3 clients", patience, func() bool { return ts.srv.Clients() == 3 })

		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				ts.srv.PublishSample(seqSample(i))
				// 20 000 samples a second, where a camera gives 2
				// (and a goroutine that never blocks would stop the
				// bubble's clock)
				time.Sleep(50 * time.Microsecond)
			}
		}()
		const nEvents = 600
		for i := 0; i < nEvents; i++ {
			e := domain.Event{Time: time.Now(), Type: domain.EventState, State: domain.StateGood, Message: "event " + itoa(i)}
			if i%3 == 1 {
				e = domain.Event{Time: time.Now(), Type: domain.EventNudge, Fault: domain.ForwardHead, Message: "event " + itoa(i)}
			}
			ts.srv.PublishEvent(e)
			if i%100 == 0 {
				ts.srv.PublishStats(domain.StatsSnapshot{})
			}
			if i%10 == 0 {
				// Far faster than a coach ever speaks (thousands of events/s), but
				// paced so a healthy client's queue is not the bottleneck.
				time.Sleep(time.Millisecond)
			}
		}
		close(stop)
		wg.Wait()
		if d := ts.srv.Hub().SlowDisconnects(); d != 0 {
			t.Fatalf("%d healthy clients dropped as slow", d)
		}
		for ci, col := range clients {
			waitFor(t, "all events", patience, func() bool { return col.count(MsgEvent) >= nEvents })
			msgs, _ := col.snapshot()
			next := 0
			stats := 0
			for _, m := range msgs {
				switch m.Type {
				case MsgEvent:
					if want := "event " + itoa(next); m.Event.Message != want {
						t.Fatalf("client %d: got %q, want %q (dropped or reordered)", ci, m.Event.Message, want)
					}
					next++
				case MsgStats:
					stats++
				}
			}
			if next != nEvents || stats != nEvents/100 {
				t.Errorf("client %d: %d events, %d stats", ci, next, stats)
			}
			if col.count(MsgSample) == 0 {
				t.Errorf("client %d: no samples during the flood", ci)
			}
		}
		if d := ts.srv.Hub().SlowDisconnects(); d != 0 {
			t.Errorf("%d healthy clients dropped as slow", d)
		}
	})
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// A client that never reads is disconnected; a healthy one beside it gets
// every event, in order. On fake time (a synctest bubble) the healthy
// client reads whatever it is sent before the clock moves, so only the one
// that never reads can fall behind its queue or its write timeout.
func TestHubDisconnectsSlowClient(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ts := startBubbleServer(t, func(o *Options) {
			o.Hub = HubOptions{QueueSize: 16, WriteTimeout: 500 * time.Millisecond}
		})
		slow := connect(t, ts) // never reads
		fastConn := connect(t, ts)
		fast := collect(fastConn)
		waitFor(t, "2 clients", patience, func() bool { return ts.srv.Clients() == 2 })

		pad := strings.Repeat("x", 64<<10) // 64 KiB per event
		sent := 0
		deadline := time.Now().Add(20 * time.Second)
		for ts.srv.Hub().SlowDisconnects() == 0 && ts.srv.Clients() == 2 {
			if time.Now().After(deadline) {
				t.Fatalf("slow client still connected after %d events of 64 KiB", sent)
			}
			ts.srv.PublishEvent(domain.Event{Type: domain.EventNudge, Message: itoa(sent), Fix: pad})
			sent++
			// Publish only as fast as a healthy reader reads: the fast
			// client stays well inside its queue of 16, so only the one
			// that never reads can be too slow.
			for fast.count(MsgEvent) < sent-8 && ts.srv.Clients() == 2 && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
		}
		// Some more after the disconnect: the fast client must still get them.
		for i := 0; i < 20; i++ {
			ts.srv.PublishEvent(domain.Event{Type: domain.EventNudge, Message: itoa(sent), Fix: pad})
			sent++
			for fast.count(MsgEvent) < sent-8 && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
		}
		waitFor(t, "slow client gone", patience, func() bool { return ts.srv.Clients() == 1 })
		waitFor(t, "fast client got everything", patience, func() bool { return fast.count(MsgEvent) == sent })
		msgs, _ := fast.snapshot()
		next := 0
		for _, m := range msgs {
			if m.Type == MsgEvent {
				if m.Event.Message != itoa(next) {
					t.Fatalf("fast client: event %q, want %d", m.Event.Message, next)
				}
				next++
			}
		}
		// The slow client's connection is closed by the server: reading it
		// ends in an error after what was sent.
		_ = slow.SetReadDeadline(time.Now().Add(10 * time.Second))
		var readErr error
		for readErr == nil {
			_, _, readErr = slow.ReadMessage()
		}
		if ne, ok := readErr.(interface{ Timeout() bool }); ok && ne.Timeout() {
			t.Errorf("slow client connection still open: %v", readErr)
		}
		t.Logf("slow client dropped after %d events of 64 KiB; fast client received all %d", sent-20, sent)
	})
}

// Preview frames go only to the clients that asked for them, newest wins,
// and the backend hears when the first one asks and the last one leaves.
// On fake time (a synctest bubble) "B got none" is checked after
// everything sent has been read.
func TestHubPreviewOnlyToClientsThatAsked(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ts := startBubbleServer(t, nil)
		ts.srv.PublishPreview(domain.Preview{JPEG: []byte{0xff, 0xd8}, Width: 2, Height: 1})
		a := connect(t, ts)
		b := connect(t, ts)
		colA, colB := collect(a), collect(b)
		waitFor(t, "2 clients", patience, func() bool { return ts.srv.Clients() == 2 })
		if ts.srv.PreviewWanted() {
			t.Fatal("preview wanted before anyone asked")
		}
		if err := a.WriteJSON(map[string]any{"type": "preview", "on": true}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "preview on", patience, ts.srv.PreviewWanted)
		if got := ts.fb.previewCalls(); len(got) != 1 || !got[0] {
			t.Errorf("SetPreview calls = %v, want [true]", got)
		}
		kp := []domain.Keypoint{{Name: "nose", X: 1, Y: 0.5, Score: 0.9}}
		for i := 0; i < 5; i++ {
			ts.srv.PublishPreview(domain.Preview{JPEG: []byte{0xff, 0xd8, byte(i)}, Width: 2, Height: 1, Keypoints: kp})
			time.Sleep(20 * time.Millisecond)
		}
		waitFor(t, "preview at A", patience, func() bool { return colA.count(MsgPreview) > 0 })
		time.Sleep(100 * time.Millisecond)
		synctest.Wait() // everything sent has been read
		if n := colB.count(MsgPreview); n != 0 {
			t.Errorf("client B got %d preview frames without asking", n)
		}
		msgs, _ := colA.snapshot()
		var last *domain.Preview
		for _, m := range msgs {
			if m.Type == MsgPreview {
				last = m.Preview
			}
		}
		if last == nil || len(last.JPEG) != 3 || last.JPEG[2] != 4 || len(last.Keypoints) != 1 {
			t.Errorf("last preview = %+v", last)
		}
		// Closing the only viewer turns the preview off.
		a.Close()
		waitFor(t, "preview off", patience, func() bool { return !ts.srv.PreviewWanted() })
		if got := ts.fb.previewCalls(); len(got) != 2 || got[1] {
			t.Errorf("SetPreview calls = %v, want [true false]", got)
		}
	})
}

func TestHubStatusRepsAndShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ts := startBubbleServer(t, nil)
		c := connect(t, ts)
		if m := readMsg(t, c, patience); m.Type != MsgHello {
			t.Fatalf("first message %q", m.Type)
		}
		ts.srv.PublishStatus(domain.LiveStatus{Status: domain.Status{State: domain.StateSlouching, Fault: domain.ForwardHead}})
		ts.srv.PublishReps(domain.RepCount{ExerciseID: "chin_tuck", Count: 3, Target: 10})
		m := readMsg(t, c, patience)
		if m.Type != MsgStatus || m.Status.State != domain.StateSlouching || m.Status.Fault != domain.ForwardHead {
			t.Errorf("status message = %+v", m)
		}
		m = readMsg(t, c, patience)
		if m.Type != MsgReps || m.Reps.Count != 3 || m.Reps.ExerciseID != "chin_tuck" {
			t.Errorf("reps message = %+v", m)
		}
		if err := ts.srv.Shutdown(t.Context()); err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(patience))
		_, _, err := c.ReadMessage()
		if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
			t.Errorf("after shutdown: %v, want a going-away close", err)
		}
		// Publishing after shutdown neither blocks nor panics: on fake
		// time a publish that blocked would let the clock reach the guard.
		done := make(chan struct{})
		go func() {
			ts.srv.PublishEvent(domain.Event{Type: domain.EventNudge})
			ts.srv.PublishSample(seqSample(1))
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(patience):
			t.Fatal("publishing after shutdown blocked")
		}
	})
}

// A client that answers pings stays; one that never reads is dropped after
// PongWait. On fake time (a synctest bubble) the reading client answers
// every ping before the clock moves, so a busy machine cannot make it miss
// its pong wait.
func TestHubPingsDropSilentClients(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ts := startBubbleServer(t, func(o *Options) {
			o.Hub = HubOptions{PingInterval: 50 * time.Millisecond, PongWait: 300 * time.Millisecond}
		})
		// A client that reads answers pings automatically and stays.
		alive := connect(t, ts)
		col := collect(alive)
		// A client that never reads never answers pings: the server drops it.
		connect(t, ts)
		waitFor(t, "2 clients", patience, func() bool { return ts.srv.Clients() == 2 })
		dropped := time.Now()
		waitFor(t, "silent client dropped", patience, func() bool { return ts.srv.Clients() == 1 })
		if d := time.Since(dropped); d > 300*time.Millisecond+10*time.Millisecond {
			t.Errorf("silent client dropped %v after it connected, want within the 300ms pong wait", d)
		}
		time.Sleep(600 * time.Millisecond) // two pong waits more
		if n := ts.srv.Clients(); n != 1 {
			t.Errorf("%d clients after the pong wait, want the reading one only", n)
		}
		ts.srv.PublishEvent(domain.Event{Type: domain.EventNudge, Message: "still here"})
		waitFor(t, "event at the live client", patience, func() bool { return col.count(MsgEvent) == 1 })
	})
}

// The writer holds a sample back until the interval since the last one has
// passed, and sends at once after that.
func TestNextSampleWait(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		last, now time.Time
		want      time.Duration
	}{
		{time.Time{}, t0, 0}, // the first sample goes at once
		{t0, t0.Add(50 * time.Millisecond), 150 * time.Millisecond}, // too soon: wait for the rest
		{t0, t0.Add(200 * time.Millisecond), 0},                     // exactly due
		{t0, t0.Add(time.Second), 0},                                // long overdue
		{t0.Add(time.Second), t0, 200 * time.Millisecond},           // the clock stepped back: a full interval, never more
	} {
		if got := nextSampleWait(200*time.Millisecond, c.last, c.now); got != c.want {
			t.Errorf("last %v, now %v: wait %v, want %v", c.last.Sub(t0), c.now.Sub(t0), got, c.want)
		}
	}
}
