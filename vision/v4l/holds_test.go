package v4l

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"posturewatch/coach/domain"
)

// Another program holding the camera holds monitoring off it, named; the
// device free again ends the hold; unplugging is not a hold.
func TestHoldOf(t *testing.T) {
	h, ok := HoldOf(Event{Kind: InUse, Holders: []Holder{{PID: 1234, Name: "zoom"}}})
	if !ok || !h.On || h.Source != domain.HoldCamera || h.Reason != "the camera is in use by zoom (pid 1234)" {
		t.Errorf("in use: %+v", h)
	}
	if h, ok := HoldOf(Event{Kind: Free}); !ok || h.On || h.Source != domain.HoldCamera {
		t.Errorf("free: %+v", h)
	}
	for _, k := range []Kind{Gone, Back} {
		if _, ok := HoldOf(Event{Kind: k}); ok {
			t.Errorf("%s made a hold", k)
		}
	}
}

// A program that keeps the device open (a video call) becomes a hold naming
// it, and its closing ends the hold.
func TestWatchHolds(t *testing.T) {
	node := newNode(t)
	out := make(chan domain.Hold)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		WatchHolds(ctx, WatchOptions{Path: node, Grace: 30 * time.Millisecond, ReleaseGrace: 30 * time.Millisecond}, out,
			slog.New(slog.NewTextHandler(io.Discard, nil)))
		close(done)
	}()
	defer func() { cancel(); <-done }()
	next := func() domain.Hold {
		t.Helper()
		select {
		case h := <-out:
			return h
		case <-time.After(20 * time.Second):
			t.Fatal("no hold within 20 s")
			return domain.Hold{}
		}
	}
	o := hold(t, node, "fakezoom")
	if h := next(); !h.On || !strings.Contains(h.Reason, "fakezoom (pid ") {
		t.Errorf("in use: %+v", h)
	}
	o.stop()
	if h := next(); h.On {
		t.Errorf("free: %+v", h)
	}
}
