package v4l

import (
	"strconv"
	"strings"
)

// Holder is a process that has a device open.
type Holder struct {
	PID  int
	Name string // program name: /proc/PID/comm, else the executable's base name; "" if unknown
}

// String returns "zoom (pid 1234)".
func (h Holder) String() string {
	name := h.Name
	if name == "" {
		name = "a program"
	}
	return name + " (pid " + strconv.Itoa(h.PID) + ")"
}

// HolderNames returns the holders for a message: "zoom (pid 1234), obs (pid 99)".
func HolderNames(hs []Holder) string {
	parts := make([]string, len(hs))
	for i, h := range hs {
		parts[i] = h.String()
	}
	return strings.Join(parts, ", ")
}

// samePIDs reports whether a and b (both sorted by PID) name the same processes.
func samePIDs(a, b []Holder) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].PID != b[i].PID {
			return false
		}
	}
	return true
}

// subsetPIDs reports whether every process of a (sorted) is in b (sorted).
func subsetPIDs(a, b []Holder) bool {
	j := 0
	for _, h := range a {
		for j < len(b) && b[j].PID < h.PID {
			j++
		}
		if j == len(b) || b[j].PID != h.PID {
			return false
		}
	}
	return true
}
