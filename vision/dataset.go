package vision

import (
	"encoding/csv"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unsafe"

	"gocv.io/x/gocv"

	"posturewatch/coach/domain"
	"posturewatch/vision/posture"
)

// The development data (../shared/posture-data) as labelled samples, for
// fitting the judgement's parameters and for `posturewatch eval`. Labels use
// the three classes the held-out photos are scored on, plus presence:
const (
	ClassGood       = "good"            // upright: the posture must be good
	ClassSitUp      = "sit_up_straight" // forward head, rounded shoulders, slouch, too close, head down, shoulders raised
	ClassStraighten = "straighten_head" // head tilt, turn, tipped back, uneven shoulders
	ClassPerson     = "person"          // someone is there; any verdict but away/unknown
	ClassAway       = "away"            // nobody at the desk
	ClassBroken     = "broken"          // an unreadable file: an error or away
)

// Sample is one labelled frame of the development data and what the models
// saw on it.
type Sample struct {
	Set    string `json:"set"`    // desk-three-people, slouch-or-not, neck-forward, misc, bad
	Folder string `json:"folder"` // e.g. desk-three-people/good, neck-forward/2-forward-mid
	File   string `json:"file"`   // path relative to the data directory
	Person string `json:"person"` // who is in it (cross-validation folds by person)
	Class  string `json:"class"`  // the expected class (Class…)
	// Aug names the augmentation ("" for the frame as it is): mirror,
	// rot±N (degrees), zoom (into the face), shift-up/shift-down (the camera
	// higher or lower), cut (the bottom cut off below the chin).
	Aug   string         `json:"aug,omitempty"`
	Input posture.Input  `json:"input"`
	Error string         `json:"error,omitempty"` // the file could not be analysed
	Frame int            `json:"frame,omitempty"` // frame index within a video
	Extra map[string]any `json:"extra,omitempty"`
}

// DatasetOptions select what WalkDataset produces.
type DatasetOptions struct {
	// Augment adds transformed copies of the labelled frames (see Sample.Aug):
	// of every frame of the small sets, of a third of desk-three-people's
	// 1391 (picked by a hash of the name), which is plenty and a third of
	// the time.
	Augment bool
	// Only restricts the walk to folders whose name starts with one of these
	// (e.g. "desk-three-people"); empty = all.
	Only []string
}

// datasetFolder is one labelled folder of the development data.
type datasetFolder struct {
	folder, class, person string
}

// datasetFolders lists the labelled folders. neck-forward grades 1–2 poke the
// chin (sit up straight); 3–5 are within the acceptable range (good); 6 is
// end-of-range extension, labelled only "a person" (a frontal camera sees too
// little of it to call from one frame).
var datasetFolders = []datasetFolder{
	{"desk-three-people/good", ClassGood, ""},
	{"desk-three-people/bad", ClassSitUp, ""},
	{"slouch-or-not/upright", ClassGood, "slouch-or-not"},
	{"slouch-or-not/slouching", ClassSitUp, "slouch-or-not"},
	{"neck-forward/1-forward-worst", ClassSitUp, "neck-forward"},
	{"neck-forward/2-forward-mid", ClassSitUp, "neck-forward"},
	{"neck-forward/3-forward-limit", ClassGood, "neck-forward"},
	{"neck-forward/4-upright", ClassGood, "neck-forward"},
	{"neck-forward/5-extension-limit", ClassGood, "neck-forward"},
	{"neck-forward/6-extension-worst", ClassPerson, "neck-forward"},
	{"misc/grace_hopper.jpg", ClassPerson, "grace-hopper"},
	{"misc/astronaut.png", ClassPerson, "astronaut"},
	{"misc/coffee.png", ClassAway, "nobody"},
	{"misc/messi5.jpg", ClassAway, "nobody"},
	{"misc/vtest.avi", ClassAway, "nobody"},
	{"bad", ClassBroken, "nobody"},
}

// WalkDataset analyses every labelled frame under dir (../shared/posture-data)
// with an, and calls fn for each sample in a stable order. Unreadable files
// become samples with Error set.
func WalkDataset(an *Analyzer, dir string, opt DatasetOptions, fn func(Sample)) error {
	people, err := readPeople(filepath.Join(dir, "desk-three-people", "people.csv"))
	if err != nil {
		return err
	}
	for _, df := range datasetFolders {
		if !selected(df.folder, opt.Only) {
			continue
		}
		path := filepath.Join(dir, df.folder)
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("development data: %w", err)
		}
		set, _, _ := strings.Cut(df.folder, "/")
		err := Walk([]string{path}, SourceOptions{FPS: 2}, func(f *Frame, ferr error) {
			s := Sample{Set: set, Folder: df.folder, Class: df.class, Person: df.person}
			if ferr != nil {
				s.File, s.Error = relPath(dir, itemPath(ferr, path)), ferr.Error()
				fn(s)
				return
			}
			s.File, s.Frame = relPath(dir, f.Source), f.Index
			if p, ok := people[s.File]; ok {
				s.Person = p
			}
			an.face.Reset() // every sample stands alone: no tracking across files
			in, err := an.Input(*f)
			if err != nil {
				s.Error = err.Error()
				fn(s)
				return
			}
			s.Input = in
			fn(s)
			if opt.Augment && (df.class == ClassGood || df.class == ClassSitUp) && (!strings.HasPrefix(df.folder, "desk") || fnv32(s.File)%3 == 0) {
				augment(an, f.Mat, s, fn)
			}
		})
		if err != nil {
			return fmt.Errorf("development data %s: %w", df.folder, err)
		}
	}
	return nil
}

func selected(folder string, only []string) bool {
	if len(only) == 0 {
		return true
	}
	for _, o := range only {
		if strings.HasPrefix(folder, o) {
			return true
		}
	}
	return false
}

func itemPath(err error, def string) string {
	var ie *ItemError
	if errors.As(err, &ie) {
		return ie.Path
	}
	return def
}

func relPath(dir, p string) string {
	if r, err := filepath.Rel(dir, p); err == nil {
		return filepath.ToSlash(r)
	}
	return p
}

// readPeople reads desk-three-people/people.csv: file (relative to the set,
// e.g. good/0001.jpg) → person.
func readPeople(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("development data: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	out := map[string]string{}
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if len(rec) != 2 {
			return nil, fmt.Errorf("%s:%d: want file,person", path, line)
		}
		if line == 1 && rec[0] == "file" {
			continue
		}
		out["desk-three-people/"+rec[0]] = rec[1]
	}
}

// augment adds transformed copies of a labelled frame. Each copy's class
// follows from what the transform does to what a camera would see:
//   - mirror: a left-handed world; the class is unchanged.
//   - rot±N: the whole frame rolled by N degrees, as a head tilted towards a
//     shoulder (with the shoulders, as a camera roll would): ±8° stays as it
//     was (heads sit a few degrees off level), ±30° and ±45° are "straighten
//     head" on a good frame.
//   - zoom: a crop into the face so it fills 85 % of the frame's height, as
//     someone leaning right in: "sit up straight" (too close).
//   - shift-up / shift-down: a window 80 % of the frame's height at its top
//     or bottom, as a camera placed lower or higher: unchanged.
//   - cut: a window of the frame's shape from its top to a little below the
//     chin, so the shoulders leave it (as many webcams frame people):
//     unchanged for a good frame.
//   - cut-shoulders: the frame's top down to its shoulder line, or a quarter
//     or half an eye width below it, the whole width kept: a webcam framing
//     head and shoulders, landscape and so letterboxed as a camera's frame
//     is. Unchanged (good).
//   - tilt-head±N: a good frame's head bent 30°, 38° or 45° towards a
//     shoulder about the neck, the shoulders left level (tiltedHead), as
//     people tilt their heads: "straighten head". For make eval only
//     (fit.EvalOnly).
//   - shape-4:3, shape-square: a wide frame's whole height cut to 4:3 and
//     to a square about the face, as a 640×480 webcam or a square crop
//     frames the same sitter the same size. Unchanged. For make eval only
//     (fit.EvalOnly).
//   - shape-3:4: a square frame's whole height cut to 3:4 about the face,
//     as a phone standing upright at the same distance frames the sitter
//     (the same size against the frame's long side, the sides nearer).
//     Unchanged. For make eval only (fit.EvalOnly).
//   - near-1.15, near-1.30: a good or slumped frame seen 1.15 or 1.3 times
//     as near, scaled about a point a little below its middle: the same
//     posture, sitting nearer. Unchanged. For make eval only
//     (fit.EvalOnly).
//   - wide-4:3, wide-16:9: a square frame widened to 4:3 or 16:9 by a
//     plain band at each side (widened), as a laptop's 640×480 or wide
//     camera frames the same sitter the same size. Unchanged. For make
//     eval only (fit.EvalOnly).
//   - far-1.15, far-1.30: a good or slumped frame seen from 1.15 or 1.3
//     times as far (farther), shrunk about the point the nearer copies
//     scale about: the same posture, sitting farther. Unchanged. For make
//     eval only (fit.EvalOnly).
func augment(an *Analyzer, src gocv.Mat, base Sample, fn func(Sample)) {
	h := fnv32(base.File)
	emit := func(aug, class string, m gocv.Mat) {
		defer m.Close()
		if m.Empty() || m.Cols() < MinImageSide || m.Rows() < MinImageSide {
			return
		}
		s := base
		s.Aug, s.Class, s.Input, s.Error = aug, class, posture.Input{}, ""
		an.face.Reset()
		in, err := an.Input(Frame{Mat: m, Source: base.File + "#" + aug})
		if err != nil {
			s.Error = err.Error()
		} else {
			s.Input = in
		}
		fn(s)
	}
	w, hgt := src.Cols(), src.Rows()
	mirror := gocv.NewMat()
	gocv.Flip(src, &mirror, 1)
	emit("mirror", base.Class, mirror)

	sign := 1.0
	if h%2 == 1 {
		sign = -1
	}
	small := 8 * sign
	emit(fmt.Sprintf("rot%+.0f", small), base.Class, rotated(src, small))
	if base.Class == ClassGood {
		big := []float64{30, 45}[(h/2)%2] * sign
		emit(fmt.Sprintf("rot%+.0f", big), ClassStraighten, rotated(src, big))
	}

	if base.Input.Face != nil && base.Input.Face.Score > 0 {
		fb := base.Input.Face.Box
		// A window of the frame's own shape in which the face box fills
		// 85 % of the height, scaled back to the frame's size.
		ch := math.Max(fb.Width(), fb.Height()) / 0.85
		cw := ch * float64(w) / float64(hgt)
		cx, cy := (fb.MinX+fb.MaxX)/2, (fb.MinY+fb.MaxY)/2+0.1*fb.Height()
		if r, ok := clampRect(cx-cw/2, cy-ch/2, cw, ch, w, hgt); ok && r.Dy() < hgt*9/10 {
			emit("zoom", ClassSitUp, cropResize(src, r, w, hgt))
		}
		if base.Class == ClassGood {
			if cut, ok := cutBelowChin(src, fb); ok {
				emit("cut", base.Class, cut)
			}
		}
	}
	if m := posture.Measure(base.Input); base.Class == ClassGood && m.Shoulders && m.Eyes {
		// A webcam framing head and shoulders: the frame's bottom edge at
		// the shoulder line or just below it (0, a quarter or half an eye
		// width, by the frame's hash), the whole width kept, so the copy is
		// landscape as a webcam's frame is and the body model sees it
		// letterboxed as it would a camera's. Upright stays upright.
		if cut, ok := cutBelowShoulders(src, m, []float64{0, 0.25, 0.5}[(h/6)%3]); ok {
			emit("cut-shoulders", base.Class, cut)
		}
		// A head tilted towards a shoulder with the shoulders left level,
		// as people tilt their heads (rot±N rolls the shoulders too).
		deg := []float64{30, 38, 45}[(h/4)%3] * sign
		if t, ok := tiltedHead(src, base.Input, m, deg); ok {
			emit(fmt.Sprintf("tilt-head%+.0f", deg), ClassStraighten, t)
		}
	}
	if w*2 >= hgt*3 && base.Input.Face != nil && base.Input.Face.Score > 0 {
		emit("shape-4:3", base.Class, narrowedAbout(src, base.Input.Face.Box, 4.0/3))
		emit("shape-square", base.Class, narrowedAbout(src, base.Input.Face.Box, 1))
	}
	square := w <= hgt*11/10 && w*10 >= hgt*9
	if square && base.Input.Face != nil && base.Input.Face.Score > 0 {
		// A phone standing upright at the same distance: its long side
		// sees what the square frame's side sees, and its short side three
		// quarters of that, so the sitter is the same size against the
		// long side and the frame's sides come in by an eighth each.
		emit("shape-3:4", base.Class, narrowedAbout(src, base.Input.Face.Box, 3.0/4))
	}
	if square {
		// A laptop's camera seeing the sitter the same size: the frame
		// widened by a plain wall of its side edges' colour, to 4:3 (a
		// 640×480 camera) and to 16:9. The body model then sees the sitter
		// 0.75 and 0.56 times as large in its input.
		emit("wide-4:3", base.Class, widened(src, 4.0/3))
		emit("wide-16:9", base.Class, widened(src, 16.0/9))
	}
	// Sitting nearer the camera, as the same people sit from one day to
	// the next: the frame scaled 1.15 or 1.3 times (by the frame's hash)
	// about the point at its middle across and 55 % down, which stays where
	// it is, as the replayed sessions of sitting nearer show it. The
	// posture is the same, so is the class.
	z := []float64{1.15, 1.3}[(h/12)%2]
	if r, ok := clampRect(float64(w)/2*(1-1/z), 0.55*float64(hgt)*(1-1/z), float64(w)/z, float64(hgt)/z, w, hgt); ok {
		emit(fmt.Sprintf("near-%.2f", z), base.Class, cropResize(src, r, w, hgt))
	}
	// Sitting farther from the camera, as the held-out set of one person
	// sitting nearer and farther does: 1.15 or 1.3 times as far (by
	// another bit of the frame's hash).
	zf := []float64{1.15, 1.3}[(h/24)%2]
	emit(fmt.Sprintf("far-%.2f", zf), base.Class, farther(src, zf))
	win := hgt * 8 / 10
	if h%3 == 0 {
		emit("shift-up", base.Class, cloneRegion(src, image.Rect(0, 0, w, win)))
	} else if h%3 == 1 {
		emit("shift-down", base.Class, cloneRegion(src, image.Rect(0, hgt-win, w, hgt)))
	}
}

// cutBelowChin is a camera aimed a little higher, or nearer: a window of
// src's shape from its top down to a little below the chin (the face box
// fb's bottom, and 0.6 of its height more), centred on the face, so the
// shoulders leave the picture, scaled back to src's size. ok is false
// where the window would keep nine tenths of the height or more.
func cutBelowChin(src gocv.Mat, fb posture.Box) (cut gocv.Mat, ok bool) {
	w, h := src.Cols(), src.Rows()
	ch := fb.MaxY + 0.6*fb.Height()
	cw := ch * float64(w) / float64(h)
	r, ok := clampRect((fb.MinX+fb.MaxX)/2-cw/2, 0, cw, ch, w, h)
	if !ok || r.Dy() >= h*9/10 {
		return gocv.Mat{}, false
	}
	return cropResize(src, r, w, h), true
}

// cutBelowShoulders is the frame's top down to below eye widths under the
// shoulder line measured on it (m, with both shoulders), the whole width
// kept: a webcam's head-and-shoulders framing. ok is false when that would
// leave nearly the whole frame (the cut in its bottom 3 %).
func cutBelowShoulders(src gocv.Mat, m posture.Measurement, below float64) (cut gocv.Mat, ok bool) {
	bottom := int(m.Metrics[domain.MetricShoulderHeight]*float64(src.Rows()) + below*m.FaceWidth)
	if bottom >= src.Rows()*97/100 {
		return gocv.Mat{}, false
	}
	return cloneRegion(src, image.Rect(0, 0, src.Cols(), bottom)), true
}

// rotated rolls the frame by deg degrees about its centre (positive =
// clockwise on screen), replicating the border so no black wedge appears.
func rotated(src gocv.Mat, deg float64) gocv.Mat {
	out := gocv.NewMat()
	c := image.Pt(src.Cols()/2, src.Rows()/2)
	rot := gocv.GetRotationMatrix2D(c, -deg, 1)
	defer rot.Close()
	gocv.WarpAffineWithParams(src, &out, rot, image.Pt(src.Cols(), src.Rows()), gocv.InterpolationLinear, gocv.BorderReplicate, blackBGR)
	return out
}

// tiltedHead bends the head towards a shoulder by deg degrees (positive =
// clockwise on screen, as rotated), the shoulders left where they are: the
// frame turns about a point on the neck a little above the shoulder line
// (in, m: both shoulders and the eyes seen), by nothing at that point's
// height and by deg from the chin up (the face's box's bottom, else 1.3
// eye widths below the eyes), smoothly between, so the neck bends and the
// head turns whole; less towards the frame's sides, so the room far from
// the head stays too. ok is false when the frame does not show a neck to
// bend.
func tiltedHead(src gocv.Mat, in posture.Input, m posture.Measurement, deg float64) (gocv.Mat, bool) {
	w, h := src.Cols(), src.Rows()
	kps := in.Keypoints
	sy := m.Metrics[domain.MetricShoulderHeight] * float64(h)
	ey := m.Metrics[domain.MetricEyeHeight] * float64(h)
	px := (kps[posture.LeftShoulder].X + kps[posture.RightShoulder].X) / 2
	py := sy - 0.15*(sy-ey)
	neck := py - ey // the pivot to the eyes
	chin := ey + 1.3*m.FaceWidth
	if f := in.Face; f != nil && f.Score >= posture.MinFaceScore {
		chin = f.Box.MaxY
	}
	ramp := math.Max(py-chin, 0.25*neck) // the neck that bends
	if ramp < 4 {
		return gocv.Mat{}, false
	}
	weight := func(x, y float64) float64 {
		t := math.Max(0, math.Min(1, (py-y)/ramp))
		side := math.Max(0, math.Min(1, 3.5-math.Abs(x-px)/(0.7*neck)))
		return t * t * (3 - 2*t) * side
	}
	// Where each output pixel comes from: turned back by the weight of the
	// place it comes from, found by a few rounds of fixed-point iteration.
	mapX, mapY := make([]float32, w*h), make([]float32, w*h)
	th := deg * math.Pi / 180
	for y := range h {
		for x := range w {
			qx, qy := float64(x)-px, float64(y)-py
			fromX, fromY := float64(x), float64(y)
			for range 4 {
				sin, cos := math.Sincos(-th * weight(fromX, fromY))
				fromX, fromY = px+cos*qx-sin*qy, py+sin*qx+cos*qy
			}
			mapX[y*w+x], mapY[y*w+x] = float32(fromX), float32(fromY)
		}
	}
	mx, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV32F, float32Bytes(mapX))
	if err != nil {
		return gocv.Mat{}, false
	}
	defer mx.Close()
	my, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV32F, float32Bytes(mapY))
	if err != nil {
		return gocv.Mat{}, false
	}
	defer my.Close()
	out := gocv.NewMat()
	gocv.Remap(src, &out, &mx, &my, gocv.InterpolationLinear, gocv.BorderReplicate, blackBGR)
	return out, true
}

// float32Bytes is v's memory as bytes (for a Mat made from it).
func float32Bytes(v []float32) []byte {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v))
}

// clampRect fits a rectangle inside the frame, shifting it rather than
// shrinking it; ok is false when it cannot fit.
func clampRect(x, y, w, h float64, fw, fh int) (image.Rectangle, bool) {
	if w > float64(fw) || h > float64(fh) || w < MinImageSide || h < MinImageSide {
		return image.Rectangle{}, false
	}
	x = math.Max(0, math.Min(x, float64(fw)-w))
	y = math.Max(0, math.Min(y, float64(fh)-h))
	return image.Rect(int(x), int(y), int(x+w), int(y+h)), true
}

// widened is src with a plain band at each side, of the colour of that
// side's edge (its outer four columns, averaged), to the given aspect
// (width over height): a wider camera's frame of the same sitter against a
// plain wall. A room's texture at the sides would be truer; the body
// model's readings of the sitter move the same way with the band mirrored
// from the frame or its edge pixels repeated instead (desk slumps caught,
// every sixth frame: 80 of 112 with each, 92 as taken).
func widened(src gocv.Mat, aspect float64) gocv.Mat {
	w, h := src.Cols(), src.Rows()
	pad := max(0, int(float64(h)*aspect+0.5)-w)
	left, right := pad/2, pad-pad/2
	k := min(4, w)
	l, r := gocv.NewMat(), gocv.NewMat()
	defer l.Close()
	gocv.CopyMakeBorder(src, &l, 0, 0, left, 0, gocv.BorderConstant, meanColour(src, image.Rect(0, 0, k, h)))
	gocv.CopyMakeBorder(l, &r, 0, 0, 0, right, gocv.BorderConstant, meanColour(src, image.Rect(w-k, 0, w, h)))
	return r
}

// meanColour is the average colour of the region r of the BGR frame m.
func meanColour(m gocv.Mat, r image.Rectangle) color.RGBA {
	roi := m.Region(r)
	defer roi.Close()
	c := roi.Mean() // B, G, R
	return color.RGBA{R: uint8(c.Val3 + 0.5), G: uint8(c.Val2 + 0.5), B: uint8(c.Val1 + 0.5)}
}

// farther is src as a camera sees its sitter from z times as far: the
// frame shrunk by z about the point at its middle across and 55 % down
// (where the nearer copies scale about), inside a frame of src's size. The
// room at the sides and above is a plain band of the colour of the shrunk
// frame's edge beside it (its outer four columns or rows, averaged), as
// widened's is; below, the frame's bottom row goes on down, as the body
// does. A plain band there cuts the body off like a desk's edge: the
// masked development person's black top over a grey band (her bottom
// rows' mean, the wall beside her in it) had the body model place her
// shoulders on top of a body that ends, her upright neck 0.2–0.3 eye
// widths shorter than as taken and called a head forward in half her
// good frames seen 1.3 times as far; carried down, none.
func farther(src gocv.Mat, z float64) gocv.Mat {
	w, h := src.Cols(), src.Rows()
	sw, sh := int(float64(w)/z+0.5), int(float64(h)/z+0.5)
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(src, &small, image.Pt(sw, sh), 0, 0, gocv.InterpolationArea)
	left, top := int(float64(w)*0.5*(1-1/z)+0.5), int(float64(h)*0.55*(1-1/z)+0.5)
	right, bottom := w-sw-left, h-sh-top
	k := min(4, sw, sh)
	l, lr, lrt, out := gocv.NewMat(), gocv.NewMat(), gocv.NewMat(), gocv.NewMat()
	defer l.Close()
	defer lr.Close()
	defer lrt.Close()
	gocv.CopyMakeBorder(small, &l, 0, 0, left, 0, gocv.BorderConstant, meanColour(small, image.Rect(0, 0, k, sh)))
	gocv.CopyMakeBorder(l, &lr, 0, 0, 0, right, gocv.BorderConstant, meanColour(small, image.Rect(sw-k, 0, sw, sh)))
	gocv.CopyMakeBorder(lr, &lrt, top, 0, 0, 0, gocv.BorderConstant, meanColour(lr, image.Rect(0, 0, w, k)))
	gocv.CopyMakeBorder(lrt, &out, 0, bottom, 0, 0, gocv.BorderReplicate, color.RGBA{})
	return out
}

// cropResize cuts r out of src and scales it to w×h.
func cropResize(src gocv.Mat, r image.Rectangle, w, h int) gocv.Mat {
	roi := src.Region(r)
	defer roi.Close()
	out := gocv.NewMat()
	gocv.Resize(roi, &out, image.Pt(w, h), 0, 0, gocv.InterpolationLinear)
	return out
}

// narrowedAbout is src cut to the given aspect (width over height), its
// whole height kept and the window centred on the face box fb, moved inside
// the frame where the face is near a side: another camera's shape framing
// the same sitter the same size.
func narrowedAbout(src gocv.Mat, fb posture.Box, aspect float64) gocv.Mat {
	w, h := src.Cols(), src.Rows()
	cw := min(w, int(float64(h)*aspect+0.5))
	x := max(0, min(w-cw, int((fb.MinX+fb.MaxX)/2)-cw/2))
	return cloneRegion(src, image.Rect(x, 0, x+cw, h))
}

func cloneRegion(src gocv.Mat, r image.Rectangle) gocv.Mat {
	roi := src.Region(r)
	defer roi.Close()
	return roi.Clone()
}

// fnv32 is a stable hash of a name, to pick augmentations deterministically.
func fnv32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// SortSamples orders samples by folder, file, frame and augmentation.
func SortSamples(ss []Sample) {
	sort.SliceStable(ss, func(i, j int) bool {
		a, b := ss[i], ss[j]
		if a.Folder != b.Folder {
			return a.Folder < b.Folder
		}
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Frame != b.Frame {
			return a.Frame < b.Frame
		}
		return a.Aug < b.Aug
	})
}
