package vision

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"posturewatch/coach/domain"
	"posturewatch/vision/posture"
)

// evalFrame is one analysed frame kept for re-judging.
type evalFrame struct {
	path string
	w, h int
	obs  domain.Observation
	err  error
}

// EvalRow is one line of the accuracy table of Evaluate.
type EvalRow struct {
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

// analyseDir runs the analyzer over every frame under path.
func analyseDir(an *Analyzer, path string, fps float64) ([]evalFrame, error) {
	var out []evalFrame
	err := Walk([]string{path}, SourceOptions{FPS: fps}, func(f *Frame, ferr error) {
		if ferr != nil {
			var ie *ItemError
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

func hasFault(o domain.Observation, name domain.FaultName, min float64) bool {
	return o.Fault(name) >= min
}

// Evaluate runs every labelled check of the posture-data set's README (dir
// is ../shared/posture-data) and returns one row per folder and check, and a
// line for every misjudged frame.
func Evaluate(an *Analyzer, dir string) ([]EvalRow, []string, error) {
	var rows []EvalRow
	var misses []string
	row := func(folder, expect, base string, frames []evalFrame, ok func(evalFrame) bool) EvalRow {
		r := EvalRow{Folder: folder, Expect: expect, Baseline: base}
		for _, f := range frames {
			r.Frames++
			if ok(f) {
				r.Correct++
			} else {
				misses = append(misses, fmt.Sprintf("%s [%s, %s]: %s %s", f.path, expect, base, f.obs.Posture, FaultList(f.obs.Faults)))
			}
		}
		if r.Frames > 0 {
			r.Accuracy = float64(r.Correct) / float64(r.Frames)
		}
		return r
	}
	isBad := func(f evalFrame) bool { return f.err == nil && f.obs.Posture == domain.PostureBad }
	isGood := func(f evalFrame) bool { return f.err == nil && f.obs.Posture == domain.PostureGood }
	present := func(f evalFrame) bool {
		return f.err == nil && f.obs.Posture != domain.PostureAway
	}
	away := func(f evalFrame) bool { return f.err == nil && f.obs.Posture == domain.PostureAway }

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
		var r EvalRow
		// Grades 1–2 poke the chin (forward head); 3 and 5 are the limits
		// of acceptable flexion and extension and 4 is upright (good); 6,
		// end-of-range extension, shows too little change from the front to
		// call from one frame, so it only scores "a person is present".
		switch filepath.Base(g)[:2] {
		case "1-", "2-":
			r = row(name, "forward_head", "none", frames, func(f evalFrame) bool { return isBad(f) && hasFault(f.obs, domain.ForwardHead, 0.5) })
		case "3-", "4-", "5-":
			r = row(name, "good", "none", frames, isGood)
		default:
			r = row(name, "(graded)", "none", frames, present)
			r.Note = "scored: person present"
		}
		var sum float64
		for _, f := range frames {
			sum += f.obs.Fault(domain.ForwardHead)
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
	rejudge := func(f evalFrame, train []domain.Observation) (evalFrame, error) {
		if f.err != nil {
			return f, nil
		}
		b, err := domain.BuildBaseline("sitting", train, time.Unix(0, 0))
		if err != nil {
			return f, fmt.Errorf("baseline for %s: %w", f.path, err)
		}
		j := posture.NewJudge(posture.DefaultParams(), b)
		f.obs = j.Observe(f.obs, f.obs.Keypoints, f.w, f.h)
		return f, nil
	}
	train := func(s, skip string) []domain.Observation {
		var out []domain.Observation
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

// FaultList formats faults as "name:severity …", or "-" for none.
func FaultList(fs []domain.Fault) string {
	if len(fs) == 0 {
		return "-"
	}
	parts := make([]string, 0, len(fs))
	for _, f := range fs {
		parts = append(parts, fmt.Sprintf("%s:%.2f", f.Name, f.Severity))
	}
	return strings.Join(parts, " ")
}

// Row finds the row for a folder and baseline label.
func Row(rows []EvalRow, folder, baseline string) (EvalRow, bool) {
	for _, r := range rows {
		if r.Folder == folder && r.Baseline == baseline {
			return r, true
		}
	}
	return EvalRow{}, false
}
