package fit

import (
	"bytes"
	"os"
	"testing"

	"posturewatch/vision/posture"
)

// The file holds the fit to four significant digits, so DefaultParams() is
// the fit rounded; the file's bytes are what must match.

// features loads the recorded development features, or skips: `make test`
// records them first (make features) and passes their path.
func features(t *testing.T) []Sample {
	t.Helper()
	path := os.Getenv("POSTUREWATCH_FEATURES")
	if path == "" {
		t.Skip("POSTUREWATCH_FEATURES is not set: run `make features` (make test does) to record the development data's features")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("features not available (%v): run `make features`", err)
	}
	ss, err := Load(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return ss
}

// The committed defaults are exactly what the fit makes of the data.
func TestFitReproducesCommittedParams(t *testing.T) {
	ss := features(t)
	res := Fit(ss, posture.StartParams(), nil, Options{})
	src, err := GoSource(res)
	if err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile("../params_fit.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(src, have) {
		t.Errorf("vision/posture/params_fit.go is not what the fit makes of the features: run `make fit` and commit it\n--- fit:\n%s", src)
	}
}
