package vision

import (
	"image"
	"os"
	"path/filepath"
	"posturewatch/coach/domain"
	"slices"
	"strings"
	"testing"

	"gocv.io/x/gocv"
)

// synthKeypoints puts a plausible head and shoulders on grace_hopper
// (512×600) and a low-score left elbow at (100, 560).
func synthKeypoints() []domain.Keypoint {
	pos := map[string][3]float64{
		"nose": {256, 230, 0.9}, "left_eye": {285, 205, 0.9}, "right_eye": {227, 205, 0.9},
		"left_ear": {320, 215, 0.8}, "right_ear": {192, 215, 0.8},
		"left_shoulder": {390, 430, 0.8}, "right_shoulder": {120, 430, 0.8},
		"left_elbow": {100, 560, 0.1},
	}
	var kps []domain.Keypoint
	for _, n := range KeypointNames {
		p, ok := pos[n]
		if !ok {
			continue
		}
		kps = append(kps, domain.Keypoint{Name: n, X: p[0], Y: p[1], Score: p[2]})
	}
	return kps
}

func loadGrace(t *testing.T) gocv.Mat {
	t.Helper()
	m, err := loadImage(srcData(t, "misc/grace_hopper.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func samePixel(a, b gocv.Mat, x, y int) bool {
	return slices.Equal(a.GetVecbAt(y, x), b.GetVecbAt(y, x))
}

func TestAnnotateDrawsSkeletonAndVerdict(t *testing.T) {
	img := loadGrace(t)
	defer img.Close()
	orig := img.Clone()
	defer orig.Close()
	obs := domain.Observation{
		Source: "misc/grace_hopper.jpg", Posture: domain.PostureBad, Confidence: 0.82,
		Keypoints: synthKeypoints(),
		Faults: []domain.Fault{
			{Name: domain.HeadTilt, Severity: 0.3}, {Name: domain.ForwardHead, Severity: 0.9},
			{Name: domain.Slouch, Severity: 0.5}, {Name: domain.HeadTurn, Severity: 0.1},
		},
	}
	out := Annotate(img, obs, 0.3)
	defer out.Close()
	if out.Cols() != img.Cols() || out.Rows() != img.Rows() || out.Type() != gocv.MatTypeCV8UC3 {
		t.Fatalf("output %d×%d type %v, want %d×%d 8UC3", out.Cols(), out.Rows(), out.Type(), img.Cols(), img.Rows())
	}
	for _, k := range obs.Keypoints {
		x, y := int(k.X), int(k.Y)
		if k.Score >= 0.3 && samePixel(out, orig, x, y) {
			t.Errorf("%s at (%d,%d): pixel unchanged, want a keypoint drawn", k.Name, x, y)
		}
		if k.Score < 0.3 && !samePixel(out, orig, x, y) {
			t.Errorf("%s (score %.1f) at (%d,%d) was drawn below minScore", k.Name, k.Score, x, y)
		}
	}
	// Midpoint of the shoulder line: a limb is drawn there.
	if samePixel(out, orig, 255, 430) {
		t.Error("no shoulder line between the shoulders")
	}
	// The input is untouched.
	diff := gocv.NewMat()
	defer diff.Close()
	gocv.AbsDiff(img, orig, &diff)
	if gocv.Norm(diff, gocv.NormL1) != 0 {
		t.Error("Annotate modified its input")
	}
	// The frame border carries the verdict colour: red for bad.
	px := out.GetVecbAt(out.Rows()/2, 0) // B, G, R
	if !(px[2] > 180 && px[1] < 90 && px[0] < 90) {
		t.Errorf("border pixel BGR %v, want red for a bad posture", px)
	}
}

func TestAnnotateColoursByPosture(t *testing.T) {
	img := loadGrace(t)
	defer img.Close()
	for _, c := range []struct {
		p    domain.Posture
		test func(b, g, r uint8) bool
	}{
		{domain.PostureGood, func(b, g, r uint8) bool { return g > 150 && r < 100 && b < 120 }},
		{domain.PostureBad, func(b, g, r uint8) bool { return r > 180 && g < 90 && b < 90 }},
		{domain.PostureAway, func(b, g, r uint8) bool { return r == g && g == b && r > 100 }},
		{domain.PostureUnknown, func(b, g, r uint8) bool { return r == g && g == b && r > 100 }},
	} {
		out := Annotate(img, domain.Observation{Posture: c.p}, 0.3)
		px := out.GetVecbAt(10, out.Cols()-1)
		if !c.test(px[0], px[1], px[2]) {
			t.Errorf("%s: border BGR %v has the wrong colour", c.p, px)
		}
		out.Close()
	}
}

// A backlit frame's panel says so, on a line of its own below the faults.
func TestAnnotateSaysTheLightIsBehind(t *testing.T) {
	img := loadGrace(t)
	defer img.Close()
	obs := domain.Observation{Posture: domain.PostureGood, Confidence: 0.9, Faults: []domain.Fault{{Name: domain.HeadTilt, Severity: 0.2}}}
	plain := Annotate(img, obs, 0.3)
	defer plain.Close()
	obs.Backlit = true
	lit := Annotate(img, obs, 0.3)
	defer lit.Close()
	if hp, hl := panelHeight(plain), panelHeight(lit); hl <= hp {
		t.Errorf("panel %d px high backlit, %d not: no line for the light", hl, hp)
	}
}

// panelHeight measures the dark verdict panel down a column between the
// frame border and the text.
func panelHeight(m gocv.Mat) int {
	x := max(3, m.Cols()/190)
	for y := x; y < m.Rows(); y++ {
		v := m.GetVecbAt(y, x)
		if v[0] > 10 || v[1] > 10 || v[2] > 10 {
			return y
		}
	}
	return m.Rows()
}

func TestAnnotateScalesWithImageSize(t *testing.T) {
	img := loadGrace(t)
	defer img.Close()
	obs := domain.Observation{Posture: domain.PostureBad, Faults: []domain.Fault{{Name: domain.ForwardHead, Severity: 0.7}}}
	heights := map[int]float64{}
	for _, sz := range []image.Point{{224, 224}, {1920, 1080}} {
		m := gocv.NewMat()
		gocv.Resize(img, &m, sz, 0, 0, gocv.InterpolationLinear)
		out := Annotate(m, obs, 0.3)
		if out.Cols() != sz.X || out.Rows() != sz.Y {
			t.Fatalf("size %v → %d×%d", sz, out.Cols(), out.Rows())
		}
		h := panelHeight(out)
		frac := float64(h) / float64(sz.Y)
		if frac < 0.08 || frac > 0.5 {
			t.Errorf("%v: verdict panel is %d px high (%.0f%% of the image): badly scaled", sz, h, 100*frac)
		}
		heights[sz.Y] = frac
		m.Close()
		out.Close()
	}
	t.Logf("panel height as a fraction of the image: %v", heights)
}

func TestWriteAnnotatedRoundTrip(t *testing.T) {
	img := loadGrace(t)
	defer img.Close()
	obs := domain.Observation{Source: "../data/neck-forward/4-upright/IMG_0877_100.jpg", Frame: 7, Posture: domain.PostureGood, Keypoints: synthKeypoints()}
	out := Annotate(img, obs, 0.3)
	defer out.Close()
	dir := filepath.Join(t.TempDir(), "new", "sub")
	path, err := WriteAnnotated(dir, obs, out)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(path) != dir || !strings.Contains(filepath.Base(path), "4-upright_IMG_0877_100") || !strings.HasSuffix(path, "-000007.jpg") {
		t.Errorf("file name %s does not name the source and frame", path)
	}
	// another source with the same name (dir2/…/IMG_0877_100.png) goes beside it
	other := obs
	other.Source = "elsewhere/4-upright/IMG_0877_100.png"
	path2, err := WriteAnnotated(dir, other, out)
	if err != nil || path2 == path || !strings.HasSuffix(path2, "-000007-2.jpg") {
		t.Errorf("a second source with the same name: %s (%v), first %s", path2, err, path)
	}
	back := gocv.IMRead(path, gocv.IMReadColor)
	defer back.Close()
	if back.Empty() || back.Cols() != out.Cols() || back.Rows() != out.Rows() {
		t.Fatalf("read back %d×%d, want %d×%d", back.Cols(), back.Rows(), out.Cols(), out.Rows())
	}
	// JPEG is lossy: the nose marker must still be far from the original.
	nose := back.GetVecbAt(230, 256)
	orig := img.GetVecbAt(230, 256)
	d := 0
	for i := range 3 {
		d += absDiffInt(int(nose[i]) - int(orig[i]))
	}
	if d < 60 {
		t.Errorf("nose marker lost in the JPEG: %v vs original %v", nose, orig)
	}

	// Camera names become file-name safe.
	if n := AnnotatedName(domain.Observation{Source: "camera:/dev/video2", Frame: 3}); strings.ContainsAny(n, ":/") {
		t.Errorf("unsafe name %q", n)
	}
	// Errors: a file where the directory should be, and an empty image.
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteAnnotated(filepath.Join(blocker, "dir"), obs, out); err == nil {
		t.Error("writing under a regular file gave no error")
	}
	if _, err := WriteAnnotated(dir, obs, gocv.NewMat()); err == nil {
		t.Error("writing an empty image gave no error")
	}
}

func absDiffInt(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func BenchmarkAnnotate(b *testing.B) {
	m, err := loadImage(srcData(b, "neck-forward/4-upright/IMG_0877_100.jpg"))
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	obs := domain.Observation{Posture: domain.PostureBad, Keypoints: synthKeypoints(),
		Faults: []domain.Fault{{Name: domain.ForwardHead, Severity: 0.8}}}
	for b.Loop() {
		out := Annotate(m, obs, 0.3)
		out.Close()
	}
}
