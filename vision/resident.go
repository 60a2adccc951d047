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
	"fmt"
	"os"

	"posturewatch/vision/procmem"
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
	for _, m := range procmem.ParseSmaps(b) {
		if !m.CleanLibrary() {
			continue
		}
		if r := C.pw_dontneed(C.uintptr_t(m.Start), C.size_t(m.End-m.Start)); r == 0 {
			dropped += m.RSS
		}
	}
	return dropped, nil
}
