package fit

import (
	"bytes"
	"math"
	"os"
	"testing"

	"posturewatch/coach/domain"
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

// The shoulders' width is fitted on the neck over the frames that show both,
// and frames with one shoulder do not sway it.
func TestShoulderFillFit(t *testing.T) {
	var ss []*Sample
	for i := range 20 {
		n := 2 + 0.1*float64(i)
		both := &Sample{m: posture.Measurement{Metrics: domain.Metrics{domain.MetricNeckEyes: n, domain.MetricShoulderFace: 3 + 0.5*n}}}
		one := &Sample{m: posture.Measurement{Metrics: domain.Metrics{domain.MetricNeckEyes: n}}}
		ss = append(ss, both, one)
	}
	w := make([]float64, len(ss))
	for i := range w {
		w[i] = 1
	}
	l := shoulderFill(ss, w)
	if math.Abs(l.Intercept-3) > 1e-9 || math.Abs(l.Slope-0.5) > 1e-9 {
		t.Errorf("fill %+v, want 3 + 0.5·neck", l)
	}
	if l := shoulderFill(ss[1:2], w[:1]); l != (posture.Line{}) {
		t.Errorf("fill from no frame with both shoulders: %+v, want none", l)
	}
}
