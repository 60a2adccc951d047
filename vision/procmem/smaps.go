// Package procmem reads a process's memory map (/proc/PID/smaps), to find
// the library pages that can be handed back to the kernel. Pure Go: the
// madvise call itself is vision's.
package procmem

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
)

// Mapping is one entry of /proc/PID/smaps, with what deciding whether its
// pages may be dropped needs.
type Mapping struct {
	Start, End uint64
	Perms      string // "r-xp"
	Path       string // the file mapped; "" for anonymous memory
	RSS        int64  // bytes resident
	Anon       int64  // bytes of written (private, copied) pages
	Locked     bool
}

// CleanLibrary reports whether m is a shared library's read-only mapping
// with nothing written in it.
func (m Mapping) CleanLibrary() bool {
	if len(m.Perms) < 4 || m.Perms[1] != '-' || m.Perms[3] != 'p' {
		return false // writable or shared
	}
	if !strings.HasPrefix(m.Path, "/") || !strings.Contains(m.Path, ".so") {
		return false // anonymous, [stack] and the like, or the program itself
	}
	return m.Anon == 0 && !m.Locked && m.RSS > 0 && m.End > m.Start
}

// ParseSmaps reads the entries of an smaps file. Lines it does not know
// (and malformed ones) are skipped.
func ParseSmaps(b []byte) []Mapping {
	var out []Mapping
	var cur *Mapping
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if strings.HasSuffix(fields[0], ":") { // "Rss:    12 kB"
			if cur == nil || len(fields) < 2 {
				continue
			}
			n, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				continue
			}
			switch fields[0] {
			case "Rss:":
				cur.RSS = n << 10
			case "Anonymous:":
				cur.Anon = n << 10
			case "Locked:":
				cur.Locked = n > 0
			}
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		if !ok || len(fields) < 5 {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		m := Mapping{Start: start, End: end, Perms: fields[1]}
		if len(fields) >= 6 {
			m.Path = strings.Join(fields[5:], " ")
		}
		out = append(out, m)
		cur = &out[len(out)-1]
	}
	return out
}

// StatusKB reads one of the kB figures of a /proc/PID/status file (VmRSS,
// VmHWM, RssAnon, RssFile …); ok is false when the file has no such line.
func StatusKB(status []byte, key string) (kb int64, ok bool) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		v, found := strings.CutPrefix(sc.Text(), key+":")
		if !found {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		return n, err == nil
	}
	return 0, false
}
