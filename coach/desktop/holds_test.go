package desktop

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"posturewatch/coach/domain"
)

// Lock and sleep each hold the camera closed until their opposite; the
// sleep's hold carries the ack that lets the machine sleep.
func TestHoldOf(t *testing.T) {
	acked := false
	cases := []struct {
		e      Event
		source string
		on     bool
	}{
		{Event{Kind: Locked}, domain.HoldScreen, true},
		{Event{Kind: Unlocked}, domain.HoldScreen, false},
		{Event{Kind: Sleeping, Ack: func() { acked = true }}, domain.HoldSleep, true},
		{Event{Kind: Woke}, domain.HoldSleep, false},
	}
	for _, c := range cases {
		h, ok := HoldOf(c.e)
		if !ok || h.Source != c.source || h.On != c.on || (h.On && h.Reason == "") {
			t.Errorf("%s: %+v %v", c.e.Kind, h, ok)
		}
		if c.e.Kind == Sleeping {
			h.Ack()
		}
	}
	if !acked {
		t.Error("the sleep's ack was not passed on")
	}
	if _, ok := HoldOf(Event{Kind: Unavailable}); ok {
		t.Error("Unavailable made a hold")
	}
}

// Against a private bus with a fake logind: a sleep reaches the consumer as
// a hold whose ack releases the inhibitor, a lock as a screen hold.
func TestForwardHolds(t *testing.T) {
	sys := startBus(t)
	f := startLogind(t, sys, fakeLogindOpts{})
	m := New(Options{SystemBusAddress: sys.addr, SessionBusAddress: absentBus(t), SleepAckTimeout: time.Hour,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan domain.Hold)
	done := make(chan struct{})
	go func() { m.ForwardHolds(ctx, out); close(done) }()
	defer func() { cancel(); <-done }()
	next := func() domain.Hold {
		t.Helper()
		select {
		case h := <-out:
			return h
		case <-time.After(guard):
			t.Fatalf("no hold within %v", guard)
			return domain.Hold{}
		}
	}
	deadline := time.Now().Add(guard)
	for !m.Status().Inhibitor {
		if time.Now().After(deadline) {
			t.Fatalf("no inhibitor taken within %v", guard)
		}
		time.Sleep(10 * time.Millisecond)
	}
	f.sent() // the monitor's copy of the descriptor is now the only one
	inh := f.inhibitors()
	if len(inh) != 1 {
		t.Fatalf("%d inhibitors", len(inh))
	}
	f.prepareForSleep(true)
	h := next()
	if h.Source != domain.HoldSleep || !h.On || h.Ack == nil {
		t.Fatalf("sleep: %+v", h)
	}
	h.Ack()
	inh[0].waitClosed(t, "after the hold's ack")
	f.prepareForSleep(false)
	if h := next(); h.Source != domain.HoldSleep || h.On {
		t.Errorf("wake: %+v", h)
	}
	f.setLocked(true)
	if h := next(); h.Source != domain.HoldScreen || !h.On {
		t.Errorf("lock: %+v", h)
	}
}
