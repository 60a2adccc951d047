package v4l

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Names and numbers read from sysfs files written by drivers from USB
// descriptors: any bytes at all.
func FuzzSysfs(f *testing.F) {
	for _, s := range []string{"Integrated Camera: Integrated C\n", "0\n", "1", " 12 \n", "-1", "99999999999",
		"MAJOR=81\nMINOR=0\nDEVNAME=video0\n", "DEVNAME=../../etc/passwd\n", "DEVNAME=/dev/video0", "\xff\xfe\x00cam\x07\n",
		"DEVNAME=v4l/video0\n", "video007", "video12"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		name := cleanText(b)
		if !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl) || len(name) > 3*maxText {
			t.Errorf("cleanText(%q) = %q", b, name)
		}
		if name != strings.TrimSpace(name) {
			t.Errorf("cleanText(%q) = %q: not trimmed", b, name)
		}
		if n, ok := parseIndex(b); ok {
			if m, err := strconv.Atoi(strings.TrimSpace(string(b))); err != nil || m != n || n < 0 {
				t.Errorf("parseIndex(%q) = %d", b, n)
			}
		} else if n != -1 {
			t.Errorf("parseIndex(%q) = %d, false", b, n)
		}
		if d := parseDevName(b); d != "" {
			if strings.HasPrefix(d, "/") || strings.Contains("/"+d+"/", "/../") || strings.Contains(d, "//") ||
				!utf8.ValidString(d) || strings.ContainsFunc(d, unicode.IsControl) {
				t.Errorf("parseDevName(%q) = %q: unsafe under /dev", b, d)
			}
		}
		if n := nodeNumber(string(b)); n >= 0 && "video"+strconv.Itoa(n) != string(b) {
			t.Errorf("nodeNumber(%q) = %d", b, n)
		}
	})
}

// /proc entry names, comm files and link targets.
func FuzzProc(f *testing.F) {
	f.Add("1234", []byte("zoom\n"), "/usr/bin/zoom (deleted)", "/dev/video0")
	f.Add("self", []byte("gnome-control-c\n"), "/usr/bin/gnome-control-center", "socket:[1]")
	f.Add("0012", []byte(""), "", "/dev/video0 (deleted)")
	f.Add("99999999999", []byte("\x00\xff"), "relative/exe", "/")
	f.Fuzz(func(t *testing.T, entry string, comm []byte, exe, target string) {
		if pid, ok := parsePID(entry); ok {
			if pid <= 0 || strconv.Itoa(pid) != entry {
				t.Errorf("parsePID(%q) = %d", entry, pid)
			}
		}
		name := programName(cleanText(comm), exeName(exe))
		if !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl) {
			t.Errorf("program name %q from comm %q exe %q", name, comm, exe)
		}
		if e := exeName(exe); strings.Contains(e, "/") {
			t.Errorf("exeName(%q) = %q", exe, e)
		}
		if linkMatches(target, "/dev/video0") != (target == "/dev/video0") {
			t.Errorf("linkMatches(%q)", target)
		}
	})
}

// Records read from an inotify descriptor: a corrupt buffer must not make
// the parser read past it or loop.
func FuzzInotify(f *testing.F) {
	rec := func(wd int32, mask uint32, name string, pad int) []byte {
		b := make([]byte, inotifyHeader+len(name)+pad)
		binary.NativeEndian.PutUint32(b[0:], uint32(wd))
		binary.NativeEndian.PutUint32(b[4:], mask)
		binary.NativeEndian.PutUint32(b[12:], uint32(len(name)+pad))
		copy(b[inotifyHeader:], name)
		return b
	}
	f.Add(rec(1, 0x20, "", 0))
	f.Add(append(rec(2, 0x100, "video0", 10), rec(1, 0x10, "", 0)...))
	f.Add(rec(-1, 0x4000, "", 0)[:10])
	f.Fuzz(func(t *testing.T, b []byte) {
		evs := parseInotify(b)
		if len(evs) > len(b)/inotifyHeader {
			t.Errorf("%d events from %d bytes", len(evs), len(b))
		}
		for _, e := range evs {
			if strings.IndexByte(e.name, 0) >= 0 {
				t.Errorf("name %q keeps its NUL padding", e.name)
			}
		}
	})
	if evs := parseInotify(append(rec(2, 0x100, "video0", 10), rec(1, 0x10, "", 0)...)); len(evs) != 2 ||
		evs[0].name != "video0" || evs[0].wd != 2 || evs[1].mask != 0x10 {
		f.Errorf("parseInotify = %+v", evs)
	}
}

// The --camera value, from the command line or the settings page.
func FuzzParseCamera(f *testing.F) {
	devs := []Device{
		{Node: "video0", Path: "/dev/video0", Num: 0, Name: "Integrated Camera: Integrated C", Index: 0, Capture: true, Queried: true},
		{Node: "video1", Path: "/dev/video1", Num: 1, Name: "Integrated Camera: Integrated C", Index: 1, Meta: true, Queried: true},
		{Node: "video2", Path: "/dev/video2", Num: 2, Name: "HD Pro Webcam C920", Capture: true, Queried: true,
			Links: []string{"/dev/v4l/by-id/usb-046d_HD_Pro_Webcam_C920-video-index0"}},
		{Node: "video4", Path: "/dev/video4", Num: 4, Name: "HD Pro Webcam C920", Capture: true},
	}
	stat := func(p string) (devStat, error) {
		switch {
		case lookup(p, devs) != nil:
			return devStat{char: true, major: v4lMajor}, nil
		case p == "/dev/null":
			return devStat{char: true, major: 1}, nil
		case strings.HasPrefix(p, "/etc/"):
			return devStat{}, nil
		}
		return devStat{}, &fs.PathError{Op: "stat", Path: p, Err: fs.ErrNotExist}
	}
	for _, s := range []string{"0", "1", "2", " 3 ", "/dev/video2", "/dev/null", "abc", "", "hd pro webcam c920",
		"/dev/v4l/by-id/x", "/etc/passwd", "00", "-0", "99999999999999999999", "/dev/../dev/video2", "/dev/video02"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		c, err := parseCamera(spec, devs, stat)
		if err != nil {
			if kindOf(err) == nil {
				t.Errorf("%q: error %v has no kind", spec, err)
			}
			if errors.Is(err, ErrBusy) || errors.Is(err, ErrPermission) {
				t.Errorf("%q: parsing cannot find %v", spec, err)
			}
			return
		}
		if !strings.HasPrefix(c.Path, "/") {
			t.Errorf("%q: path %q", spec, c.Path)
		}
		if c.Present {
			if d := lookup(c.Path, devs); d == nil || d.Queried && !d.Capture {
				t.Errorf("%q: chose %q, not a capture device", spec, c.Path)
			}
		} else if !waitable(c.Path) {
			t.Errorf("%q: waits for %q, which is no camera path", spec, c.Path)
		}
	})
}
