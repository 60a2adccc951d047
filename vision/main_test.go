package vision

import (
	"os"
	"path/filepath"
	"testing"

	"posturewatch/models"
)

// TestMain points the model lookup at the source tree's models/ (tests run in
// the package directory, where ./models does not exist).
func TestMain(m *testing.M) {
	ServeModelCheck() // when a test checks an unknown model in a child process, this is the child
	if os.Getenv(models.DirEnv) == "" {
		if abs, err := filepath.Abs("../models"); err == nil {
			os.Setenv(models.DirEnv, abs)
		}
	}
	os.Exit(m.Run())
}
