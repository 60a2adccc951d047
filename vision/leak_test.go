//go:build matprofile

package vision

import (
	"errors"
	"io"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"
)

// requireNoMatLeak runs f and fails if gocv's live Mat count differs after it.
func requireNoMatLeak(t *testing.T, what string, f func()) {
	t.Helper()
	before := gocv.MatProfile.Count()
	f()
	if after := gocv.MatProfile.Count(); after != before {
		t.Errorf("%s: %d Mats leaked (live Mats %d → %d)", what, after-before, before, after)
	}
}

func TestSourcesDoNotLeakMats(t *testing.T) {
	root := srcData(t, ".")
	paths := []string{
		filepath.Join(root, "bad"), // every broken file
		filepath.Join(root, "misc"),
		filepath.Join(root, "slouch-or-not/upright"),
		filepath.Join(root, "clips/head-reps.mp4"),
	}
	requireNoMatLeak(t, "read everything", func() {
		src, err := OpenPaths(paths, SourceOptions{FPS: 2})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		frames, items := drainSource(t, src, nil)
		if len(frames) < 50 || len(items) == 0 {
			t.Fatalf("got %d frames and %d item errors: want many of both", len(frames), len(items))
		}
	})
	requireNoMatLeak(t, "close sources part-way", func() {
		for _, rel := range []string{"clips/forward-head-session.mp4", "misc/vtest.avi", "misc/grace_hopper.jpg", "neck-forward"} {
			src, err := OpenPath(filepath.Join(root, rel), SourceOptions{FPS: 3, Loop: true})
			if err != nil {
				t.Fatal(err)
			}
			f, err := src.Next()
			if err != nil {
				t.Fatal(err)
			}
			f.Close()
			src.Close()
			src.Close() // twice is harmless
		}
		// Opened but never read: the frame read at open is released.
		src, err := OpenPath(filepath.Join(root, "clips/away-and-back.mp4"), SourceOptions{})
		if err != nil {
			t.Fatal(err)
		}
		src.Close()
	})
	requireNoMatLeak(t, "loop over the end", func() {
		src, err := OpenPath(filepath.Join(root, "clips/away-and-back.mp4"), SourceOptions{FPS: 1, Loop: true})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		for range 95 {
			f, err := src.Next()
			if err != nil {
				t.Fatal(err)
			}
			f.Close()
		}
	})
	requireNoMatLeak(t, "camera error path", func() {
		if _, err := OpenCamera("/dev/null", SourceOptions{}); err == nil {
			t.Fatal("no error")
		}
	})
}

// TestSlotDropsAndClosesLeak checks that frames a slow consumer never sees
// are closed by put, and that DrainSlot leaves nothing behind.
func TestSlotDropsAndClosesLeak(t *testing.T) {
	requireNoMatLeak(t, "put 200 frames, nobody takes them", func() {
		src := &countingSource{n: 200}
		slot := NewSlot()
		before := gocv.MatProfile.Count()
		for {
			f, err := src.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			put(slot, f)
		}
		// 199 frames were dropped; only the newest is alive, in the slot.
		if live := gocv.MatProfile.Count() - before; live != 1 {
			t.Fatalf("after putting 200 frames with no consumer, %d Mats alive, want 1", live)
		}
		f := <-slot
		if f.Index != 199 {
			t.Errorf("slot holds frame %d, want 199", f.Index)
		}
		f.Close()
		put(slot, Frame{Mat: gocv.NewMat()})
		DrainSlot(slot)
	})
}
