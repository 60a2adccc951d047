//go:build linux

package v4l

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

func TestIoctlNumbers(t *testing.T) {
	switch runtime.GOARCH {
	case "amd64", "arm64", "386", "arm", "riscv64", "s390x", "loong64":
		if vidiocQueryCap != 0x80685600 || vidiocReqBufs != 0xc0145608 {
			t.Errorf("VIDIOC_QUERYCAP %#x, VIDIOC_REQBUFS %#x", vidiocQueryCap, vidiocReqBufs)
		}
	}
}

func TestCheckOpen(t *testing.T) {
	missing := "/dev/video987"
	err := CheckOpen(missing)
	if !errors.Is(err, ErrNotFound) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing node: %v, want ErrNotFound wrapping ENOENT", err)
	}
	var de *DeviceError
	if !errors.As(err, &de) || de.Path != missing {
		t.Errorf("missing node: %#v, want a *DeviceError for the path", err)
	}
	// a character device, but not major 81
	if err := CheckOpen("/dev/null"); !errors.Is(err, ErrNotVideo) {
		t.Errorf("/dev/null: %v, want ErrNotVideo", err)
	}
	regular := filepath.Join(t.TempDir(), "video0")
	os.WriteFile(regular, nil, 0o600)
	if err := CheckOpen(regular); !errors.Is(err, ErrNotVideo) {
		t.Errorf("regular file: %v, want ErrNotVideo", err)
	}
	// The real ioctl on a character device that is no V4L2 device.
	if _, err := queryCap("/dev/null"); !errors.Is(err, ErrNotVideo) || !errors.Is(err, syscall.ENOTTY) {
		t.Errorf("QUERYCAP on /dev/null: %v, want ErrNotVideo (ENOTTY)", err)
	}
}

// What each system error of an open means; the cause stays reachable.
func TestClassify(t *testing.T) {
	dev := filepath.Join(t.TempDir(), "video0")
	os.WriteFile(dev, nil, 0o660)
	cases := []struct {
		errno syscall.Errno
		kind  error
		also  error
		say   string
	}{
		{syscall.EBUSY, ErrBusy, nil, "in use"},
		{syscall.ENOENT, ErrNotFound, fs.ErrNotExist, "no such camera"},
		{syscall.ENODEV, ErrNotFound, nil, "no such camera"},
		{syscall.ENXIO, ErrNotFound, nil, "no such camera"},
		{syscall.EACCES, ErrPermission, fs.ErrPermission, "usermod -aG"},
		{syscall.EPERM, ErrPermission, fs.ErrPermission, "group"},
		{syscall.ENOTTY, ErrNotVideo, nil, "not a video device"},
		{syscall.EIO, nil, nil, "input/output error"},
	}
	for _, c := range cases {
		err := classify(dev, "open", &fs.PathError{Op: "open", Path: dev, Err: c.errno})
		if kindOf(err) != c.kind {
			t.Errorf("%v: kind %v, want %v", c.errno, kindOf(err), c.kind)
		}
		if !errors.Is(err, c.errno) || (c.also != nil && !errors.Is(err, c.also)) {
			t.Errorf("%v: %v does not wrap its cause", c.errno, err)
		}
		if !strings.Contains(err.Error(), c.say) || !strings.Contains(err.Error(), dev) {
			t.Errorf("%v: %q should name the device and say %q", c.errno, err, c.say)
		}
	}
	busy := &DeviceError{Path: "/dev/video0", Op: "VIDIOC_REQBUFS", Kind: ErrBusy, Err: syscall.EBUSY,
		Holders: []Holder{{PID: 42, Name: "zoom"}}}
	if s := busy.Error(); !strings.Contains(s, "zoom (pid 42)") {
		t.Errorf("busy error %q does not name the holder", s)
	}
}
