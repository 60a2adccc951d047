package vision

import (
	"image"
	"image/color"
	"path/filepath"
	"posturewatch/coach/domain"
	"testing"

	"gocv.io/x/gocv"
)

func newTestAnalyzer(t testing.TB) *Analyzer {
	t.Helper()
	an, err := NewAnalyzer(AnalyzerOptions{ModelPath: modelPath(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { an.Close() })
	return an
}

// The labelled checks of ../shared/posture-data/README.md, through the
// whole path (files → pose → metrics → faults).
func TestEvaluatePostureData(t *testing.T) {
	dir := dataDir(t)
	an := newTestAnalyzer(t)
	rows, misses, err := Evaluate(an, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range misses {
		t.Log("miss:", m)
	}
	want := []struct {
		folder, baseline string
		min              float64
	}{
		{"neck-forward/1-forward-worst", "none", 0.9},   // forward_head
		{"neck-forward/2-forward-mid", "none", 0.9},     // forward_head
		{"neck-forward/3-forward-limit", "none", 0.9},   // good: the limit of acceptable
		{"neck-forward/4-upright", "none", 0.95},        // good
		{"neck-forward/5-extension-limit", "none", 0.9}, // good
		{"slouch-or-not/upright", "none", 0.95},         // good: almost never call good posture bad
		{"slouch-or-not/slouching", "same sitting", 0.9},
		{"slouch-or-not/upright", "same sitting (leave one out)", 0.95},
		{"misc/grace_hopper.jpg", "none", 1},
		{"misc/astronaut.png", "none", 1},
		{"misc/coffee.png", "none", 1},
		{"misc/messi5.jpg", "none", 1},
		{"misc/vtest.avi", "none", 0.95},
		{"bad/", "none", 1},
	}
	for _, w := range want {
		r, ok := Row(rows, w.folder, w.baseline)
		if !ok {
			t.Errorf("no row for %s (%s)", w.folder, w.baseline)
			continue
		}
		if r.Frames == 0 || r.Accuracy < w.min {
			t.Errorf("%s (%s baseline): %d/%d correct (%.0f%%), want ≥ %.0f%%", w.folder, w.baseline, r.Correct, r.Frames, 100*r.Accuracy, 100*w.min)
		}
	}
	// Without a baseline, slouching and upright frames are still separated:
	// more slouching frames are judged bad than upright ones, by a wide margin.
	s, _ := Row(rows, "slouch-or-not/slouching", "none")
	u, _ := Row(rows, "slouch-or-not/upright", "none")
	if badShare, uprightBad := s.Accuracy, 1-u.Accuracy; badShare-uprightBad < 0.35 {
		t.Errorf("without baseline: %.0f%% of slouching frames bad vs %.0f%% of upright ones: not separated", 100*badShare, 100*uprightBad)
	}
	// The forward-head severity falls from grade 1 (worst) to 4 (upright).
	prev := 2.0
	for _, g := range []string{"1-forward-worst", "2-forward-mid", "3-forward-limit", "4-upright"} {
		r, ok := Row(rows, "neck-forward/"+g, "none")
		if !ok || r.MeanForwardHead == nil {
			t.Fatalf("no forward-head row for grade %s", g)
		}
		if *r.MeanForwardHead >= prev {
			t.Errorf("mean forward_head severity %.2f at %s does not fall below %.2f of the grade before", *r.MeanForwardHead, g, prev)
		}
		prev = *r.MeanForwardHead
	}
}

// A camera is not a fixed thing: the same upright sitting seen mirrored, at
// another resolution, or through a wider frame must stay good.
func TestUprightInvariantToCameraChanges(t *testing.T) {
	dir := dataDir(t)
	an := newTestAnalyzer(t)
	files, _ := filepath.Glob(filepath.Join(dir, "slouch-or-not", "upright", "*.jpg"))
	nf, _ := filepath.Glob(filepath.Join(dir, "neck-forward", "4-upright", "*.jpg"))
	files = append(files[:min(6, len(files))], nf[:min(4, len(nf))]...)
	if len(files) == 0 {
		t.Skip("no upright frames")
	}
	variants := map[string]func(gocv.Mat) gocv.Mat{
		"mirrored": func(m gocv.Mat) gocv.Mat { o := gocv.NewMat(); gocv.Flip(m, &o, 1); return o },
		"2x": func(m gocv.Mat) gocv.Mat {
			o := gocv.NewMat()
			gocv.Resize(m, &o, image.Pt(m.Cols()*2, m.Rows()*2), 0, 0, gocv.InterpolationLinear)
			return o
		},
		"half": func(m gocv.Mat) gocv.Mat {
			o := gocv.NewMat()
			gocv.Resize(m, &o, image.Pt(m.Cols()/2, m.Rows()/2), 0, 0, gocv.InterpolationArea)
			return o
		},
		"wider-frame": func(m gocv.Mat) gocv.Mat { // a wider field of view: more room at the sides
			o := gocv.NewMat()
			gocv.CopyMakeBorder(m, &o, 0, 0, m.Cols()/6, m.Cols()/6, gocv.BorderReplicate, colorBlack)
			return o
		},
	}
	for _, f := range files {
		img, err := LoadImage(f)
		if err != nil {
			t.Fatal(err)
		}
		for name, v := range variants {
			m := v(img)
			obs, err := an.Analyze(Frame{Mat: m, Source: f})
			m.Close()
			if err != nil {
				t.Fatal(err)
			}
			if obs.Posture != domain.PostureGood {
				t.Errorf("%s %s: %s %s, want good", filepath.Base(f), name, obs.Posture, FaultList(obs.Faults))
			}
		}
		img.Close()
	}
}

// Rolling the picture rolls the head: a clear tilt is named, the posture is bad.
func TestTiltedHeadIsNamed(t *testing.T) {
	dir := dataDir(t)
	an := newTestAnalyzer(t)
	img, err := LoadImage(filepath.Join(dir, "misc", "grace_hopper.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	for _, deg := range []float64{-25, 25} {
		rot := gocv.GetRotationMatrix2D(image.Pt(img.Cols()/2, img.Rows()/3), deg, 1)
		out := gocv.NewMat()
		gocv.WarpAffineWithParams(img, &out, rot, image.Pt(img.Cols(), img.Rows()), gocv.InterpolationLinear, gocv.BorderReplicate, colorBlack)
		rot.Close()
		obs, err := an.Analyze(Frame{Mat: out, Source: "rotated"})
		out.Close()
		if err != nil {
			t.Fatal(err)
		}
		if obs.Fault(domain.HeadTilt) < 0.5 || obs.Posture != domain.PostureBad {
			t.Errorf("rotated %v°: %s %s, want head_tilt ≥ 0.5", deg, obs.Posture, FaultList(obs.Faults))
		}
	}
}

var colorBlack = color.RGBA{A: 255}
