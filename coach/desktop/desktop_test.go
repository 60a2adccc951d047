package desktop

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"
)

// absentBus is the address of a bus that does not exist.
func absentBus(t *testing.T) string {
	return "unix:path=" + t.TempDir() + "/absent"
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{Locked: "locked", Unlocked: "unlocked", Sleeping: "sleeping", Woke: "woke", Unavailable: "unavailable", 0: "unknown"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, got, want)
		}
	}
}

func TestNewDoesNoIO(t *testing.T) {
	before := runtime.NumGoroutine()
	m := New(Options{SystemBusAddress: "unix:path=/nonexistent", SessionBusAddress: "unix:path=/nonexistent"})
	if after := runtime.NumGoroutine(); after != before {
		t.Errorf("New started goroutines: %d → %d", before, after)
	}
	if s := m.Status(); s.Running || s.SystemBus || s.SessionBus || s.Available() || !s.CameraAllowed() {
		t.Errorf("status before Run = %+v", s)
	}
	if m.opts.SleepAckTimeout != DefaultSleepAckTimeout {
		t.Errorf("default SleepAckTimeout = %v", m.opts.SleepAckTimeout)
	}
}

func TestLockedHint(t *testing.T) {
	for _, tc := range []struct {
		name string
		emit prop.EmitType
	}{
		{"value in PropertiesChanged", prop.EmitTrue},
		{"invalidated, then read", prop.EmitInvalidates},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sys := startBus(t)
			f := startLogind(t, sys, fakeLogindOpts{emit: tc.emit})
			h := startMonitor(t, Options{SystemBusAddress: sys.addr, SessionBusAddress: absentBus(t)}, nil)
			s := h.waitStatus("watching the session", func(s Status) bool { return s.Session != "" })
			if s.Session != string(fakeSessionPath) || !s.Logind || !s.SystemBus || s.Locked {
				t.Fatalf("status = %+v", s)
			}

			f.setLocked(true)
			if ev := h.expect(Locked, SourceLockedHint); ev.CameraAllowed {
				t.Error("Locked event says the camera is allowed")
			}
			f.setLocked(true) // repeated: must not repeat the event
			f.setLocked(false)
			// The next event must be this Unlocked, not a second Locked.
			if ev := h.expect(Unlocked, SourceLockedHint); !ev.CameraAllowed {
				t.Error("Unlocked event says the camera is not allowed")
			}
			f.setLocked(true)
			h.expect(Locked, SourceLockedHint)
			if s := h.m.Status(); !s.Locked || s.CameraAllowed() {
				t.Errorf("status after lock = %+v", s)
			}
		})
	}
}

func TestScreenSavers(t *testing.T) {
	for _, tc := range []struct {
		name string
		path dbus.ObjectPath
	}{
		{SourceFreedesktopScreenSaver, "/org/freedesktop/ScreenSaver"},
		{SourceFreedesktopScreenSaver, "/ScreenSaver"},
		{SourceGNOMEScreenSaver, "/org/gnome/ScreenSaver"},
	} {
		t.Run(tc.name+string(tc.path), func(t *testing.T) {
			sess := startBus(t)
			s := startSaver(t, sess, tc.name, tc.path, false)
			h := startMonitor(t, Options{SystemBusAddress: absentBus(t), SessionBusAddress: sess.addr}, nil)
			st := h.waitStatus("watching the screensaver", func(s Status) bool { return len(s.ScreenSavers) == 1 })
			if st.ScreenSavers[0] != tc.name || !st.SessionBus || st.SystemBus || !st.Available() {
				t.Fatalf("status = %+v", st)
			}
			s.setActive(true)
			h.expect(Locked, tc.name)
			s.setActive(true)
			s.setActive(false)
			h.expect(Unlocked, tc.name)
			s.setActive(true)
			h.expect(Locked, tc.name)
		})
	}
}

// TestLockAnySource: locked while any source says so, unlocked only when
// all have cleared.
func TestLockAnySource(t *testing.T) {
	sys, sess := startBus(t), startBus(t)
	f := startLogind(t, sys, fakeLogindOpts{})
	gnome := startSaver(t, sess, SourceGNOMEScreenSaver, "/org/gnome/ScreenSaver", false)
	fd := startSaver(t, sess, SourceFreedesktopScreenSaver, "/ScreenSaver", false)
	h := startMonitor(t, Options{SystemBusAddress: sys.addr, SessionBusAddress: sess.addr}, nil)
	h.waitStatus("watching all sources", func(s Status) bool { return s.Session != "" && len(s.ScreenSavers) == 2 })

	// The buses are independent: wait for each change to be seen before
	// the next, so that the order is the one written here.
	lockedBy := func(want ...string) {
		t.Helper()
		h.waitStatus(fmt.Sprintf("locked by %q", want), func(s Status) bool { return slices.Equal(s.LockedBy, want) })
	}
	gnome.setActive(true)
	h.expect(Locked, SourceGNOMEScreenSaver)
	f.setLocked(true)
	lockedBy(SourceLockedHint, SourceGNOMEScreenSaver)
	fd.setActive(true)
	lockedBy(SourceLockedHint, SourceFreedesktopScreenSaver, SourceGNOMEScreenSaver)
	gnome.setActive(false)
	fd.setActive(false)
	lockedBy(SourceLockedHint)
	// Only the last source to clear unlocks; an early Unlocked would
	// come from another source.
	f.setLocked(false)
	h.expect(Unlocked, SourceLockedHint)
	if s := h.m.Status(); s.Locked {
		t.Errorf("status = %+v", s)
	}
}

func TestInitiallyLocked(t *testing.T) {
	t.Run("LockedHint", func(t *testing.T) {
		sys := startBus(t)
		f := startLogind(t, sys, fakeLogindOpts{locked: true})
		h := startMonitor(t, Options{SystemBusAddress: sys.addr, SessionBusAddress: absentBus(t)}, nil)
		if ev := h.expect(Locked, SourceLockedHint); ev.CameraAllowed {
			t.Error("camera allowed while locked")
		}
		f.setLocked(false)
		h.expect(Unlocked, SourceLockedHint)
	})
	t.Run("screensaver", func(t *testing.T) {
		sess := startBus(t)
		s := startSaver(t, sess, SourceGNOMEScreenSaver, "/org/gnome/ScreenSaver", true)
		h := startMonitor(t, Options{SystemBusAddress: absentBus(t), SessionBusAddress: sess.addr}, nil)
		h.expect(Locked, SourceGNOMEScreenSaver)
		s.setActive(false)
		h.expect(Unlocked, SourceGNOMEScreenSaver)
	})
}

// TestSessionFallback: a process outside any session (e.g. a systemd user
// service) falls back to $XDG_SESSION_ID, then to logind's "auto".
func TestSessionFallback(t *testing.T) {
	t.Setenv("XDG_SESSION_ID", "c7")
	sys := startBus(t)
	f := startLogind(t, sys, fakeLogindOpts{byPIDFails: true})
	h := startMonitor(t, Options{SystemBusAddress: sys.addr, SessionBusAddress: absentBus(t)}, nil)
	h.waitStatus("watching the session", func(s Status) bool { return s.Session == string(fakeSessionPath) })
	f.mu.Lock()
	lookups := slices.Clone(f.lookups)
	f.mu.Unlock()
	if want := []string{"pid", "id:c7", "id:auto"}; !slices.Equal(lookups, want) {
		t.Errorf("session lookups = %q, want %q", lookups, want)
	}
	f.setLocked(true)
	h.expect(Locked, SourceLockedHint)
}

func TestSleepAck(t *testing.T) {
	sys := startBus(t)
	f := startLogind(t, sys, fakeLogindOpts{})
	// A long timeout: here only Ack may release the inhibitor.
	h := startMonitor(t, Options{SystemBusAddress: sys.addr, SessionBusAddress: absentBus(t), SleepAckTimeout: time.Hour}, nil)
	h.waitStatus("holding an inhibitor", func(s Status) bool { return s.Inhibitor })
	f.sent()
	inhs := f.inhibitors()
	if len(inhs) != 1 {
		t.Fatalf("%d inhibitors taken, want 1", len(inhs))
	}
	first := inhs[0]
	if first.what != "sleep" || first.who != "posturewatch" || first.mode != "delay" || first.why == "" {
		t.Errorf("Inhibit(%q, %q, %q, %q)", first.what, first.who, first.why, first.mode)
	}

	f.prepareForSleep(true)
	f.prepareForSleep(true) // repeated: no second Sleeping
	ev := h.expect(Sleeping, SourceLogind)
	if ev.CameraAllowed {
		t.Error("Sleeping event says the camera is allowed")
	}
	if first.isClosed() {
		t.Fatal("inhibitor released before Ack")
	}
	if s := h.m.Status(); !s.Sleeping || !s.Inhibitor {
		t.Errorf("status while sleeping = %+v", s)
	}
	ev.Ack()
	first.waitClosed(t, "after Ack")
	ev.Ack() // idempotent
	if s := h.m.Status(); s.Inhibitor {
		t.Errorf("status after Ack = %+v", s)
	}

	f.prepareForSleep(false)
	if ev := h.expect(Woke, SourceLogind); !ev.CameraAllowed {
		t.Error("Woke event says the camera is not allowed")
	}
	h.waitStatus("holding a new inhibitor", func(s Status) bool { return s.Inhibitor })
	inhs = f.inhibitors()
	if len(inhs) != 2 {
		t.Fatalf("%d inhibitors taken after wake, want 2", len(inhs))
	}
	f.sent()
	if inhs[1].isClosed() {
		t.Error("new inhibitor already closed")
	}
	if s := h.m.Status(); s.Sleeping || !s.Inhibitor {
		t.Errorf("status after wake = %+v", s)
	}

	// A second cycle works the same way, and a repeated wake is no event.
	f.prepareForSleep(true)
	ev = h.expect(Sleeping, SourceLogind)
	ev.Ack()
	inhs[1].waitClosed(t, "after the second Ack")
	f.prepareForSleep(false)
	f.prepareForSleep(false)
	f.setLocked(true)
	h.expect(Woke, SourceLogind)
	h.expect(Locked, SourceLockedHint)
}

func TestSleepAckTimeout(t *testing.T) {
	sys := startBus(t)
	f := startLogind(t, sys, fakeLogindOpts{})
	const timeout = 100 * time.Millisecond
	h := startMonitor(t, Options{SystemBusAddress: sys.addr, SessionBusAddress: absentBus(t), SleepAckTimeout: timeout}, nil)
	h.waitStatus("holding an inhibitor", func(s Status) bool { return s.Inhibitor })
	f.sent()
	inh := f.inhibitors()[0]

	start := time.Now()
	f.prepareForSleep(true)
	ev := h.expect(Sleeping, SourceLogind)
	inh.waitClosed(t, "after the timeout, without Ack")
	if d := time.Since(start); d < timeout {
		t.Errorf("released after %v, before the %v timeout", d, timeout)
	}
	ev.Ack() // late: harmless
	if s := h.m.Status(); !s.Sleeping || s.Inhibitor {
		t.Errorf("status = %+v", s)
	}
	if n := countLines(h.logs, "not released in time"); n != 1 {
		t.Errorf("%d timeout log lines, want 1", n)
	}
	f.prepareForSleep(false)
	h.expect(Woke, SourceLogind)
}

// TestInhibitLate: Inhibit runs alongside the loop, and a descriptor that
// arrives once the machine is already going to sleep is closed at once.
func TestInhibitLate(t *testing.T) {
	sys := startBus(t)
	f := startLogind(t, sys, fakeLogindOpts{})
	replies := make(chan bool, 10)
	h := startMonitor(t, Options{SystemBusAddress: sys.addr, SessionBusAddress: absentBus(t), SleepAckTimeout: time.Hour}, func(m *Monitor) {
		m.onInhibit = func(kept bool) { replies <- kept }
	})
	h.waitStatus("holding an inhibitor", func(s Status) bool { return s.Inhibitor })
	f.sent()
	if !<-replies {
		t.Fatal("first inhibitor not kept")
	}
	gate := make(chan struct{})
	f.mu.Lock()
	f.gate = gate
	f.mu.Unlock()

	f.prepareForSleep(true)
	h.expect(Sleeping, SourceLogind).Ack()
	f.prepareForSleep(false)
	h.expect(Woke, SourceLogind) // not held up by the pending Inhibit
	f.prepareForSleep(true)
	ev := h.expect(Sleeping, SourceLogind) // nothing to release yet
	close(gate)
	select {
	case kept := <-replies:
		if kept {
			t.Fatal("inhibitor taken while sleeping was kept")
		}
	case <-time.After(guard):
		t.Fatal("no Inhibit reply")
	}
	f.sent()
	f.inhibitors()[1].waitClosed(t, "arriving while sleeping")
	ev.Ack()
	f.prepareForSleep(false)
	h.expect(Woke, SourceLogind)
	h.waitStatus("holding a new inhibitor", func(s Status) bool { return s.Inhibitor })
	if n := len(f.inhibitors()); n != 3 {
		t.Errorf("%d inhibitors taken, want 3", n)
	}
}

// TestInhibitDenied: without an inhibitor, sleep is still reported, and the
// failure is logged once, not at every wake-up.
func TestInhibitDenied(t *testing.T) {
	sys := startBus(t)
	f := startLogind(t, sys, fakeLogindOpts{inhibitFail: true})
	h := startMonitor(t, Options{SystemBusAddress: sys.addr, SessionBusAddress: absentBus(t)}, nil)
	s := h.waitStatus("watching logind without an inhibitor", func(s Status) bool {
		return s.Session != "" && hasProblem(s, "inhibitor:")
	})
	if s.Inhibitor {
		t.Errorf("status = %+v", s)
	}
	for range 2 {
		f.prepareForSleep(true)
		h.expect(Sleeping, SourceLogind).Ack()
		f.prepareForSleep(false)
		h.expect(Woke, SourceLogind)
	}
	if n := countLines(h.logs, "inhibitor"); n != 1 {
		t.Errorf("%d inhibitor log lines, want 1:\n%s", n, strings.Join(h.logs.lines(), "\n"))
	}
}

// TestSpoofedSignalsIgnored: signals sent straight to the Monitor by anyone
// but the services' owners (or the bus driver) change nothing.
func TestSpoofedSignalsIgnored(t *testing.T) {
	sys, sess := startBus(t), startBus(t)
	f := startLogind(t, sys, fakeLogindOpts{})
	gnome := startSaver(t, sess, SourceGNOMEScreenSaver, "/org/gnome/ScreenSaver", false)
	rogueSys, rogueSess := sys.connect(t), sess.connect(t)
	rogues := map[string]bool{rogueSys.Names()[0]: true, rogueSess.Names()[0]: true}
	spoofed := make(chan struct{}, 10)
	h := startMonitor(t, Options{SystemBusAddress: sys.addr, SessionBusAddress: sess.addr}, func(m *Monitor) {
		m.onSignal = func(sig *dbus.Signal) {
			if rogues[sig.Sender] {
				spoofed <- struct{}{}
			}
		}
	})
	h.waitStatus("watching all sources", func(s Status) bool { return s.Session != "" && len(s.ScreenSavers) == 1 })

	f.mu.Lock()
	monSys := f.client
	f.mu.Unlock()
	gnome.mu.Lock()
	monSess := gnome.client
	gnome.mu.Unlock()
	unicast(t, rogueSys, monSys, managerPath, managerIntf, "PrepareForSleep", true)
	unicast(t, rogueSys, monSys, fakeSessionPath, propertiesIntf, "PropertiesChanged",
		sessionIntf, map[string]dbus.Variant{lockedHint: dbus.MakeVariant(true)}, []string{})
	unicast(t, rogueSys, monSys, "/org/freedesktop/DBus", busDriver, "NameOwnerChanged", login1Name, ":1.1", "")
	unicast(t, rogueSess, monSess, "/org/gnome/ScreenSaver", SourceGNOMEScreenSaver, "ActiveChanged", true)
	for range 4 {
		select {
		case <-spoofed:
		case <-time.After(guard):
			t.Fatal("the spoofed signals never reached the Monitor")
		}
	}
	if s := h.m.Status(); s.Sleeping || s.Locked || !s.Logind || len(s.LockedBy) != 0 {
		t.Errorf("status after spoofing = %+v", s)
	}
	// Had a spoof queued an event, it would come before this one.
	gnome.setActive(true)
	h.expect(Locked, SourceGNOMEScreenSaver)
}

// unicast sends a signal addressed to dest only, then makes a round trip to
// the bus so that it has been routed before the caller goes on.
func unicast(t *testing.T, conn *dbus.Conn, dest string, path dbus.ObjectPath, intf, member string, body ...any) {
	t.Helper()
	msg := &dbus.Message{
		Type: dbus.TypeSignal,
		Headers: map[dbus.HeaderField]dbus.Variant{
			dbus.FieldPath:        dbus.MakeVariant(path),
			dbus.FieldInterface:   dbus.MakeVariant(intf),
			dbus.FieldMember:      dbus.MakeVariant(member),
			dbus.FieldDestination: dbus.MakeVariant(dest),
			dbus.FieldSignature:   dbus.MakeVariant(dbus.SignatureOf(body...)),
		},
		Body: body,
	}
	if call := conn.Send(msg, nil); call.Err != nil {
		t.Fatalf("send %s.%s: %v", intf, member, call.Err)
	}
	var id string
	if err := conn.BusObject().Call(busDriver+".GetId", 0).Store(&id); err != nil {
		t.Fatal(err)
	}
}

// TestSystemBusWithoutLogind: a system bus without logind and no session
// bus is "no desktop signals"; logind showing up later is picked up.
func TestSystemBusWithoutLogind(t *testing.T) {
	sys := startBus(t)
	h := startMonitor(t, Options{SystemBusAddress: sys.addr, SessionBusAddress: absentBus(t)}, nil)
	ev := h.expect(Unavailable, "")
	if !strings.Contains(ev.Detail, "logind") || !strings.Contains(ev.Detail, "session bus") || !ev.CameraAllowed {
		t.Errorf("Unavailable event = %+v", ev)
	}
	if s := h.m.Status(); !s.SystemBus || s.Logind || s.Available() {
		t.Errorf("status = %+v", s)
	}
	f := startLogind(t, sys, fakeLogindOpts{})
	h.waitStatus("watching logind", func(s Status) bool { return s.Logind && s.Session != "" && s.Inhibitor })
	f.sent()
	f.setLocked(true)
	h.expect(Locked, SourceLockedHint)
	// logind leaving keeps the lock state (nothing can say it changed) and
	// is not reported as an event.
	f.conn.Close()
	h.waitStatus("logind gone", func(s Status) bool { return !s.Logind && s.SystemBus })
	if s := h.m.Status(); !s.Locked {
		t.Errorf("status = %+v", s)
	}
}

// TestBusKilled: the system bus daemon dies mid-run. The Monitor keeps its
// state and goes quiet, retries with backoff, and catches up once the bus is
// back.
func TestBusKilled(t *testing.T) {
	sys, sess := startBus(t), startBus(t)
	f := startLogind(t, sys, fakeLogindOpts{})
	const backoff = 20 * time.Millisecond
	var (
		mu       sync.Mutex
		attempts []time.Time
		failed   = make(chan struct{}, 100)
	)
	h := startMonitor(t, Options{SystemBusAddress: sys.addr, SessionBusAddress: sess.addr}, func(m *Monitor) {
		m.minBackoff, m.maxBackoff = backoff, 8*backoff
		m.onDial = func(bus string, err error) {
			if bus != "system" || err == nil {
				return
			}
			mu.Lock()
			attempts = append(attempts, time.Now())
			mu.Unlock()
			failed <- struct{}{}
		}
	})
	h.waitStatus("watching logind", func(s Status) bool { return s.Session != "" && s.Inhibitor })
	f.sent()
	f.setLocked(true)
	h.expect(Locked, SourceLockedHint)

	sys.kill()
	h.waitStatus("system bus lost", func(s Status) bool { return !s.SystemBus && !s.Logind })
	for range 4 {
		select {
		case <-failed:
		case <-time.After(guard):
			t.Fatal("no reconnection attempt")
		}
	}
	mu.Lock()
	got := slices.Clone(attempts)
	mu.Unlock()
	for i := 1; i < len(got); i++ {
		if gap := got[i].Sub(got[i-1]); gap < backoff {
			t.Errorf("reconnection attempts %d and %d only %v apart: spinning", i-1, i, gap)
		}
	}
	select {
	case ev := <-h.m.Events():
		t.Fatalf("event while the bus is down: %+v", ev)
	default:
	}
	if s := h.m.Status(); !s.Locked || !s.SessionBus || !hasProblem(s, "system bus:") {
		t.Errorf("status while down = %+v", s)
	}

	sys.start()
	startLogind(t, sys, fakeLogindOpts{locked: false})
	h.expect(Unlocked, SourceLockedHint)
	h.waitStatus("reconnected", func(s Status) bool {
		return s.SystemBus && s.Logind && s.Session != "" && !hasProblem(s, "system bus:")
	})
	// One line each way, none per retry.
	if lost, back := countLines(h.logs, "lost the system bus"), countLines(h.logs, "reconnected to the system bus"); lost != 1 || back != 1 {
		t.Errorf("logged lost %d and reconnected %d times, want once each:\n%s", lost, back, strings.Join(h.logs.lines(), "\n"))
	}
	if n := len(h.logs.lines()); n > 4 {
		t.Errorf("%d log lines:\n%s", n, strings.Join(h.logs.lines(), "\n"))
	}
}

// TestRunCancel: cancelling ctx makes Run return nil, close its
// connections, release the inhibitor, close Events and leave no goroutine.
func TestRunCancel(t *testing.T) {
	sys, sess := startBus(t), startBus(t)
	f := startLogind(t, sys, fakeLogindOpts{})
	gnome := startSaver(t, sess, SourceGNOMEScreenSaver, "/org/gnome/ScreenSaver", false)
	// Watch connections come and go on both buses.
	watch := func(b *testBus) chan *dbus.Signal {
		conn := b.connect(t)
		if err := conn.AddMatchSignal(dbus.WithMatchSender(busDriver), dbus.WithMatchMember("NameOwnerChanged")); err != nil {
			t.Fatal(err)
		}
		ch := make(chan *dbus.Signal, 1000)
		conn.Signal(ch)
		return ch
	}
	sysNames, sessNames := watch(sys), watch(sess)
	baseline := runtime.NumGoroutine()

	h := startMonitor(t, Options{SystemBusAddress: sys.addr, SessionBusAddress: sess.addr}, nil)
	h.waitStatus("watching all sources", func(s Status) bool {
		return s.Session != "" && s.Inhibitor && len(s.ScreenSavers) == 1
	})
	f.sent()
	f.mu.Lock()
	monSys := f.client
	f.mu.Unlock()
	gnome.mu.Lock()
	monSess := gnome.client
	gnome.mu.Unlock()

	h.stop() // fails unless Run returns nil and closes Events
	if s := h.m.Status(); s.Running || s.SystemBus || s.SessionBus || s.Inhibitor {
		t.Errorf("status after Run = %+v", s)
	}
	if err := waitNameGone(sysNames, monSys); err != nil {
		t.Errorf("system bus connection %s not closed: %v", monSys, err)
	}
	if err := waitNameGone(sessNames, monSess); err != nil {
		t.Errorf("session bus connection %s not closed: %v", monSess, err)
	}
	f.inhibitors()[0].waitClosed(t, "after Run returned")

	// godbus's reader goroutines end just after their sockets close.
	deadline := time.Now().Add(guard)
	for runtime.NumGoroutine() > baseline {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, %d before Run:\n%s", runtime.NumGoroutine(), baseline, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n := countLines(h.logs, "lost"); n != 0 {
		t.Errorf("shutting down logged a lost bus:\n%s", strings.Join(h.logs.lines(), "\n"))
	}
	if err := h.m.Run(t.Context()); err != ErrAlreadyRun {
		t.Errorf("second Run = %v, want ErrAlreadyRun", err)
	}
}

func hasProblem(s Status, prefix string) bool {
	return slices.ContainsFunc(s.Problems, func(p string) bool { return strings.HasPrefix(p, prefix) })
}

func countLines(b *syncBuffer, substr string) int {
	n := 0
	for _, l := range b.lines() {
		if strings.Contains(l, substr) {
			n++
		}
	}
	return n
}
