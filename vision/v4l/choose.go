package v4l

import (
	"fmt"

	"posturewatch/coach/domain"
)

// Cameras lists the devices a user can choose as their camera: the nodes
// that give video, not the metadata nodes beside them, each with what keeps
// it from opening now (and the fix), as `posturewatch cameras` and the
// dashboard's chooser show them.
func Cameras(sysRoot string) ([]domain.CameraDevice, error) {
	devs, err := List(sysRoot)
	if err != nil {
		return nil, err
	}
	return choosable(devs), nil
}

func choosable(devs []Device) []domain.CameraDevice {
	cams := []domain.CameraDevice{}
	for _, d := range devs {
		if !d.Capture || d.Meta {
			continue
		}
		c := domain.CameraDevice{Path: d.Path, Index: d.Num, Name: d.Name, Driver: d.Driver}
		if len(d.Links) > 0 {
			c.Link = d.Links[0] // by-id first: it follows the camera to another port
		}
		if d.Err != nil {
			c.Problem = d.Err.Error()
			if h := Hint(d.Err); h != "" {
				c.Problem += ": " + h
			}
		}
		cams = append(cams, c)
	}
	return cams
}

// Resolve resolves a camera setting (an index, a device path or a name, as
// in ParseCamera) against the cameras listed under sysRoot ("" is /sys).
// The error says how to fix it where there is a fix.
func Resolve(spec, sysRoot string) (Choice, error) {
	devs, _ := List(sysRoot) // no sysfs: indexes and paths still resolve
	c, err := ParseCamera(spec, devs)
	if err != nil {
		if h := Hint(err); h != "" {
			return c, fmt.Errorf("%w (%s; `posturewatch cameras` lists them)", err, h)
		}
		return c, err
	}
	return c, nil
}
