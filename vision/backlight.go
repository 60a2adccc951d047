package vision

import (
	"image"

	"gocv.io/x/gocv"

	"posturewatch/vision/face"
)

// Backlight (a window or a bright wall behind the sitter) makes a camera
// expose for the bright background: the face comes out dark while the frame
// as a whole is bright, so neither the dim frame's gain nor the washed-out
// stretch applies. With the development frames' sitters darkened to 0.3 in
// front of a room taken towards white, 13 of 140 desk frames and 13 of 51
// slouch-or-not frames changed class, most of them slumps whose shoulders
// the body model lost against the light.
//
// The models' copy of a backlit frame is exposed for the face, as a
// camera's face-priority exposure would: brightened until the face's middle
// reaches faceLit, the background clipping to white (3 and 6 change:
// TestBacklitFramesKeepTheirClass). The face's level is measured on the
// frame as taken, so the correction does not feed on itself. The light
// stays from frame to frame of a stream, so the gain found on one frame is
// applied to the next before the models run, one pass over the frame. On a
// photo, or a stream's first backlit frame, the face path exposes for the
// face as soon as the detector has found it, before the mesh (exposing):
// the mesh reads the exposed copy once, and the body model looks at it a
// second time once the mesh has read it (BenchmarkFrameWholePathBacklit:
// 18.1 ms against 20.1 when both models ran again after the first pass,
// medians of 8 runs on 2 threads; the body model beside the mesh, the two
// sharing the two cores, was no faster; a wide frame's near and whole looks
// at the copy are taken at once, Analyzer.bothLooks). A light that changes under a
// followed face, where the detector does not run, still runs both again.
// Only a face the mesh reads is exposed for: an unmeshable one (a mask, a
// head tipped far back or turned to a profile) is placed by the detector's
// six landmarks, which the exposed copy's coarse quantisation moves. Its
// exposed copy is tried once, the mesh then reading the copy as made, and
// not again on the stream while the face asks for about the same. The
// masked person's frames changed class backlit 2 of 51 times as they were
// and 6 exposed for: brightened, they read a turn from the detector's nose
// or lost a shoulder at the frame's edge. Gated, 2.
// No development photo is backlit (faces' middles 115–176 in frames of
// 55–179 over 446 of them): the recorded features are byte for byte the
// same, but for three empty scenes (misc/coffee.png, two vtest.avi frames)
// whose dark guessed face the mesh refused exposed for, and whose refused
// mesh's score (under 0.01) now comes from the exposed copy (exposing);
// make eval is unchanged. A tone curve lifting the shadows and sparing the
// highlights held the desk frames worse (in a probe with a rougher
// outline, 30 of 279 changed against 14 with the gain), and exposing the
// body model's copy alone, not the face models', did no better overall.
const (
	faceDark     = 80.0  // a face's middle darker than this (0–255) …
	faceDarkFull = 55.0  // … and fully corrected from this level down
	backlitFrom  = 30.0  // in a frame brighter than the face by more than this …
	backlitFull  = 50.0  // … and fully from this
	faceLit      = 115.0 // the level the face's middle is brought to: the darkest development face's
	maxFaceGain  = 3.0   // at most: a darker face is mostly noise
	regainRatio  = 1.25  // the models run again when the face asks for a gain this far from the one they saw
	backlitShown = 1.5   // a frame whose face asks for this gain or more is reported backlit (Observation.Backlit), with advice
)

// modelsCopy is the models' copy of a frame (a dim frame brightened, a
// washed-out one stretched, a backlit one exposed for the face), reused from
// frame to frame, and the gain the last frame's face asked for.
type modelsCopy struct {
	copy     gocv.Mat
	exposed  gocv.Mat // the copy exposed for a face the detector has just found (exposing)
	source   string   // the stream the gain was found on
	faceGain float64  // faceGain of its last frame's face
	asked    float64  // the gain the last frame's face asked for, exposed for or not (an unmeshable face is not)
	refused  float64  // a gain a face of the stream asked for, tried and refused (modelsRun.refused); 0 none
}

// faceLevel is the mean brightness of the middle of a face box (the inner
// 60 %: eyes, nose, cheeks, without hair or background); ok is false when
// that region is empty.
func faceLevel(img gocv.Mat, b face.Box) (level float64, ok bool) {
	w, h := b.MaxX-b.MinX, b.MaxY-b.MinY
	r := image.Rect(int(b.MinX+0.2*w), int(b.MinY+0.2*h), int(b.MaxX-0.2*w), int(b.MaxY-0.2*h)).
		Intersect(image.Rect(0, 0, img.Cols(), img.Rows()))
	if r.Dx() < 2 || r.Dy() < 2 {
		return 0, false
	}
	region := img.Region(r)
	defer region.Close()
	s := region.Mean()
	return 0.114*s.Val1 + 0.587*s.Val2 + 0.299*s.Val3, true
}

// faceGain is the gain the models' copy of a frame of this mean brightness
// gets for a face of this level: 1 unless the face is dark against a
// brighter frame. It grows from 1 as the face darkens from faceDark to
// faceDarkFull and as the frame's lead over the face grows from backlitFrom
// to backlitFull, so a face whose level hovers about a line does not reach
// the models brightened on one frame and as it is on the next.
func faceGain(level, frameMean float64) float64 {
	gap := frameMean - level
	if !(level > 0) || level >= faceDark || gap <= backlitFrom {
		return 1
	}
	t := min(1, (faceDark-level)/(faceDark-faceDarkFull)) * min(1, (gap-backlitFrom)/(backlitFull-backlitFrom))
	return 1 + t*(min(maxFaceGain, faceLit/level)-1)
}
