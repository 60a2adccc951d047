package main

import (
	"fmt"
	"image"
	"image/color"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"
)

// People sitting well in a webcam's usual head-and-shoulders framing, the
// shoulders cut by the frame's bottom edge, are not nudged (the held-out
// videos' complaint). The clip is the masked person's good grades (upright
// and the limits either side of it, 49 frames) with the bottom fifth cut
// off, played as a minute at 5 frames a second. Before shoulders placed on
// the jaw stopped counting, nearly every frame read as forward head at full
// severity, and the coach nudged at about 20 s.
func TestReplayNoNudgeWhenTheFrameCutsTheShoulders(t *testing.T) {
	needModel(t)
	var files []string
	for _, g := range []string{"3-forward-limit", "4-upright", "5-extension-limit"} {
		m, _ := filepath.Glob(filepath.Join(dataDir(t), "neck-forward", g, "*.jpg"))
		files = append(files, m...)
	}
	if len(files) < 40 {
		t.Skipf("only %d good neck-forward frames", len(files))
	}
	frames := readFrames(t, files)
	const fps, seconds = 5, 60
	// Each frame held for a second, as someone sitting still between small
	// moves.
	clip := writeTopOf(t, fps, fps*seconds, func(i int) gocv.Mat { return frames[(i/fps)%len(frames)] })

	expectSittingWell(t, replayJSON(t, clip), seconds)
}

// Someone sitting upright nearer the camera, so that the frame's bottom
// edge runs along the shoulders: each upright frame cut to its middle
// 1/1.3 across and a little below its middle (the face 1.3 times as large,
// the shoulders' line at the bottom edge; 1/1.15 where said), held for ten
// seconds, as someone sitting still holds a pose.
//   - slouch-or-not's 32 upright frames: as photos, 5 are called bad, a
//     head forward, as the body model places the shoulders the frame cuts
//     on their tops and the neck reads short. As a session, the camera's
//     view is learnt from them and judged against; judged by the defaults
//     alone (no view learnt), it nudged at 142 s.
//   - the masked person's upright grades (4 and 5, 31 frames): the body
//     model finds her shoulders in a third of the frames of the first two
//     minutes, and places every one on her hair, 1.6–1.9 eye widths under
//     the eyes. Before the learner waited for the view while the shoulders
//     seldom showed (posture.Learner.Gathering), it gave up after 30 of
//     them and the coach nudged a head forward at 121.5 s.
//   - her "limit of acceptable" forward head (a good grade) and then her
//     upright, 1.15 times as near: the first minute shows one shoulder, so
//     the view comes from those frames, and then both, placed at the
//     picture's bottom edge a neck's length too high. Judged by their own
//     shape against a view that never saw a pair, they were a head forward
//     at full severity, nudged at 82 s (posture's unseenAtTheEdge).
func TestReplayNoNudgeSittingNearer(t *testing.T) {
	needModel(t)
	for _, c := range []struct {
		name  string
		globs []string
		zoom  float64
	}{
		{"slouch-or-not", []string{"slouch-or-not/upright/*"}, 1.3},
		{"masked", []string{"neck-forward/4-upright/*.jpg", "neck-forward/5-extension-limit/*.jpg"}, 1.3},
		{"masked, limit first", []string{"neck-forward/3-forward-limit/*.jpg", "neck-forward/4-upright/*.jpg"}, 1.15},
	} {
		t.Run(c.name, func(t *testing.T) {
			var files []string
			for _, g := range c.globs {
				m, _ := filepath.Glob(filepath.Join(dataDir(t), g))
				files = append(files, m...)
			}
			if len(files) < 30 {
				t.Skipf("only %d upright frames", len(files))
			}
			var nearer []gocv.Mat
			for _, f := range readFrames(t, files) {
				// Scaled about the point at the middle across and 55 %
				// down: the frame's middle 1/zoom, a little below its
				// middle.
				centre := image.Pt(f.Cols()/2, f.Rows()*55/100)
				nearer = append(nearer, closedWithTest(t, moved(f, centre, 0, c.zoom, 0, 0)))
			}
			expectHeldSittingWell(t, nearer, 10, 1, 10)
		})
	}
}

// Someone framed so that the frame's bottom edge cuts the shoulders, the
// body model finding one of them: grey-sweatshirt's upright frames (every
// sixth of 180, 30) cut to their top 80 %, each held ten seconds. The body
// model places a lone shoulder on her chair's back, at 0.88 of the
// picture's height and 1.6–2.1 eye widths under her eyes, so by the
// defaults every frame reads as a full-blown head forward. The learner took
// only a pair of shoulders at the picture's bottom edge for the framing
// (posture's Learner.framedLow): it found no frame that looked better than
// full-blown, learnt nothing, and the coach nudged 20 s in.
func TestReplayNoNudgeOneShoulderAtTheEdge(t *testing.T) {
	needModel(t)
	var files []string
	for _, g := range []string{"05[4-9]*.jpg", "06*.jpg", "07[01]*.jpg"} {
		m, _ := filepath.Glob(filepath.Join(dataDir(t), "desk-three-people", "good", g))
		files = append(files, m...)
	}
	var every []string
	for i := 0; i < len(files); i += 6 {
		every = append(every, files[i])
	}
	if len(every) < 30 {
		t.Skipf("only %d of grey-sweatshirt's upright frames", len(every))
	}
	expectHeldSittingWell(t, readFrames(t, every), 10, 1, 8)
}

// Someone framed with the frame's bottom edge at the shoulder line, as
// webcams often frame people: slouch-or-not's upright frames of one sitting
// (17) cut to the top 60, 63 and 66 % of their height (his shoulders sit at
// 61–62 %), each held 2 s, three times over. The body model places the shoulders the edge
// cuts on his collar, at 83–87 % of the picture's height, and by the
// defaults most frames read as a full-blown head forward. The learner took
// the framing for their cause only from 85 %: the view came late or not
// at all, and two of the three sessions were nudged 29.5 s in (held 10 s,
// all three, 20 s in). See posture's viewLowInPicture.
func TestReplayNoNudgeFramedAtTheShoulderLine(t *testing.T) {
	needModel(t)
	files, _ := filepath.Glob(filepath.Join(dataDir(t), "slouch-or-not", "upright", "middle-*.jpg"))
	if len(files) < 15 {
		t.Skipf("only %d upright frames of slouch-or-not's middle sitting", len(files))
	}
	frames := readFrames(t, files)
	for _, rows := range []float64{0.60, 0.63, 0.66} {
		t.Run(fmt.Sprintf("top %.0f%%", 100*rows), func(t *testing.T) {
			expectHeldSittingWell(t, topOf(t, frames, rows), 2, 3, 10) // 102 s
		})
	}
}

// expectHeldSittingWell plays frames as a session of good sitting at 2
// frames a second, each held hold seconds, rounds times over, the top
// tenths/10 of each frame kept, and checks it as expectSittingWell does,
// with the camera's view learnt.
func expectHeldSittingWell(t *testing.T, frames []gocv.Mat, hold, rounds, tenths int) {
	t.Helper()
	const fps = 2
	n := fps * hold * len(frames) * rounds
	clip := writeClip(t, fps, n, tenths, func(i int) gocv.Mat { return frames[(i/(fps*hold))%len(frames)] })
	ls := replayJSON(t, clip)
	expectSittingWell(t, ls, float64(hold*len(frames)*rounds))
	if s := linesOf(ls, "summary"); len(s) != 1 || s[0].Learnt == nil {
		t.Errorf("summary %+v: want the camera's view learnt", s)
	}
}

// expectSittingWell checks a replay of seconds of good sitting: no nudge,
// the sitter present nearly all the time, and no fault timed for more
// than a few seconds.
func expectSittingWell(t *testing.T, ls []replayLine, seconds float64) {
	t.Helper()
	if n := linesOf(ls, "nudge"); len(n) != 0 {
		t.Errorf("nudged %d times on good sitting: %+v", len(n), n)
	}
	sum := linesOf(ls, "summary")
	if len(sum) != 1 {
		t.Fatalf("summary lines: %+v", sum)
	}
	if sum[0].PresentS < seconds*0.9 {
		t.Errorf("present for %.0f s of %.0f: the sitter was lost", sum[0].PresentS, seconds)
	}
	for fault, s := range sum[0].FaultS {
		if s > 5 {
			t.Errorf("%s for %.0f s of good sitting", fault, s)
		}
	}
}

// The same framing still shows a head poked forward: the forward-head clip
// with its bottom fifth cut off (no shoulder in view, the face alone to go
// by) is nudged once, about 20 s into the 40 s of forward head, and seen
// back upright after it.
func TestReplayCutShouldersStillShowAForwardHead(t *testing.T) {
	frames, fps := forwardHeadFrames(t, nil)
	clip := writeTopOf(t, fps, len(frames), func(i int) gocv.Mat { return frames[i] })
	expectForwardHeadNudged(t, replayJSON(t, clip))
}

// forwardHeadFrames are the forward-head clip's frames (80 s at 5 frames a
// second), each passed through shape when it is not nil (shape returns a
// new Mat), closed when the test ends, and the clip's frame rate.
func forwardHeadFrames(t *testing.T, shape func(gocv.Mat) gocv.Mat) ([]gocv.Mat, float64) {
	t.Helper()
	src := replayClip(t, "forward-head-session.mp4")
	c, err := gocv.VideoCaptureFile(src)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var frames []gocv.Mat
	for {
		m := gocv.NewMat()
		if !c.Read(&m) || m.Empty() {
			m.Close()
			break
		}
		if shape != nil {
			shaped := shape(m)
			m.Close()
			m = shaped
		}
		frames = append(frames, closedWithTest(t, m))
	}
	fps := c.Get(gocv.VideoCaptureFPS)
	if len(frames) < 300 || fps != 5 {
		t.Fatalf("the clip has %d frames at %v frames/s, want 80 s at 5", len(frames), fps)
	}
	return frames, fps
}

// expectForwardHeadNudged checks a replay of the forward-head clip (as it
// is or reframed): one nudge 40–45 s in (forward head from 20 s), and the
// sitter seen upright again within 5 s after 60 s.
func expectForwardHeadNudged(t *testing.T, ls []replayLine) {
	t.Helper()
	nudges := linesOf(ls, "nudge")
	if len(nudges) != 1 || nudges[0].TS < 40 || nudges[0].TS > 45 {
		t.Fatalf("want one nudge 40–45 s into the clip (forward head from 20 s), got %+v", nudges)
	}
	var back bool
	for _, l := range linesOf(ls, "state") {
		if l.State == "good" && l.TS >= 60 && l.TS <= 65 {
			back = true
		}
	}
	if !back {
		t.Errorf("not seen back upright within 5 s after 60 s: %+v", linesOf(ls, "state"))
	}
}

// writeTopOf writes n frames, frame(i) each cut to its top 80 % (the
// shoulders leave it), as an MJPEG video at fps in a temp dir.
func writeTopOf(t *testing.T, fps float64, n int, frame func(i int) gocv.Mat) string {
	t.Helper()
	return writeClip(t, fps, n, 8, frame)
}

// writeClip writes n frames, frame(i) each cut to its top tenths/10, as an
// MJPEG video at fps in a temp dir.
func writeClip(t *testing.T, fps float64, n, tenths int, frame func(i int) gocv.Mat) string {
	t.Helper()
	first := frame(0)
	w0, h0 := first.Cols(), first.Rows()*tenths/10
	clip := filepath.Join(t.TempDir(), "clip.avi")
	w, err := gocv.VideoWriterFile(clip, "MJPG", fps, w0, h0, true)
	if err != nil {
		t.Fatal(err)
	}
	if !w.IsOpened() {
		w.Close()
		t.Fatalf("cannot write %s (no MJPEG writer)", clip)
	}
	for i := range n {
		m := frame(i)
		if m.Cols() != w0 || m.Rows()*tenths/10 != h0 {
			w.Close()
			t.Fatalf("frame %d is %d×%d, the first %d×%d", i, m.Cols(), m.Rows(), first.Cols(), first.Rows())
		}
		top := m.Region(image.Rect(0, 0, w0, h0))
		cut := top.Clone() // the writer wants a continuous picture
		top.Close()
		err := w.Write(cut)
		cut.Close()
		if err != nil {
			w.Close()
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil { // the index is written on close
		t.Fatal(err)
	}
	return clip
}

// closedWithTest is m, closed when the test ends.
func closedWithTest(t *testing.T, m gocv.Mat) gocv.Mat {
	t.Cleanup(func() { m.Close() })
	return m
}

// readFrames reads image files as BGR frames, closed when the test ends.
func readFrames(t *testing.T, files []string) []gocv.Mat {
	t.Helper()
	var frames []gocv.Mat
	for _, f := range files {
		m := gocv.IMRead(f, gocv.IMReadColor)
		if m.Empty() {
			m.Close()
			t.Fatalf("%s: not an image", f)
		}
		frames = append(frames, closedWithTest(t, m))
	}
	return frames
}

// shifted is m moved by dx, dy pixels (the edge rows and columns repeated
// into the gap), as a camera turned a little shows the same scene.
func shifted(m gocv.Mat, dx, dy float64) gocv.Mat { return moved(m, image.Point{}, 0, 1, dx, dy) }

// moved is m turned by deg degrees (counter-clockwise on screen) and scaled
// by scale about centre, then shifted by dx, dy pixels, the edge rows and
// columns repeated into the gaps: someone leaning sideways, nearer or
// farther, or shifting in the chair.
func moved(m gocv.Mat, centre image.Point, deg, scale, dx, dy float64) gocv.Mat {
	tf := gocv.GetRotationMatrix2D(centre, deg, scale)
	defer tf.Close()
	tf.SetDoubleAt(0, 2, tf.GetDoubleAt(0, 2)+dx)
	tf.SetDoubleAt(1, 2, tf.GetDoubleAt(1, 2)+dy)
	out := gocv.NewMat()
	gocv.WarpAffineWithParams(m, &out, tf, image.Pt(m.Cols(), m.Rows()), gocv.InterpolationLinear, gocv.BorderReplicate, color.RGBA{})
	return out
}

// A camera of another shape shows the same session: the forward-head clip
// cut to a square (540×540 of its 960×540) or to a portrait 3:4 (405×540)
// about the sitter, as a square crop or a phone on its side frames her, is
// nudged as the whole clip is, about 20 s into the 40 s of forward head,
// and seen back upright after it. Before the body model looked again at a
// frame whose head it lost (vision's NewFarLetterbox), the square frames of
// her worst forward head were mostly called away, and the coach said
// nothing. Cut to the portrait, the camera-move check took her forward head
// for the camera moved (her hair rose out of the region it leaves out for
// her head, in a frame with little room beside her), the view was learnt
// afresh from her forward head and nothing was said, until that region
// reached higher (vision's personIn).
func TestReplayForwardHeadSessionCutSquare(t *testing.T) {
	for _, width := range []int{540, 405} {
		t.Run(fmt.Sprintf("%d×540", width), func(t *testing.T) {
			frames, fps := forwardHeadFrames(t, func(m gocv.Mat) gocv.Mat {
				x := (m.Cols() - width) / 2
				roi := m.Region(image.Rect(x, 0, x+width, m.Rows()))
				defer roi.Close()
				return roi.Clone()
			})
			clip := writeClip(t, fps, len(frames), 10, func(i int) gocv.Mat { return frames[i] })
			ls := replayJSON(t, clip)
			expectForwardHeadNudged(t, ls)
			if s := linesOf(ls, "summary"); len(s) != 1 || s[0].PresentS < 76 {
				t.Errorf("summary %+v: want the sitter present nearly all 80 s", s)
			}
		})
	}
}
