package vision

import (
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"

	"posturewatch/models"
)

// dataDir is ../shared/posture-data seen from the repository root (see srcData).
func dataDir(t testing.TB) string { return srcData(t, ".") }

// modelPath returns the checked model or skips the test.
func modelPath(t testing.TB) string {
	t.Helper()
	p := models.DefaultPath()
	if err := models.Check(p, true); err != nil {
		t.Skipf("pose model not available (%v); run `make models`", err)
	}
	return p
}

// firstFrame opens path as the pipeline would and returns its first frame
// (the caller closes it).
func firstFrame(t testing.TB, path string, opt SourceOptions) gocv.Mat {
	t.Helper()
	src, err := OpenPath(path, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	f, err := src.Next()
	if err != nil {
		t.Fatal(err)
	}
	return f.Mat
}

// maskedAndDeskFrames are the masked person's 102 frames (960×540, every
// grade) and every tenth desk frame (140, 224²), or the test is skipped.
func maskedAndDeskFrames(t *testing.T) (masked, desk []string) {
	t.Helper()
	masked, _ = filepath.Glob(filepath.Join(dataDir(t), "neck-forward", "*", "*.jpg"))
	desk, _ = filepath.Glob(filepath.Join(dataDir(t), "desk-three-people", "*", "0[0-9][0-9]0.jpg"))
	if len(masked) < 100 || len(desk) < 100 {
		t.Skipf("only %d neck-forward and %d desk frames", len(masked), len(desk))
	}
	return masked, desk
}

// slouchOrNotFrames are slouch-or-not's 65 frames (224², both sittings,
// upright and slouching), or the test is skipped.
func slouchOrNotFrames(t *testing.T) []string {
	t.Helper()
	so, _ := filepath.Glob(filepath.Join(dataDir(t), "slouch-or-not", "*", "*.jpg"))
	if len(so) < 60 {
		t.Skipf("only %d slouch-or-not frames", len(so))
	}
	return so
}

// maskedUprightFrames are the masked person's upright grades (3–5 of
// neck-forward: the limit of acceptable, upright, the limit of extension),
// all judged good.
func maskedUprightFrames(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, grade := range []string{"3-forward-limit", "4-upright", "5-extension-limit"} {
		f, _ := filepath.Glob(filepath.Join(dataDir(t), "neck-forward", grade, "*.jpg"))
		files = append(files, f...)
	}
	return files
}
