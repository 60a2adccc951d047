package desktop

import (
	"fmt"
	"strings"

	"github.com/godbus/dbus/v5"
)

// The screensaver services on the session bus. Each has a GetActive method
// and an ActiveChanged(bool) signal on an interface named like the service.
var (
	saverNames = []string{SourceFreedesktopScreenSaver, SourceGNOMEScreenSaver}
	// saverPaths lists where GetActive is tried, in order. KDE exports
	// org.freedesktop.ScreenSaver at both paths, some others only at
	// /ScreenSaver.
	saverPaths = map[string][]dbus.ObjectPath{
		SourceFreedesktopScreenSaver: {"/org/freedesktop/ScreenSaver", "/ScreenSaver"},
		SourceGNOMEScreenSaver:       {"/org/gnome/ScreenSaver"},
	}
)

// setupSession subscribes to the screensavers and reads the state of those
// present. Only failures of the connection itself are returned.
func (r *runner) setupSession() error {
	b := &r.sess
	for _, name := range saverNames {
		// No path in the rule: ActiveChanged comes from either path.
		rules := [][]dbus.MatchOption{
			nameOwnerRule(name),
			{
				dbus.WithMatchSender(name),
				dbus.WithMatchInterface(name),
				dbus.WithMatchMember("ActiveChanged"),
			},
		}
		for _, rule := range rules {
			if err := r.addMatch(b, rule...); err != nil {
				return err
			}
		}
	}
	for _, name := range saverNames {
		owner, err := r.nameOwner(b, name)
		if err != nil {
			return err
		}
		if owner == "" {
			r.saverGone(name)
		} else {
			r.saverAppeared(name, owner)
		}
	}
	return nil
}

func (r *runner) sessionSignal(sig *dbus.Signal) {
	b := &r.sess
	if name, owner, ok := nameOwnerChanged(sig); ok {
		if _, watched := saverPaths[name]; !watched || b.stale("owner:"+name, sig) {
			return
		}
		if owner == "" {
			r.saverGone(name)
		} else {
			r.saverAppeared(name, owner)
		}
		return
	}
	name, ok := strings.CutSuffix(sig.Name, ".ActiveChanged")
	if !ok {
		return
	}
	owner, present := r.savers[name]
	if !present || sig.Sender != owner || len(sig.Body) != 1 || b.stale("lock:"+name, sig) {
		return // not from the service's owner: ignore, whoever sent it
	}
	if active, ok := sig.Body[0].(bool); ok {
		r.setLock(name, active)
	}
}

// saverAppeared starts following a screensaver service that got an owner.
func (r *runner) saverAppeared(name, owner string) {
	if r.savers[name] == owner {
		return
	}
	r.savers[name] = owner
	var err error
	for _, path := range saverPaths[name] {
		var active bool
		call := r.call(&r.sess, name, path, name+".GetActive")
		if err = call.Store(&active); err == nil {
			r.sess.base["lock:"+name] = call.ResponseSequence
			delete(r.problems, name)
			r.setLock(name, active)
			return
		}
	}
	// Still follow its ActiveChanged signals.
	r.problems[name] = fmt.Sprintf("GetActive: %v", err)
}

// saverGone stops following a screensaver service that left the bus: with
// no service, nothing it said holds any more.
func (r *runner) saverGone(name string) {
	delete(r.savers, name)
	r.problems[name] = "not on the session bus"
	r.setLock(name, false)
}
