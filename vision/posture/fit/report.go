package fit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/format"
	"io"
	"math"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"text/tabwriter"

	"posturewatch/coach/domain"
	"posturewatch/vision/posture"
)

// Row is one line of an accuracy table.
type Row struct {
	Name     string  `json:"name"`     // folder or person
	Expected string  `json:"expected"` // class
	Baseline string  `json:"baseline"` // "none", or how the baselines were drawn
	Frames   int     `json:"frames"`
	Correct  int     `json:"correct"`
	Accuracy float64 `json:"accuracy"`
	// Missed counts frames with a person that were called away or unknown.
	Missed int `json:"missed_person"`
	// Worst is the worst accuracy over the baseline draws (calibrated rows).
	Worst float64 `json:"worst,omitempty"`
}

func (r *Row) add(ok, missed bool) {
	r.Frames++
	if ok {
		r.Correct++
	}
	if missed {
		r.Missed++
	}
	r.Accuracy = float64(r.Correct) / float64(r.Frames)
}

// pool adds one baseline draw's (or learning order's) frames to r and keeps
// the worst draw's accuracy; it returns the draw's accuracy, whose mean over
// the draws the caller makes r.Accuracy.
func (r *Row) pool(d Row) float64 {
	r.Frames += d.Frames
	r.Correct += d.Correct
	r.Missed += d.Missed
	r.Worst = math.Min(r.Worst, d.Accuracy)
	return d.Accuracy
}

// hasPerson: the class says someone is in the frame.
func hasPerson(class string) bool {
	return class == ClassGood || class == ClassSitUp || class == ClassStraighten || class == ClassPerson
}

// Report is the evaluation of one set of parameters.
type Report struct {
	Folders   []Row                     `json:"folders"`
	People    []Row                     `json:"people"`
	Confusion map[string]map[string]int `json:"confusion"` // expected → outcome → frames (labelled frames as they are)
	Misses    []string                  `json:"misses"`
}

// Evaluate judges every sample as it is (augmented ones grouped by
// augmentation) without a baseline.
func Evaluate(ss []Sample, p posture.Params) Report {
	r := Report{Confusion: map[string]map[string]int{}}
	folders, people := map[string]*Row{}, map[string]*Row{}
	var fo, po []string
	row := func(m map[string]*Row, order *[]string, name, exp string) *Row {
		k := name + "|" + exp
		if m[k] == nil {
			m[k] = &Row{Name: name, Expected: exp, Baseline: "none"}
			*order = append(*order, k)
		}
		return m[k]
	}
	for i := range ss {
		s := &ss[i]
		out := Outcome(s, nil, p)
		ok := Correct(s.Class, out)
		missed := hasPerson(s.Class) && (out == ClassAway || out == "unknown")
		name := s.Folder
		if s.Aug != "" {
			name = s.Set + " +" + augKind(s.Aug)
		}
		row(folders, &fo, name, s.Class).add(ok, missed)
		if s.Aug == "" && (s.Class == ClassGood || s.Class == ClassSitUp) {
			row(people, &po, s.Person, s.Class).add(ok, missed)
			if r.Confusion[s.Class] == nil {
				r.Confusion[s.Class] = map[string]int{}
			}
			r.Confusion[s.Class][out]++
		}
		if !ok && s.Aug == "" {
			r.Misses = append(r.Misses, fmt.Sprintf("%s [%s]: %s", s.File, s.Class, out))
		}
	}
	for _, k := range fo {
		r.Folders = append(r.Folders, *folders[k])
	}
	sort.Strings(po)
	for _, k := range po {
		r.People = append(r.People, *people[k])
	}
	return r
}

// CVRow is one person left out of a cross-validation.
type CVRow struct {
	Person string `json:"person"`
	Row
}

// CrossValidate fits on all people but one and tests on that one (frames as
// they are), for every person with labelled good or bad frames: without a
// baseline, and with baselines of 8 of the person's good frames drawn at
// random draws times.
func CrossValidate(ss []Sample, start posture.Params, opt Options, draws int) (plain, calibrated, learnt []CVRow) {
	var people []string
	seen := map[string]bool{}
	for _, s := range labelled(ss, nil) {
		if s.Aug == "" && !seen[s.Person] {
			seen[s.Person] = true
			people = append(people, s.Person)
		}
	}
	sort.Strings(people)
	for _, person := range people {
		res := Fit(ss, start, func(s *Sample) bool { return s.Person != person }, opt)
		// The plain rows are split by class, as the per-person table is:
		// good frames called bad on a person the fit never saw is what a
		// new user meets first.
		byClass := map[string]*CVRow{}
		var classes []string
		var mine []Sample
		for _, s := range labelled(ss, func(s *Sample) bool { return s.Person == person && s.Aug == "" }) {
			out := Outcome(s, nil, res.Params)
			r := byClass[s.Class]
			if r == nil {
				r = &CVRow{Person: person, Row: Row{Name: person, Expected: s.Class, Baseline: "none"}}
				byClass[s.Class] = r
				classes = append(classes, s.Class)
			}
			r.add(Correct(s.Class, out), out == ClassAway || out == "unknown")
			mine = append(mine, *s)
		}
		sort.Strings(classes) // good before sit_up_straight
		for _, c := range classes {
			plain = append(plain, *byClass[c])
		}
		for _, c := range Calibrated(mine, res.Params, draws, opt.withDefaults().Seed) {
			calibrated = append(calibrated, CVRow{Person: person, Row: c})
		}
		for _, c := range Learnt(mine, res.Params, opt.withDefaults().Seed) {
			learnt = append(learnt, CVRow{Person: person, Row: c})
		}
	}
	return plain, calibrated, learnt
}

// Learnt measures per-person accuracy with the baseline the live judge
// learns from a session (posture.Learner): the person's frames, in an order
// shuffled as posture comes and goes in a session, pass through a learner
// unlabelled, and then every frame is judged against what it learnt (by the
// defaults while it has learnt nothing). The learner keeps the last
// LearnWindow frames, so the order matters: LearntOrders shuffles (seeded),
// reported as the mean and the worst.
func Learnt(ss []Sample, p posture.Params, seed uint64) []Row {
	byPerson, people := framesByPerson(ss)
	rng := rand.New(rand.NewPCG(seed, 0x6c6561726e))
	var out []Row
	for _, person := range people {
		all := byPerson[person]
		row := Row{Name: person, Expected: "good/bad", Baseline: fmt.Sprintf("learnt from the person's frames, %d orders", LearntOrders), Worst: 1}
		var sum float64
		for range LearntOrders {
			b := learntFromSession(p, all, rng.Perm(len(all))) // nil: judged by the defaults
			var order Row
			for _, s := range all {
				out := Outcome(s, b, p)
				order.add(Correct(s.Class, out), out == ClassAway || out == "unknown")
			}
			sum += row.pool(order)
		}
		row.Accuracy = sum / LearntOrders
		out = append(out, row)
	}
	return out
}

// framesByPerson groups the labelled frames as they are by person, and
// lists the people in order.
func framesByPerson(ss []Sample) (map[string][]*Sample, []string) {
	byPerson := map[string][]*Sample{}
	var people []string
	for _, s := range labelled(ss, func(s *Sample) bool { return s.Aug == "" }) {
		if byPerson[s.Person] == nil {
			people = append(people, s.Person)
		}
		byPerson[s.Person] = append(byPerson[s.Person], s)
	}
	sort.Strings(people)
	return byPerson, people
}

// LearntOrders is how many session orders Learnt tries per person.
const LearntOrders = 5

// Calibrated measures per-person accuracy with a baseline: draws times, 8
// good frames of the person drawn at random (seeded) make the baseline and
// the rest of the person's frames are judged against it. Accuracy is the mean
// over the draws; Worst the worst draw.
func Calibrated(ss []Sample, p posture.Params, draws int, seed uint64) []Row {
	byPerson, people := framesByPerson(ss)
	rng := rand.New(rand.NewPCG(seed, 0x6576616c))
	var out []Row
	for _, person := range people {
		all := byPerson[person]
		good := goodOf(all)
		if len(good) <= domain.MinCalibrationFrames {
			continue
		}
		row := Row{Name: person, Expected: "good/bad", Baseline: fmt.Sprintf("8 random good frames, %d draws", draws), Worst: 1}
		var sum float64
		for d := range draws {
			b, used, err := drawBaseline(rng, good, fmt.Sprintf("%s-%d", person, d))
			if err != nil {
				continue
			}
			var draw Row
			for _, s := range all {
				if used[s] {
					continue
				}
				out := Outcome(s, b, p)
				draw.add(Correct(s.Class, out), out == ClassAway || out == "unknown")
			}
			sum += row.pool(draw)
		}
		row.Accuracy = sum / float64(draws)
		out = append(out, row)
	}
	return out
}

// WriteTable prints rows as an aligned table.
func WriteTable(w io.Writer, title string, rows []Row) {
	fmt.Fprintf(w, "\n%s\n", title)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "name\texpected\tbaseline\tframes\tcorrect\taccuracy\tworst\tperson missed\t")
	for _, r := range rows {
		worst := ""
		if r.Baseline != "none" {
			worst = fmt.Sprintf("%.1f %%", 100*r.Worst)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%.1f %%\t%s\t%d\t\n", r.Name, r.Expected, r.Baseline, r.Frames, r.Correct, 100*r.Accuracy, worst, r.Missed)
	}
	tw.Flush()
}

// WriteConfusion prints the confusion of the labelled frames.
func WriteConfusion(w io.Writer, c map[string]map[string]int) {
	outs := []string{ClassGood, ClassSitUp, ClassStraighten, ClassAway, "unknown"}
	fmt.Fprintf(w, "\nconfusion (frames as they are; rows expected, columns judged)\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "\t%s\t\n", strings.Join(outs, "\t"))
	for _, e := range []string{ClassGood, ClassSitUp, ClassStraighten} {
		if c[e] == nil {
			continue
		}
		fmt.Fprintf(tw, "%s", e)
		for _, o := range outs {
			fmt.Fprintf(tw, "\t%d", c[e][o])
		}
		fmt.Fprintln(tw, "\t")
	}
	tw.Flush()
}

// GoSource renders the fitted parameters as the generated file
// vision/posture/params_fit.go, each value with its origin.
func GoSource(res Result) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by posturewatch fit; DO NOT EDIT.\n\n")
	fmt.Fprintf(&b, "package posture\n\n")
	fmt.Fprintf(&b, "// DefaultParams are the judgement's defaults, fitted by `make fit` to %d\n", res.Samples)
	fmt.Fprintf(&b, "// labelled development frames and their augmented copies, starting from\n")
	fmt.Fprintf(&b, "// StartParams. Values that are set rather than fitted say where they come from.\n")
	fmt.Fprintf(&b, "func DefaultParams() Params {\n\treturn Params{\n")
	v := reflect.ValueOf(res.Params)
	t := v.Type()
	for i := range t.NumField() {
		name := t.Field(i).Name
		origin := res.Origins[name]
		if origin == "" {
			origin = fixedOrigins[name]
		}
		if origin == "" {
			return nil, fmt.Errorf("parameter %s has no origin", name)
		}
		var val string
		switch f := v.Field(i).Interface().(type) {
		case float64:
			val = num(f)
		case posture.Ramp:
			val = fmt.Sprintf("Ramp{%s, %s}", num(f.Onset), num(f.Full))
		case posture.Linear:
			arr := func(a [posture.NumSitUp]float64) string {
				parts := make([]string, len(a))
				for i, x := range a {
					parts[i] = num(x)
				}
				return "{" + strings.Join(parts, ", ") + "}"
			}
			var names []string
			for _, sf := range posture.SitUpFeatures {
				names = append(names, sf.Metric)
			}
			origin += " over " + strings.Join(names, ", ")
			fill := ""
			if f.ShoulderFill != (posture.Line{}) {
				fill = fmt.Sprintf("\n\t\t\tShoulderFill: Line{%s, %s},", num(f.ShoulderFill.Intercept), num(f.ShoulderFill.Slope))
			}
			val = fmt.Sprintf("Linear{\n\t\t\tCenter: [NumSitUp]float64%s,\n\t\t\tScale: [NumSitUp]float64%s,\n\t\t\tWeight: [NumSitUp]float64%s,\n\t\t\tBias: %s,%s\n\t\t}",
				arr(f.Center), arr(f.Scale), arr(f.Weight), num(f.Bias), fill)
		default:
			return nil, fmt.Errorf("parameter %s has type %T", name, f)
		}
		fmt.Fprintf(&b, "\t\t%s: %s, // %s\n", name, val, origin)
	}
	fmt.Fprintf(&b, "\t}\n}\n")
	return format.Source(b.Bytes())
}

// num prints a parameter with 4 significant digits: enough for a
// threshold, and stable across platforms.
func num(x float64) string {
	if x == 0 {
		return "0"
	}
	return strings.TrimSuffix(fmt.Sprintf("%.4g", x), ".0")
}

// fixedOrigins say where the parameters that are not fitted come from.
var fixedOrigins = map[string]string{
	"FaceAlone":    "set: a detector score this high counts without other evidence (no empty scene reaches it)",
	"HeadWithFace": "set: the body model's head score that backs a detected face (empty scenes: 0.07–0.15)",
	"HeadInBox":    "set: the same when the body model places its nose and both eyes inside the detector's face box (empty scenes: 0.07–0.15; their stray detections hold none of them)",
	"MinHeadScore": "set: MoveNet's best three head keypoints on a real head (masked, eyes closed too): 0.4–0.9; empty scenes below 0.3",
	"NearFace":     "set: a detected face whose box fills this share of the frame's height is someone leaning in, even when the mesh and the body model lose it",
	"MinFaceFrame": "set: eye width 6.3 cm spans at least 3.5 % of a laptop frame out to ~1.6 m; people at a desk sit 0.4–0.9 m away",
	"Back":         "set from anatomy and the camera's place, not fitted (no labelled chin-up frames): from a camera at desk height upright development faces read up to 39.5° chin up; a laptop camera's upright 10–20° and a head tipped back 30° read 45°, half severity",
	"BackNose":     "set where Back stands, not fitted: on development faces the mesh reads, the detector's nose lies 0.49 − 0.0112·pitch eye widths below the eye line (chin up to 40°), so 35–55° chin up is 0.10 to −0.12",
	"Turn":         "set from anatomy and the development frames, not fitted (no labelled turned frames): people sitting well at a desk turn to 44° as the mesh reads them (to 50° in their mirrored and cut copies); a profile is 60°+",
	"Close":        "set from geometry, not fitted (the sit-up score weighs the face's size already): eye width ≥ 25 % of the frame's width is a face 25 cm from a laptop camera, leaning right in",
	"CloseFill":    "set from geometry, not fitted: a face box (brows to chin) filling 60 % of a webcam frame's height is a face about 30 cm from the lens; at a desk it fills 0.25–0.4",
	"DClose":       "set, not fitted (no labelled frames against a baseline): a face 40 % wider than in the baseline came 30 % closer to the screen",
	"DBack":        "set, not fitted (no labelled chin-up frames): 22° more chin-up than the baseline is a tipped-back head, whatever the camera",
	"DSink":        "set, not fitted (no labelled frames against a baseline without shoulders): eyes sunk 0.75 eye widths (about 5 cm) below the baseline's, no shoulder in view, is a body sunk in the chair; upright frames of one sitting vary by 0.15",
	"SitUpRamp":    "set: the sit-up score is in log-odds, so severity runs from 0 at 1:7 odds of sitting badly to 1 at 7:1",
	"BadAt":        "set: the verdict's line: a fault at half severity makes the posture bad",
	"ReportMin":    "set: faults below a tenth of full severity are not worth listing",
}

// WriteMetrics writes one JSON line per sample with what the judgement
// measured on it (for exploring the data outside Go).
func WriteMetrics(w io.Writer, ss []Sample) error {
	enc := json.NewEncoder(w)
	for i := range ss {
		s := &ss[i]
		if s.Error != "" {
			continue
		}
		rec := map[string]any{"file": s.File, "folder": s.Folder, "person": s.Person, "class": s.Class, "aug": s.Aug,
			"metrics": s.m.Metrics, "face_score": s.m.FaceScore, "mesh_score": s.m.MeshScore, "head_score": s.m.HeadScore,
			"eye_source": s.m.EyeSource, "shoulders": s.m.Shoulders, "face_fill": s.m.FaceFill}
		if err := enc.Encode(rec); err != nil {
			return err
		}
	}
	return nil
}

// Explain lists, for the samples keep selects, the outcome and the faults.
func Explain(w io.Writer, ss []Sample, p posture.Params, keep func(*Sample) bool) {
	j := posture.NewJudge(p, nil)
	for i := range ss {
		s := &ss[i]
		if s.Error != "" || !keep(s) {
			continue
		}
		pres, fs, why := j.Judge(s.m)
		var parts []string
		for _, f := range fs {
			parts = append(parts, fmt.Sprintf("%s:%.2f", f.Name, f.Severity))
		}
		fmt.Fprintf(w, "%s %s [%s] %s %s | %s | z=%.2f\n", s.File, s.Aug, s.Class, pres, strings.Join(parts, " "), why, p.SitUp.Score(s.m.Metrics))
	}
}
