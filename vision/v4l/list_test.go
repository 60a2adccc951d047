//go:build linux

package v4l

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// fakeSys builds a sysfs tree like a laptop with an internal and a USB
// webcam (each with its metadata node), a node that cannot be opened, a
// node with no name file, and entries that are not video nodes.
func fakeSys(t *testing.T) (sys, dev string) {
	t.Helper()
	root := t.TempDir()
	sys, dev = filepath.Join(root, "sys"), filepath.Join(root, "dev")
	class := filepath.Join(sys, "class", "video4linux")
	devices := filepath.Join(sys, "devices", "pci0000:00", "0000:00:14.0", "usb1")
	for _, d := range []string{class, devices, filepath.Join(dev, "v4l", "by-id"), filepath.Join(dev, "v4l", "by-path")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	type entry struct {
		node, name, index string
		noName            bool
	}
	entries := []entry{
		{node: "video0", name: "Integrated Camera: Integrated C\n", index: "0\n"},
		{node: "video1", name: "Integrated Camera: Integrated C\n", index: "1\n"},
		{node: "video2", name: "HD Pro Webcam C920\n", index: "0\n"},
		{node: "video3", name: "HD Pro Webcam C920\n", index: "1\n"},
		{node: "video4", name: "Locked  Camera \n", index: "0\n"},
		{node: "video10", noName: true, index: "0\n"},
		{node: "v4l-subdev0", name: "ov5640\n", index: "0\n"},
		{node: "radio0", name: "FM\n", index: "0\n"},
	}
	for _, e := range entries {
		// real class entries are symlinks into /sys/devices
		real := filepath.Join(devices, e.node)
		if err := os.MkdirAll(real, 0o755); err != nil {
			t.Fatal(err)
		}
		if !e.noName {
			os.WriteFile(filepath.Join(real, "name"), []byte(e.name), 0o644)
		}
		os.WriteFile(filepath.Join(real, "index"), []byte(e.index), 0o644)
		os.WriteFile(filepath.Join(real, "uevent"), []byte("MAJOR=81\nMINOR=0\nDEVNAME="+e.node+"\n"), 0o644)
		if err := os.Symlink(real, filepath.Join(class, e.node)); err != nil {
			t.Fatal(err)
		}
	}
	os.Symlink("../../video2", filepath.Join(dev, "v4l", "by-id", "usb-046d_HD_Pro_Webcam_C920_ABC123-video-index0"))
	os.Symlink("../../video3", filepath.Join(dev, "v4l", "by-id", "usb-046d_HD_Pro_Webcam_C920_ABC123-video-index1"))
	os.Symlink("../../video2", filepath.Join(dev, "v4l", "by-path", "pci-0000:00:14.0-usb-0:1:1.0-video-index0"))
	return sys, dev
}

// fakeQuery answers VIDIOC_QUERYCAP as the drivers would.
func fakeQuery(dev string) func(string) (capInfo, error) {
	const capture = capVideoCapture | capDeviceCaps
	const meta = capMetaCapture | capDeviceCaps
	answers := map[string]capInfo{
		"video0": {Driver: "uvcvideo", Card: "Integrated Camera: Integrated C", BusInfo: "usb-0000:00:14.0-8", Caps: capture | capMetaCapture, DeviceCaps: capVideoCapture},
		"video1": {Driver: "uvcvideo", Card: "Integrated Camera: Integrated C", BusInfo: "usb-0000:00:14.0-8", Caps: meta | capVideoCapture, DeviceCaps: capMetaCapture},
		"video2": {Driver: "uvcvideo", Card: "HD Pro Webcam C920", BusInfo: "usb-0000:00:14.0-1", Caps: capture, DeviceCaps: capVideoCaptureMPlane},
		"video3": {Driver: "uvcvideo", Card: "HD Pro Webcam C920", BusInfo: "usb-0000:00:14.0-1", Caps: meta, DeviceCaps: capMetaCapture},
	}
	return func(path string) (capInfo, error) {
		node, _ := filepath.Rel(dev, path)
		if c, ok := answers[node]; ok {
			return c, nil
		}
		if node == "video4" {
			return capInfo{}, classify(path, "open", &fs.PathError{Op: "open", Path: path, Err: syscall.EACCES})
		}
		return capInfo{}, classify(path, "open", &fs.PathError{Op: "open", Path: path, Err: syscall.ENOENT})
	}
}

func TestList(t *testing.T) {
	sys, dev := fakeSys(t)
	devs, err := lister{sys: sys, dev: dev, query: fakeQuery(dev)}.list()
	if err != nil {
		t.Fatal(err)
	}
	var nodes []string
	for _, d := range devs {
		nodes = append(nodes, d.Node)
	}
	if want := []string{"video0", "video1", "video2", "video3", "video4", "video10"}; !slices.Equal(nodes, want) {
		t.Fatalf("nodes %v, want %v (sorted by number, only video nodes)", nodes, want)
	}
	type want struct {
		path, name    string
		num, index    int
		capture, meta bool
		queried       bool
		kind          error
		links         int
	}
	wants := []want{
		{"/dev/video0", "Integrated Camera: Integrated C", 0, 0, true, false, true, nil, 0},
		{"/dev/video1", "Integrated Camera: Integrated C", 1, 1, false, true, true, nil, 0},
		{"/dev/video2", "HD Pro Webcam C920", 2, 0, true, false, true, nil, 2},
		{"/dev/video3", "HD Pro Webcam C920", 3, 1, false, true, true, nil, 1},
		{"/dev/video4", "Locked  Camera", 4, 0, true, false, false, ErrPermission, 0}, // guessed from index 0
		{"/dev/video10", "", 10, 0, true, false, false, ErrNotFound, 0},
	}
	for i, w := range wants {
		d := devs[i]
		if d.Path != w.path || d.Name != w.name || d.Num != w.num || d.Index != w.index ||
			d.Capture != w.capture || d.Meta != w.meta || d.Queried != w.queried || len(d.Links) != w.links {
			t.Errorf("%s: got %+v\nwant %+v", d.Node, d, w)
		}
		if w.kind == nil && d.Err != nil || w.kind != nil && !errors.Is(d.Err, w.kind) {
			t.Errorf("%s: Err = %v, want kind %v", d.Node, d.Err, w.kind)
		}
	}
	if d := devs[2]; d.Links[0] != "/dev/v4l/by-id/usb-046d_HD_Pro_Webcam_C920_ABC123-video-index0" ||
		d.Links[1] != "/dev/v4l/by-path/pci-0000:00:14.0-usb-0:1:1.0-video-index0" {
		t.Errorf("video2 links %q: want by-id first, then by-path", d.Links)
	}
	if d := devs[2]; d.Driver != "uvcvideo" || d.BusInfo != "usb-0000:00:14.0-1" || d.Caps != capVideoCaptureMPlane {
		t.Errorf("video2 QUERYCAP fields: %+v", d)
	}
	// the UI can tell the user what to do about the locked node
	if d := devs[4]; !errors.Is(d.Err, fs.ErrPermission) || !strings.Contains(d.Err.Error(), "video") ||
		!strings.Contains(d.String(), "permission denied") {
		t.Errorf("locked node: Err %v, String %q", d.Err, d)
	}
	if s := devs[1].String(); s != `/dev/video1 "Integrated Camera: Integrated C" (metadata only)` {
		t.Errorf("String() = %q", s)
	}
}

// The real QUERYCAP on nodes that are no V4L2 devices (regular files stand
// in for /dev/videoN here): ENOTTY, so not video, not capture.
func TestListRealQuery(t *testing.T) {
	sys, dev := fakeSys(t)
	for _, n := range []string{"video0", "video1"} {
		if err := os.WriteFile(filepath.Join(dev, n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	devs, err := lister{sys: sys, dev: dev, query: queryCap}.list()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devs {
		switch d.Node {
		case "video0", "video1":
			if !errors.Is(d.Err, ErrNotVideo) || !errors.Is(d.Err, syscall.ENOTTY) || d.Capture || d.Queried {
				t.Errorf("%s: %+v, want ErrNotVideo (ENOTTY), no capture", d.Node, d)
			}
		default: // no node under dev
			if !errors.Is(d.Err, ErrNotFound) || d.Capture != (d.Index == 0) {
				t.Errorf("%s: %+v, want ErrNotFound and capture guessed from the index", d.Node, d)
			}
		}
	}
}

func TestListNoDriver(t *testing.T) {
	devs, err := List(t.TempDir())
	if err != nil || devs != nil {
		t.Errorf("no video4linux class: %v, %v; want an empty list", devs, err)
	}
	// this machine's own /sys: whatever it has, List must not fail
	if _, err := List(""); err != nil {
		t.Errorf("List on the real /sys: %v", err)
	}
}
