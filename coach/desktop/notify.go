package desktop

import (
	"errors"
	"fmt"
	"log/slog"
	"posturewatch/coach/domain"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gen2brain/beeep"
)

// DesktopNotifier shows nudges as desktop notifications (via beeep: D-Bus or
// notify-send on Linux) for when the browser is in the background. It is off
// unless enabled, and it never fails the caller: without a desktop session
// the notification is skipped and the reason logged once.
type DesktopNotifier struct {
	enabled atomic.Bool
	log     *slog.Logger
	mu      sync.Mutex
	timeout time.Duration // bounds one notification; a stuck D-Bus call is abandoned
	send    func(title, message string) error
	warned  sync.Once
	busy    atomic.Bool
}

// NewDesktopNotifier returns a notifier, enabled or not.
func NewDesktopNotifier(enabled bool, log *slog.Logger) *DesktopNotifier {
	if log == nil {
		log = slog.Default()
	}
	beeep.AppName = "posturewatch"
	n := &DesktopNotifier{log: log, timeout: 3 * time.Second,
		send: func(title, message string) error { return beeep.Notify(title, message, "") }}
	n.enabled.Store(enabled)
	return n
}

// SetTimeout bounds one notification (default 3 s).
func (n *DesktopNotifier) SetTimeout(d time.Duration) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.timeout = d
}

func (n *DesktopNotifier) setSend(f func(title, message string) error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.send = f
}

// Enabled reports whether desktop notifications are on.
func (n *DesktopNotifier) Enabled() bool { return n != nil && n.enabled.Load() }

// SetEnabled turns desktop notifications on or off.
func (n *DesktopNotifier) SetEnabled(on bool) { n.enabled.Store(on) }

// ErrNotifierOff is returned by Notify when notifications are disabled.
var ErrNotifierOff = errors.New("desktop notifications are off")

// Notify shows one notification and waits at most Timeout. It returns the
// error (for tests and logs); callers may ignore it.
func (n *DesktopNotifier) Notify(title, message string) error {
	if !n.Enabled() {
		return ErrNotifierOff
	}
	if !n.busy.CompareAndSwap(false, true) {
		return errors.New("desktop notification skipped: the previous one is still being shown")
	}
	n.mu.Lock()
	send, timeout := n.send, n.timeout
	n.mu.Unlock()
	done := make(chan error, 1)
	go func() {
		defer n.busy.Store(false)
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("desktop notification: %v", r)
			}
		}()
		done <- send(title, message)
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(timeout):
		err = fmt.Errorf("no answer within %s", timeout)
	}
	if err != nil {
		err = fmt.Errorf("desktop notification: %w", err)
		n.warned.Do(func() {
			n.log.Warn("desktop notifications unavailable (no desktop session?); the dashboard still shows nudges", "err", err)
		})
	}
	return err
}

// NotifyEvent shows nudges, stretch suggestions and sitting reminders; other
// events are ignored. It does not block the caller.
func (n *DesktopNotifier) NotifyEvent(e domain.Event) {
	if !n.Enabled() {
		return
	}
	title, msg, ok := notificationText(e)
	if !ok {
		return
	}
	go func() { _ = n.Notify(title, msg) }()
}

// notificationText returns the title and body for events worth a notification.
func notificationText(e domain.Event) (string, string, bool) {
	switch e.Type {
	case domain.EventNudge:
		msg := e.Message
		if e.Fix != "" {
			msg += ": " + e.Fix
		}
		return "Posture: " + domain.FaultLabel(e.Fault), msg, true
	case domain.EventSuggestion:
		msg := e.Message
		if e.Routine != nil && e.Routine.Title != "" {
			msg = e.Routine.Title + ". " + msg
		}
		return "Time for a stretch break", msg, true
	case domain.EventBreak:
		return "Time to stand up", e.Message, true
	}
	return "", "", false
}
