package vision

import (
	"os"
	"path/filepath"
	"testing"

	"posturewatch/models"
)

// dataDir is ../shared/posture-data seen from the repository root.
func dataDir(t testing.TB) string {
	t.Helper()
	d := filepath.Join("..", "..", "shared", "posture-data")
	if _, err := os.Stat(d); err != nil {
		t.Skipf("posture data not found at %s (it lives beside the repository as ../shared/posture-data): %v", d, err)
	}
	return d
}

// modelPath returns the checked model or skips the test.
func modelPath(t testing.TB) string {
	t.Helper()
	p := models.DefaultPath()
	if err := models.Check(p, true); err != nil {
		t.Skipf("pose model not available (%v); run `make models`", err)
	}
	return p
}
