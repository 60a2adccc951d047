package desktop

import (
	"context"
	"fmt"
	"os"
	"slices"

	"github.com/godbus/dbus/v5"
)

// logind's D-Bus API (org.freedesktop.login1(5)).
const (
	login1Name   = "org.freedesktop.login1"
	managerPath  = dbus.ObjectPath("/org/freedesktop/login1")
	managerIntf  = "org.freedesktop.login1.Manager"
	sessionIntf  = "org.freedesktop.login1.Session"
	lockedHint   = "LockedHint"
	prepareSleep = managerIntf + ".PrepareForSleep"
)

// setupSystem subscribes to logind's signals and, if logind is there, reads
// its state. Only failures of the connection itself are returned.
func (r *runner) setupSystem() error {
	b := &r.sys
	rules := [][]dbus.MatchOption{
		nameOwnerRule(login1Name),
		{
			dbus.WithMatchSender(login1Name),
			dbus.WithMatchObjectPath(managerPath),
			dbus.WithMatchInterface(managerIntf),
			dbus.WithMatchMember("PrepareForSleep"),
		},
	}
	for _, rule := range rules {
		if err := r.addMatch(b, rule...); err != nil {
			return err
		}
	}
	owner, err := r.nameOwner(b, login1Name)
	if err != nil {
		return err
	}
	if owner == "" {
		r.problems["logind"] = login1Name + " is not on the system bus"
		r.session = ""
		r.setLock(SourceLockedHint, false)
		return nil
	}
	r.logindAppeared(owner)
	return nil
}

func (r *runner) systemSignal(sig *dbus.Signal) {
	b := &r.sys
	if name, owner, ok := nameOwnerChanged(sig); ok {
		if name != login1Name || b.stale("owner:"+name, sig) {
			return
		}
		if owner == "" {
			r.logindGone()
		} else {
			r.logindAppeared(owner)
		}
		return
	}
	if r.logindOwner == "" || sig.Sender != r.logindOwner {
		return // not from logind: ignore, whoever sent it
	}
	switch sig.Name {
	case prepareSleep:
		if sig.Path != managerPath || len(sig.Body) != 1 {
			return
		}
		if start, ok := sig.Body[0].(bool); ok && start {
			r.sleep()
		} else if ok {
			r.wake()
		}
	case propertiesIntf + ".PropertiesChanged":
		if r.session == "" || sig.Path != r.session || len(sig.Body) != 3 || b.stale("lock:"+SourceLockedHint, sig) {
			return
		}
		if intf, _ := sig.Body[0].(string); intf != sessionIntf {
			return
		}
		changed, _ := sig.Body[1].(map[string]dbus.Variant)
		if v, ok := changed[lockedHint]; ok {
			if locked, ok := v.Value().(bool); ok {
				r.setLock(SourceLockedHint, locked)
			}
			return
		}
		if invalidated, _ := sig.Body[2].([]string); slices.Contains(invalidated, lockedHint) {
			r.readLockedHint()
		}
	}
}

// logindAppeared sets up everything that needs logind: the inhibitor, the
// session's LockedHint, and catching up on a wake-up we may have missed.
func (r *runner) logindAppeared(owner string) {
	if owner == r.logindOwner {
		return
	}
	if !r.startupPending && r.logindOwner == "" && r.sys.conn != nil && !r.sys.lost {
		r.m.log.Info("desktop: logind is on the system bus")
	}
	r.logindOwner = owner
	delete(r.problems, "logind")
	if r.sleeping {
		// PrepareForSleep(false) may have been sent while logind or the
		// bus was away.
		var v dbus.Variant
		err := r.call(&r.sys, login1Name, managerPath, propertiesIntf+".Get", managerIntf, "PreparingForSleep").Store(&v)
		if preparing, ok := v.Value().(bool); err == nil && ok && !preparing {
			r.wake()
		}
	}
	if !r.sleeping && !r.inhibitorHeld() {
		r.takeInhibitor()
	}
	r.watchSession()
}

func (r *runner) logindGone() {
	if r.logindOwner == "" {
		return
	}
	r.m.log.Info("desktop: logind left the system bus")
	r.logindOwner = ""
	r.session = "" // keep its lock state until logind is back to tell
	r.problems["logind"] = login1Name + " left the system bus"
}

func (r *runner) inhibitorHeld() bool {
	inh := r.m.inh.Load()
	return inh != nil && inh.held()
}

// takeInhibitor asks for a "delay" sleep inhibitor: logind then waits (up
// to InhibitDelayMaxSec) for us to close the descriptor before sleeping.
// The call is asynchronous (logind may ask polkit, which can be slow) and
// its reply is handled by inhibitReply in the Run loop.
func (r *runner) takeInhibitor() {
	if r.inhibitCall != nil || r.sys.conn == nil {
		return // one at a time
	}
	if !r.sys.conn.SupportsUnixFDs() {
		r.problems["inhibitor"] = "the system bus connection cannot pass file descriptors"
		return
	}
	ctx, cancel := context.WithTimeout(r.ctx, inhibitTimeout)
	r.inhibitCancel = cancel
	// A fresh buffered channel per call: godbus's send of the result never
	// blocks, even for a call we have given up on.
	r.inhibitCall = r.sys.conn.Object(login1Name, managerPath).GoWithContext(ctx,
		managerIntf+".Inhibit", dbus.FlagNoAutoStart, make(chan *dbus.Call, 1),
		"sleep", "posturewatch", "release the camera before sleeping", "delay")
}

// abandonInhibit forgets a pending Inhibit call (its bus is going away).
func (r *runner) abandonInhibit() {
	if r.inhibitCall != nil {
		r.inhibitCancel()
		r.inhibitCall, r.inhibitCancel = nil, nil
	}
}

func (r *runner) inhibitReply(call *dbus.Call) {
	r.inhibitCancel()
	r.inhibitCall, r.inhibitCancel = nil, nil
	var fd dbus.UnixFD
	if err := call.Store(&fd); err != nil {
		err = fmt.Errorf("take a sleep delay inhibitor: %w", err)
		r.problems["inhibitor"] = err.Error()
		if !r.inhibitWarned {
			r.inhibitWarned = true
			r.m.log.Warn("desktop: the camera may still be on when the machine goes to sleep", "err", err)
		}
		return
	}
	delete(r.problems, "inhibitor")
	inh := newInhibitor(os.NewFile(uintptr(fd), "logind-sleep-inhibitor"))
	kept := !r.sleeping
	if kept {
		if old := r.m.inh.Swap(inh); old != nil {
			old.release()
		}
	} else {
		// Too late for this sleep: holding it would only delay it. The
		// next wake-up takes a new one.
		inh.release()
	}
	if r.m.onInhibit != nil {
		r.m.onInhibit(kept)
	}
}

func (r *runner) sleep() {
	if r.sleeping {
		return
	}
	r.sleeping = true
	ack := func() {}
	if inh := r.m.inh.Load(); inh != nil && inh.held() {
		timeout, log := r.m.opts.SleepAckTimeout, r.m.log
		inh.releaseAfter(timeout, func() {
			log.Warn("desktop: the camera was not released in time; letting the machine sleep", "timeout", timeout)
		})
		ack = func() { inh.release() }
	}
	r.enqueue(Event{Kind: Sleeping, Source: SourceLogind, Ack: ack})
}

func (r *runner) wake() {
	was := r.sleeping
	r.sleeping = false
	if inh := r.m.inh.Load(); was && inh != nil {
		inh.release() // the sleep was cancelled before anyone acked
	}
	if r.logindOwner != "" && !r.inhibitorHeld() {
		r.takeInhibitor()
	}
	if was {
		r.enqueue(Event{Kind: Woke, Source: SourceLogind})
	}
}

// watchSession finds our logind session and reads and follows its
// LockedHint.
func (r *runner) watchSession() {
	path, err := r.findSession()
	if err != nil {
		r.problems["session"] = err.Error()
		r.session = ""
		r.setLock(SourceLockedHint, false)
		return
	}
	if path != r.sessionMatch {
		if r.sessionMatch != "" {
			r.removeMatch(&r.sys, sessionRule(r.sessionMatch)...)
			r.sessionMatch = ""
		}
		if err := r.addMatch(&r.sys, sessionRule(path)...); err != nil {
			r.problems["session"] = fmt.Sprintf("watch %s: %v", path, err)
			r.session = ""
			return
		}
		r.sessionMatch = path
	}
	r.session = path
	delete(r.problems, "session")
	r.readLockedHint()
}

func sessionRule(path dbus.ObjectPath) []dbus.MatchOption {
	return []dbus.MatchOption{
		dbus.WithMatchSender(login1Name),
		dbus.WithMatchObjectPath(path),
		dbus.WithMatchInterface(propertiesIntf),
		dbus.WithMatchMember("PropertiesChanged"),
		dbus.WithMatchArg(0, sessionIntf),
	}
}

// findSession returns the logind session of this process; for a process
// outside any session (e.g. a systemd user service) it falls back to
// $XDG_SESSION_ID, then to logind's "auto" (the user's display session).
func (r *runner) findSession() (dbus.ObjectPath, error) {
	var path dbus.ObjectPath
	pid := os.Getpid()
	err := r.call(&r.sys, login1Name, managerPath, managerIntf+".GetSessionByPID", uint32(pid)).Store(&path)
	if err == nil {
		return path, nil
	}
	err = fmt.Errorf("GetSessionByPID(%d): %w", pid, err)
	ids := []string{"auto"}
	if id := os.Getenv("XDG_SESSION_ID"); id != "" {
		ids = []string{id, "auto"}
	}
	for _, id := range ids {
		e := r.call(&r.sys, login1Name, managerPath, managerIntf+".GetSession", id).Store(&path)
		if e == nil {
			return path, nil
		}
		err = fmt.Errorf("%w; GetSession(%q): %w", err, id, e)
	}
	return "", fmt.Errorf("no logind session found: %w", err)
}

func (r *runner) readLockedHint() {
	var v dbus.Variant
	call := r.call(&r.sys, login1Name, r.session, propertiesIntf+".Get", sessionIntf, lockedHint)
	if err := call.Store(&v); err != nil {
		r.problems["session"] = fmt.Sprintf("read %s of %s: %v", lockedHint, r.session, err)
		return
	}
	locked, ok := v.Value().(bool)
	if !ok {
		r.problems["session"] = fmt.Sprintf("%s of %s is %s, not a boolean", lockedHint, r.session, v.Signature())
		return
	}
	r.sys.base["lock:"+SourceLockedHint] = call.ResponseSequence
	r.setLock(SourceLockedHint, locked)
}
