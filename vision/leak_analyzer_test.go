//go:build matprofile

package vision

import (
	"path/filepath"
	"testing"
)

// The whole per-frame path — pose (letterbox, blob, forward), metrics,
// annotation — leaves no Mat behind, including on frames without a person
// and on failures.
func TestAnalyzerDoesNotLeakMats(t *testing.T) {
	dir := dataDir(t)
	mp := modelPath(t)
	requireNoMatLeak(t, "analyze and annotate", func() {
		an, err := NewAnalyzer(AnalyzerOptions{ModelPath: mp})
		if err != nil {
			t.Fatal(err)
		}
		defer an.Close()
		n := 0
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
				n++
			})
		if err != nil {
			t.Fatal(err)
		}
		if n < 40 {
			t.Fatalf("only %d frames analysed", n)
		}
		// A frame of the wrong type is refused without leaking.
		if _, err := an.Analyze(Frame{}); err == nil {
			t.Error("empty frame analysed without error")
		}
	})
}
