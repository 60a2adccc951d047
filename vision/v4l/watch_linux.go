//go:build linux

package v4l

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

const (
	// on the device node: opens and closes, and attribute changes (udev
	// setting permissions; the link count dropping when it is removed)
	nodeMask = unix.IN_OPEN | unix.IN_CLOSE_WRITE | unix.IN_CLOSE_NOWRITE | unix.IN_ATTRIB |
		unix.IN_DELETE_SELF | unix.IN_MOVE_SELF
	// on its directory (or the nearest existing ancestor): the node, or a
	// directory leading to it, appearing or disappearing, and its
	// attributes (udev making it readable after it appeared). Opens are not
	// watched here: /dev's other nodes are opened all the time.
	dirMask = unix.IN_CREATE | unix.IN_DELETE | unix.IN_MOVED_FROM | unix.IN_MOVED_TO | unix.IN_ATTRIB |
		unix.IN_DELETE_SELF | unix.IN_MOVE_SELF | unix.IN_ONLYDIR
)

// Run watches the device until ctx is cancelled, then closes its inotify
// descriptor and returns nil once its reading goroutine has ended. It
// returns an error if the watch cannot be set up (no inotify, procRoot
// unreadable, or no permission to read the device: ErrPermission), or if
// reading inotify fails. Events are delivered through OnEvent. Run must not
// be called again while it runs.
func (w *Watcher) Run(ctx context.Context) error {
	if !w.running.CompareAndSwap(false, true) {
		return errors.New("v4l: Watcher.Run is already running")
	}
	defer w.running.Store(false)
	w.mu.Lock()
	w.state = Event{Kind: Free} // each run starts from "present and free"
	w.mu.Unlock()

	self := w.opt.Self
	if self == 0 {
		self = os.Getpid()
	}
	if _, err := Holders(w.opt.ProcRoot, w.opt.Path, self); err != nil {
		return fmt.Errorf("watching %s: %w", w.opt.Path, err)
	}
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return fmt.Errorf("watching %s: inotify_init1: %w", w.opt.Path, err)
	}
	// Non-blocking, so the runtime poller waits for it and Close wakes a
	// pending Read.
	f := os.NewFile(uintptr(fd), "inotify")

	batches := make(chan []inotifyEvent)
	readErr := make(chan error, 1)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := f.Read(buf)
			if err != nil {
				readErr <- err
				return
			}
			select {
			case batches <- parseInotify(buf[:n]):
			case <-done:
				return
			}
		}
	})
	defer func() {
		close(done)
		f.Close()
		wg.Wait()
	}()

	l := &loop{w: w, ws: &watches{fd: fd, path: filepath.Clean(w.opt.Path), nodeWd: -1, dirWd: -1},
		tr: newTracker(w.opt.Grace, w.opt.ReleaseGrace), self: self}
	if err := l.observe(false); err != nil {
		return err
	}
	var (
		timer   <-chan time.Time
		armedAt time.Time
	)
	for {
		if next := l.tr.next(); !next.Equal(armedAt) {
			armedAt, timer = next, nil
			if !next.IsZero() {
				timer = w.clock.After(next.Sub(w.clock.Now()))
			}
		}
		l.report(armedAt)
		select {
		case <-ctx.Done():
			return nil
		case err := <-readErr:
			return fmt.Errorf("watching %s: reading inotify: %w", w.opt.Path, err)
		case evs := <-batches:
			// Take whatever else is queued too: one look at /proc for all.
			for more := true; more; {
				select {
				case b := <-batches:
					evs = append(evs, b...)
				default:
					more = false
				}
			}
			if opened, ok := l.handle(evs); ok {
				l.observe(opened)
			}
		case <-timer:
			armedAt, timer = time.Time{}, nil
			l.observe(false)
		}
	}
}

// loop is the state of one Run.
type loop struct {
	w    *Watcher
	ws   *watches
	tr   *tracker
	self int

	st  step
	out []Event // reported since the last report
}

// handle accounts for inotify events; it reports whether the device must be
// looked at again, and whether someone opened it.
func (l *loop) handle(evs []inotifyEvent) (opened, look bool) {
	ws := l.ws
	for _, ev := range evs {
		switch {
		case ev.mask&unix.IN_Q_OVERFLOW != 0:
			l.st.Overflows++
			look = true
		case int(ev.wd) == ws.dirWd:
			l.st.DirEvents++
			if ev.mask&(unix.IN_IGNORED|unix.IN_DELETE_SELF|unix.IN_MOVE_SELF) != 0 {
				ws.dirWd = -1 // the directory went away: watch its parent
				look = true
			} else if ev.name == ws.child {
				look = true
			}
		default: // the node, or an older node at that path
			if ev.mask&unix.IN_OPEN != 0 {
				l.st.Opens++
				opened, look = true, true
			}
			if ev.mask&(unix.IN_CLOSE_WRITE|unix.IN_CLOSE_NOWRITE) != 0 {
				l.st.Closes++
				look = true
			}
			if ev.mask&(unix.IN_ATTRIB|unix.IN_DELETE_SELF|unix.IN_MOVE_SELF) != 0 {
				l.st.Attribs++
				look = true
			}
			if ev.mask&unix.IN_IGNORED != 0 && int(ev.wd) == ws.nodeWd {
				ws.nodeWd = -1 // that node is gone; watch the next one
				look = true
			}
		}
	}
	return opened, look
}

// observe looks at the device (its presence, then its holders) and feeds
// the tracker. Only the first observation returns errors; later failures
// to list holders keep the last list.
func (l *loop) observe(opened bool) error {
	first := l.st.Scans == 0
	l.st.Scans++
	present, err := l.ws.ensure()
	if err != nil && first {
		return err
	}
	v := view{present: present}
	l.st.Present = present
	if present {
		hs, err := Holders(l.w.opt.ProcRoot, l.ws.path, l.self)
		if err != nil {
			hs = l.tr.reported.holders
		}
		v.holders = hs
	}
	evs := l.tr.see(l.w.clock.Now(), v, opened)
	l.w.emit(evs, l.tr.state())
	l.out = append(l.out, evs...)
	return nil
}

// report hands the progress to the test hook.
func (l *loop) report(next time.Time) {
	if l.w.hook == nil {
		return
	}
	l.st.Next, l.st.State, l.st.Events = next, l.tr.state(), l.out
	l.out = nil
	l.w.hook(l.st)
}

// watches keeps an inotify descriptor watching a device path: the node
// itself while it exists, and always the nearest existing directory on the
// way to it.
type watches struct {
	fd   int
	path string // cleaned

	nodeWd int       // watch on the node, or -1
	nodeID [2]uint64 // st_dev, st_ino of the watched node

	dirWd int    // watch on dir, or -1
	dir   string // the watched directory
	child string // the entry of dir on the way to path
}

// ensure adds the watches the path needs now and reports whether the node
// exists. An error means the path cannot be fully watched (no permission to
// read the node or its directory); Run reports it if it happens at start.
func (ws *watches) ensure() (bool, error) {
	// Until the watched directory is the nearest one after the watch is in
	// place: a directory created or removed meanwhile is then seen either
	// here or by an event.
	var dirErr error
	for range 64 {
		dir, child := nearestDir(ws.path)
		if ws.dirWd >= 0 && dir == ws.dir {
			ws.child, dirErr = child, nil
			break
		}
		if ws.dirWd >= 0 {
			unix.InotifyRmWatch(ws.fd, uint32(ws.dirWd))
			ws.dirWd = -1
		}
		wd, err := unix.InotifyAddWatch(ws.fd, dir, dirMask)
		if err != nil { // removed meanwhile (look again), or not readable
			dirErr = &os.PathError{Op: "inotify_add_watch", Path: dir, Err: err}
			continue
		}
		ws.dirWd, ws.dir, ws.child = wd, dir, child
	}
	if dirErr != nil {
		return false, fmt.Errorf("watching %s: %w", ws.path, dirErr)
	}

	var st unix.Stat_t
	if err := unix.Stat(ws.path, &st); err != nil {
		return false, nil
	}
	id := [2]uint64{uint64(st.Dev), uint64(st.Ino)}
	if ws.nodeWd >= 0 && id == ws.nodeID {
		return true, nil
	}
	wd, err := unix.InotifyAddWatch(ws.fd, ws.path, nodeMask)
	switch {
	case err == nil:
		ws.nodeWd, ws.nodeID = wd, id
	case errors.Is(err, unix.ENOENT):
		return false, nil // removed meanwhile
	default:
		// EACCES: the node is not readable by us (yet: udev sets the
		// permissions of a new node just after it appears; the directory
		// watch sees that and we try again).
		return true, classify(ws.path, "inotify_add_watch", err)
	}
	return true, nil
}

// nearestDir returns the nearest existing directory on the way to path, and
// the name in it that leads to path.
func nearestDir(path string) (dir, child string) {
	dir, child = filepath.Dir(path), filepath.Base(path)
	for {
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			return dir, child
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return dir, child
		}
		dir, child = parent, filepath.Base(dir)
	}
}
