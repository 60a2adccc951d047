package procmem

import (
	"reflect"
	"testing"
)

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
	ms := ParseSmaps([]byte(smapsSample))
	if len(ms) != 8 {
		t.Fatalf("%d mappings parsed, want 8: %+v", len(ms), ms)
	}
	var clean []string
	for _, m := range ms {
		if m.CleanLibrary() {
			clean = append(clean, m.Perms+" "+m.Path)
		}
	}
	want := []string{"r-xp /usr/lib/x86_64-linux-gnu/libopencv_core.so.4.6.0"}
	if !reflect.DeepEqual(clean, want) {
		t.Errorf("clean library mappings %q, want %q", clean, want)
	}
	if ms[1].RSS != 300<<10 || ms[1].Start != 0x7f0000000000 || ms[1].End != 0x7f0000100000 {
		t.Errorf("mapping read as %+v", ms[1])
	}
}

func FuzzParseSmaps(f *testing.F) {
	f.Add([]byte(smapsSample))
	f.Add([]byte("0-1 r-xp 0 0:0 0 /x.so\nRss: 99999999999999999999 kB\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, m := range ParseSmaps(b) {
			if m.CleanLibrary() && (m.End <= m.Start || m.Anon != 0 || m.Perms[1] != '-') {
				t.Fatalf("unsafe mapping taken as clean: %+v", m)
			}
		}
	})
}

func TestStatusKB(t *testing.T) {
	status := []byte("Name:\tposturewatch\nVmHWM:\t  182876 kB\nVmRSS:\t  178660 kB\nRssAnon:\t   93840 kB\nThreads:\t10\n")
	for key, want := range map[string]int64{"VmHWM": 182876, "VmRSS": 178660, "RssAnon": 93840} {
		if got, ok := StatusKB(status, key); !ok || got != want {
			t.Errorf("%s = %d, %v; want %d", key, got, ok, want)
		}
	}
	if _, ok := StatusKB(status, "RssFile"); ok {
		t.Error("a figure the file lacks was found")
	}
	if _, ok := StatusKB(status, "Name"); ok {
		t.Error("a line that is not a number of kB was read as one")
	}
}
