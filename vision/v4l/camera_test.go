//go:build linux

package v4l

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// listed returns the fake laptop's devices, as List would.
func listed(t *testing.T) []Device {
	t.Helper()
	sys, dev := fakeSys(t)
	devs, err := lister{sys: sys, dev: dev, query: fakeQuery(dev)}.list()
	if err != nil {
		t.Fatal(err)
	}
	return devs
}

// plugged stats as if the nodes of devs existed as V4L2 devices, and the
// real filesystem for any other path.
func plugged(devs []Device) func(string) (devStat, error) {
	return func(p string) (devStat, error) {
		if d := lookup(p, devs); d != nil {
			return devStat{char: true, major: v4lMajor}, nil
		}
		return statDev(p)
	}
}

func TestParseCamera(t *testing.T) {
	devs := listed(t)
	regular := filepath.Join(t.TempDir(), "clip.mp4")
	os.WriteFile(regular, []byte("not a camera"), 0o644)
	if _, err := os.Stat("/dev/video9"); err == nil {
		t.Skip("this machine has a /dev/video9")
	}

	cases := []struct {
		spec    string
		path    string // want, on success
		present bool
		err     error // want kind
		say     string
	}{
		{spec: "0", path: "/dev/video0", present: true},
		{spec: " 2 ", path: "/dev/video2", present: true},
		{spec: "/dev/video2", path: "/dev/video2", present: true},
		{spec: "/dev/v4l/by-id/usb-046d_HD_Pro_Webcam_C920_ABC123-video-index0", path: "/dev/v4l/by-id/usb-046d_HD_Pro_Webcam_C920_ABC123-video-index0", present: true},
		{spec: "HD Pro Webcam C920", path: "/dev/video2", present: true},
		{spec: "hd pro webcam c920", path: "/dev/video2", present: true},
		{spec: "Integrated Camera: Integrated C", path: "/dev/video0", present: true},
		{spec: "Locked  Camera", path: "/dev/video4", present: true}, // not queried: trusted
		// unplugged: waited for
		{spec: "/dev/video9", path: "/dev/video9"},
		{spec: "9", path: "/dev/video9"},
		{spec: "/dev/v4l/by-id/usb-Other_Cam-video-index0", path: "/dev/v4l/by-id/usb-Other_Cam-video-index0"},
		// refused at once
		{spec: "abc", err: ErrNotFound, say: `"HD Pro Webcam C920" (/dev/video2)`},
		{spec: "", err: ErrNotFound},
		{spec: "-1", err: ErrNotFound},
		{spec: "/dev/null", err: ErrNotVideo},
		{spec: regular, err: ErrNotVideo},
		{spec: "/nonexistent/cam", err: ErrNotFound},
		{spec: "1", err: ErrNoCapture, say: "/dev/video0"},
		{spec: "/dev/video3", err: ErrNoCapture, say: "/dev/video2"},
		{spec: "/dev/v4l/by-id/usb-046d_HD_Pro_Webcam_C920_ABC123-video-index1", err: ErrNoCapture},
	}
	for _, c := range cases {
		got, err := parseCamera(c.spec, devs, plugged(devs))
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("%q: err %v, want %v", c.spec, err, c.err)
			} else if !strings.Contains(err.Error(), c.say) {
				t.Errorf("%q: err %q does not say %q", c.spec, err, c.say)
			}
			if k := kindOf(err); k != c.err {
				t.Errorf("%q: kind %v, want only %v", c.spec, k, c.err)
			}
			continue
		}
		if err != nil || got.Path != c.path || got.Present != c.present {
			t.Errorf("%q: %+v, %v; want path %s present %v", c.spec, got, err, c.path, c.present)
		}
	}

	// two identical webcams: the name is ambiguous, their by-id links are not
	twins := append(devs[:0:0], devs...)
	twins[0].Name = "HD Pro Webcam C920"
	if _, err := parseCamera("HD Pro Webcam C920", twins, plugged(twins)); !errors.Is(err, ErrAmbiguous) ||
		!strings.Contains(err.Error(), "/dev/v4l/by-id/") {
		t.Errorf("twin cameras: %v, want ErrAmbiguous naming a by-id link", err)
	}
	// a name only a metadata node has
	meta := []Device{{Node: "video1", Path: "/dev/video1", Name: "Meta Only", Queried: true, Meta: true}}
	if _, err := parseCamera("Meta Only", meta, plugged(meta)); !errors.Is(err, ErrNoCapture) {
		t.Errorf("metadata-only name: %v, want ErrNoCapture", err)
	}
}

// The exported parser on the real /dev, with no device listed (as on this
// machine, which has no camera).
func TestParseCameraRealDev(t *testing.T) {
	if _, err := os.Stat("/dev/video9"); err == nil {
		t.Skip("this machine has a /dev/video9")
	}
	c, err := ParseCamera("/dev/video9", nil)
	if err != nil || c.Present || c.Path != "/dev/video9" {
		t.Errorf("missing /dev/video9: %+v, %v; want accepted, not present", c, err)
	}
	if _, err := ParseCamera("/dev/null", nil); !errors.Is(err, ErrNotVideo) {
		t.Errorf("/dev/null: %v, want ErrNotVideo", err)
	}
	if _, err := ParseCamera("abc", nil); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "no camera is connected") {
		t.Errorf("abc: %v, want ErrNotFound saying no camera is connected", err)
	}
	if _, err := ParseCamera("/etc/nonexistent-camera", nil); !errors.Is(err, ErrNotFound) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing path outside /dev: %v, want ErrNotFound", err)
	}
	for _, k := range kinds {
		if Hint(k) == "" {
			t.Errorf("no hint for %v", k)
		}
	}
}
