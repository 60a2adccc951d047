package v4l

import (
	"errors"
	"fmt"
	"strings"
)

// The kinds of failure. Every error returned by this package for a device
// wraps at most one of them; test with errors.Is.
var (
	// ErrNotFound: no such device (unplugged, or a name that matches no
	// listed camera).
	ErrNotFound = errors.New("no such camera")
	// ErrNotVideo: the path exists but is not a Video4Linux device.
	ErrNotVideo = errors.New("not a video device")
	// ErrNoCapture: a Video4Linux device that cannot capture video (such as
	// a webcam's metadata node).
	ErrNoCapture = errors.New("cannot capture video")
	// ErrPermission: the device may not be opened by this user.
	ErrPermission = errors.New("permission denied")
	// ErrBusy: another program is using the device.
	ErrBusy = errors.New("camera in use by another program")
	// ErrAmbiguous: a camera name matches several cameras.
	ErrAmbiguous = errors.New("several cameras match")
)

// kinds lists the sentinels, in the order Hint and kindOf test them.
var kinds = []error{ErrBusy, ErrPermission, ErrNoCapture, ErrNotVideo, ErrAmbiguous, ErrNotFound}

// kindOf returns the sentinel that err wraps, or nil.
func kindOf(err error) error {
	for _, k := range kinds {
		if errors.Is(err, k) {
			return k
		}
	}
	return nil
}

// DeviceError describes why a device cannot be used. It wraps its Kind (one
// of the sentinels, or nil when the cause is unexpected) and the system
// error (Err), so errors.Is works with both ErrBusy and syscall.EBUSY, or
// with ErrPermission and fs.ErrPermission.
type DeviceError struct {
	Path    string   // the device node
	Op      string   // what failed: "stat", "open", "VIDIOC_QUERYCAP", "VIDIOC_REQBUFS", ...
	Kind    error    // one of the sentinels, or nil
	Err     error    // the system error, or nil
	Holders []Holder // for ErrBusy: the other processes that have it open, when known
	Group   string   // for ErrPermission: the group that owns the node ("video"), when known
}

func (e *DeviceError) Error() string {
	var b strings.Builder
	b.WriteString(e.Path)
	b.WriteString(": ")
	switch {
	case e.Kind == nil && e.Err != nil:
		fmt.Fprintf(&b, "%s: %v", e.Op, e.Err)
	case e.Kind == nil:
		b.WriteString(e.Op + " failed")
	default:
		b.WriteString(e.Kind.Error())
		if e.Err != nil {
			fmt.Fprintf(&b, " (%s: %v)", e.Op, e.Err)
		}
	}
	switch e.Kind {
	case ErrBusy:
		if len(e.Holders) > 0 {
			b.WriteString(": held by " + HolderNames(e.Holders))
		}
	case ErrPermission:
		if e.Group != "" && e.Group != "root" {
			fmt.Fprintf(&b, ": the device belongs to group %q; are you a member? (sudo usermod -aG %s $USER, then log in again)", e.Group, e.Group)
		} else {
			b.WriteString(": are you in the video group? (sudo usermod -aG video $USER, then log in again)")
		}
	}
	return b.String()
}

// Unwrap returns the kind and the system error.
func (e *DeviceError) Unwrap() []error {
	var errs []error
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// Hint returns advice for the user about err ("" when there is none).
func Hint(err error) string {
	switch kindOf(err) {
	case ErrBusy:
		return "another program (a video call?) is using the camera: posturewatch waits until it is free"
	case ErrPermission:
		return "you may not use the camera: add yourself to the video group (sudo usermod -aG video $USER) and log in again"
	case ErrNoCapture:
		return "that device gives no video (webcams often have a second, metadata-only node): choose another from the list of cameras"
	case ErrNotVideo:
		return "give a camera index (0), a device path (/dev/video0) or a camera name from the list"
	case ErrAmbiguous:
		return "several cameras have that name: give the device path (/dev/v4l/by-id/… stays the same across reboots)"
	case ErrNotFound:
		return "is the camera plugged in? A device path that does not exist yet is waited for"
	}
	return ""
}
