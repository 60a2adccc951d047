//go:build linux

package v4l

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// A temporary file stands in for the device node; a helper process opens
// it as another program would open the camera.
func TestHoldersRealProc(t *testing.T) {
	dev := filepath.Join(t.TempDir(), "video0")
	if err := os.WriteFile(dev, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	self := os.Getpid()

	hs, err := Holders("/proc", dev, self)
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 0 {
		t.Fatalf("nobody has it open yet, Holders = %v", hs)
	}

	// our own open is left out, but found when self is not given
	mine, err := os.Open(dev)
	if err != nil {
		t.Fatal(err)
	}
	defer mine.Close()
	if hs, _ := Holders("/proc", dev, self); len(hs) != 0 {
		t.Errorf("our own open reported: %v", hs)
	}
	if hs, _ := Holders("/proc", dev, -1); !slices.ContainsFunc(hs, func(h Holder) bool { return h.PID == self }) {
		t.Errorf("with no self to leave out, our own process is not found: %v", hs)
	}

	o := hold(t, dev, "fakezoom")
	hs, err = Holders("/proc", dev, self)
	if err != nil {
		t.Fatal(err)
	}
	if want := []Holder{{PID: o.pid, Name: "fakezoom"}}; !slices.Equal(hs, want) {
		t.Fatalf("Holders = %v, want %v", hs, want)
	}

	// through a symlink, as with /dev/v4l/by-id/… links
	link := filepath.Join(t.TempDir(), "usb-Fake_Camera-video-index0")
	if err := os.Symlink(dev, link); err != nil {
		t.Fatal(err)
	}
	if hs, _ := Holders("/proc", link, self); len(hs) != 1 || hs[0].PID != o.pid {
		t.Errorf("Holders via a symlink = %v, want the helper", hs)
	}

	o.stop()
	hs, err = Holders("/proc", dev, self)
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 0 {
		t.Errorf("after the helper exited, Holders = %v", hs)
	}
}

// A fake /proc: names from comm or the executable, entries that are not
// processes, processes that cannot be read, deleted files.
func TestHoldersFakeProc(t *testing.T) {
	root := t.TempDir()
	dev := "/dev/video0"
	type proc struct {
		pid   string
		comm  string // "" : no comm file
		exe   string // "" : no exe link
		fds   []string
		nofds bool // no fd directory (another user's process)
	}
	procs := []proc{
		{pid: "100", comm: "zoom\n", exe: "/opt/zoom/zoom", fds: []string{"socket:[123]", dev, dev}},
		{pid: "200", comm: "", exe: "/usr/bin/obs (deleted)", fds: []string{dev}},
		{pid: "300", comm: "gnome-control-c\n", exe: "/usr/bin/gnome-control-center", fds: []string{dev}},
		{pid: "400", comm: "other\n", fds: []string{"/dev/video1", "/dev/video0 (deleted)", "pipe:[9]"}},
		{pid: "500", comm: "secret\n", nofds: true},
		{pid: "600", comm: "self\n", fds: []string{dev}},
		{pid: "0012", comm: "bad\n", fds: []string{dev}},
		{pid: "self", comm: "bad\n", fds: []string{dev}},
	}
	for _, p := range procs {
		dir := filepath.Join(root, p.pid)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if p.comm != "" {
			os.WriteFile(filepath.Join(dir, "comm"), []byte(p.comm), 0o644)
		}
		if p.exe != "" {
			os.Symlink(p.exe, filepath.Join(dir, "exe"))
		}
		if p.nofds {
			continue
		}
		os.Mkdir(filepath.Join(dir, "fd"), 0o755)
		for i, target := range p.fds {
			if err := os.Symlink(target, filepath.Join(dir, "fd", string(rune('3'+i)))); err != nil {
				t.Fatal(err)
			}
		}
	}
	os.WriteFile(filepath.Join(root, "uptime"), []byte("1 2\n"), 0o644)

	hs, err := Holders(root, dev, 600)
	if err != nil {
		t.Fatal(err)
	}
	want := []Holder{{100, "zoom"}, {200, "obs"}, {300, "gnome-control-center"}}
	if !slices.Equal(hs, want) {
		t.Errorf("Holders = %v\nwant      %v", hs, want)
	}
	if _, err := Holders(filepath.Join(root, "missing"), dev, 0); err == nil {
		t.Error("a /proc that cannot be listed is no error")
	}
}

// The cost of one look at /proc, which the watcher pays per open or close
// of the device (and once more a grace period after an open).
func BenchmarkHolders(b *testing.B) {
	dev := filepath.Join(b.TempDir(), "video0")
	os.WriteFile(dev, nil, 0o600)
	procs, fds := 0, 0
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if _, ok := parsePID(e.Name()); ok {
			procs++
			f, _ := os.ReadDir(filepath.Join("/proc", e.Name(), "fd"))
			fds += len(f)
		}
	}
	for b.Loop() {
		if _, err := Holders("/proc", dev, os.Getpid()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(procs), "procs")
	b.ReportMetric(float64(fds), "fds")
}
