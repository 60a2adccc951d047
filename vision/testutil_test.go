package vision

import (
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
