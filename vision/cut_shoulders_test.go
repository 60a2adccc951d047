package vision

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"posturewatch/coach/domain"
	"posturewatch/vision/posture"
)

// Webcams frame people head and shoulders: the frame's bottom edge runs
// along the shoulders or just below them, and the frame is landscape, so
// the body model sees it letterboxed with a band below. Upright sitters so
// framed stay good. Each upright frame (every sixth desk frame, the
// slouch-or-not sitter's, the masked person's good grades) is cut at its
// shoulder line and a quarter and half an eye width below it, the whole
// width kept. With the band left black the body model took it for the
// body's end and placed the shoulders on the neck: desk 18 of 298,
// slouch-or-not 48 of 96, the masked person 45 of 129 copies were called
// bad (a head forward). With the frame's bottom rows carried into the band
// (pose.go): 10 of 298, 28 of 96 and 5 of 98 (fewer of her whole frames
// now keep both shoulders inside the frame's margins, so fewer copies).
// What remains is mostly the cut at the shoulder line itself, where no
// band helps: the shoulders are not in the picture. Measured again on
// 2026-12-06: 8 of 298, 28 of 96 and 5 of 98; slouch-or-not 27 since a
// pair guessed at the chin by the bottom edge stopped counting (posture's
// guessedAtTheEdge).
func TestUprightFramesCutAtTheShouldersStayGood(t *testing.T) {
	an := newTestAnalyzer(t)
	d := dataDir(t)
	desk, _ := filepath.Glob(filepath.Join(d, "desk-three-people", "good", "*.jpg"))
	slices.Sort(desk)
	everySixth := everyNth(desk, 6)
	son, _ := filepath.Glob(filepath.Join(d, "slouch-or-not", "upright", "*"))
	var masked []string
	for _, g := range []string{"3-forward-limit", "4-upright", "5-extension-limit"} {
		m, _ := filepath.Glob(filepath.Join(d, "neck-forward", g, "*.jpg"))
		masked = append(masked, m...)
	}
	groups := []struct {
		name  string
		files []string
		limit int // per cent of the copies that may be called bad
	}{{"desk", everySixth, 5}, {"slouch-or-not", son, 30}, {"masked", masked, 8}}
	for _, g := range groups {
		if len(g.files) < 20 {
			t.Skipf("only %d %s frames", len(g.files), g.name)
		}
	}
	for _, g := range groups {
		var copies, bad int
		for _, f := range g.files {
			img, in := freshInput(t, an, f)
			m := posture.Measure(in)
			if !m.Shoulders || !m.Eyes {
				img.Close()
				continue
			}
			for _, below := range []float64{0, 0.25, 0.5} {
				cut, ok := cutBelowShoulders(img, m, below)
				if !ok {
					continue
				}
				name := fmt.Sprintf("%s cut %.2f eye widths below the shoulders", filepath.Base(f), below)
				obs := analyzeMat(t, an, cut, name)
				cut.Close()
				copies++
				if obs.Posture == domain.PostureBad {
					bad++
					t.Logf("%s %s: %s", g.name, name, faultList(obs.Faults))
				}
			}
			img.Close()
		}
		t.Logf("%s: %d of %d upright copies cut at the shoulders called bad", g.name, bad, copies)
		if copies < 30 {
			t.Errorf("%s: only %d copies", g.name, copies)
		}
		if bad*100 > g.limit*copies {
			t.Errorf("%s: %d of %d upright copies cut at the shoulders called bad, want at most %d %%", g.name, bad, copies, g.limit)
		}
	}
}
