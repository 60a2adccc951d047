//go:build matprofile

package vision

import (
	"image"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"
)

// The whole per-frame path — pose (letterbox, blob, forward), metrics,
// annotation — leaves no Mat behind, including on frames without a person,
// dim frames and failures.
func TestAnalyzerDoesNotLeakMats(t *testing.T) {
	dir := dataDir(t)
	mp := modelPath(t)
	requireNoMatLeak(t, "analyze and annotate", func() {
		an, err := NewAnalyzer(AnalyzerOptions{ModelPath: mp})
		if err != nil {
			t.Fatal(err)
		}
		defer an.Close()
		n, reran, nearFirst := 0, 0, 0
		err = Walk([]string{filepath.Join(dir, "misc"), filepath.Join(dir, "bad"), filepath.Join(dir, "clips", "head-reps.mp4")},
			SourceOptions{FPS: 1}, func(f *Frame, ferr error) {
				if ferr != nil {
					return
				}
				obs, err := an.Analyze(*f)
				if err != nil {
					t.Error(err)
					return
				}
				img := Annotate(f.Mat, obs, 0.3)
				img.Close()
				// The same frame in a dim room: the models see a brightened
				// copy (exposure.go).
				dim := gocv.NewMat()
				f.Mat.ConvertToWithParams(&dim, gocv.MatTypeCV8UC3, 0.1, 0)
				if _, err := an.Analyze(Frame{Mat: dim, Source: f.Source + "#dim"}); err != nil {
					t.Error(err)
				}
				// Backlit: darkened to 0.3, with bright bands round the
				// middle, so a face there is exposed for (backlight.go);
				// the stream's second frame carries the gain.
				lit := gocv.NewMat()
				f.Mat.ConvertToWithParams(&lit, gocv.MatTypeCV8UC3, 0.3, 0)
				w, h := lit.Cols(), lit.Rows()
				for _, r := range []image.Rectangle{image.Rect(0, 0, w, h/4), image.Rect(0, 0, w/4, h), image.Rect(w-w/4, 0, w, h)} {
					band := lit.Region(r)
					band.SetTo(gocv.NewScalar(250, 250, 250, 0))
					band.Close()
				}
				for i := range 2 {
					before := an.passes
					if _, err := an.Analyze(Frame{Mat: lit, Source: f.Source + "#backlit", Index: i}); err != nil {
						t.Error(err)
					}
					reran += an.passes - before - 1
				}
				lit.Close()
				dim.Close()
				// Widened to 16:9 and seen first: the body model's near look
				// is taken beside the mesh (nearBesideMesh), and where the
				// backlit copy is exposed for the face, at that copy first.
				wide := widened(f.Mat, 16.0/9)
				in, err := an.Input(Frame{Mat: wide, Source: f.Source + "#wide"})
				if err != nil {
					t.Error(err)
				}
				if in.Face != nil && in.Face.Score > 0 {
					wideLit := backlitCopy(t, wide, in, 0.3, 0.25)
					cuts := an.faceCuts
					if _, err := an.Analyze(Frame{Mat: wideLit, Source: f.Source + "#wide backlit"}); err != nil {
						t.Error(err)
					}
					if farApart(an.lit.faceGain, 1) && an.faceCuts > cuts {
						nearFirst++
					}
					wideLit.Close()
				}
				wide.Close()
				n++
			})
		if err != nil {
			t.Fatal(err)
		}
		if n < 40 {
			t.Fatalf("only %d frames analysed", n)
		}
		if reran == 0 {
			t.Error("no backlit frame was exposed for its face")
		}
		if nearFirst == 0 {
			t.Error("no backlit 16:9 frame was exposed for its face and looked at about it")
		}
		// A frame of the wrong type is refused without leaking.
		if _, err := an.Analyze(Frame{}); err == nil {
			t.Error("empty frame analysed without error")
		}
	})
}
