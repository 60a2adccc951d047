package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"posturewatch/vision"
)

func init() {
	register("eval", "measure accuracy per folder on the posture-data set", runEval)
}

func runEval(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("eval", stderr)
	var o analysisOptions
	o.register(fs)
	asJSON := fs.Bool("json", false, "print the rows as JSON lines")
	verbose := fs.Bool("v", false, "list every misjudged frame")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: posturewatch eval [--json] [-v] DATA_DIR   (DATA_DIR: ../shared/posture-data)")
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
		fmt.Fprintln(stderr, "posturewatch eval:", err)
		return 2
	}
	dir := fs.Arg(0)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		fmt.Fprintf(stderr, "posturewatch eval: %s is not a directory (want ../shared/posture-data)\n", dir)
		return 1
	}
	an, err := o.newAnalyzer()
	if err != nil {
		fmt.Fprintln(stderr, "posturewatch eval:", err)
		return 1
	}
	defer an.Close()
	rows, misses, err := vision.Evaluate(an, dir)
	if err != nil {
		fmt.Fprintln(stderr, "posturewatch eval:", err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, r := range rows {
			_ = enc.Encode(r)
		}
	} else {
		printEvalTable(stdout, rows)
	}
	if *verbose {
		for _, m := range misses {
			fmt.Fprintln(stderr, "miss:", m)
		}
	}
	return 0
}

func printEvalTable(w io.Writer, rows []vision.EvalRow) {
	fmt.Fprintln(w, "| folder | expected | baseline | frames | correct | accuracy | mean forward_head |")
	fmt.Fprintln(w, "|---|---|---|---:|---:|---:|---:|")
	for _, r := range rows {
		fh := ""
		if r.MeanForwardHead != nil {
			fh = fmt.Sprintf("%.2f", *r.MeanForwardHead)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %d | %d | %.0f %% | %s |\n", r.Folder, r.Expect, r.Baseline, r.Frames, r.Correct, 100*r.Accuracy, fh)
	}
}
