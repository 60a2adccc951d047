//go:build linux

package v4l

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"
)

// Holders returns the processes other than self that have devPath open,
// sorted by PID, found by reading the /proc/PID/fd links under procRoot
// ("" means "/proc"). devPath may be a symlink (/dev/v4l/by-id/…); it is
// resolved first. Processes that cannot be read (another user's, when not
// root) or that exit during the scan are skipped silently: only a procRoot
// that cannot be listed is an error.
func Holders(procRoot, devPath string, self int) ([]Holder, error) {
	if procRoot == "" {
		procRoot = "/proc"
	}
	want, rdev, isChar := resolveDev(devPath)
	d, err := os.Open(procRoot)
	if err != nil {
		return nil, fmt.Errorf("looking for programs using %s: %w", devPath, err)
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return nil, fmt.Errorf("looking for programs using %s: %w", devPath, err)
	}
	var hs []Holder
	for _, n := range names {
		pid, ok := parsePID(n)
		if !ok || pid == self {
			continue
		}
		dir := filepath.Join(procRoot, n)
		if holds(dir, want, rdev, isChar) {
			hs = append(hs, Holder{PID: pid, Name: procName(dir)})
		}
	}
	slices.SortFunc(hs, func(a, b Holder) int { return cmp.Compare(a.PID, b.PID) })
	return hs, nil
}

// resolveDev returns the cleaned real path of devPath and, for a character
// device, its device number.
func resolveDev(devPath string) (want string, rdev uint64, isChar bool) {
	want = filepath.Clean(devPath)
	if r, err := filepath.EvalSymlinks(want); err == nil {
		want = r
	}
	if abs, err := filepath.Abs(want); err == nil {
		want = abs
	}
	var st unix.Stat_t
	if unix.Stat(want, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFCHR {
		return want, uint64(st.Rdev), true
	}
	return want, 0, false
}

// holds reports whether the process at dir (/proc/PID) has the file open:
// one of its fd links names it, or, for a character device, one of its
// links into /dev is the same device by number (a program in a container
// with a /dev of its own).
func holds(dir, want string, rdev uint64, isChar bool) bool {
	fdDir := filepath.Join(dir, "fd")
	d, err := os.Open(fdDir)
	if err != nil {
		return false // another user's process, or it exited
	}
	fds, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return false
	}
	for _, fd := range fds {
		link := filepath.Join(fdDir, fd)
		target, err := os.Readlink(link)
		if err != nil {
			continue
		}
		if linkMatches(target, want) {
			return true
		}
		// A deleted node ("/dev/video0 (deleted)") is a device that was
		// unplugged; a new one may have the same number, so it is no match.
		if isChar && strings.HasPrefix(target, "/dev/") && !strings.HasSuffix(target, " (deleted)") {
			var st unix.Stat_t
			if unix.Stat(link, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFCHR && uint64(st.Rdev) == rdev {
				return true
			}
		}
	}
	return false
}

// procName returns the program name of the process at dir (/proc/PID).
func procName(dir string) string {
	var comm, exe string
	if b, err := os.ReadFile(filepath.Join(dir, "comm")); err == nil {
		comm = cleanText(b)
	}
	if t, err := os.Readlink(filepath.Join(dir, "exe")); err == nil { // only our own user's, unless root
		exe = exeName(t)
	}
	return programName(comm, exe)
}
