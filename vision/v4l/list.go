package v4l

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Capability bits of struct v4l2_capability (linux/videodev2.h).
const (
	capVideoCapture       = 0x00000001
	capVideoCaptureMPlane = 0x00001000
	capMetaCapture        = 0x00800000
	capDeviceCaps         = 0x80000000
)

// capInfo is what VIDIOC_QUERYCAP says about a node.
type capInfo struct {
	Driver, Card, BusInfo string
	Caps                  uint32 // capabilities of the whole physical device
	DeviceCaps            uint32 // capabilities of this node (valid when Caps has capDeviceCaps)
}

// node returns the capabilities of the node itself.
func (c capInfo) node() uint32 {
	if c.Caps&capDeviceCaps != 0 {
		return c.DeviceCaps
	}
	return c.Caps
}

func (c capInfo) capture() bool { return c.node()&(capVideoCapture|capVideoCaptureMPlane) != 0 }
func (c capInfo) meta() bool    { return c.node()&capMetaCapture != 0 }

// Device is one Video4Linux video node ("/dev/videoN").
type Device struct {
	Node  string // sysfs entry and /dev name: "video0"
	Path  string // device node: "/dev/video0"
	Num   int    // N of videoN (what an OpenCV camera index means); -1 if the name has none
	Name  string // sysfs "name": "Integrated Camera: Integrated C"; "" if unreadable
	Index int    // sysfs "index": 0 for a camera's first node, 1 for its metadata node; -1 if unknown

	// Capture: the node delivers video. From VIDIOC_QUERYCAP when Queried,
	// otherwise a guess from sysfs (Index 0).
	Capture bool
	// Meta: the node delivers metadata only (the second node of UVC webcams).
	Meta bool
	// Queried: Capture and Meta come from VIDIOC_QUERYCAP (the node could be
	// opened); when false, Err says why not.
	Queried bool

	Driver  string // from VIDIOC_QUERYCAP: "uvcvideo"
	Card    string // from VIDIOC_QUERYCAP: the same as Name, for most drivers
	BusInfo string // from VIDIOC_QUERYCAP: "usb-0000:00:14.0-8"; the nodes of one camera share it
	Caps    uint32 // the node's V4L2_CAP_* bits

	// Links are the udev symlinks to the node, stable across reboots and
	// re-plugging: /dev/v4l/by-id/… (by model and serial) first, then
	// /dev/v4l/by-path/… (by USB port).
	Links []string

	// Err is why the node could not be queried (it wraps ErrPermission,
	// ErrBusy, ErrNotFound, …), or nil.
	Err error
}

// String describes d in one line for the user.
func (d Device) String() string {
	var b strings.Builder
	b.WriteString(d.Path)
	if d.Name != "" {
		fmt.Fprintf(&b, " %q", d.Name)
	}
	switch {
	case d.Queried && d.Capture:
		b.WriteString(" (video)")
	case d.Queried && d.Meta:
		b.WriteString(" (metadata only)")
	case d.Queried:
		b.WriteString(" (no video capture)")
	case d.Capture:
		b.WriteString(" (video, probably)")
	case d.Index > 0:
		b.WriteString(" (metadata, probably)")
	}
	if d.Err != nil {
		fmt.Fprintf(&b, " [%s]", kindText(d.Err))
	}
	return b.String()
}

func kindText(err error) string {
	if k := kindOf(err); k != nil {
		return k.Error()
	}
	return err.Error()
}

// List returns the Video4Linux video nodes described under sysRoot (the
// sysfs mount, "/sys"; "" means "/sys"), sorted by node number. Each node
// is opened briefly (non-blocking; no picture is taken, so the camera light
// stays off) and asked VIDIOC_QUERYCAP whether it captures video; when it
// cannot be opened, Err says why (ErrPermission: not in the video group)
// and Capture is guessed from the sysfs index. No video4linux class (no
// camera driver loaded) is an empty list, not an error.
func List(sysRoot string) ([]Device, error) {
	return lister{sys: sysRoot, dev: "/dev", query: queryCap}.list()
}

// lister is List with the /dev root and the QUERYCAP call injectable.
type lister struct {
	sys   string                             // sysfs root
	dev   string                             // where the nodes are opened: "/dev"
	query func(path string) (capInfo, error) // VIDIOC_QUERYCAP
}

func (l lister) list() ([]Device, error) {
	if l.sys == "" {
		l.sys = "/sys"
	}
	class := filepath.Join(l.sys, "class", "video4linux")
	ents, err := os.ReadDir(class)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("listing cameras: %w", err)
	}
	links := l.links()
	var devs []Device
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), "video") {
			continue // v4l-subdev*, radio*, vbi*, swradio*, v4l-touch*
		}
		devs = append(devs, l.device(filepath.Join(class, e.Name()), e.Name(), links))
	}
	slices.SortFunc(devs, func(a, b Device) int {
		if a.Num >= 0 && b.Num >= 0 {
			return cmp.Compare(a.Num, b.Num)
		}
		if c := cmp.Compare(b.Num, a.Num); c != 0 { // numbered first
			return c
		}
		return strings.Compare(a.Node, b.Node)
	})
	return devs, nil
}

func (l lister) device(dir, entry string, links map[string][]string) Device {
	node := entry
	if b, err := os.ReadFile(filepath.Join(dir, "uevent")); err == nil {
		if n := parseDevName(b); n != "" {
			node = n
		}
	}
	d := Device{Node: node, Path: "/dev/" + node, Num: nodeNumber(node), Index: -1, Links: links[node]}
	if b, err := os.ReadFile(filepath.Join(dir, "name")); err == nil {
		d.Name = cleanText(b)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "index")); err == nil {
		d.Index, _ = parseIndex(b)
	}
	if l.query == nil {
		d.Capture = d.Index == 0
		return d
	}
	ci, err := l.query(filepath.Join(l.dev, node))
	if err != nil {
		d.Err = err
		d.Capture = d.Index == 0 // sysfs hint: a camera's first node captures, its second is metadata
		if errors.Is(err, ErrNotVideo) {
			d.Capture = false
		}
		return d
	}
	d.Queried = true
	d.Capture, d.Meta = ci.capture(), ci.meta()
	d.Driver, d.Card, d.BusInfo, d.Caps = ci.Driver, ci.Card, ci.BusInfo, ci.node()
	if d.Name == "" {
		d.Name = ci.Card
	}
	return d
}

// links maps node names ("video0") to the udev symlinks pointing at them
// under dev/v4l/by-id and dev/v4l/by-path. Missing directories are no
// error: udev makes by-id links only for devices with a serial or a model.
func (l lister) links() map[string][]string {
	m := map[string][]string{}
	for _, sub := range []string{"by-id", "by-path"} {
		dir := filepath.Join(l.dev, "v4l", sub)
		ents, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range ents {
			target, err := os.Readlink(filepath.Join(dir, e.Name()))
			if err != nil {
				continue
			}
			if !filepath.IsAbs(target) {
				target = filepath.Join(dir, target)
			}
			rel, err := filepath.Rel(l.dev, filepath.Clean(target))
			if err != nil || strings.HasPrefix(rel, "..") {
				continue
			}
			m[rel] = append(m[rel], filepath.Join("/dev/v4l", sub, e.Name()))
		}
	}
	return m
}
