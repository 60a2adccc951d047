package main

import (
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"posturewatch/coach/domain"

	"gocv.io/x/gocv"
)

// Someone the development data never saw, sitting well, is not nudged. The
// gocv module's screenshot of a man at his webcam (`images/face-detect.jpg`,
// in the module cache beside the build), mirrored, reads as a head forward by
// the defaults on one frame: his eyes sit 2.6 eye widths above his shoulders,
// where the development people's upright median is 3.2. Played as a
// two-minute session (shifted by a pixel or two from second to second, as a
// still sitter is), the defaults alone call all 120 frames bad (55 before the
// body model's band below a landscape frame was carried and the score
// refitted, which placed his shoulders lower but drew the line higher). The
// coach waits for the view learnt from the session before a fault the
// camera can fake counts (domain.Observation.Provisional); without that it
// nudged him at 20 s, and the view, once learnt, sees him sitting as he sits.
func TestReplayUnseenManSittingWellIsNotNudged(t *testing.T) {
	needModel(t)
	photo := gocvPhoto(t, "face-detect.jpg")
	mirrored := gocv.NewMat()
	defer mirrored.Close()
	gocv.Flip(readFrames(t, []string{photo})[0], &mirrored, 1)
	var frames []gocv.Mat
	for dx := -2; dx <= 2; dx++ {
		frames = append(frames, closedWithTest(t, shifted(mirrored, float64(dx), 0)))
	}
	const fps = 5
	clip := writeClip(t, fps, fps*120, 10, func(i int) gocv.Mat { return frames[(i/fps)%len(frames)] })

	// The premise: judged frame by frame by the defaults, he often sits badly.
	code, stdout, errOut := run(t, "analyze", "--json", "--fps", "1", clip)
	if code != 0 {
		t.Fatalf("analyze exit %d: %s", code, errOut)
	}
	recs := jsonLines(t, stdout)
	bad := 0
	for _, r := range recs {
		if r.Posture == domain.PostureBad {
			bad++
		}
	}
	t.Logf("by the defaults %d of %d frames are bad", bad, len(recs))
	if bad*3 < len(recs) {
		t.Fatalf("by the defaults %d of %d frames are bad: the test no longer shows what the learnt view does", bad, len(recs))
	}
	ls := replayJSON(t, clip)
	if nudges := linesOf(ls, "nudge"); len(nudges) != 0 {
		t.Errorf("nudged %d times on an unseen man sitting well: %+v", len(nudges), nudges)
	}
	if s := linesOf(ls, "summary"); len(s) != 1 || s[0].Learnt == nil {
		t.Errorf("summary %+v: want the view learnt from the session", s)
	}
}

// gocvPhoto is the path of one of the gocv module's sample photos (in the
// module cache beside the build); the test skips when it is not at hand.
func gocvPhoto(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "gocv.io/x/gocv").Output()
	if err != nil {
		t.Skipf("gocv module directory not found (%v): its sample photos are not at hand", err)
	}
	photo := filepath.Join(strings.TrimSpace(string(out)), "images", name)
	if _, err := os.Stat(photo); err != nil {
		t.Skipf("gocv sample photo: %v", err)
	}
	return photo
}

// People the development data never saw, sitting well but not still (as
// people talking are), are not nudged. Each photo (and its mirror image) is
// played as a two-minute session in which the sitter leans sideways by up to
// 9°, comes 6 % nearer or 3 % farther and shifts by up to 1.5 % of the
// frame, a new pose every second (turned and scaled about the point halfway
// across and two fifths down, near the face).
//
// Grace Hopper's portrait mirrored reads just over the line by the
// defaults even at her most upright, and against the view learnt from her
// session about half her moves read as a head forward while that view
// weighed her frames' own scores whole: she was nudged once, 84 s in. The
// view now lets a camera's bias go (posture's ownScore). gocv's man
// mirrored and darkened to a quarter reads just under the line at his most
// upright, and his moves took half his frames over it while the view
// weighed their own scores whole: nudged at 37.5 s, until the bias was let
// go from a little under the line too (posture's viewBiasSev). (Learning
// the view from the better half of the frames instead of the best quarter
// spared her too, but cost the desk people's sessions 97.5 % → 95.4 %,
// cross-validated by person: it let their slumps into the view.)
func TestReplayUnseenPeopleMovingAreNotNudged(t *testing.T) {
	needModel(t)
	sitters := []struct {
		photo  string
		mirror bool
		dim    float64 // the picture's brightness scaled by this (0: as it is)
	}{
		{gocvPhoto(t, "face-detect.jpg"), false, 0},
		{gocvPhoto(t, "face-detect.jpg"), true, 0},
		{gocvPhoto(t, "face-detect.jpg"), true, 0.25},
		{gocvPhoto(t, "face.jpg"), false, 0},
		{gocvPhoto(t, "face.jpg"), true, 0},
		{filepath.Join(dataDir(t), "misc", "grace_hopper.jpg"), false, 0},
		{filepath.Join(dataDir(t), "misc", "grace_hopper.jpg"), true, 0},
	}
	for _, s := range sitters {
		name := filepath.Base(s.photo)
		if s.mirror {
			name += " mirrored"
		}
		if s.dim > 0 {
			name += fmt.Sprintf(" at %.0f %% brightness", 100*s.dim)
		}
		t.Run(name, func(t *testing.T) {
			img := readFrames(t, []string{s.photo})[0]
			if s.mirror {
				m := gocv.NewMat()
				gocv.Flip(img, &m, 1)
				img = closedWithTest(t, m)
			}
			if s.dim > 0 {
				m := gocv.NewMat()
				img.ConvertToWithParams(&m, gocv.MatTypeCV8UC3, float32(s.dim), 0)
				img = closedWithTest(t, m)
			}
			expectSittingWell(t, replayJSON(t, movingSession(t, img, 10)), movingSeconds)
		})
	}
}

// movingSeconds is the length of a movingSession.
const movingSeconds = 120

// movingSession writes two minutes of a sitter photographed in img, cut to
// its top tenths/10, leaning sideways by up to 9°, coming 6 % nearer or 3 %
// farther and shifting by up to 1.5 % of the frame, a new pose every second
// (turned and scaled about the point halfway across and two fifths down,
// near the face).
func movingSession(t *testing.T, img gocv.Mat, tenths int) string {
	t.Helper()
	type pose struct{ deg, scale, dx, dy float64 } // dx, dy in 1/400 of the frame's width
	poses := []pose{{0, 1, 0, 0}, {6, 1, 3, 0}, {-5, 1.03, -4, 2}, {0, 1.06, 0, 4}, {3, 0.97, 5, -2}, {-8, 1, 0, 0}, {0, 1.02, -6, 1}, {9, 1.04, 2, 3}}
	order := []int{0, 1, 0, 2, 3, 0, 4, 5, 0, 6, 7, 1, 3}
	const fps = 5
	centre := image.Pt(img.Cols()/2, img.Rows()*2/5)
	u := float64(img.Cols()) / 400
	var frames []gocv.Mat
	for _, p := range poses {
		frames = append(frames, closedWithTest(t, moved(img, centre, p.deg, p.scale, p.dx*u, p.dy*u)))
	}
	return writeClip(t, fps, fps*movingSeconds, tenths, func(i int) gocv.Mat { return frames[order[(i/fps)%len(order)]] })
}

// Sitters framed so tight that the picture's bottom edge runs at the
// shoulders' top, moving as above, are not nudged either. The body model
// then places the shoulders on what shows of them at the edge (gocv's man,
// mirrored, cut to the top 80 % of his photo: on his hoodie's collar, the
// neck 1.9 eye widths where the whole photo shows 2.7), and the defaults
// call nearly every frame a head forward at full severity. The learner,
// which leaves such frames out lest it learn a slump, learnt nothing, and
// the defaults nudged him at 39.5 s. A session whose shoulders sit at the
// picture's bottom edge (their median lower than
// domain.ShouldersLowInPicture) now makes up its view with them when too
// few others look upright. The masked person's limit grade cut to its top
// 90 % (every frame's shoulders at the edge) is the development person
// framed so; it was not nudged before either. Grace Hopper mirrored, cut
// to 80 %, shows both shoulders at the edge in most frames and one in the
// rest, which the defaults score apart (the one's width estimated from the
// neck, the two's measured narrow): her view came from the one-shoulder
// frames and judged the others a head forward (nudged at 31.5 s) until the
// judge read each frame against the score of its own kind
// (posture.Learner's kindView). Cut to 90 % (the shoulders at 78 % of the
// height) she hovered against the view just under the line after the
// defaults' 15 s of head forward, and the coach took the hover for the
// view's confirmation (nudged at 20 s; coach's provisional trace).
// Cut to 60 or 70 %, no shoulder shows at all: the view learnt is of the
// face alone (posture's Learner.FaceView), and the sitters' moves, leaning
// and coming nearer or farther, never sink the eyes far enough below it to
// say they sank in the chair (2026-12-06: gocv's two men and Grace Hopper,
// each as taken and mirrored, cut to 50, 60 and 70 %: a view of the face
// alone in all 18 sessions, and one nudge, too close, for gocv's man
// mirrored cut to the top half, where his face fills the frame's height).
func TestReplayTightFramedSittersMovingAreNotNudged(t *testing.T) {
	needModel(t)
	limit, _ := filepath.Glob(filepath.Join(dataDir(t), "neck-forward", "3-forward-limit", "*.jpg"))
	if len(limit) == 0 {
		t.Skip("no neck-forward limit-grade frames")
	}
	sitters := []struct {
		name   string
		photo  string
		mirror bool
		tenths int
	}{
		{"gocv man mirrored, top 80 %", gocvPhoto(t, "face-detect.jpg"), true, 8},
		{"gocv man, top 80 %", gocvPhoto(t, "face-detect.jpg"), false, 8},
		{"masked limit grade, top 90 %", limit[0], false, 9},
		{"Grace Hopper mirrored, top 80 %", filepath.Join(dataDir(t), "misc", "grace_hopper.jpg"), true, 8},
		{"Grace Hopper mirrored, top 90 %", filepath.Join(dataDir(t), "misc", "grace_hopper.jpg"), true, 9},
		// No shoulder at all: the view is of the face alone, and moving
		// does not sink the eyes below it.
		{"gocv man, top 60 %", gocvPhoto(t, "face-detect.jpg"), false, 6},
		{"gocv man mirrored, top 70 %", gocvPhoto(t, "face-detect.jpg"), true, 7},
		{"Grace Hopper, top 60 %", filepath.Join(dataDir(t), "misc", "grace_hopper.jpg"), false, 6},
	}
	for _, s := range sitters {
		t.Run(s.name, func(t *testing.T) {
			img := readFrames(t, []string{s.photo})[0]
			if s.mirror {
				m := gocv.NewMat()
				gocv.Flip(img, &m, 1)
				img = closedWithTest(t, m)
			}
			ls := replayJSON(t, movingSession(t, img, s.tenths))
			expectSittingWell(t, ls, movingSeconds)
			if sum := linesOf(ls, "summary"); s.tenths <= 7 && (len(sum) != 1 || sum[0].FaceView == nil) {
				t.Errorf("summary %+v: no view of the face alone learnt where no shoulder shows", sum)
			}
		})
	}
}
