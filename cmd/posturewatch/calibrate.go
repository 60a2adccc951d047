package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"posturewatch/coach/domain"
	"posturewatch/coach/store"
	"posturewatch/vision"
)

func init() {
	register("calibrate", "make a baseline profile from good-posture frames", runCalibrate)
}

func runCalibrate(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("calibrate", stderr)
	var o analysisOptions
	o.register(fs)
	out := fs.String("out", "", "write the baseline profile (JSON) to this file")
	name := fs.String("name", "", "profile name stored in the file (default: the file's base name)")
	force := fs.Bool("force", false, "overwrite an existing --out file")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: posturewatch calibrate --out FILE [--name NAME] [--fps N] PATH...")
		fmt.Fprintln(stderr, "PATH: images, videos or directories of you sitting well, as the camera sees you.")
		fs.PrintDefaults()
	}
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if *out == "" || fs.NArg() == 0 {
		fmt.Fprintln(stderr, "posturewatch calibrate: --out FILE and at least one PATH are needed")
		fs.Usage()
		return 2
	}
	if o.baseline != "" {
		fmt.Fprintln(stderr, "posturewatch calibrate: --baseline does not apply here (calibration makes one)")
		return 2
	}
	if err := o.validate(); err != nil {
		fmt.Fprintln(stderr, "posturewatch calibrate:", err)
		return 2
	}
	if _, err := os.Stat(*out); err == nil && !*force {
		fmt.Fprintf(stderr, "posturewatch calibrate: %s exists; pass --force to replace it\n", *out)
		return 1
	}
	if *name == "" {
		*name = strings.TrimSuffix(filepath.Base(*out), filepath.Ext(*out))
	}
	an, err := o.newAnalyzer()
	if err != nil {
		fmt.Fprintln(stderr, "posturewatch calibrate:", err)
		return 1
	}
	defer an.Close()

	var frames []domain.Observation
	failed := 0
	err = vision.Walk(fs.Args(), vision.SourceOptions{FPS: o.fps, Start: time.Unix(0, 0).UTC()}, func(f *vision.Frame, ferr error) {
		if ferr != nil {
			failed++
			fmt.Fprintln(stderr, "posturewatch calibrate:", ferr)
			return
		}
		obs, err := an.Analyze(*f)
		if err != nil {
			failed++
			fmt.Fprintln(stderr, "posturewatch calibrate:", err)
			return
		}
		frames = append(frames, obs)
	})
	if err != nil {
		fmt.Fprintln(stderr, "posturewatch calibrate:", err)
		return 1
	}
	b, err := domain.BuildBaseline(*name, frames, time.Now().UTC())
	if err != nil {
		fmt.Fprintf(stderr, "posturewatch calibrate: %v (from %d frames)\n", err, len(frames))
		return 1
	}
	if err := store.SaveBaseline(*out, b); err != nil {
		fmt.Fprintln(stderr, "posturewatch calibrate:", err)
		return 1
	}
	keys := make([]string, 0, len(b.Metrics))
	for k := range b.Metrics {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(stdout, "baseline %q from %d of %d frames written to %s\n", b.Name, b.Frames, len(frames), *out)
	for _, k := range keys {
		s := b.Metrics[k]
		fmt.Fprintf(stdout, "  %-18s median %8.3f  MAD %6.3f  (n=%d)\n", k, s.Median, s.MAD, s.N)
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "posturewatch calibrate: %d items could not be read\n", failed)
		return 1
	}
	return 0
}
