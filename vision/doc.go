// Package vision turns camera and file frames into posture observations; the only package that uses gocv.
//
// Frames come from a Source (OpenPath, OpenPaths, OpenCamera): still images,
// videos sampled at a fixed rate on their own timeline, directories walked
// recursively, or a webcam paced to the same rate. Pump moves frames from a
// source into a one-slot channel where the newest frame always wins, and
// Annotate draws a skeleton and the verdict on a copy of a frame.
//
// Every gocv.Mat handed out by this package belongs to the receiver, who must
// Close it (Frame.Close). Tests built with -tags matprofile check that the
// live Mat count returns to where it started.
package vision
