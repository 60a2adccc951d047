package vision

import (
	"math"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"
)

// The reference keypoints of ../shared/posture-data/misc/grace_hopper.jpg
// from the original TF.js graph (TF.js 4.22 and a numpy interpreter of the
// graph agree to 1.5e-6), normalised to the 192 input square, with the
// bilinear letterbox of models/DECODER.md: (y, x, score).
var graceReference = [NumKeypoints][3]float64{
	{0.382028, 0.512743, 0.575339}, {0.317649, 0.588669, 0.620037}, {0.319284, 0.443207, 0.716954},
	{0.364375, 0.673110, 0.631742}, {0.364858, 0.357907, 0.639289}, {0.726265, 0.834633, 0.751904},
	{0.702985, 0.205357, 0.727309}, {0.983391, 0.871204, 0.067641}, {0.974820, 0.096569, 0.114660},
	{0.981493, 0.684087, 0.051252}, {0.670334, 0.113609, 0.104143}, {1.010188, 0.721634, 0.044935},
	{0.900319, 0.218885, 0.012129}, {1.013817, 0.714239, 0.083309}, {0.725409, 0.167862, 0.069441},
	{0.967208, 0.500850, 0.036245}, {0.962554, 0.474031, 0.159717},
}

func loadTestImage(t testing.TB, rel string) gocv.Mat {
	t.Helper()
	img, err := loadImage(filepath.Join(dataDir(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// The Go letterbox, OpenCV forward pass and Go decoder reproduce the
// original graph's output.
func TestPoseMatchesReferenceGraph(t *testing.T) {
	img := loadTestImage(t, "misc/grace_hopper.jpg")
	defer img.Close()
	pn, err := NewPoseNet(PoseOptions{ModelPath: modelPath(t), Strict: true, LinearResize: true})
	if err != nil {
		t.Fatal(err)
	}
	defer pn.Close()
	kps, lb, err := pn.Estimate(img)
	if err != nil {
		t.Fatal(err)
	}
	if lb.W != 164 || lb.H != 192 || lb.PadX != 14 || lb.PadY != 0 {
		t.Fatalf("letterbox %+v, want 164×192 at x=14 (DECODER.md)", lb)
	}
	for i, k := range kps {
		ref := graceReference[i]
		x, y := lb.ToSource(ref[1], ref[0])
		// 1e-4 of the input square is 0.06 source pixels here.
		if math.Abs(k.X-x) > 0.1 || math.Abs(k.Y-y) > 0.1 || math.Abs(k.Score-ref[2]) > 1e-4 {
			t.Errorf("%s: got (%.2f, %.2f, %.4f), reference (%.2f, %.2f, %.4f)", k.Name, k.X, k.Y, k.Score, x, y, ref[2])
		}
	}
}

// Golden keypoints on grace_hopper with the default (area) letterbox,
// positions checked by eye on the annotated image: eyes behind the glasses'
// lenses, nose tip, ears at the side of the head below the cap, shoulders at
// the uniform's shoulder line.
func TestPoseGoldenGraceHopper(t *testing.T) {
	img := loadTestImage(t, "misc/grace_hopper.jpg")
	defer img.Close()
	pn, err := NewPoseNet(PoseOptions{ModelPath: modelPath(t), Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	defer pn.Close()
	kps, _, err := pn.Estimate(img)
	if err != nil {
		t.Fatal(err)
	}
	golden := map[string][2]float64{
		"nose": {264, 230}, "left_eye": {311, 191}, "right_eye": {224, 194},
		"left_ear": {358, 221}, "right_ear": {171, 222},
		"left_shoulder": {458, 431}, "right_shoulder": {83, 422},
	}
	const tol = 6 // pixels, in a 512×600 portrait
	for _, k := range kps {
		g, ok := golden[k.Name]
		if !ok {
			continue
		}
		if math.Hypot(k.X-g[0], k.Y-g[1]) > tol {
			t.Errorf("%s at (%.1f, %.1f), golden (%.0f, %.0f)", k.Name, k.X, k.Y, g[0], g[1])
		}
		if k.Score < 0.45 {
			t.Errorf("%s score %.2f: a clear frontal portrait should score ≥ 0.45", k.Name, k.Score)
		}
	}
}

func TestNewPoseNetRejectsBadModels(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ name, path string }{
		{"missing", filepath.Join(dir, "nope.onnx")},
		{"directory", dir},
		{"text", filepath.Join(dataDir(t), "bad", "text.jpg")},
		{"empty", filepath.Join(dataDir(t), "bad", "empty.jpg")},
	} {
		if _, err := NewPoseNet(PoseOptions{ModelPath: c.path}); err == nil {
			t.Errorf("%s model: no error", c.name)
		}
	}
}
