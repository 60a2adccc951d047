//go:build !matprofile

package main

// matCount cannot count Mats without -tags matprofile.
func matCount() (int, bool) { return 0, false }
