package webui

// The dashboard server on fake time: inside a testing/synctest bubble its
// WebSocket clients reach it over in-memory pipes (pipeListener, as in
// hub_pace_test.go), so a hub test's waits, pings and write timeouts run on
// the bubble's clock and a client reads whatever it was sent before time
// moves on. What such a test asserts about timing is the hub's rule, never
// the machine's scheduler.

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"testing/synctest"
)

// bubbleAddr is the address a bubble server says it listens on: the Host
// and Origin its clients send, which its allow-list then takes.
var bubbleAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8642}

// bubbleListener is a pipeListener with a loopback address.
type bubbleListener struct{ *pipeListener }

func (bubbleListener) Addr() net.Addr { return bubbleAddr }

// startBubbleServer is startTestServer for a test running in a synctest
// bubble (call it from the bubble): the server serves pipes, and dialWS
// reaches it through them. Cleanup shuts it down inside the bubble.
func startBubbleServer(t *testing.T, mod func(*Options)) *testServer {
	t.Helper()
	return bubbleServer(t, mod, nil)
}

// bubbleServer is startBubbleServer with the server's end of each
// connection passed through wrap when it is not nil (to watch what the
// server writes).
func bubbleServer(t *testing.T, mod func(*Options), wrap func(net.Conn) net.Conn) *testServer {
	t.Helper()
	fb := newFakeBackend()
	opts := Options{Listen: bubbleAddr.String(), Backend: fb, Logger: quietLogger(), Version: "test"}
	if mod != nil {
		mod(&opts)
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	l := newPipeListener(wrap)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(bubbleListener{l}) }()
	synctest.Wait() // serving: the listener waits in Accept
	t.Cleanup(func() {
		if err := srv.Shutdown(context.Background()); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		_ = l.Close()
		if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	return &testServer{t: t, srv: srv, fb: fb, base: "http://" + bubbleAddr.String(), host: bubbleAddr.String(), dial: l.dial}
}
