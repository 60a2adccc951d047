package fit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"posturewatch/coach/domain"
	"posturewatch/vision/posture"
)

// uprightLine is one features line as `posturewatch features` writes it: an
// upright sitter facing a 640×480 camera, both models' results in.
func uprightLine(t testing.TB) []byte {
	t.Helper()
	at := map[int]posture.Point{
		posture.Nose: {X: 320, Y: 170}, posture.LeftEye: {X: 340, Y: 150}, posture.RightEye: {X: 300, Y: 150},
		posture.LeftEar: {X: 365, Y: 160}, posture.RightEar: {X: 275, Y: 160},
		posture.LeftShoulder: {X: 420, Y: 280}, posture.RightShoulder: {X: 220, Y: 280},
	}
	kps := make([]domain.Keypoint, 17)
	for i := range kps {
		kps[i] = domain.Keypoint{Name: fmt.Sprint("k", i), X: 320, Y: 470, Score: 0.05}
		if p, ok := at[i]; ok {
			kps[i].X, kps[i].Y, kps[i].Score = p.X, p.Y, 0.8
		}
	}
	in := posture.Input{W: 640, H: 480, Keypoints: kps, Face: &posture.Face{
		Faces: 1, Score: 0.9, Box: posture.Box{MinX: 270, MinY: 120, MaxX: 370, MaxY: 230},
		Landmarks: [6]posture.Point{{X: 300, Y: 150}, {X: 340, Y: 150}, {X: 320, Y: 172}, {X: 320, Y: 200}, {X: 275, Y: 160}, {X: 365, Y: 160}},
		Mesh: &posture.Mesh{Score: 0.95, EyeDist3D: 40, EyeL: posture.Point{X: 300, Y: 150}, EyeR: posture.Point{X: 340, Y: 150},
			Nose: posture.Point{X: 320, Y: 172}, Chin: posture.Point{X: 320, Y: 228}, Forehead: posture.Point{X: 320, Y: 110},
			Box: posture.Box{MinX: 272, MinY: 108, MaxX: 368, MaxY: 230}},
	}}
	line, err := json.Marshal(Sample{Set: "desk", Folder: "desk/good", File: "desk/good/0.jpg", Person: "someone", Class: ClassGood, Input: in})
	if err != nil {
		t.Fatal(err)
	}
	return line
}

// A features file is outside input: eval and fit read whatever file they
// are given. Load never panics, and every sample it accepts is measured
// and judged to finite numbers, with and without a baseline of itself: a
// NaN would pass every threshold unnoticed and skew a fit.
func FuzzLoad(f *testing.F) {
	good := uprightLine(f)
	f.Add(good)
	f.Add(bytes.Join([][]byte{good, good}, []byte("\n")))
	f.Add([]byte(strings.Replace(string(good), `"x":320,"y":170`, `"x":1e308,"y":-1e308`, 1)))
	f.Add([]byte(strings.Replace(string(good), `"score":0.9`, `"score":-7`, 1)))
	f.Add([]byte(strings.Replace(string(good), `"eye_dist_3d":40`, `"eye_dist_3d":-1e300`, 1)))
	f.Add([]byte(`{"class":"good","input":{"w":1,"h":1,"keypoints":[]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ss, err := Load(bytes.NewReader(data))
		if err != nil {
			return
		}
		p := posture.DefaultParams()
		for i := range ss {
			s := &ss[i]
			for k, v := range s.m.Metrics {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("line %d: metric %s is %v", i+1, k, v)
				}
			}
			itself := slices.Repeat([]domain.Observation{{Posture: domain.PostureGood, Confidence: 1, Metrics: s.m.Metrics}}, domain.MinCalibrationFrames)
			b, err := domain.ComputeBaseline("itself", itself, 0, time.Unix(0, 0))
			if err != nil {
				b = nil // too little measured for a baseline
			}
			for _, base := range []*domain.Baseline{nil, b} {
				var sc posture.Scores
				posture.Score(&sc, s.m, base, p)
				if _, worst := sc.Lead(); math.IsNaN(worst) || math.IsInf(worst, 0) {
					t.Fatalf("line %d: worst severity %v", i+1, worst)
				}
				Outcome(s, base, p)
			}
		}
	})
}

// Load refuses a features file with anything no model could have written,
// naming the line, rather than fitting or judging it.
func TestLoadRefusesWhatNoModelWrote(t *testing.T) {
	good := string(uprightLine(t))
	if _, err := Load(strings.NewReader(good + "\n\n" + good + "\n")); err != nil {
		t.Fatalf("two good lines and a blank one: %v", err)
	}
	edit := func(old, new string) string {
		if !strings.Contains(good, old) {
			t.Fatalf("the line has no %s", old)
		}
		return strings.Replace(good, old, new, 1)
	}
	for _, c := range []struct{ name, line, want string }{
		{"not JSON", "{", "line 2"},
		{"an unknown field", edit(`"class"`, `"colour":"red","class"`), "unknown field"},
		{"an unknown class", edit(`"class":"good"`, `"class":"great"`), `unknown class "great"`},
		{"no frame size", edit(`"w":640`, `"w":0`), "frame size 0×480"},
		{"16 keypoints", edit(`,{"name":"k16","x":320,"y":470,"score":0.05}`, ``), "16 keypoints"},
		{"a keypoint scored over 1", edit(`"score":0.8`, `"score":1.5`), "score 1.5 outside 0–1"},
		{"a keypoint far off the frame", edit(`"x":320,"y":170`, `"x":1e308,"y":170`), "far outside the 640×480 frame"},
		{"a negative face score", edit(`"faces":1,"score":0.9`, `"faces":1,"score":-7`), "face score -7"},
		{"a negative face count", edit(`"faces":1`, `"faces":-2`), "-2 faces"},
		{"a face box far away", edit(`"x0":270`, `"x0":-99999`), "face box"},
		{"a mesh pitch past a turn", edit(`"pitch":0`, `"pitch":400`), "beyond ±180°"},
		{"a negative eye distance", edit(`"eye_dist_3d":40`, `"eye_dist_3d":-1`), "eye distance -1"},
		{"a mesh point far away", edit(`"chin":{"x":320,"y":228}`, `"chin":{"x":320,"y":1e9}`), "mesh's points"},
	} {
		_, err := Load(strings.NewReader(good + "\n" + c.line + "\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "line 2") {
			t.Errorf("%s: error %v, want one naming line 2 and saying %q", c.name, err, c.want)
		}
	}
	for _, c := range []struct{ name, file, want string }{
		{"empty", "", "no samples"},
		{"blank lines only", "\n \n", "no samples"},
		{"a line over the limit", good + "\n" + strings.Repeat(" ", maxLine+1) + "x\n", "longer than"},
	} {
		if _, err := Load(strings.NewReader(c.file)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}
