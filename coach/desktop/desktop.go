// Package desktop watches the Linux desktop over D-Bus and tells monitoring
// when it may use the camera: not while the screen is locked and not across
// suspend.
//
// Sources:
//
//   - suspend: logind's PrepareForSleep signal on the system bus, with a
//     "delay" sleep inhibitor so the camera can be closed before the machine
//     sleeps;
//   - lock: the LockedHint property of our logind session, and the
//     org.freedesktop.ScreenSaver and org.gnome.ScreenSaver services on the
//     session bus. The screen counts as locked while any of them says so.
//
// Without a bus or logind (servers, containers, CI) the Monitor reports a
// single Unavailable event and otherwise stays quiet; a bus that goes away is
// reconnected in the background with backoff.
//
// The package is pure Go (it builds with CGO_ENABLED=0).
package desktop

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/godbus/dbus/v5"
)

// Kind says what happened.
type Kind uint8

// The kinds of Event. The zero Kind is not used.
const (
	// Locked: the screen was locked (or a screensaver became active). Stop
	// using the camera.
	Locked Kind = iota + 1
	// Unlocked: no source says the screen is locked any more.
	Unlocked
	// Sleeping: the machine is about to suspend or hibernate. Close the
	// camera, then call Event.Ack.
	Sleeping
	// Woke: the machine resumed (or the sleep was cancelled).
	Woke
	// Unavailable: no desktop signals can be watched at start (no system
	// bus, no session bus, no logind). Sent at most once per Run; monitoring
	// should simply go on.
	Unavailable
)

// String returns the kind's lower-case name.
func (k Kind) String() string {
	switch k {
	case Locked:
		return "locked"
	case Unlocked:
		return "unlocked"
	case Sleeping:
		return "sleeping"
	case Woke:
		return "woke"
	case Unavailable:
		return "unavailable"
	}
	return "unknown"
}

// Sources named in Event.Source and Status.
const (
	// SourceLogind is logind's PrepareForSleep signal (Sleeping, Woke).
	SourceLogind = "logind"
	// SourceLockedHint is the LockedHint property of our logind session.
	SourceLockedHint = "logind.LockedHint"
	// SourceFreedesktopScreenSaver is the org.freedesktop.ScreenSaver service
	// on the session bus (KDE, Xfce, ...).
	SourceFreedesktopScreenSaver = "org.freedesktop.ScreenSaver"
	// SourceGNOMEScreenSaver is the org.gnome.ScreenSaver service on the
	// session bus (GNOME Shell).
	SourceGNOMEScreenSaver = "org.gnome.ScreenSaver"
)

// Event is one change of what monitoring may do. Events are never repeated:
// Locked and Unlocked alternate, and so do Sleeping and Woke.
type Event struct {
	Kind Kind
	// Source is the source that caused the change (one of the Source
	// constants); empty for Unavailable.
	Source string
	// Detail says why, for Unavailable: which buses or services are missing.
	Detail string
	// CameraAllowed is true when, after this event, the screen is neither
	// locked nor is the machine going to sleep.
	CameraAllowed bool
	// Ack is never nil. For Sleeping, call it once the camera is closed: it
	// releases the sleep inhibitor so that the machine may sleep. It may be
	// called from any goroutine, more than once, and after Run has returned.
	// For the other kinds it does nothing.
	Ack func()
}

// Default timeouts; see Options.
const (
	// DefaultSleepAckTimeout is how long a Sleeping event may hold up
	// suspend before the inhibitor is released without an Ack. logind's own
	// limit (InhibitDelayMaxSec) is 5 s by default; staying below it means
	// we are never the reason logind gives up waiting, and if an
	// administrator raised that limit we still never hold sleep hostage.
	DefaultSleepAckTimeout = 3 * time.Second

	// callTimeout bounds each D-Bus method call made from the Run loop
	// (looking up the session, reading LockedHint or GetActive),
	// connectTimeout each connection (authentication and Hello). Local
	// services answer in milliseconds, but a desktop that is still logging
	// in can be slow; these only stop a wedged peer from stalling the loop
	// for long.
	callTimeout    = 10 * time.Second
	connectTimeout = 10 * time.Second
	// inhibitTimeout bounds the Inhibit call, which runs alongside the loop
	// and may wait for polkit: D-Bus's own default reply timeout.
	inhibitTimeout = 25 * time.Second

	// Reconnect backoff for a bus that is missing or went away: doubles from
	// minBackoff to maxBackoff, without logging.
	minBackoff = time.Second
	maxBackoff = time.Minute
)

// Options configure a Monitor. The zero value watches the standard buses.
type Options struct {
	// SystemBusAddress is the D-Bus address of the system bus (logind).
	// Empty means $DBUS_SYSTEM_BUS_ADDRESS, else
	// unix:path=/var/run/dbus/system_bus_socket.
	SystemBusAddress string
	// SessionBusAddress is the D-Bus address of the session bus
	// (screensavers). Empty means $DBUS_SESSION_BUS_ADDRESS, else
	// $XDG_RUNTIME_DIR/bus if that socket exists. A session bus is never
	// launched.
	SessionBusAddress string
	// SleepAckTimeout is how long the sleep inhibitor is held after
	// Sleeping when Ack is not called. Zero means DefaultSleepAckTimeout.
	SleepAckTimeout time.Duration
	// Logger receives the few one-off state changes worth logging (a bus
	// lost or regained, no desktop signals at all, a sleep not acked in
	// time). Nil means slog.Default().
	Logger *slog.Logger
}

// Status is a snapshot of what the Monitor watches, for diagnostics (the
// doctor command, the dashboard).
type Status struct {
	// Running is true while Run is running.
	Running bool
	// SystemBus and SessionBus are true while connected.
	SystemBus  bool
	SessionBus bool
	// Logind is true while logind is on the system bus, i.e. suspend is
	// watched.
	Logind bool
	// Inhibitor is true while a sleep delay inhibitor is held.
	Inhibitor bool
	// Session is the object path of the logind session whose LockedHint is
	// watched; empty when none was found.
	Session string
	// ScreenSavers lists the screensaver services present on the session
	// bus (SourceFreedesktopScreenSaver, SourceGNOMEScreenSaver).
	ScreenSavers []string
	// Locked and Sleeping are the current state (its events may still be
	// queued for the consumer).
	Locked   bool
	Sleeping bool
	// LockedBy lists the sources that say the screen is locked now.
	LockedBy []string
	// Problems explains, one line each, why something is not watched.
	Problems []string
}

// Available reports whether any desktop signal is watched.
func (s Status) Available() bool {
	return s.Logind || s.Session != "" || len(s.ScreenSavers) > 0
}

// CameraAllowed reports whether monitoring may use the camera: the screen is
// not locked and the machine is not going to sleep.
func (s Status) CameraAllowed() bool { return !s.Locked && !s.Sleeping }

// Monitor watches the desktop. Create it with New, read Events, and call Run
// once.
type Monitor struct {
	opts   Options
	log    *slog.Logger
	events chan Event
	ran    atomic.Bool

	mu     sync.Mutex
	status Status

	// inh is the current sleep inhibitor (nil when none was taken).
	inh atomic.Pointer[inhibitor]

	// Test knobs, set before Run.
	minBackoff, maxBackoff time.Duration
	onPublish              func()                      // after each status update
	onDial                 func(bus string, err error) // after each connection attempt
	onSignal               func(*dbus.Signal)          // after a signal is handled and published
	onInhibit              func(kept bool)             // after an Inhibit reply with a descriptor
}

// New returns a Monitor. It does no I/O and starts no goroutine.
func New(opts Options) *Monitor {
	if opts.SleepAckTimeout <= 0 {
		opts.SleepAckTimeout = DefaultSleepAckTimeout
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Monitor{
		opts:       opts,
		log:        log,
		events:     make(chan Event),
		minBackoff: minBackoff,
		maxBackoff: maxBackoff,
	}
}

// Events returns the channel on which Run delivers events. Run never blocks
// on it: undelivered events queue up (opposite lock changes that were never
// read cancel out). The channel is closed when Run returns.
//
// The consumer starts out assuming the screen is unlocked and the machine
// awake: the first event is Locked if the screen is locked at start, or
// Unavailable if nothing can be watched.
func (m *Monitor) Events() <-chan Event { return m.events }

// Status returns a snapshot of what is watched now.
func (m *Monitor) Status() Status {
	m.mu.Lock()
	s := m.status
	s.ScreenSavers = slices.Clone(s.ScreenSavers)
	s.LockedBy = slices.Clone(s.LockedBy)
	s.Problems = slices.Clone(s.Problems)
	m.mu.Unlock()
	if inh := m.inh.Load(); inh != nil {
		s.Inhibitor = inh.held()
	}
	return s
}

// ErrAlreadyRun is returned by Run when it is called a second time.
var ErrAlreadyRun = errors.New("desktop: Run called more than once")

// Run connects to the buses and watches them until ctx ends. It then closes
// its connections, releases the sleep inhibitor, closes the Events channel
// and returns nil, leaving no goroutine behind. Missing buses or services are
// not errors: they show in Status, in one Unavailable event when nothing at
// all can be watched, and are retried in the background.
func (m *Monitor) Run(ctx context.Context) error {
	if !m.ran.CompareAndSwap(false, true) {
		return ErrAlreadyRun
	}
	defer close(m.events)
	r := newRunner(ctx, m)
	defer r.shutdown()
	r.start()
	r.loop()
	return nil
}
