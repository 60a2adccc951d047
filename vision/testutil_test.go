package vision

import (
	"testing"

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
