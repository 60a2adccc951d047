// Package fit derives the judgement's default thresholds from the
// development data: it reads what the models saw on every labelled frame
// (`posturewatch features`), fits each fault's threshold to the labels by
// coordinate descent on a person-balanced accuracy, cross-validates by
// person (fit on the others, test on the one left out), and writes the
// result as Go source with each parameter's origin. It is pure Go: the
// models ran before, so fitting takes seconds and is exactly reproducible.
package fit

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"posturewatch/coach/domain"
	"posturewatch/vision/posture"
)

// The expected classes of the labelled frames (vision's Class… names).
const (
	ClassGood       = "good"
	ClassSitUp      = "sit_up_straight"
	ClassStraighten = "straighten_head"
	ClassPerson     = "person"
	ClassAway       = "away"
	ClassBroken     = "broken"
)

// Sample is one line of `posturewatch features`.
type Sample struct {
	Set    string        `json:"set"`
	Folder string        `json:"folder"`
	File   string        `json:"file"`
	Person string        `json:"person"`
	Class  string        `json:"class"`
	Aug    string        `json:"aug,omitempty"`
	Frame  int           `json:"frame,omitempty"`
	Input  posture.Input `json:"input"`
	Error  string        `json:"error,omitempty"`

	m posture.Measurement // measured once
}

var knownClasses = []string{ClassGood, ClassSitUp, ClassStraighten, ClassPerson, ClassAway, ClassBroken}

// maxLine bounds one JSON line (a sample is about 3 KB).
const maxLine = 1 << 20

// Load reads JSON lines of samples and measures each once. A malformed line
// or an unknown class is an error naming the line: a silently skipped sample
// would change the fit.
func Load(r io.Reader) ([]Sample, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	var out []Sample
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var s Sample
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			return nil, fmt.Errorf("features line %d: %w", n, err)
		}
		if !slices.Contains(knownClasses, s.Class) {
			return nil, fmt.Errorf("features line %d: unknown class %q (known: %s)", n, s.Class, strings.Join(knownClasses, ", "))
		}
		if s.Error == "" {
			if err := checkInput(s.Input); err != nil {
				return nil, fmt.Errorf("features line %d (%s): %w", n, s.File, err)
			}
		}
		s.m = posture.Measure(s.Input)
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("features: a line is longer than %d bytes", maxLine)
		}
		return nil, fmt.Errorf("features: %w", err)
	}
	if len(out) == 0 {
		return nil, errors.New("features: no samples")
	}
	return out, nil
}

// checkInput refuses inputs no model could have produced: scores outside
// 0–1, points far beyond the frame, angles beyond a turn, a negative size.
// A sample that passed with them would be judged on nonsense and move the
// fit unnoticed. Points may lie outside the frame (the body model places
// parts the frame cuts off, in the letterbox's padding, up to about the
// frame's longer side beyond its edge), but not beyond maxOutside of it.
func checkInput(in posture.Input) error {
	if in.W <= 0 || in.H <= 0 || in.W > 1<<16 || in.H > 1<<16 {
		return fmt.Errorf("frame size %d×%d", in.W, in.H)
	}
	if len(in.Keypoints) != 17 {
		return fmt.Errorf("%d keypoints, want 17", len(in.Keypoints))
	}
	reach := maxOutside * float64(max(in.W, in.H))
	offFrame := func(ps ...posture.Point) bool {
		for _, p := range ps {
			if !(p.X >= -reach && p.X <= float64(in.W)+reach && p.Y >= -reach && p.Y <= float64(in.H)+reach) {
				return true // NaN fails every comparison
			}
		}
		return false
	}
	score := func(v float64) bool { return v >= 0 && v <= 1 }
	for i, k := range in.Keypoints {
		if !score(k.Score) {
			return fmt.Errorf("keypoint %d: score %v outside 0–1", i, k.Score)
		}
		if offFrame(posture.Point{X: k.X, Y: k.Y}) {
			return fmt.Errorf("keypoint %d at (%v, %v), far outside the %d×%d frame", i, k.X, k.Y, in.W, in.H)
		}
	}
	f := in.Face
	if f == nil {
		return nil
	}
	box := func(b posture.Box) bool {
		return offFrame(posture.Point{X: b.MinX, Y: b.MinY}, posture.Point{X: b.MaxX, Y: b.MaxY})
	}
	switch {
	case f.Faces < 0:
		return fmt.Errorf("%d faces", f.Faces)
	case !score(f.Score):
		return fmt.Errorf("face score %v outside 0–1", f.Score)
	case box(f.Box) || offFrame(f.Landmarks[:]...):
		return errors.New("the face box or its landmarks lie far outside the frame")
	}
	ms := f.Mesh
	if ms == nil {
		return nil
	}
	angle := func(v float64) bool { return v >= -180 && v <= 180 }
	switch {
	case !score(ms.Score):
		return fmt.Errorf("face mesh score %v outside 0–1", ms.Score)
	case !angle(ms.Roll) || !angle(ms.Pitch) || !angle(ms.Yaw):
		return fmt.Errorf("face mesh angles roll %v, pitch %v, yaw %v: beyond ±180°", ms.Roll, ms.Pitch, ms.Yaw)
	case !(ms.EyeDist3D >= 0 && ms.EyeDist3D <= reach):
		return fmt.Errorf("face mesh eye distance %v", ms.EyeDist3D)
	case box(ms.Box) || offFrame(ms.EyeL, ms.EyeR, ms.Nose, ms.Chin, ms.Forehead):
		return errors.New("the face mesh's points lie far outside the frame")
	}
	return nil
}

// maxOutside is how far beyond the frame's edge, in its longer side, a
// recorded point may lie (checkInput).
const maxOutside = 2

// Outcome is what the judgement made of a sample, as one of the classes.
func Outcome(s *Sample, b *domain.Baseline, p posture.Params) string {
	if s.Error != "" {
		return ClassBroken
	}
	switch pres, _ := posture.Presence(s.m, p); pres {
	case domain.PostureAway:
		return ClassAway
	case domain.PostureUnknown:
		return "unknown"
	}
	var sc posture.Scores
	posture.Score(&sc, s.m, b, p)
	wi, worst := sc.Lead()
	if wi < 0 || worst < p.BadAt {
		return ClassGood
	}
	return FaultClass(domain.AllFaults[wi])
}

// FaultClass is the class a fault falls in: sit up straight or straighten head.
func FaultClass(f domain.FaultName) string {
	switch f {
	case domain.HeadTilt, domain.HeadTurn, domain.HeadBack, domain.UnevenShoulders:
		return ClassStraighten
	}
	return ClassSitUp
}

// Correct reports whether an outcome is right for an expected class.
func Correct(expected, outcome string) bool {
	switch expected {
	case ClassPerson:
		return outcome != ClassAway && outcome != "unknown"
	case ClassBroken:
		return outcome == ClassBroken || outcome == ClassAway
	}
	return expected == outcome
}
