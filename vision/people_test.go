package vision

import (
	"path/filepath"
	"testing"
	"time"

	"gocv.io/x/gocv"
)

// The face detector counts the people of a user's size in view: one on a
// portrait, two on the portrait beside itself. A followed face is not
// counted (0) until LookAfresh.
func TestObservationCountsPeople(t *testing.T) {
	img := gocv.IMRead(filepath.Join(dataDir(t), "misc", "grace_hopper.jpg"), gocv.IMReadColor)
	defer img.Close()
	if img.Empty() {
		t.Skip("misc/grace_hopper.jpg absent")
	}
	an, err := NewAnalyzer(AnalyzerOptions{ModelPath: modelPath(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer an.Close()
	t0 := time.Now()
	frame := func(m gocv.Mat, i int) int {
		t.Helper()
		obs, err := an.Analyze(Frame{Mat: m, Time: t0.Add(time.Duration(i) * time.Second), Index: i, Source: "people"})
		if err != nil {
			t.Fatal(err)
		}
		return obs.People
	}
	if n := frame(img, 0); n != 1 {
		t.Errorf("a portrait: %d people, want 1", n)
	}
	if n := frame(img, 1); n != 0 {
		t.Errorf("the next frame of the stream follows the face: %d people counted, want 0 (not counted)", n)
	}
	an.LookAfresh()
	if n := frame(img, 2); n != 1 {
		t.Errorf("after LookAfresh: %d people, want 1", n)
	}
	two := gocv.NewMat()
	defer two.Close()
	gocv.Hconcat(img, img, &two)
	an.LookAfresh()
	if n := frame(two, 3); n != 2 {
		t.Errorf("the portrait beside itself: %d people, want 2", n)
	}
	// with several in view every frame is looked at afresh, so the count
	// follows them leaving
	if n := frame(two, 4); n != 2 {
		t.Errorf("the next frame with two: %d people, want 2 (counted again)", n)
	}
	if n := frame(img, 5); n != 1 {
		t.Errorf("after the second person left: %d people, want 1", n)
	}
	if n := frame(img, 6); n != 0 {
		t.Errorf("alone again, the face is followed: %d, want 0 (not counted)", n)
	}
}
