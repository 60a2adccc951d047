package v4l

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
)

// v4lMajor is the character-device major number of Video4Linux nodes.
const v4lMajor = 81

// devStat is what stat(2) says about a path.
type devStat struct {
	char  bool   // a character device
	major uint32 // its major number
	gid   uint32 // its group
}

// Choice is a --camera value resolved to a device node.
type Choice struct {
	Spec string // the value given, trimmed
	// Path is the node to open: "/dev/video2", or the path given
	// (a /dev/v4l/by-id/… link is kept as given: it follows the camera
	// when it is re-plugged into another port).
	Path string
	// Device is the listed device Path refers to, if it was listed.
	Device *Device
	// Present: the node exists now. False for a /dev/videoN or /dev/v4l/…
	// path that does not exist yet: the camera is not plugged in; wait for
	// it (a Watcher reports when it appears).
	Present bool
}

// ParseCamera resolves a --camera value against the listed devices (from
// List; nil is allowed). The value is
//
//   - an index "0", "2": /dev/videoN, as OpenCV numbers cameras;
//   - a device path "/dev/video2" or a udev link "/dev/v4l/by-id/usb-…";
//   - a device name as listed ("Integrated Camera: Integrated C"), matched
//     exactly, else ignoring case, among the nodes that capture video.
//
// Values that can never work are refused at once, with an error wrapping
// ErrNotFound (a name that matches no device, a path outside /dev that does
// not exist), ErrNotVideo (a path that is not a Video4Linux device, such as
// /dev/null), ErrNoCapture (a metadata node, or a name only metadata nodes
// have) or ErrAmbiguous (a name several cameras have). A /dev/videoN or
// /dev/v4l/… path that does not exist yet is accepted with Present false.
func ParseCamera(spec string, devices []Device) (Choice, error) {
	return parseCamera(spec, devices, statDev)
}

func parseCamera(spec string, devices []Device, stat func(string) (devStat, error)) (Choice, error) {
	s := strings.TrimSpace(spec)
	c := Choice{Spec: s}
	switch {
	case s == "":
		return c, fmt.Errorf("camera: empty value: give an index (0), a device path (/dev/video0) or a camera name: %w", ErrNotFound)
	case allDigits(s):
		n, err := strconv.Atoi(s)
		if err != nil || n > 1<<20 {
			return c, fmt.Errorf("camera %q: index out of range: %w", s, ErrNotFound)
		}
		c.Path = "/dev/video" + strconv.Itoa(n)
	case strings.HasPrefix(s, "/"):
		c.Path = filepath.Clean(s)
	default:
		d, err := byName(s, devices)
		if err != nil {
			return c, err
		}
		c.Path = d.Path
	}

	c.Device = lookup(c.Path, devices)
	if d := c.Device; d != nil && d.Queried && !d.Capture {
		what := "gives no video"
		if d.Meta {
			what = "is a metadata node: it gives no video"
		}
		msg := fmt.Sprintf("camera %q: %s %s", s, d.Path, what)
		if alt := captureSibling(*d, devices); alt != nil {
			msg += fmt.Sprintf("; the video of %q is %s", alt.Name, alt.Path)
		}
		return c, fmt.Errorf("%s: %w", msg, ErrNoCapture)
	}
	st, err := stat(c.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if waitable(c.Path) {
			return c, nil // not plugged in (yet)
		}
		return c, fmt.Errorf("camera %q: %w: %w", s, ErrNotFound, err)
	case err != nil:
		return c, fmt.Errorf("camera %q: %w", s, err)
	case !st.char || st.major != v4lMajor:
		return c, fmt.Errorf("camera %q: %s is not a Video4Linux device: %w", s, c.Path, ErrNotVideo)
	}
	c.Present = true
	return c, nil
}

// waitable reports whether path names a camera node that may appear later:
// /dev/videoN, or a udev link under /dev/v4l/.
func waitable(path string) bool {
	if node, ok := strings.CutPrefix(path, "/dev/"); ok && nodeNumber(node) >= 0 {
		return true
	}
	rest, ok := strings.CutPrefix(path, "/dev/v4l/")
	return ok && rest != ""
}

// byName finds the capture node called name.
func byName(name string, devices []Device) (*Device, error) {
	var exact, folded, other []*Device
	for i := range devices {
		d := &devices[i]
		switch {
		case d.Name != name && !strings.EqualFold(d.Name, name):
		case !d.Capture:
			other = append(other, d)
		case d.Name == name:
			exact = append(exact, d)
		default:
			folded = append(folded, d)
		}
	}
	m := exact
	if len(m) == 0 {
		m = folded
	}
	switch {
	case len(m) == 1:
		return m[0], nil
	case len(m) > 1:
		paths := make([]string, len(m))
		for i, d := range m {
			paths[i] = d.Path
			if len(d.Links) > 0 {
				paths[i] += " (" + d.Links[0] + ")"
			}
		}
		return nil, fmt.Errorf("camera %q: %d cameras have that name: %s: %w", name, len(m), strings.Join(paths, ", "), ErrAmbiguous)
	case len(other) > 0:
		return nil, fmt.Errorf("camera %q: %s gives no video (a metadata node): %w", name, other[0].Path, ErrNoCapture)
	}
	var names []string
	for _, d := range devices {
		if d.Capture && d.Name != "" {
			names = append(names, fmt.Sprintf("%q (%s)", d.Name, d.Path))
		}
	}
	known := "no camera is connected"
	if len(names) > 0 {
		known = "cameras: " + strings.Join(names, ", ")
	}
	return nil, fmt.Errorf("camera %q: not an index, a device path or the name of a camera (%s): %w", name, known, ErrNotFound)
}

// lookup returns the listed device whose node or udev link is path.
func lookup(path string, devices []Device) *Device {
	for i := range devices {
		d := &devices[i]
		if d.Path == path {
			return d
		}
		for _, l := range d.Links {
			if l == path {
				return d
			}
		}
	}
	return nil
}

// captureSibling returns a capture node of the same camera as d (same bus,
// else same name), or nil.
func captureSibling(d Device, devices []Device) *Device {
	for i := range devices {
		o := &devices[i]
		if o.Path == d.Path || !o.Capture {
			continue
		}
		if (d.BusInfo != "" && o.BusInfo == d.BusInfo) || (d.BusInfo == "" && d.Name != "" && o.Name == d.Name) {
			return o
		}
	}
	return nil
}
