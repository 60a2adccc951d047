package vision

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"posturewatch/coach/domain"
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
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return n
		}
	}
	t.Skipf("no %s in /proc/self/status", key)
	return 0
}

const smapsSample = `55d0c0a00000-55d0c0c00000 r-xp 00000000 08:01 123 /usr/bin/posturewatch
Rss:                 512 kB
Anonymous:             0 kB
7f0000000000-7f0000100000 r-xp 00000000 08:01 456 /usr/lib/x86_64-linux-gnu/libopencv_core.so.4.6.0
Size:               1024 kB
Rss:                 300 kB
Anonymous:             0 kB
Locked:                0 kB
VmFlags: rd ex mr mw me
7f0000100000-7f0000110000 r--p 00100000 08:01 456 /usr/lib/x86_64-linux-gnu/libopencv_core.so.4.6.0
Rss:                  64 kB
Anonymous:            64 kB
7f0000110000-7f0000120000 rw-p 00110000 08:01 456 /usr/lib/x86_64-linux-gnu/libopencv_core.so.4.6.0
Rss:                  64 kB
Anonymous:            64 kB
7f0000200000-7f0000300000 rw-p 00000000 00:00 0
Rss:                1024 kB
Anonymous:          1024 kB
7f0000400000-7f0000401000 r--p 00000000 08:01 789 /usr/lib/locale/C.utf8/LC_CTYPE
Rss:                   4 kB
Anonymous:             0 kB
7f0000500000-7f0000600000 r-xp 00000000 08:01 999 /usr/lib/libmlocked.so.1
Rss:                  12 kB
Anonymous:             0 kB
Locked:               12 kB
7f0000700000-7f0000800000 r--s 00000000 08:01 1000 /usr/lib/libshared.so
Rss:                  12 kB
Anonymous:             0 kB
not a header line at all
`

// Only read-only, private, never-written library mappings are dropped:
// not the program, not a RELRO segment holding relocations, not data, not
// locked or shared mappings.
func TestCleanLibraryMappings(t *testing.T) {
	ms := parseSmaps([]byte(smapsSample))
	if len(ms) != 8 {
		t.Fatalf("%d mappings parsed, want 8: %+v", len(ms), ms)
	}
	var clean []string
	for _, m := range ms {
		if m.cleanLibrary() {
			clean = append(clean, m.perms+" "+m.path)
		}
	}
	want := []string{"r-xp /usr/lib/x86_64-linux-gnu/libopencv_core.so.4.6.0"}
	if !reflect.DeepEqual(clean, want) {
		t.Errorf("clean library mappings %q, want %q", clean, want)
	}
	if ms[1].rss != 300<<10 || ms[1].start != 0x7f0000000000 || ms[1].end != 0x7f0000100000 {
		t.Errorf("mapping read as %+v", ms[1])
	}
}

func FuzzParseSmaps(f *testing.F) {
	f.Add([]byte(smapsSample))
	f.Add([]byte("0-1 r-xp 0 0:0 0 /x.so\nRss: 99999999999999999999 kB\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, m := range parseSmaps(b) {
			if m.cleanLibrary() && (m.end <= m.start || m.anon != 0 || m.perms[1] != '-') {
				t.Fatalf("unsafe mapping taken as clean: %+v", m)
			}
		}
	})
}
