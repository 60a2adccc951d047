package vision

/*
#cgo pkg-config: opencv4
#cgo CXXFLAGS: -std=c++11
#include "threads.h"
*/
import "C"

// SetThreads sets OpenCV's worker thread count for the whole process
// (n ≤ 0 leaves OpenCV's default). It returns the count in force.
func SetThreads(n int) int {
	if n > 0 {
		C.pw_set_num_threads(C.int(n))
	}
	return int(C.pw_get_num_threads())
}
