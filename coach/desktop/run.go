package desktop

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
)

const (
	busDriver      = "org.freedesktop.DBus"
	propertiesIntf = "org.freedesktop.DBus.Properties"
)

var errNotConnected = errors.New("not connected")

// bus is one D-Bus connection (system or session) and its reconnect state.
// Everything here is owned by the Run goroutine.
type bus struct {
	key     string // "system" or "session"
	name    string // "system bus" or "session bus", for messages
	address func() (string, error)

	conn    *dbus.Conn
	cancel  context.CancelFunc
	signals chan *dbus.Signal

	retry   *time.Timer
	backoff time.Duration
	lost    bool // was connected, then lost: log when it comes back

	// base holds, per topic ("owner:NAME", "lock:SOURCE"), the sequence
	// number of the reply that last read that state; signals received
	// before that reply are stale and ignored.
	base map[string]dbus.Sequence
}

func (b *bus) stale(topic string, sig *dbus.Signal) bool {
	return sig.Sequence < b.base[topic]
}

// runner is the state of one Run. Only the Run goroutine touches it.
type runner struct {
	ctx context.Context
	m   *Monitor

	sys, sess bus

	queue []Event // events not yet delivered

	locks    map[string]bool // lock source → says locked
	locked   bool
	sleeping bool

	logindOwner    string          // unique name of org.freedesktop.login1, "" if absent
	session        dbus.ObjectPath // session whose LockedHint is read, "" if none
	sessionMatch   dbus.ObjectPath // session path our PropertiesChanged match rule is for
	savers         map[string]string
	problems       map[string]string
	inhibitWarned  bool
	inhibitCall    *dbus.Call // pending Inhibit, nil if none
	inhibitCancel  context.CancelFunc
	startupPending bool
}

func newRunner(ctx context.Context, m *Monitor) *runner {
	r := &runner{
		ctx:            ctx,
		m:              m,
		locks:          map[string]bool{},
		savers:         map[string]string{},
		problems:       map[string]string{},
		startupPending: true,
	}
	r.sys = bus{key: "system", name: "system bus", address: func() (string, error) {
		return systemBusAddress(m.opts.SystemBusAddress), nil
	}}
	r.sess = bus{key: "session", name: "session bus", address: func() (string, error) {
		return sessionBusAddress(m.opts.SessionBusAddress)
	}}
	return r
}

func systemBusAddress(opt string) string {
	if opt != "" {
		return opt
	}
	if a := os.Getenv("DBUS_SYSTEM_BUS_ADDRESS"); a != "" {
		return a
	}
	return "unix:path=/var/run/dbus/system_bus_socket"
}

// sessionBusAddress never autolaunches a bus (godbus's default would run
// dbus-launch) and never sets environment variables.
func sessionBusAddress(opt string) (string, error) {
	if opt != "" {
		return opt, nil
	}
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" && a != "disabled:" {
		return a, nil
	}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		p := filepath.Join(dir, "bus")
		if fi, err := os.Stat(p); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return "unix:path=" + dbus.EscapeBusAddressValue(p), nil
		}
	}
	return "", errors.New("no session bus address ($DBUS_SESSION_BUS_ADDRESS is unset and $XDG_RUNTIME_DIR/bus does not exist)")
}

// start makes the first connection attempts and reports the outcome once.
func (r *runner) start() {
	r.connect(&r.sys)
	r.connect(&r.sess)
	r.startupPending = false
	if r.ctx.Err() != nil {
		return // cancelled while connecting: nothing to report
	}
	s := r.snapshot()
	if !s.Available() {
		detail := strings.Join(s.Problems, "; ")
		r.m.log.Info("desktop: no desktop signals; monitoring will not pause on screen lock or suspend", "why", detail)
		r.enqueue(Event{Kind: Unavailable, Detail: detail})
	} else {
		r.m.log.Info("desktop: watching screen lock and suspend",
			"logind", s.Logind, "session", s.Session, "screensavers", s.ScreenSavers, "locked", s.Locked)
	}
	r.publish()
}

func (r *runner) loop() {
	for {
		var out chan<- Event
		var head Event
		var handled *dbus.Signal
		if len(r.queue) > 0 {
			out, head = r.m.events, r.queue[0]
		}
		select {
		case <-r.ctx.Done():
			return
		case out <- head:
			r.queue[0] = Event{}
			r.queue = r.queue[1:]
		case sig, ok := <-r.sys.signals:
			if !ok {
				r.lost(&r.sys)
			} else {
				r.systemSignal(sig)
				handled = sig
			}
		case sig, ok := <-r.sess.signals:
			if !ok {
				r.lost(&r.sess)
			} else {
				r.sessionSignal(sig)
				handled = sig
			}
		case call := <-inhibitDone(r.inhibitCall):
			r.inhibitReply(call)
		case <-timerC(r.sys.retry):
			r.sys.retry = nil
			r.connect(&r.sys)
		case <-timerC(r.sess.retry):
			r.sess.retry = nil
			r.connect(&r.sess)
		}
		r.publish()
		if handled != nil && r.m.onSignal != nil {
			r.m.onSignal(handled)
		}
	}
}

func inhibitDone(c *dbus.Call) <-chan *dbus.Call {
	if c == nil {
		return nil
	}
	return c.Done
}

func timerC(t *time.Timer) <-chan time.Time {
	if t == nil {
		return nil
	}
	return t.C
}

// shutdown closes everything Run opened.
func (r *runner) shutdown() {
	for _, b := range []*bus{&r.sys, &r.sess} {
		if b.retry != nil {
			b.retry.Stop()
			b.retry = nil
		}
		r.closeBus(b)
	}
	if inh := r.m.inh.Load(); inh != nil {
		inh.release()
	}
	s := r.snapshot()
	s.Running = false
	r.m.mu.Lock()
	r.m.status = s
	r.m.mu.Unlock()
	if r.m.onPublish != nil {
		r.m.onPublish()
	}
}

// connect dials b and sets up its sources; on failure it schedules a retry.
func (r *runner) connect(b *bus) {
	err := r.dial(b)
	if err == nil {
		if b == &r.sys {
			err = r.setupSystem()
		} else {
			err = r.setupSession()
		}
		if err != nil {
			err = fmt.Errorf("set up %s: %w", b.name, err)
		}
	}
	if r.m.onDial != nil {
		r.m.onDial(b.key, err)
	}
	if err != nil {
		r.closeBus(b)
		r.problems[b.name] = err.Error()
		r.scheduleRetry(b)
		return
	}
	delete(r.problems, b.name)
	b.backoff = 0
	if b.lost {
		b.lost = false
		r.m.log.Info("desktop: reconnected to the " + b.name)
	}
}

func (r *runner) dial(b *bus) error {
	addr, err := b.address()
	if err != nil {
		return err
	}
	// The connection lives in ctx (so that cancelling Run unblocks any
	// call); the timer bounds authentication and Hello only.
	ctx, cancel := context.WithCancel(r.ctx)
	timer := time.AfterFunc(connectTimeout, cancel)
	conn, err := dbus.Connect(addr,
		dbus.WithContext(ctx),
		// Delivers signals in the order they arrived (the default handler
		// may reorder them under load).
		dbus.WithSignalHandler(dbus.NewSequentialSignalHandler()))
	if !timer.Stop() && err == nil {
		_ = conn.Close()
		err = fmt.Errorf("timed out after %v", connectTimeout)
	}
	if err != nil {
		cancel()
		return fmt.Errorf("connect to the %s at %s: %w", b.name, addr, err)
	}
	b.conn, b.cancel = conn, cancel
	b.signals = make(chan *dbus.Signal, 16)
	b.base = map[string]dbus.Sequence{}
	conn.Signal(b.signals)
	return nil
}

// closeBus closes b's connection and forgets what depended on it. Lock
// states read through it are kept until it is back and they can be re-read:
// a bus restart must not turn the camera on behind a locked screen.
func (r *runner) closeBus(b *bus) {
	if b.conn != nil {
		_ = b.conn.Close()
		b.cancel()
	}
	b.conn, b.cancel, b.signals, b.base = nil, nil, nil, nil
	if b == &r.sys {
		r.abandonInhibit()
		r.logindOwner, r.session, r.sessionMatch = "", "", ""
		delete(r.problems, "logind")
		delete(r.problems, "session")
	} else {
		clear(r.savers)
		for _, name := range saverNames {
			delete(r.problems, name)
		}
	}
}

// lost handles a connection that closed under us (bus daemon gone).
func (r *runner) lost(b *bus) {
	if r.ctx.Err() != nil {
		b.signals = nil // closed because Run is ending: not worth a log line
		return
	}
	r.m.log.Info("desktop: lost the " + b.name + "; reconnecting in the background")
	b.lost = true
	r.closeBus(b)
	r.problems[b.name] = "connection lost"
	r.scheduleRetry(b)
}

func (r *runner) scheduleRetry(b *bus) {
	if b.backoff == 0 {
		b.backoff = r.m.minBackoff
	} else {
		b.backoff = min(2*b.backoff, r.m.maxBackoff)
	}
	b.retry = time.NewTimer(b.backoff)
}

// call makes one bounded method call on b without activating services.
func (r *runner) call(b *bus, dest string, path dbus.ObjectPath, method string, args ...any) *dbus.Call {
	if b.conn == nil {
		return &dbus.Call{Err: errNotConnected}
	}
	ctx, cancel := context.WithTimeout(r.ctx, callTimeout)
	defer cancel()
	return b.conn.Object(dest, path).CallWithContext(ctx, method, dbus.FlagNoAutoStart, args...)
}

func (r *runner) addMatch(b *bus, opts ...dbus.MatchOption) error {
	ctx, cancel := context.WithTimeout(r.ctx, callTimeout)
	defer cancel()
	if err := b.conn.AddMatchSignalContext(ctx, opts...); err != nil {
		return fmt.Errorf("AddMatch: %w", err)
	}
	return nil
}

func (r *runner) removeMatch(b *bus, opts ...dbus.MatchOption) {
	ctx, cancel := context.WithTimeout(r.ctx, callTimeout)
	defer cancel()
	_ = b.conn.RemoveMatchSignalContext(ctx, opts...) // a stale rule only costs a filtered signal
}

func nameOwnerRule(name string) []dbus.MatchOption {
	return []dbus.MatchOption{
		dbus.WithMatchSender(busDriver),
		dbus.WithMatchInterface(busDriver),
		dbus.WithMatchMember("NameOwnerChanged"),
		dbus.WithMatchArg(0, name),
	}
}

// nameOwner returns the unique name owning name ("" if none) and the
// sequence number of the reply, and records it as the topic's baseline.
func (r *runner) nameOwner(b *bus, name string) (string, error) {
	var owner string
	call := r.call(b, busDriver, "/org/freedesktop/DBus", busDriver+".GetNameOwner", name)
	err := call.Store(&owner)
	var derr dbus.Error
	if errors.As(err, &derr) && derr.Name == "org.freedesktop.DBus.Error.NameHasNoOwner" {
		owner, err = "", nil
	}
	if err != nil {
		return "", fmt.Errorf("GetNameOwner(%s): %w", name, err)
	}
	b.base["owner:"+name] = call.ResponseSequence
	return owner, nil
}

// nameOwnerChanged decodes a NameOwnerChanged signal from the bus driver.
func nameOwnerChanged(sig *dbus.Signal) (name, newOwner string, ok bool) {
	if sig.Sender != busDriver || sig.Name != busDriver+".NameOwnerChanged" || len(sig.Body) != 3 {
		return "", "", false
	}
	name, ok1 := sig.Body[0].(string)
	newOwner, ok2 := sig.Body[2].(string)
	return name, newOwner, ok1 && ok2
}

// setLock records what one source says and reports a change of the
// aggregate: locked while any source says so.
func (r *runner) setLock(source string, locked bool) {
	if locked {
		r.locks[source] = true
	} else {
		delete(r.locks, source)
	}
	now := len(r.locks) > 0
	if now == r.locked {
		return
	}
	r.locked = now
	kind := Unlocked
	if now {
		kind = Locked
	}
	r.enqueue(Event{Kind: kind, Source: source})
}

func (r *runner) enqueue(ev Event) {
	ev.CameraAllowed = !r.locked && !r.sleeping
	if ev.Ack == nil {
		ev.Ack = func() {}
	}
	// An undelivered lock change followed by its opposite cancels out: the
	// consumer never saw the first, and the state is back where it was.
	if n := len(r.queue); n > 0 && (ev.Kind == Locked || ev.Kind == Unlocked) {
		last := r.queue[n-1].Kind
		if (last == Locked || last == Unlocked) && last != ev.Kind {
			r.queue[n-1] = Event{}
			r.queue = r.queue[:n-1]
			return
		}
	}
	r.queue = append(r.queue, ev)
}

func (r *runner) snapshot() Status {
	s := Status{
		Running:    true,
		SystemBus:  r.sys.conn != nil,
		SessionBus: r.sess.conn != nil,
		Logind:     r.logindOwner != "",
		Session:    string(r.session),
		Locked:     r.locked,
		Sleeping:   r.sleeping,
	}
	for _, name := range saverNames {
		if _, ok := r.savers[name]; ok {
			s.ScreenSavers = append(s.ScreenSavers, name)
		}
	}
	for src := range r.locks {
		s.LockedBy = append(s.LockedBy, src)
	}
	slices.Sort(s.LockedBy)
	for k, v := range r.problems {
		s.Problems = append(s.Problems, k+": "+v)
	}
	slices.Sort(s.Problems)
	return s
}

func (r *runner) publish() {
	s := r.snapshot()
	r.m.mu.Lock()
	r.m.status = s
	r.m.mu.Unlock()
	if r.m.onPublish != nil {
		r.m.onPublish()
	}
}
