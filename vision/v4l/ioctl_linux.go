//go:build linux

package v4l

import (
	"bytes"
	"errors"
	"os"
	"os/user"
	"runtime"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ioctl request numbers (linux/videodev2.h): 0x80685600 and 0xc0145608 on
// most architectures.
var (
	vidiocQueryCap = ioc(iocRead, 'V', 0, unsafe.Sizeof(v4l2Capability{}))              // _IOR('V', 0, struct v4l2_capability)
	vidiocReqBufs  = ioc(iocRead|iocWrite, 'V', 8, unsafe.Sizeof(v4l2RequestBuffers{})) // _IOWR('V', 8, struct v4l2_requestbuffers)
)

// The direction bits of ioctl numbers (asm-generic/ioctl.h; MIPS and Power
// have their own).
var iocRead, iocWrite, iocDirShift uintptr = func() (uintptr, uintptr, uintptr) {
	switch runtime.GOARCH {
	case "mips", "mipsle", "mips64", "mips64le", "ppc64", "ppc64le":
		return 2, 4, 29
	}
	return 2, 1, 30
}()

// ioc is the kernel's _IOC(dir, type, nr, size).
func ioc(dir, typ, nr, size uintptr) uintptr {
	return dir<<iocDirShift | size<<16 | typ<<8 | nr
}

// struct v4l2_capability (104 bytes).
type v4l2Capability struct {
	Driver       [16]byte
	Card         [32]byte
	BusInfo      [32]byte
	Version      uint32
	Capabilities uint32
	DeviceCaps   uint32
	Reserved     [3]uint32
}

// struct v4l2_requestbuffers (20 bytes).
type v4l2RequestBuffers struct {
	Count        uint32
	Type         uint32
	Memory       uint32
	Capabilities uint32
	Flags        uint8
	Reserved     [3]uint8
}

const (
	bufTypeVideoCapture       = 1
	bufTypeVideoCaptureMPlane = 9
	memoryMMAP                = 1
)

// Compile-time checks of the kernel ABI sizes.
var (
	_ [104 - unsafe.Sizeof(v4l2Capability{})]struct{}
	_ [unsafe.Sizeof(v4l2Capability{}) - 104]struct{}
	_ [20 - unsafe.Sizeof(v4l2RequestBuffers{})]struct{}
	_ [unsafe.Sizeof(v4l2RequestBuffers{}) - 20]struct{}
)

func ioctl(fd int, req uintptr, arg unsafe.Pointer) error {
	for {
		_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), req, uintptr(arg))
		switch e {
		case 0:
			return nil
		case unix.EINTR:
			continue
		}
		return e
	}
}

// statDev stats path (following symlinks).
func statDev(path string) (devStat, error) {
	var st unix.Stat_t
	for {
		err := unix.Stat(path, &st)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return devStat{}, &os.PathError{Op: "stat", Path: path, Err: err}
		}
		break
	}
	ds := devStat{char: st.Mode&unix.S_IFMT == unix.S_IFCHR, gid: st.Gid}
	if ds.char {
		ds.major = unix.Major(uint64(st.Rdev))
	}
	return ds, nil
}

// openNode opens a device node the way a capture program does (read-write)
// but non-blocking, so that opening never waits.
func openNode(path string) (int, error) {
	for {
		fd, err := unix.Open(path, unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return -1, &os.PathError{Op: "open", Path: path, Err: err}
		}
		return fd, nil
	}
}

// queryCap opens path and asks it VIDIOC_QUERYCAP. Errors are
// *DeviceError with their kind (ErrNotVideo when the node does not answer
// the V4L2 ioctl).
func queryCap(path string) (capInfo, error) {
	fd, err := openNode(path)
	if err != nil {
		return capInfo{}, classify(path, "open", err)
	}
	defer unix.Close(fd)
	return queryFD(path, fd)
}

func queryFD(path string, fd int) (capInfo, error) {
	var c v4l2Capability
	if err := ioctl(fd, vidiocQueryCap, unsafe.Pointer(&c)); err != nil {
		return capInfo{}, classify(path, "VIDIOC_QUERYCAP", err)
	}
	return capInfo{
		Driver:     cString(c.Driver[:]),
		Card:       cString(c.Card[:]),
		BusInfo:    cString(c.BusInfo[:]),
		Caps:       c.Capabilities,
		DeviceCaps: c.DeviceCaps,
	}, nil
}

func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return cleanText(b)
}

// classify maps a system error of op on path to a *DeviceError with its
// kind.
func classify(path, op string, err error) error {
	var de *DeviceError
	if errors.As(err, &de) {
		return err
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the path is said once
	}
	e := &DeviceError{Path: path, Op: op, Err: err}
	var errno unix.Errno
	if errors.As(err, &errno) {
		switch errno {
		case unix.EBUSY:
			e.Kind = ErrBusy
		case unix.ENOENT, unix.ENODEV, unix.ENXIO:
			e.Kind = ErrNotFound
		case unix.EACCES, unix.EPERM:
			e.Kind = ErrPermission
			e.Group = groupOf(path)
		case unix.ENOTTY:
			e.Kind = ErrNotVideo
		}
	}
	return e
}

// groupOf returns the name of the group owning path, or "".
func groupOf(path string) string {
	st, err := statDev(path)
	if err != nil {
		return ""
	}
	g, err := user.LookupGroupId(strconv.FormatUint(uint64(st.gid), 10))
	if err != nil {
		return ""
	}
	return g.Name
}

// CheckOpen tells whether the camera at path could be used now, and if not
// why, before OpenCV tries (OpenCV only says it failed). It returns nil or a
// *DeviceError wrapping the cause with its kind:
//
//   - ErrNotFound: the node does not exist (unplugged) or the device is gone;
//   - ErrNotVideo: not a Video4Linux character device (major 81);
//   - ErrPermission: the user may not open it (not in the video group);
//   - ErrNoCapture: it gives no video (a metadata node);
//   - ErrBusy: another program streams from it. Opening alone rarely fails
//     with EBUSY (uvcvideo lets any number of programs open a camera; only
//     one may stream), so CheckOpen also asks VIDIOC_REQBUFS for zero
//     buffers, which the kernel refuses with EBUSY while another file
//     handle owns the buffers, and which changes nothing otherwise. The
//     other programs holding the device are then in DeviceError.Holders.
//
// The node is opened non-blocking and closed at once; no picture is taken,
// so the camera light stays off. Do not call it while this process streams
// from the same camera: its own stream would make it report ErrBusy.
func CheckOpen(path string) error {
	st, err := statDev(path)
	if err != nil {
		return classify(path, "stat", err)
	}
	if !st.char || st.major != v4lMajor {
		return &DeviceError{Path: path, Op: "stat", Kind: ErrNotVideo}
	}
	fd, err := openNode(path)
	if err != nil {
		return withHolders(classify(path, "open", err))
	}
	defer unix.Close(fd)
	ci, err := queryFD(path, fd)
	if err != nil {
		return withHolders(err)
	}
	if !ci.capture() {
		return &DeviceError{Path: path, Op: "VIDIOC_QUERYCAP", Kind: ErrNoCapture}
	}
	rb := v4l2RequestBuffers{Type: bufTypeVideoCapture, Memory: memoryMMAP}
	if ci.node()&capVideoCapture == 0 {
		rb.Type = bufTypeVideoCaptureMPlane
	}
	// Any other failure (EINVAL: the driver has no MMAP streaming) says
	// nothing about other programs: the node is usable as far as we know.
	if err := ioctl(fd, vidiocReqBufs, unsafe.Pointer(&rb)); errors.Is(err, unix.EBUSY) {
		return withHolders(classify(path, "VIDIOC_REQBUFS", err))
	}
	return nil
}

// withHolders adds the other processes holding the device to a busy error.
func withHolders(err error) error {
	var de *DeviceError
	if errors.As(err, &de) && de.Kind == ErrBusy {
		de.Holders, _ = Holders("/proc", de.Path, os.Getpid())
	}
	return err
}
