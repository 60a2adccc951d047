package v4l

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Kind is what changed.
type Kind int

const (
	// Free: no other program holds the device any more (it was InUse). Also
	// the state of a watcher that has seen nothing yet.
	Free Kind = iota
	// InUse: another program has held the device open for at least the
	// grace period; Event.Holders says which. Reported again when the set
	// of holders changes.
	InUse
	// Gone: the device node disappeared (unplugged).
	Gone
	// Back: the device node exists again (plugged in) and stayed for the
	// grace period.
	Back
)

func (k Kind) String() string {
	switch k {
	case Free:
		return "free"
	case InUse:
		return "in use"
	case Gone:
		return "gone"
	case Back:
		return "back"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Event is a change of who holds the device, or of its presence.
type Event struct {
	Kind    Kind
	Holders []Holder  // InUse: the other processes holding the device, by PID
	Time    time.Time // when the watcher noticed it (on its Clock)
}

// String describes the event for the user: "in use by zoom (pid 1234)".
func (e Event) String() string {
	if e.Kind == InUse && len(e.Holders) > 0 {
		return "in use by " + HolderNames(e.Holders)
	}
	return e.Kind.String()
}

// Clock is the watcher's time source (injectable for tests). A
// vision.Clock satisfies it.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Defaults of WatchOptions.
const (
	// DefaultGrace is how long another program must hold the device before
	// it is reported InUse. Device probes (PipeWire, a browser listing
	// cameras, v4l2-ctl) open and close a node within a few milliseconds to
	// tens of milliseconds; a program that means to use the camera keeps it
	// for seconds or hours. 400 ms is far above the first and delays the
	// second by less than a camera takes to start streaming.
	DefaultGrace = 400 * time.Millisecond
	// DefaultReleaseGrace is how long the device must be free of other
	// programs before Free is reported: a program that closes and reopens
	// the camera (browsers do when a call starts or its resolution changes)
	// must not lose it to us in between.
	DefaultReleaseGrace = time.Second
)

// WatchOptions configure a Watcher.
type WatchOptions struct {
	// Path is the device node to watch: "/dev/video0", or a udev link
	// ("/dev/v4l/by-id/…", followed to the device). Required.
	Path string
	// ProcRoot is where processes are listed (default "/proc").
	ProcRoot string
	// Self is our own process: its opens and closes are never reported
	// (default os.Getpid()).
	Self int
	// Grace is how long another holder must last to be reported InUse, and
	// a node that came back to be reported Back (default DefaultGrace).
	Grace time.Duration
	// ReleaseGrace is how long the device must stay free of other holders
	// to be reported Free (default DefaultReleaseGrace).
	ReleaseGrace time.Duration
	// OnEvent is called, from the goroutine running Run, for every event.
	// It must not block for long (hand the event to a channel with room, or
	// drop it: State gives the latest at any time).
	OnEvent func(Event)
	// Clock replaces the wall clock (for tests).
	Clock Clock
}

// Watcher reports when other programs start and stop holding a camera's
// device node, and when the node disappears (unplugged) and comes back. It
// uses inotify: no polling, and nothing happens while nobody touches the
// device. The kernel does not say who opened the node, so on each open or
// close the watcher lists the processes holding it (see Holders), leaving
// out Self.
//
// The watcher starts from "present, free of other programs" and reports
// only changes, without duplicates; a holder already there at start is
// reported InUse after the grace period, a node missing at start Gone at
// once.
type Watcher struct {
	opt     WatchOptions
	clock   Clock
	running atomic.Bool

	mu    sync.Mutex
	state Event

	hook func(step) // tests: called after every loop iteration
}

// step is the watcher's progress after one loop iteration (for tests).
type step struct {
	Opens, Closes, Attribs, DirEvents, Overflows int  // inotify events read so far
	Scans                                        int  // observations made so far
	Present                                      bool // the node existed at the last observation
	Next                                         time.Time
	State                                        Event   // what has been reported
	Events                                       []Event // reported in this iteration
}

// NewWatcher checks opt and returns a Watcher; it starts nothing and does
// no I/O (Run does).
func NewWatcher(opt WatchOptions) (*Watcher, error) {
	if opt.Path == "" {
		return nil, errors.New("v4l: WatchOptions.Path is empty")
	}
	if opt.Grace < 0 || opt.ReleaseGrace < 0 {
		return nil, fmt.Errorf("v4l: negative grace period (Grace %v, ReleaseGrace %v)", opt.Grace, opt.ReleaseGrace)
	}
	if opt.Grace == 0 {
		opt.Grace = DefaultGrace
	}
	if opt.ReleaseGrace == 0 {
		opt.ReleaseGrace = DefaultReleaseGrace
	}
	if opt.ProcRoot == "" {
		opt.ProcRoot = "/proc"
	}
	w := &Watcher{opt: opt, clock: opt.Clock, state: Event{Kind: Free}}
	if w.clock == nil {
		w.clock = realClock{}
	}
	return w, nil
}

// Path returns the watched device path.
func (w *Watcher) Path() string { return w.opt.Path }

// State returns what the watcher last reported: InUse (with Holders), Free
// or Gone. Safe to call from any goroutine.
func (w *Watcher) State() Event {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.state
}

// emit records and delivers events.
func (w *Watcher) emit(evs []Event, st Event) {
	if len(evs) == 0 {
		return
	}
	w.mu.Lock()
	w.state = st
	w.mu.Unlock()
	if w.opt.OnEvent != nil {
		for _, e := range evs {
			w.opt.OnEvent(e)
		}
	}
}
