package vision

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"posturewatch/coach/domain"
	"posturewatch/vision/procmem"
)

// Dropping clean library pages loses nothing: the models give the same
// observations afterwards, and the library pages resident go down.
func TestReleaseUnusedKeepsResultsAndDropsPages(t *testing.T) {
	dir := dataDir(t)
	mp := modelPath(t)
	// What a frame's judgement is, without its clock time. A fresh
	// analyser for each pass: one follows the face from frame to frame.
	type verdict struct {
		Source  string
		Posture domain.Posture
		Why     string
		Faults  []domain.Fault
		Metrics domain.Metrics
	}
	look := func() []verdict {
		an, err := NewAnalyzer(AnalyzerOptions{ModelPath: mp})
		if err != nil {
			t.Fatal(err)
		}
		defer an.Close()
		var out []verdict
		files := []string{"grace_hopper.jpg", "astronaut.png", "messi5.jpg", "coffee.png"}
		for i, f := range files {
			files[i] = filepath.Join(dir, "misc", f)
		}
		err = Walk(files, SourceOptions{FPS: 1}, func(f *Frame, ferr error) {
			if ferr != nil {
				return
			}
			obs, err := an.Analyze(*f)
			if err != nil {
				t.Error(err)
				return
			}
			out = append(out, verdict{obs.Source, obs.Posture, obs.Why, obs.Faults, obs.Metrics})
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	before := look()
	if len(before) != 4 {
		t.Fatalf("only %d frames analysed", len(before))
	}
	fileBefore := statusKB(t, "RssFile")
	dropped, err := ReleaseUnused()
	if err != nil {
		t.Fatal(err)
	}
	fileAfter := statusKB(t, "RssFile")
	t.Logf("library pages dropped: %d MB; RssFile %d → %d MB", dropped>>20, fileBefore>>10, fileAfter>>10)
	if dropped <= 0 || fileAfter >= fileBefore {
		t.Errorf("nothing handed back: dropped %d bytes, RssFile %d → %d kB", dropped, fileBefore, fileAfter)
	}
	after := look()
	if !reflect.DeepEqual(before, after) {
		t.Errorf("judgements changed after the library pages were dropped:\nbefore %+v\nafter  %+v", before, after)
	}
}

func statusKB(t *testing.T, key string) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	kb, ok := procmem.StatusKB(b, key)
	if !ok {
		t.Skipf("no %s in /proc/self/status", key)
	}
	return kb
}
