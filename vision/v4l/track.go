package v4l

import "time"

// view is what the watcher sees of the device at one moment.
type view struct {
	present bool
	holders []Holder // other processes holding it, sorted by PID; nil when none
}

// tracker turns observations of the device into events. It reports a
// change only once it has lasted: another program must be seen holding the
// device at two observations at least grace apart, with no other holder
// set seen in between, before InUse is reported (device probes by PipeWire
// or browsers last a few milliseconds); no other holder must be seen for
// release before Free (a program that closes and reopens the camera, as
// browsers do when a call starts, keeps it); a node that came back must
// stay for grace before Back (udev is still setting its permissions).
// Gone is reported at once. Each event is a change: no duplicates.
//
// It does no I/O and reads no clock: the watcher calls see with the time
// and what it observed, and observes again at next.
type tracker struct {
	grace, release time.Duration

	reported view // what was last reported; at first: present and free
	pending  *view
	deadline time.Time // when pending is confirmed if it is still seen
	recheck  time.Time // observe again then (after an open), or zero
}

func newTracker(grace, release time.Duration) *tracker {
	return &tracker{grace: grace, release: release, reported: view{present: true}}
}

// see records an observation at now; opened says it follows an IN_OPEN of
// the node (by anyone, ourselves included). It returns the events to
// report, in order.
func (t *tracker) see(now time.Time, v view, opened bool) []Event {
	if !t.recheck.IsZero() && !now.Before(t.recheck) {
		t.recheck = time.Time{}
	}
	if opened {
		// The opener's descriptor may not be in its fd table yet when the
		// event is read (the kernel sends IN_OPEN before installing it):
		// look again later.
		t.recheck = now.Add(t.grace)
	}
	if !v.present {
		v.holders = nil
		t.pending, t.recheck = nil, time.Time{}
		if t.reported.present {
			t.reported = view{}
			return []Event{{Kind: Gone, Time: now}}
		}
		return nil
	}
	if t.reported.present && samePIDs(v.holders, t.reported.holders) {
		if len(v.holders) > 0 {
			t.reported.holders = v.holders // the same processes; names may have changed (exec)
		}
		t.pending = nil
		return nil
	}
	if t.pending != nil && t.same(*t.pending, v) {
		t.pending = &v
		if !now.Before(t.deadline) {
			return t.commit(now, v)
		}
		return nil
	}
	delay := t.grace
	switch {
	case !t.reported.present:
		// coming back: settle for grace
	case len(v.holders) == 0:
		delay = t.release
	case subsetPIDs(v.holders, t.reported.holders):
		delay = 0 // some of the reported holders left; the rest were confirmed
	}
	if delay <= 0 {
		return t.commit(now, v)
	}
	t.pending, t.deadline = &v, now.Add(delay)
	return nil
}

// same reports whether two observations are the same candidate change:
// while the device is reported absent, presence is all that counts (its
// holders are confirmed after Back).
func (t *tracker) same(a, b view) bool {
	if !t.reported.present {
		return a.present == b.present
	}
	return a.present == b.present && samePIDs(a.holders, b.holders)
}

// commit reports v.
func (t *tracker) commit(now time.Time, v view) []Event {
	t.pending = nil
	var evs []Event
	if !t.reported.present {
		t.reported = view{present: true}
		evs = append(evs, Event{Kind: Back, Time: now})
		if len(v.holders) > 0 {
			// Holders of a node that just came back still have to last.
			return append(evs, t.see(now, v, false)...)
		}
		return evs
	}
	switch {
	case len(v.holders) > 0:
		evs = append(evs, Event{Kind: InUse, Holders: v.holders, Time: now})
	case len(t.reported.holders) > 0:
		evs = append(evs, Event{Kind: Free, Time: now})
	}
	t.reported = v
	return evs
}

// next returns when the tracker wants the device observed again (zero:
// only on the next inotify event).
func (t *tracker) next() time.Time {
	n := t.recheck
	if t.pending != nil && (n.IsZero() || t.deadline.Before(n)) {
		n = t.deadline
	}
	return n
}

// state returns what was last reported, as an event.
func (t *tracker) state() Event {
	switch {
	case !t.reported.present:
		return Event{Kind: Gone}
	case len(t.reported.holders) > 0:
		return Event{Kind: InUse, Holders: t.reported.holders}
	}
	return Event{Kind: Free}
}
