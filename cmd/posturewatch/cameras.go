package main

import (
	"encoding/json"
	"fmt"
	"io"

	"posturewatch/vision/v4l"
)

func init() {
	register("cameras", "list the cameras (capture devices) and their names", runCameras)
}

func runCameras(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("cameras", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	sysRoot := fs.String("sys-root", "/sys", testingFlag+"where sysfs is mounted")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: posturewatch cameras [--json]")
		fmt.Fprintln(stderr, "Lists the cameras that give video (not their metadata nodes); use one with run --camera PATH, --camera N or --camera \"NAME\".")
	}
	if code, done := parseFlags(fs, args); done {
		return code
	}
	cams, err := v4l.Cameras(*sysRoot)
	if err != nil {
		fmt.Fprintf(stderr, "posturewatch cameras: %v\n", err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(cams); err != nil {
			fmt.Fprintf(stderr, "posturewatch cameras: %v\n", err)
			return 1
		}
		return 0
	}
	if len(cams) == 0 {
		fmt.Fprintln(stdout, "No cameras found. Plug one in (or check that its driver is loaded: ls /sys/class/video4linux); `posturewatch run` waits for /dev/video0 by default.")
		return 0
	}
	for _, c := range cams {
		name := c.Name
		if name == "" {
			name = "(no name)"
		}
		fmt.Fprintf(stdout, "%-14s %s", c.Path, name)
		if c.Problem != "" {
			fmt.Fprintf(stdout, "  — %s", c.Problem)
		}
		fmt.Fprintln(stdout)
	}
	return 0
}
