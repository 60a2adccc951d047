package v4l

// Parsers of outside input: sysfs attribute files, /proc entries and
// inotify records. Each is total (never panics) and fuzzed.

import (
	"bytes"
	"encoding/binary"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxText bounds the text kept from a sysfs or /proc file.
const maxText = 256

// cleanText turns the contents of a sysfs or /proc text file (a device name
// from a USB descriptor, a program name) into one printable line: trailing
// newline and surrounding blanks removed, invalid UTF-8 and control
// characters replaced, at most maxText bytes.
func cleanText(b []byte) string {
	if len(b) > maxText {
		b = b[:maxText]
	}
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// parseIndex reads a sysfs "index" attribute: a small non-negative decimal
// number followed by a newline. It returns -1 and false for anything else.
func parseIndex(b []byte) (int, bool) {
	s := strings.TrimSpace(string(b))
	if s == "" || len(s) > 9 || !allDigits(s) {
		return -1, false
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1, false
	}
	return n, true
}

// parseDevName returns the DEVNAME of a sysfs uevent file ("video0"), or ""
// when it has none or it is not a safe name under /dev (absolute, "..",
// empty components).
func parseDevName(b []byte) string {
	for line := range strings.SplitSeq(string(b), "\n") {
		v, ok := strings.CutPrefix(line, "DEVNAME=")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		if v == "" || len(v) > maxText || strings.HasPrefix(v, "/") || path.Clean(v) != v || v == "." ||
			v == ".." || strings.HasPrefix(v, "../") || strings.ContainsFunc(v, unicode.IsControl) || !utf8.ValidString(v) {
			return ""
		}
		return v
	}
	return ""
}

// nodeNumber returns N for a node name "videoN" (N without sign or
// superfluous leading zeros), or -1.
func nodeNumber(node string) int {
	s, ok := strings.CutPrefix(node, "video")
	if !ok || s == "" || len(s) > 9 || !allDigits(s) || (len(s) > 1 && s[0] == '0') {
		return -1
	}
	n, _ := strconv.Atoi(s)
	return n
}

// parsePID returns the process id named by a /proc entry ("1234"), or false
// for anything else ("self", "sys", "0", "+5", "0012").
func parsePID(name string) (int, bool) {
	if name == "" || len(name) > 10 || !allDigits(name) || name[0] == '0' {
		return 0, false
	}
	n, err := strconv.Atoi(name)
	if err != nil || n <= 0 || n > 1<<31-1 {
		return 0, false
	}
	return n, true
}

// exeName returns the program name from a /proc/PID/exe link target
// ("/usr/bin/zoom (deleted)" → "zoom"), or "".
func exeName(target string) string {
	target = strings.TrimSuffix(target, " (deleted)")
	if !strings.HasPrefix(target, "/") {
		return ""
	}
	base := path.Base(target)
	if base == "/" || base == "." {
		return ""
	}
	return cleanText([]byte(base))
}

// programName chooses a process's name from its comm (kernel-truncated to
// 15 bytes) and the base name of its executable: comm, unless it was cut
// and the executable's name continues it ("gnome-control-c" →
// "gnome-control-center"); the executable's name when comm is unknown.
func programName(comm, exe string) string {
	switch {
	case comm == "":
		return exe
	case len(comm) == 15 && len(exe) > 15 && strings.HasPrefix(exe, comm):
		return exe
	}
	return comm
}

// linkMatches reports whether a /proc/PID/fd link target names the file at
// want (a cleaned absolute path). Targets of pipes, sockets and anonymous
// inodes ("socket:[123]") never match, and neither do deleted files
// ("/dev/video0 (deleted)": that device node is gone).
func linkMatches(target, want string) bool {
	return target == want && strings.HasPrefix(target, "/")
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// inotifyEvent is one record read from an inotify descriptor.
type inotifyEvent struct {
	wd   int32
	mask uint32
	name string // for a directory watch: the entry's name
}

// inotifyHeader is sizeof(struct inotify_event) without its name.
const inotifyHeader = 16

// parseInotify decodes the records of one read(2) from an inotify
// descriptor (native byte order; each a 16-byte header then len bytes of
// NUL-padded name). A truncated record ends the parse: the kernel never
// returns one, so it means corrupt input.
func parseInotify(buf []byte) []inotifyEvent {
	var evs []inotifyEvent
	for len(buf) >= inotifyHeader {
		wd := int32(binary.NativeEndian.Uint32(buf[0:]))
		mask := binary.NativeEndian.Uint32(buf[4:])
		n := binary.NativeEndian.Uint32(buf[12:])
		if uint64(n) > uint64(len(buf)-inotifyHeader) {
			break
		}
		name := buf[inotifyHeader : inotifyHeader+int(n)]
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		evs = append(evs, inotifyEvent{wd: wd, mask: mask, name: string(name)})
		buf = buf[inotifyHeader+int(n):]
	}
	return evs
}
