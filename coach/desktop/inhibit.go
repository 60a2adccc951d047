package desktop

import (
	"io"
	"sync"
	"time"
)

// inhibitor holds one logind delay inhibitor: a file descriptor whose closing
// tells logind that we are ready for sleep. release is safe from any
// goroutine and idempotent, so Event.Ack can close it directly, without a
// round trip through the Run loop.
type inhibitor struct {
	mu    sync.Mutex
	f     io.Closer // nil once released
	timer *time.Timer
}

func newInhibitor(f io.Closer) *inhibitor { return &inhibitor{f: f} }

func (i *inhibitor) held() bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.f != nil
}

// release closes the descriptor (letting sleep proceed) and stops any
// pending timeout. It reports whether this call did the release.
func (i *inhibitor) release() bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.timer != nil {
		i.timer.Stop()
		i.timer = nil
	}
	if i.f == nil {
		return false
	}
	_ = i.f.Close() // nothing useful to do if closing fails: the fd is gone either way
	i.f = nil
	return true
}

// releaseAfter arms a timeout that releases the inhibitor if nobody did
// before; onTimeout runs (from the timer's goroutine, just before the
// descriptor is closed) only when the timeout does the release. The timer
// uses the time package, so tests can drive it with testing/synctest.
func (i *inhibitor) releaseAfter(d time.Duration, onTimeout func()) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.f == nil || i.timer != nil {
		return
	}
	i.timer = time.AfterFunc(d, func() {
		i.mu.Lock()
		f := i.f
		i.f, i.timer = nil, nil
		i.mu.Unlock()
		if f == nil {
			return // released meanwhile
		}
		if onTimeout != nil {
			onTimeout()
		}
		_ = f.Close()
	})
}
