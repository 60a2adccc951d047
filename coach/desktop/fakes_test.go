package desktop

// Test doubles that run on real D-Bus: a private dbus-daemon per bus, and
// fake logind and screensaver services exported on it with godbus.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"
)

// guard bounds every wait in these tests. It only turns a hang into a
// failure; no test outcome depends on it.
const guard = 20 * time.Second

// testBus is a private dbus-daemon listening on a socket in a temp dir.
type testBus struct {
	t      *testing.T
	sock   string
	config string
	addr   string

	mu     sync.Mutex
	cmd    *exec.Cmd
	stderr *bytes.Buffer
}

func daemonPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("dbus-daemon")
	if err != nil {
		t.Skip("dbus-daemon not found: these tests need a real D-Bus daemon (Debian package dbus; `scripts/deps.sh test` installs it)")
	}
	return p
}

// startBus starts a private bus daemon that allows everything.
func startBus(t *testing.T) *testBus {
	t.Helper()
	daemonPath(t)
	dir := t.TempDir()
	b := &testBus{t: t, sock: filepath.Join(dir, "bus"), config: filepath.Join(dir, "bus.conf")}
	conf := `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=` + dbus.EscapeBusAddressValue(b.sock) + `</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`
	if err := os.WriteFile(b.config, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	b.start()
	t.Cleanup(b.kill)
	return b
}

func (b *testBus) start() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	cmd := exec.Command(daemonPath(b.t), "--config-file="+b.config, "--print-address", "--nofork")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.t.Fatal(err)
	}
	b.stderr = new(bytes.Buffer)
	cmd.Stderr = b.stderr
	if err := cmd.Start(); err != nil {
		b.t.Fatalf("start dbus-daemon: %v", err)
	}
	// The daemon prints its address once it listens.
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		b.t.Fatalf("dbus-daemon did not start: %v; stderr: %s", err, b.stderr)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }() // ends when the daemon exits
	b.addr = strings.TrimSpace(line)
	b.cmd = cmd
}

// kill stops the daemon abruptly (SIGKILL), as a crash would.
func (b *testBus) kill() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cmd == nil {
		return
	}
	_ = b.cmd.Process.Kill()
	_ = b.cmd.Wait()
	b.cmd = nil
}

// connect opens a test-side connection, closed at the end of the test.
func (b *testBus) connect(t *testing.T) *dbus.Conn {
	t.Helper()
	conn, err := dbus.Connect(b.addr)
	if err != nil {
		t.Fatalf("connect to test bus: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

func requestName(t *testing.T, conn *dbus.Conn, name string) {
	t.Helper()
	reply, err := conn.RequestName(name, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("RequestName(%s) = %v, %v", name, reply, err)
	}
}

// fakeInhibitor is one descriptor handed out by the fake logind: the write
// end of a pipe whose read end tells when every copy has been closed.
type fakeInhibitor struct {
	what, who, why, mode string
	w                    *os.File // the test's own copy; closed by sent()
	closed               chan struct{}
}

func (i *fakeInhibitor) isClosed() bool {
	select {
	case <-i.closed:
		return true
	default:
		return false
	}
}

func (i *fakeInhibitor) waitClosed(t *testing.T, why string) {
	t.Helper()
	select {
	case <-i.closed:
	case <-time.After(guard):
		t.Fatalf("inhibitor descriptor not closed: %s", why)
	}
}

type fakeLogindOpts struct {
	locked      bool          // initial LockedHint
	emit        prop.EmitType // how LockedHint changes are signalled (default EmitTrue)
	byPIDFails  bool          // GetSessionByPID fails as for a process outside any session
	inhibitFail bool          // Inhibit is denied
}

const fakeSessionPath = dbus.ObjectPath("/org/freedesktop/login1/session/_32")

// fakeLogind is the part of org.freedesktop.login1 that the Monitor uses.
type fakeLogind struct {
	t        *testing.T
	conn     *dbus.Conn
	opts     fakeLogindOpts
	session  *prop.Properties
	manager  *prop.Properties
	mu       sync.Mutex
	inhibits []*fakeInhibitor
	lookups  []string      // "pid", "id:X"
	client   string        // unique name of the last GetSessionByPID caller
	gate     chan struct{} // if set, Inhibit waits for it to close
}

func startLogind(t *testing.T, b *testBus, opts fakeLogindOpts) *fakeLogind {
	t.Helper()
	if opts.emit == 0 {
		opts.emit = prop.EmitTrue
	}
	f := &fakeLogind{t: t, conn: b.connect(t), opts: opts}
	var err error
	f.session, err = prop.Export(f.conn, fakeSessionPath, prop.Map{
		sessionIntf: {lockedHint: {Value: opts.locked, Emit: opts.emit}},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.manager, err = prop.Export(f.conn, managerPath, prop.Map{
		managerIntf: {"PreparingForSleep": {Value: false, Emit: prop.EmitFalse}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.conn.Export(&fakeManager{f}, managerPath, managerIntf); err != nil {
		t.Fatal(err)
	}
	requestName(t, f.conn, login1Name)
	t.Cleanup(f.closeAll)
	return f
}

// fakeManager holds only the exported D-Bus methods of the manager.
type fakeManager struct{ f *fakeLogind }

func (m *fakeManager) Inhibit(what, who, why, mode string) (dbus.UnixFD, *dbus.Error) {
	f := m.f
	f.mu.Lock()
	gate := f.gate
	f.mu.Unlock()
	if gate != nil {
		<-gate
	}
	if f.opts.inhibitFail {
		return -1, dbus.NewError("org.freedesktop.DBus.Error.AccessDenied", []any{"Permission denied"})
	}
	r, w, err := os.Pipe()
	if err != nil {
		return -1, dbus.MakeFailedError(err)
	}
	fd := dbus.UnixFD(w.Fd()) // before sent() may close w
	inh := &fakeInhibitor{what: what, who: who, why: why, mode: mode, w: w, closed: make(chan struct{})}
	go func() {
		_, _ = io.Copy(io.Discard, r) // EOF once all write ends are closed
		_ = r.Close()
		close(inh.closed)
	}()
	f.mu.Lock()
	f.inhibits = append(f.inhibits, inh)
	f.mu.Unlock()
	return fd, nil
}

func (m *fakeManager) GetSessionByPID(sender dbus.Sender, pid uint32) (dbus.ObjectPath, *dbus.Error) {
	f := m.f
	f.record("pid")
	f.mu.Lock()
	f.client = string(sender)
	f.mu.Unlock()
	if f.opts.byPIDFails || pid != uint32(os.Getpid()) {
		return "", dbus.NewError("org.freedesktop.login1.NoSessionForPID", []any{fmt.Sprintf("PID %d does not belong to any known session", pid)})
	}
	return fakeSessionPath, nil
}

func (m *fakeManager) GetSession(id string) (dbus.ObjectPath, *dbus.Error) {
	f := m.f
	f.record("id:" + id)
	if id == "auto" {
		return fakeSessionPath, nil
	}
	return "", dbus.NewError("org.freedesktop.login1.NoSuchSession", []any{"No session '" + id + "' known"})
}

func (f *fakeLogind) record(s string) {
	f.mu.Lock()
	f.lookups = append(f.lookups, s)
	f.mu.Unlock()
}

func (f *fakeLogind) inhibitors() []*fakeInhibitor {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*fakeInhibitor(nil), f.inhibits...)
}

// sent closes the test's own copy of every descriptor handed out so far.
// Call it only once the Monitor has received them (its copy is then the
// only one left), e.g. after Status().Inhibitor or a Woke event.
func (f *fakeLogind) sent() {
	for _, inh := range f.inhibitors() {
		_ = inh.w.Close() // a second close is harmless
	}
}

func (f *fakeLogind) closeAll() {
	f.sent()
}

func (f *fakeLogind) setLocked(v bool) { f.session.SetMust(sessionIntf, lockedHint, v) }

func (f *fakeLogind) prepareForSleep(start bool) {
	f.t.Helper()
	f.manager.SetMust(managerIntf, "PreparingForSleep", start)
	if err := f.conn.Emit(managerPath, prepareSleep, start); err != nil {
		f.t.Fatal(err)
	}
}

// fakeSaver is a screensaver service (GetActive, ActiveChanged).
type fakeSaver struct {
	t      *testing.T
	conn   *dbus.Conn
	name   string
	path   dbus.ObjectPath
	mu     sync.Mutex
	on     bool
	client string // unique name of the last GetActive caller
}

type fakeSaverObj struct{ s *fakeSaver }

func (o *fakeSaverObj) GetActive(sender dbus.Sender) (bool, *dbus.Error) {
	o.s.mu.Lock()
	defer o.s.mu.Unlock()
	o.s.client = string(sender)
	return o.s.on, nil
}

func startSaver(t *testing.T, b *testBus, name string, path dbus.ObjectPath, active bool) *fakeSaver {
	t.Helper()
	s := &fakeSaver{t: t, conn: b.connect(t), name: name, path: path, on: active}
	if err := s.conn.Export(&fakeSaverObj{s}, path, name); err != nil {
		t.Fatal(err)
	}
	requestName(t, s.conn, name)
	return s
}

func (s *fakeSaver) setActive(v bool) {
	s.t.Helper()
	s.mu.Lock()
	s.on = v
	s.mu.Unlock()
	if err := s.conn.Emit(s.path, s.name+".ActiveChanged", v); err != nil {
		s.t.Fatal(err)
	}
}

// syncBuffer collects log output.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := strings.TrimSpace(b.buf.String())
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// harness runs a Monitor for one test.
type harness struct {
	t       *testing.T
	m       *Monitor
	logs    *syncBuffer
	changed chan struct{}
	cancel  context.CancelFunc
	done    chan error
	stopped bool
}

// startMonitor starts Run; tweak may set test knobs before it starts.
func startMonitor(t *testing.T, opts Options, tweak func(*Monitor)) *harness {
	t.Helper()
	h := &harness{t: t, logs: new(syncBuffer), changed: make(chan struct{}, 1), done: make(chan error, 1)}
	opts.Logger = slog.New(slog.NewTextHandler(h.logs, nil))
	h.m = New(opts)
	h.m.onPublish = func() {
		select {
		case h.changed <- struct{}{}:
		default:
		}
	}
	if tweak != nil {
		tweak(h.m)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- h.m.Run(ctx) }()
	t.Cleanup(func() {
		h.stop()
		if t.Failed() {
			t.Logf("monitor log:\n%s", strings.Join(h.logs.lines(), "\n"))
		}
	})
	return h
}

// next returns the next event.
func (h *harness) next() Event {
	h.t.Helper()
	select {
	case ev, ok := <-h.m.Events():
		if !ok {
			h.t.Fatal("events channel closed")
		}
		return ev
	case <-time.After(guard):
		h.t.Fatalf("no event within %v; status %+v", guard, h.m.Status())
	}
	panic("unreachable")
}

// expect returns the next event, which must be of kind k from source.
func (h *harness) expect(k Kind, source string) Event {
	h.t.Helper()
	ev := h.next()
	if ev.Kind != k || ev.Source != source {
		h.t.Fatalf("got event %v from %q, want %v from %q", ev.Kind, ev.Source, k, source)
	}
	if ev.Ack == nil {
		h.t.Fatalf("%v event has a nil Ack", ev.Kind)
	}
	return ev
}

// waitStatus waits until cond holds for the Monitor's status.
func (h *harness) waitStatus(what string, cond func(Status) bool) Status {
	h.t.Helper()
	deadline := time.After(guard)
	for {
		if s := h.m.Status(); cond(s) {
			return s
		}
		select {
		case <-h.changed:
		case <-deadline:
			h.t.Fatalf("status never became %s: %+v", what, h.m.Status())
		}
	}
}

// stop cancels Run and waits for it to return and close Events.
func (h *harness) stop() {
	h.t.Helper()
	if h.stopped {
		return
	}
	h.stopped = true
	h.cancel()
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Errorf("Run returned %v", err)
		}
	case <-time.After(guard):
		h.t.Fatalf("Run did not return after cancel")
	}
	for range h.m.Events() { // closed by Run; drain what was queued
	}
}

var errTimeout = errors.New("timeout")

// waitName waits for a NameOwnerChanged about name on conn (already
// subscribed through ch) that leaves it without an owner.
func waitNameGone(ch <-chan *dbus.Signal, name string) error {
	deadline := time.After(guard)
	for {
		select {
		case sig := <-ch:
			if sig.Name == busDriver+".NameOwnerChanged" && len(sig.Body) == 3 && sig.Body[0] == name && sig.Body[2] == "" {
				return nil
			}
		case <-deadline:
			return errTimeout
		}
	}
}
