package webui

// The hub's sample pacing on fake time (testing/synctest): connections are
// in-memory pipes, so every wait is the bubble's clock, not the machine's
// scheduler, and a writer held up by a slow reader is reproduced exactly.

import (
	"bytes"
	"context"
	"net"
	"posturewatch/coach/domain"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// pipeListener hands out the server ends of in-memory connections.
type pipeListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
	wrap   func(net.Conn) net.Conn
}

func newPipeListener(wrap func(net.Conn) net.Conn) *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), closed: make(chan struct{}), wrap: wrap}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

// dial connects a client end to the listener.
func (l *pipeListener) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	if l.wrap != nil {
		server = l.wrap(server)
	}
	select {
	case l.conns <- server:
		return client, nil
	case <-l.closed:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

// sampleWriteLog records when the server started writing each sample frame.
type sampleWriteLog struct {
	net.Conn
	mu    *sync.Mutex
	times *[]time.Time
}

func (c sampleWriteLog) Write(b []byte) (int, error) {
	if bytes.Contains(b, []byte(`"type":"`+MsgSample+`"`)) {
		c.mu.Lock()
		*c.times = append(*c.times, time.Now())
		c.mu.Unlock()
	}
	return c.Conn.Write(b)
}

// A writer held up by a slow reader finds, once free, both a new sample and
// its pacing timer ready. Whichever it takes first, two samples never start
// out less than the interval apart, and the newest still arrives.
func TestHubPacesSamplesWhenTheWriterFallsBehind(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var sampleWrites []time.Time
		ts := bubbleServer(t, nil, func(c net.Conn) net.Conn {
			return sampleWriteLog{Conn: c, mu: &mu, times: &sampleWrites}
		})
		c := connect(t, ts)
		// The reader dawdles after every message (a busy browser tab), so
		// the writer spends most of its time blocked in a write.
		const n = 3000 // samples, 2 ms apart
		readerDone := make(chan int)
		go func() {
			last := 0
			for {
				_, data, err := c.ReadMessage()
				if err != nil {
					readerDone <- last
					return
				}
				if bytes.Contains(data, []byte(`"seq":3000`)) {
					last = n
				}
				time.Sleep(120 * time.Millisecond)
			}
		}()
		for i := 1; i <= n; i++ {
			ts.srv.PublishSample(seqSample(i))
			if i%15 == 0 {
				ts.srv.PublishEvent(domain.Event{Type: domain.EventNudge, Message: "x"})
			}
			time.Sleep(2 * time.Millisecond)
		}
		time.Sleep(time.Minute) // long enough for everything queued to drain
		c.Close()
		newest := <-readerDone

		mu.Lock()
		defer mu.Unlock()
		if len(sampleWrites) < 5 {
			t.Fatalf("%d samples written", len(sampleWrites))
		}
		for i := 1; i < len(sampleWrites); i++ {
			if gap := sampleWrites[i].Sub(sampleWrites[i-1]); gap < 200*time.Millisecond {
				t.Errorf("samples %d and %d started %v apart, want at least 200ms", i-1, i, gap)
			}
		}
		if newest != n {
			t.Errorf("the newest sample (%d) never arrived", n)
		}
	})
}
