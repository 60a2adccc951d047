// gocv v0.31 does not expose cv::setNumThreads; this two-line shim does.
#include <opencv2/core.hpp>
#include "threads.h"

void pw_set_num_threads(int n) { cv::setNumThreads(n); }
int pw_get_num_threads(void) { return cv::getNumThreads(); }
