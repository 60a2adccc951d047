package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"posturewatch/vision"
	"posturewatch/vision/posture"
	"posturewatch/vision/posture/fit"
)

func init() {
	register("eval", "accuracy on ../shared/posture-data: per folder and per person, with and without a baseline", runEval)
}

// evalReport is `eval --json`.
type evalReport struct {
	Folders    []fit.Row                 `json:"folders"`
	People     []fit.Row                 `json:"people"`
	Calibrated []fit.Row                 `json:"calibrated"`
	CrossVal   []fit.CVRow               `json:"cross_validation"`
	CrossValB  []fit.CVRow               `json:"cross_validation_calibrated"`
	Learnt     []fit.Row                 `json:"learnt"`
	CrossValL  []fit.CVRow               `json:"cross_validation_learnt"`
	Confusion  map[string]map[string]int `json:"confusion"`
}

func runEval(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("eval", stderr)
	var o analysisOptions
	o.register(fs)
	features := fs.String("features", "", "features file from 'posturewatch features --augment' (default: analyse DATA_DIR now)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	verbose := fs.Bool("v", false, "list every misjudged frame")
	draws := fs.Int("draws", 20, "baselines drawn per person for the calibrated rows")
	cv := fs.Bool("cv", true, "cross-validate by person (fit on the others, test on the one left out)")
	dump := fs.Bool("metrics", false, "print what was measured on every frame as JSON lines instead of the tables")
	explain := fs.String("explain", "", "print the verdict and faults of every frame whose file or augmentation contains this text, instead of the tables")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: posturewatch eval [--features FILE] [--json] [-v] [DATA_DIR]   (DATA_DIR: ../shared/posture-data)")
		fs.PrintDefaults()
	}
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if (*features == "") == (fs.NArg() == 0) || fs.NArg() > 1 || *draws < 1 || *draws > 1000 {
		fs.Usage()
		return 2
	}
	if err := o.validate(); err != nil {
		fmt.Fprintln(stderr, "posturewatch eval:", err)
		return 2
	}
	data, err := evalFeatures(*features, fs.Args(), &o)
	if err != nil {
		fmt.Fprintln(stderr, "posturewatch eval:", err)
		return 1
	}
	ss, err := fit.Load(bytes.NewReader(data))
	if err != nil {
		fmt.Fprintln(stderr, "posturewatch eval:", err)
		return 1
	}
	if *dump {
		if err := fit.WriteMetrics(stdout, ss); err != nil {
			fmt.Fprintln(stderr, "posturewatch eval:", err)
			return 1
		}
		return 0
	}
	p := posture.DefaultParams()
	if *explain != "" {
		fit.Explain(stdout, ss, p, func(s *fit.Sample) bool {
			return strings.Contains(s.File+"#"+s.Aug, *explain)
		})
		return 0
	}
	rep := fit.Evaluate(ss, p)
	out := evalReport{Folders: rep.Folders, People: rep.People, Confusion: rep.Confusion,
		Calibrated: fit.Calibrated(ss, p, *draws, 1), Learnt: fit.Learnt(ss, p, 1)}
	if *cv {
		out.CrossVal, out.CrossValB, out.CrossValL = fit.CrossValidate(ss, posture.StartParams(), fit.Options{}, *draws)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintln(stderr, "posturewatch eval:", err)
			return 1
		}
	} else {
		fit.WriteTable(stdout, "per folder, without a baseline (augmented copies as +kind)", out.Folders)
		fit.WriteTable(stdout, "per person, without a baseline", out.People)
		fit.WriteTable(stdout, "per person, with a baseline", out.Calibrated)
		fit.WriteTable(stdout, "per person, with the baseline learnt from the session (no calibration)", out.Learnt)
		if *cv {
			fit.WriteTable(stdout, "cross-validation by person: fitted on the others, without a baseline", cvRows(out.CrossVal))
			fit.WriteTable(stdout, "cross-validation by person: fitted on the others, with a baseline", cvRows(out.CrossValB))
			fit.WriteTable(stdout, "cross-validation by person: fitted on the others, with the learnt baseline", cvRows(out.CrossValL))
		}
		fit.WriteConfusion(stdout, out.Confusion)
		writeSummary(stdout, ss, out)
	}
	if *verbose {
		for _, m := range rep.Misses {
			fmt.Fprintln(stderr, "miss:", m)
		}
	}
	return 0
}

// evalFeatures reads the features file, or analyses the data directory now.
func evalFeatures(path string, dirs []string, o *analysisOptions) ([]byte, error) {
	if path != "" {
		return os.ReadFile(path)
	}
	dir := dirs[0]
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("%s is not a directory (want ../shared/posture-data)", dir)
	}
	an, err := o.newAnalyzer()
	if err != nil {
		return nil, err
	}
	defer an.Close()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	var werr error
	err = vision.WalkDataset(an, dir, vision.DatasetOptions{Augment: true}, func(s vision.Sample) {
		if werr == nil {
			werr = enc.Encode(s)
		}
	})
	if err == nil {
		err = werr
	}
	return buf.Bytes(), err
}

// cvRows are a cross-validation's rows, without the person each left out.
func cvRows(cv []fit.CVRow) []fit.Row {
	var out []fit.Row
	for _, x := range cv {
		out = append(out, x.Row)
	}
	return out
}

// writeSummary prints the headline figures for desk-three-people (three
// people, so they can be cross-validated by person): frames correct over all
// its frames, and the mean over the people with a baseline.
func writeSummary(w io.Writer, ss []fit.Sample, r evalReport) {
	desk := map[string]bool{}
	for _, s := range ss {
		if s.Set == "desk-three-people" && s.Aug == "" && s.Person != "" {
			desk[s.Person] = true
		}
	}
	pooled := func(rows []fit.Row) (float64, int) {
		var c, n int
		for _, x := range rows {
			if desk[x.Name] {
				c, n = c+x.Correct, n+x.Frames
			}
		}
		if n == 0 {
			return 0, 0
		}
		return float64(c) / float64(n), n
	}
	mean := func(rows []fit.Row) (m, worst float64) {
		var sum float64
		var k int
		worst = 1
		for _, x := range rows {
			if desk[x.Name] {
				sum += x.Accuracy
				worst = min(worst, x.Worst)
				k++
			}
		}
		if k == 0 {
			return 0, 0
		}
		return sum / float64(k), worst
	}
	plain, n := pooled(r.People)
	cal, calWorst := mean(r.Calibrated)
	fmt.Fprintf(w, "\ndesk-three-people (%d frames, %d people):\n", n, len(desk))
	fmt.Fprintf(w, "  without a baseline: %.1f %% fitted on all, ", 100*plain)
	if len(r.CrossVal) > 0 {
		cvPlain, _ := pooled(cvRows(r.CrossVal))
		fmt.Fprintf(w, "%.1f %% cross-validated by person\n", 100*cvPlain)
	} else {
		fmt.Fprintln(w, "not cross-validated")
	}
	fmt.Fprintf(w, "  with a baseline (mean of the people; worst draw): %.1f %% (%.1f %%) fitted on all", 100*cal, 100*calWorst)
	if len(r.CrossValB) > 0 {
		cvCal, cvWorst := mean(cvRows(r.CrossValB))
		fmt.Fprintf(w, ", %.1f %% (%.1f %%) cross-validated by person", 100*cvCal, 100*cvWorst)
	}
	fmt.Fprintln(w)
	learnt, learntWorst := mean(r.Learnt)
	fmt.Fprintf(w, "  with the baseline learnt from the session, no calibration (mean of the people; worst order): %.1f %% (%.1f %%) fitted on all", 100*learnt, 100*learntWorst)
	if len(r.CrossValL) > 0 {
		cvLearnt, cvWorst := mean(cvRows(r.CrossValL))
		fmt.Fprintf(w, ", %.1f %% (%.1f %%) cross-validated by person", 100*cvLearnt, 100*cvWorst)
	}
	fmt.Fprintln(w)
	writeNewPeople(w, r.CrossVal)
}

// writeNewPeople prints how every person fared, good frames and bad apart,
// judged by a fit made without them: the nearest the development data
// comes to a user it has never seen.
func writeNewPeople(w io.Writer, cv []fit.CVRow) {
	var goodWrong, good, badRight, bad, people int
	seen := map[string]bool{}
	for _, x := range cv {
		if !seen[x.Person] {
			seen[x.Person] = true
			people++
		}
		switch x.Expected {
		case fit.ClassGood:
			goodWrong, good = goodWrong+x.Frames-x.Correct, good+x.Frames
		case fit.ClassSitUp:
			badRight, bad = badRight+x.Correct, bad+x.Frames
		}
	}
	if good == 0 || bad == 0 {
		return
	}
	fmt.Fprintf(w, "all %d people, each judged by a fit made without them, no baseline: good frames called bad %d of %d (%.1f %%), bad frames caught %d of %d (%.1f %%)\n",
		people, goodWrong, good, 100*float64(goodWrong)/float64(good), badRight, bad, 100*float64(badRight)/float64(bad))
}
