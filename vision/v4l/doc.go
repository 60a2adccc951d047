// Package v4l finds Video4Linux capture devices and watches who uses them,
// so that posturewatch can pick the right camera, explain why it cannot open
// one, and give the camera up while another program (a video call) wants it.
//
// It is pure Go (no cgo) and talks to the kernel through sysfs, /proc,
// ioctl(2) and inotify(7):
//
//   - [List] reads /sys/class/video4linux and asks each node VIDIOC_QUERYCAP,
//     so metadata nodes (the second node of most UVC webcams) are told apart
//     from capture nodes.
//   - [ParseCamera] turns a --camera value (an index, a device path or a
//     listed name) into a device path, refusing at once values that can never
//     work and accepting a /dev/videoN that is merely not plugged in yet.
//   - [CheckOpen] says why a device cannot be used (not there, no permission,
//     busy streaming for another program, not a capture device) before
//     OpenCV tries and fails without a reason.
//   - [Holders] lists the other processes that have the device open.
//   - [Watcher] reports, without polling, when another program starts or
//     stops holding the device, and when the device is unplugged and comes
//     back.
//
// All errors carry one of the sentinel kinds ([ErrNotFound], [ErrNotVideo],
// [ErrNoCapture], [ErrPermission], [ErrBusy], [ErrAmbiguous]) for
// [errors.Is]; [Hint] turns one into advice for the user.
//
// Only Linux is supported; on other systems the functions that need the
// kernel return an error wrapping [errors.ErrUnsupported].
package v4l
