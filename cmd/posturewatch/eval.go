package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"posturewatch/coach"
	"posturewatch/vision"
	"posturewatch/vision/posture"
)

func init() {
	register("eval", "measure accuracy per folder on the posture-data set", runEval)
}

// evalFrame is one analysed frame kept for re-judging.
type evalFrame struct {
	path string
	w, h int
	obs  coach.Observation
	err  error
}

// evalRow is one line of the accuracy table.
type evalRow struct {
	Folder   string  `json:"folder"`
	Expect   string  `json:"expect"`
	Baseline string  `json:"baseline"`
	Frames   int     `json:"frames"`
	Correct  int     `json:"correct"`
	Accuracy float64 `json:"accuracy"`
	// MeanForwardHead is the mean forward_head severity (neck-forward grades).
	MeanForwardHead *float64 `json:"mean_forward_head,omitempty"`
	Note            string   `json:"note,omitempty"`
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
	rows, misses, err := evaluate(an, dir)
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

// analyseDir runs the analyzer over every frame under path.
func analyseDir(an *vision.Analyzer, path string, fps float64) ([]evalFrame, error) {
	var out []evalFrame
	_, err := walkFrames([]string{path}, fps, func(f *vision.Frame, ferr error) {
		if ferr != nil {
			var ie *vision.ItemError
			p := path
			if errors.As(ferr, &ie) {
				p = ie.Path
			}
			out = append(out, evalFrame{path: p, err: ferr})
			return
		}
		obs, err := an.Analyze(*f)
		out = append(out, evalFrame{path: f.Source, w: f.Mat.Cols(), h: f.Mat.Rows(), obs: obs, err: err})
	})
	return out, err
}

func hasFault(o coach.Observation, name coach.FaultName, min float64) bool { return o.Fault(name) >= min }

// evaluate runs every labelled check of the data set's README.
func evaluate(an *vision.Analyzer, dir string) ([]evalRow, []string, error) {
	var rows []evalRow
	var misses []string
	row := func(folder, expect, base string, frames []evalFrame, ok func(evalFrame) bool) evalRow {
		r := evalRow{Folder: folder, Expect: expect, Baseline: base}
		for _, f := range frames {
			r.Frames++
			if ok(f) {
				r.Correct++
			} else {
				misses = append(misses, fmt.Sprintf("%s [%s, %s]: %s %s", f.path, expect, base, f.obs.Posture, faultList(f.obs.Faults)))
			}
		}
		if r.Frames > 0 {
			r.Accuracy = float64(r.Correct) / float64(r.Frames)
		}
		return r
	}
	isBad := func(f evalFrame) bool { return f.err == nil && f.obs.Posture == coach.PostureBad }
	isGood := func(f evalFrame) bool { return f.err == nil && f.obs.Posture == coach.PostureGood }
	present := func(f evalFrame) bool {
		return f.err == nil && f.obs.Posture != coach.PostureAway
	}
	away := func(f evalFrame) bool { return f.err == nil && f.obs.Posture == coach.PostureAway }

	// Graded forward head.
	nf := filepath.Join(dir, "neck-forward")
	grades, _ := filepath.Glob(filepath.Join(nf, "[1-6]-*"))
	sort.Strings(grades)
	for _, g := range grades {
		frames, err := analyseDir(an, g, 2)
		if err != nil {
			return nil, nil, err
		}
		name := "neck-forward/" + filepath.Base(g)
		var r evalRow
		switch {
		case strings.HasPrefix(filepath.Base(g), "1-"):
			r = row(name, "forward_head", "none", frames, func(f evalFrame) bool { return isBad(f) && hasFault(f.obs, coach.ForwardHead, 0.5) })
		case strings.HasPrefix(filepath.Base(g), "4-"):
			r = row(name, "good", "none", frames, isGood)
		default:
			r = row(name, "(graded)", "none", frames, present)
			r.Note = "scored: person present"
		}
		var sum float64
		for _, f := range frames {
			sum += f.obs.Fault(coach.ForwardHead)
		}
		if len(frames) > 0 {
			m := sum / float64(len(frames))
			r.MeanForwardHead = &m
		}
		rows = append(rows, r)
	}

	// Slouching vs upright, without and with a baseline from the same sitting.
	son := filepath.Join(dir, "slouch-or-not")
	slouch, err := analyseDir(an, filepath.Join(son, "slouching"), 2)
	if err != nil {
		return nil, nil, err
	}
	upright, err := analyseDir(an, filepath.Join(son, "upright"), 2)
	if err != nil {
		return nil, nil, err
	}
	rows = append(rows, row("slouch-or-not/slouching", "bad", "none", slouch, isBad))
	rows = append(rows, row("slouch-or-not/upright", "good", "none", upright, isGood))
	rs, ru, err := withSittingBaseline(slouch, upright)
	if err != nil {
		return nil, nil, err
	}
	rows = append(rows, row("slouch-or-not/slouching", "bad", "same sitting", rs, isBad))
	rows = append(rows, row("slouch-or-not/upright", "good", "same sitting (leave one out)", ru, isGood))

	// People and empty scenes.
	for _, c := range []struct{ file, expect string }{
		{"misc/grace_hopper.jpg", "person"}, {"misc/astronaut.png", "person"},
		{"misc/coffee.png", "away"}, {"misc/messi5.jpg", "away"}, {"misc/vtest.avi", "away"},
	} {
		frames, err := analyseDir(an, filepath.Join(dir, c.file), 2)
		if err != nil {
			return nil, nil, err
		}
		if c.expect == "person" {
			rows = append(rows, row(c.file, "person present", "none", frames, present))
		} else {
			rows = append(rows, row(c.file, "away", "none", frames, away))
		}
	}
	// Broken files: a clean error or nobody.
	bad, err := analyseDir(an, filepath.Join(dir, "bad"), 2)
	if err != nil {
		return nil, nil, err
	}
	rows = append(rows, row("bad/", "error or away", "none", bad, func(f evalFrame) bool { return f.err != nil || away(f) }))
	return rows, misses, nil
}

// withSittingBaseline re-judges each sitting's frames against a baseline made
// from that sitting's upright frames; an upright frame is left out of its
// own baseline.
func withSittingBaseline(slouch, upright []evalFrame) ([]evalFrame, []evalFrame, error) {
	sitting := func(p string) string {
		b := filepath.Base(p)
		if i := strings.Index(b, "-"); i > 0 {
			return b[:i]
		}
		return ""
	}
	rejudge := func(f evalFrame, train []coach.Observation) (evalFrame, error) {
		if f.err != nil {
			return f, nil
		}
		b, err := coach.BuildBaseline("sitting", train, time.Unix(0, 0))
		if err != nil {
			return f, fmt.Errorf("baseline for %s: %w", f.path, err)
		}
		j := posture.NewJudge(posture.DefaultParams(), b)
		f.obs = j.Observe(f.obs, f.obs.Keypoints, f.w, f.h)
		return f, nil
	}
	train := func(s, skip string) []coach.Observation {
		var out []coach.Observation
		for _, u := range upright {
			if u.err == nil && sitting(u.path) == s && u.path != skip {
				out = append(out, u.obs)
			}
		}
		return out
	}
	var rs, ru []evalFrame
	for _, f := range slouch {
		g, err := rejudge(f, train(sitting(f.path), ""))
		if err != nil {
			return nil, nil, err
		}
		rs = append(rs, g)
	}
	for _, f := range upright {
		g, err := rejudge(f, train(sitting(f.path), f.path))
		if err != nil {
			return nil, nil, err
		}
		ru = append(ru, g)
	}
	return rs, ru, nil
}

func printEvalTable(w io.Writer, rows []evalRow) {
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
