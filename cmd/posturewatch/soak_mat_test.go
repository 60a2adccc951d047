//go:build matprofile

package main

import "gocv.io/x/gocv"

// matCount is the number of OpenCV Mats alive (built with -tags matprofile).
func matCount() (int, bool) { return gocv.MatProfile.Count(), true }
