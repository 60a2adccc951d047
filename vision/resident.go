package vision

/*
#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>

static int pw_limit_arenas(int n) { return mallopt(M_ARENA_MAX, n); }
static int pw_malloc_trim(void) { return malloc_trim(0); }
static int pw_dontneed(uintptr_t addr, size_t len) {
	return madvise((void *)addr, len, MADV_DONTNEED);
}
*/
import "C"

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Where the resident memory of a monitoring process goes, measured on the
// demo clip (see the README's budget table): OpenCV's shared libraries drag
// in some 260 others (Qt for highgui, GDAL and GDCM for imgcodecs, FFmpeg
// and GStreamer for videoio), whose constructors and relocations touch
// ~85 MB of library pages at start that the frame loop never uses again;
// and glibc gives each thread that calls malloc its own arena (64 MB
// address space each), so OpenCV's and FFmpeg's worker threads each keep
// their own high-water mark of freed memory.

// arenaLimit caps glibc's malloc arenas. With the default (8 per core) the
// analyser, decoder and OpenCV worker threads each grew an arena and held
// ~20 MB more in freed blocks; two serve a few threads at no measurable
// cost in speed.
const arenaLimit = 2

func init() {
	// Before OpenCV starts its worker threads: an arena, once made, stays.
	C.pw_limit_arenas(C.int(arenaLimit))
}

// ReleaseUnused hands back to the kernel what the process holds but does
// not use: free memory at the top and inside malloc's arenas, and the pages
// of shared libraries that only their start-up touched. It returns the
// number of library bytes dropped. Call it after the models are loaded and
// the first frames analysed (the loop's own pages come straight back, from
// the page cache, as minor faults) and when the camera is put to rest.
func ReleaseUnused() (int64, error) {
	C.pw_malloc_trim()
	return dropCleanLibraryPages()
}

// dropCleanLibraryPages drops this process's mappings of read-only library
// pages that were never written. A private file mapping refills such pages
// from the file on the next access, identical, so nothing is lost. A
// mapping holding any written page (the relocations a RELRO segment holds
// after the loader made it read-only) is left alone: dropping it would
// lose the relocations.
func dropCleanLibraryPages() (int64, error) {
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		return 0, fmt.Errorf("reading the memory map: %w", err)
	}
	var dropped int64
	for _, m := range parseSmaps(b) {
		if !m.cleanLibrary() {
			continue
		}
		if r := C.pw_dontneed(C.uintptr_t(m.start), C.size_t(m.end-m.start)); r == 0 {
			dropped += m.rss
		}
	}
	return dropped, nil
}

// mapping is one entry of /proc/self/smaps, with what ReleaseUnused needs.
type mapping struct {
	start, end uint64
	perms      string
	path       string
	rss        int64 // bytes resident
	anon       int64 // bytes of written (private, copied) pages
	locked     bool
}

// cleanLibrary reports whether m is a shared library's read-only mapping
// with nothing written in it.
func (m mapping) cleanLibrary() bool {
	if len(m.perms) < 4 || m.perms[1] != '-' || m.perms[3] != 'p' {
		return false // writable or shared
	}
	if !strings.HasPrefix(m.path, "/") || !strings.Contains(m.path, ".so") {
		return false // anonymous, [stack] and the like, or the program itself
	}
	return m.anon == 0 && !m.locked && m.rss > 0 && m.end > m.start
}

// parseSmaps reads the entries of an smaps file. Lines it does not know
// are skipped; a malformed header ends the entry list.
func parseSmaps(b []byte) []mapping {
	var out []mapping
	var cur *mapping
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if strings.HasSuffix(fields[0], ":") { // "Rss:    12 kB"
			if cur == nil || len(fields) < 2 {
				continue
			}
			n, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				continue
			}
			switch fields[0] {
			case "Rss:":
				cur.rss = n << 10
			case "Anonymous:":
				cur.anon = n << 10
			case "Locked:":
				cur.locked = n > 0
			}
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		if !ok || len(fields) < 5 {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		m := mapping{start: start, end: end, perms: fields[1]}
		if len(fields) >= 6 {
			m.path = strings.Join(fields[5:], " ")
		}
		out = append(out, m)
		cur = &out[len(out)-1]
	}
	return out
}
