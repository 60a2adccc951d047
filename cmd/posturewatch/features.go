package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"posturewatch/vision"
)

func init() {
	register("features", "write what the models see on every labelled development frame (JSON lines), for make fit", runFeatures)
}

func runFeatures(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("features", stderr)
	var o analysisOptions
	o.register(fs)
	augment := fs.Bool("augment", false, "add mirrored, rotated, zoomed, shifted and cut copies of the labelled frames")
	only := fs.String("only", "", "comma-separated folder prefixes to walk (default: all), e.g. desk-three-people,slouch-or-not")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: posturewatch features [--augment] [--only SETS] DATA_DIR > features.jsonl")
		fs.PrintDefaults()
	}
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	if err := o.validate(); err != nil {
		fmt.Fprintf(stderr, "posturewatch features: %v\n", err)
		return 2
	}
	an, err := o.newAnalyzer()
	if err != nil {
		fmt.Fprintf(stderr, "posturewatch features: %v\n", err)
		return 1
	}
	defer an.Close()
	opt := vision.DatasetOptions{Augment: *augment}
	if *only != "" {
		opt.Only = strings.Split(*only, ",")
	}
	enc := json.NewEncoder(stdout)
	var werr error
	err = vision.WalkDataset(an, fs.Arg(0), opt, func(s vision.Sample) {
		if werr == nil {
			werr = enc.Encode(s)
		}
	})
	if err == nil {
		err = werr
	}
	if err != nil {
		fmt.Fprintf(stderr, "posturewatch features: %v\n", err)
		return 1
	}
	return 0
}
