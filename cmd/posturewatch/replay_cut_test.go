package main

import (
	"image"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"
)

// People sitting well in a webcam's usual head-and-shoulders framing, the
// shoulders cut by the frame's bottom edge, are not nudged (the held-out
// videos' complaint). The clip is the masked person's good grades (upright
// and the limits either side of it, 49 frames) with the bottom fifth cut
// off, played as a minute at 5 frames a second. Before shoulders placed on
// the jaw stopped counting, nearly every frame read as forward head at full
// severity, and the coach nudged at about 20 s.
func TestReplayNoNudgeWhenTheFrameCutsTheShoulders(t *testing.T) {
	needModel(t)
	var files []string
	for _, g := range []string{"3-forward-limit", "4-upright", "5-extension-limit"} {
		m, _ := filepath.Glob(filepath.Join(dataDir(t), "neck-forward", g, "*.jpg"))
		files = append(files, m...)
	}
	if len(files) < 40 {
		t.Skipf("only %d good neck-forward frames", len(files))
	}
	var frames []gocv.Mat
	defer func() {
		for _, f := range frames {
			f.Close()
		}
	}()
	for _, f := range files {
		m := gocv.IMRead(f, gocv.IMReadColor)
		if m.Empty() {
			m.Close()
			t.Fatalf("%s: not an image", f)
		}
		top := m.Region(image.Rect(0, 0, m.Cols(), m.Rows()*8/10))
		frames = append(frames, top.Clone())
		top.Close()
		m.Close()
	}
	const fps, seconds = 5, 60
	clip := filepath.Join(t.TempDir(), "cut-shoulders.avi")
	w, err := gocv.VideoWriterFile(clip, "MJPG", fps, frames[0].Cols(), frames[0].Rows(), true)
	if err != nil {
		t.Fatal(err)
	}
	if !w.IsOpened() {
		w.Close()
		t.Fatalf("cannot write %s (no MJPEG writer)", clip)
	}
	for i := range fps * seconds {
		// Each frame held for a second, as someone sitting still between
		// small moves.
		if err := w.Write(frames[(i/fps)%len(frames)]); err != nil {
			w.Close()
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	ls := replayJSON(t, clip)
	if n := linesOf(ls, "nudge"); len(n) != 0 {
		t.Errorf("nudged %d times on good sitting with the shoulders cut off: %+v", len(n), n)
	}
	sum := linesOf(ls, "summary")
	if len(sum) != 1 {
		t.Fatalf("summary lines: %+v", sum)
	}
	if sum[0].PresentS < seconds*0.9 {
		t.Errorf("present for %.0f s of %d: the person was lost", sum[0].PresentS, seconds)
	}
	for fault, s := range sum[0].FaultS {
		if s > 5 {
			t.Errorf("%s for %.0f s of good sitting", fault, s)
		}
	}
}
