package vision

import (
	"fmt"
	"image"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"

	"posturewatch/coach/domain"
	"posturewatch/vision/posture"
)

// Where the frame's bottom edge runs just under the chin, the body model
// places the shoulders it cannot see on what shows at the chin's height,
// with low scores, and that pair read a neck of 1.4–2.2 eye widths: a head
// forward at full severity on upright sitters (posture.GuessedShoulderScore).
// Such a pair is no pair: the frame is judged as one that shows no
// shoulder, and these upright frames stay good:
//   - grey-sweatshirt's upright frames cut below the chin as a camera aimed
//     a little higher frames her (make eval's "cut" copies): the shoulders
//     on the chair's back and her sweater's neckline;
//   - long-hair-glasses' upright frames with her hands raised to her head,
//     the frame's top 80 % (a camera placed lower): the shoulders on her
//     hair and wrist at the chin.
func TestShouldersGuessedAtTheBottomEdgeAreLeftOut(t *testing.T) {
	an := newTestAnalyzer(t)
	d := filepath.Join(dataDir(t), "desk-three-people", "good")
	check := func(name string, m gocv.Mat) {
		t.Helper()
		if me := posture.Measure(freshMatInput(t, an, m, name)); me.Shoulders || !me.ShouldersOut {
			t.Errorf("%s: measured as a pair (neck %.2f eye widths), want the shoulders out of view", name, me.Metrics[domain.MetricNeckEyes])
		}
		if o := analyzeMat(t, an, m, name); o.Posture != domain.PostureGood {
			t.Errorf("%s: %s %s (%s), want good", name, o.Posture, faultList(o.Faults), o.Why)
		}
	}
	for _, f := range []string{"0596.jpg", "0598.jpg", "0663.jpg"} {
		img, in := freshInput(t, an, filepath.Join(d, f))
		if in.Face == nil || in.Face.Score < posture.MinFaceScore {
			img.Close()
			t.Fatalf("%s: no face found", f)
		}
		cut, ok := cutBelowChin(img, in.Face.Box)
		img.Close()
		if !ok {
			t.Fatalf("%s: no window below the chin", f)
		}
		check(fmt.Sprintf("%s cut below the chin", f), cut)
		cut.Close()
	}
	for _, f := range []string{"0193.jpg", "0196.jpg"} {
		img, err := loadImage(filepath.Join(d, f))
		if err != nil {
			t.Fatal(err)
		}
		top := cloneRegion(img, image.Rect(0, 0, img.Cols(), img.Rows()*8/10))
		img.Close()
		check(fmt.Sprintf("%s, its top 80 %%", f), top)
		top.Close()
	}
}
