package vision

import (
	"fmt"
	"image"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"posturewatch/coach/domain"
	"posturewatch/models"
	"posturewatch/vision/camview"
	"posturewatch/vision/face"
	"posturewatch/vision/posture"

	"gocv.io/x/gocv"
)

// DefaultModelPath is where `make models` puts the model (or $POSTUREWATCH_MODEL).
func DefaultModelPath() string { return models.DefaultPath() }

// AnalyzerOptions configures the whole per-frame path.
type AnalyzerOptions struct {
	ModelPath string // pose model; default DefaultModelPath(), sha256-checked
	// DetectorPath and MeshPath are the face models; default models.PathOf,
	// sha256-checked.
	DetectorPath, MeshPath string
	Threads                int              // threads of each model (half of them while another runs beside it) and of OpenCV, default 2
	Baseline               *domain.Baseline // optional personal profile
	Params                 *posture.Params  // judgement thresholds, default posture.DefaultParams()
	// Learn: the frames are one sitter's stream (a camera, a recording):
	// learn where the camera sits from them and judge against that until a
	// personal profile is set (posture.Learner). Not for unrelated photos.
	Learn bool
}

// Analyzer turns frames into observations: body pose and face, metrics,
// faults. It follows the face from frame to frame of one stream (the
// detector runs only when the face is lost); frames of another source, or
// not the next of the same one, start afresh.
type Analyzer struct {
	pose  *PoseNet
	face  *FaceNet
	judge *posture.Judge

	lastSource        string
	lastIndex         int
	people            int  // user-size faces the detector saw on the last frame (0: it did not run)
	inTurn            bool // run the models one after the other always (tests compare the two ways)
	nearOfFilledFrame bool // take a wide frame's near look where the face fills it too, as before faceFillsFrame (tests compare the two)

	lastSeen time.Time // the last frame with someone judged, while learning

	lit    modelsCopy // what the models see when it is not the frame as taken
	passes int        // times the body model's first look ran (a backlit photo's frame runs it twice)

	body       bodyLook // the body model's look the last frame took
	bodyLooks  int      // times the body model's other look was wanted (faceWantsOtherLook)
	faceCuts   int      // times a wide frame's near look was cut about the face the face path found (recut, nearAboutFace)
	nearBeside int      // of those, times the near look was taken beside the face path (nearBesideMesh)
	nearUnsure int      // of those, times it was cut about the detector's unsure first look

	view      camview.Watch // tells when the camera moved, while learning
	viewStale atomic.Bool   // the view is to be settled afresh: another camera or recording
}

// ForgetAfter is how long a stretch with nobody judged (away, or no frames at
// all: paused, the screen locked, suspended) makes the learnt view of the
// camera stale: time enough to carry the laptop to another desk, tilt the
// screen, or hand the seat to someone else. It is then learnt afresh.
const ForgetAfter = 30 * time.Minute

// NewAnalyzer loads and checks the models.
func NewAnalyzer(opt AnalyzerOptions) (*Analyzer, error) {
	strict := opt.ModelPath == ""
	if opt.ModelPath == "" {
		opt.ModelPath = DefaultModelPath()
	}
	// The pages the libraries' start-up touched go before loading the
	// models adds its own, and the loading's go after it: the live service
	// peaked at 147-159 MB instead of 205-214 (an error here costs only
	// memory; the README's budget table has today's figures).
	_, _ = ReleaseUnused()
	pn, err := NewPoseNet(PoseOptions{ModelPath: opt.ModelPath, Threads: opt.Threads, Strict: strict})
	if err != nil {
		return nil, err
	}
	fn, err := NewFaceNet(FaceOptions{DetectorPath: opt.DetectorPath, MeshPath: opt.MeshPath, Threads: opt.Threads})
	if err != nil {
		pn.Close()
		return nil, err
	}
	_, _ = ReleaseUnused()
	p := posture.DefaultParams()
	if opt.Params != nil {
		p = *opt.Params
	}
	j := posture.NewJudge(p, opt.Baseline)
	if opt.Learn {
		j.Learn()
	}
	return &Analyzer{pose: pn, face: fn, judge: j, lastIndex: -2, lit: modelsCopy{copy: gocv.NewMat(), exposed: gocv.NewMat()}}, nil
}

// ForgetLearnt drops what was learnt about the camera's place: another
// camera, or another recording. The room seen so far goes with it, so the
// new one is not taken for this camera moved.
func (a *Analyzer) ForgetLearnt() {
	a.judge.ForgetLearnt()
	a.viewStale.Store(true) // reset by Analyze, which owns the view (a camera switch calls this from elsewhere)
}

// Learnt is the baseline learnt from the stream so far (nil: none yet, or
// not learning).
func (a *Analyzer) Learnt() *domain.Baseline { return a.judge.Learnt() }

// FaceView is the view of the face alone learnt from the stream's frames
// without a shoulder, while no view of the shoulders is learnt (nil: none).
func (a *Analyzer) FaceView() *domain.Baseline { return a.judge.FaceView() }

// SetBaseline switches the personal profile (nil = defaults).
func (a *Analyzer) SetBaseline(b *domain.Baseline) { a.judge.SetBaseline(b) }

// Baseline is the personal baseline in use (nil: the defaults).
func (a *Analyzer) Baseline() *domain.Baseline { return a.judge.Baseline() }

// Close releases the models.
func (a *Analyzer) Close() error {
	a.lit.copy.Close()
	a.lit.exposed.Close()
	a.face.Close()
	return a.pose.Close()
}

// Input runs the models on one frame and returns what the judgement reads.
// The frame stays owned by the caller.
func (a *Analyzer) Input(f Frame) (posture.Input, error) {
	mean, spread := litMean, washedSpread
	if !isNilMat(f.Mat) && !f.Mat.Empty() && f.Mat.Type() == gocv.MatTypeCV8UC3 {
		mean, spread = pictureStats(f.Mat)
	}
	return a.input(f, mean, spread)
}

// input is Input for a frame whose mean brightness and spread are known.
func (a *Analyzer) input(f Frame, mean, spread float64) (posture.Input, error) {
	// With several people in view the detector looks on every frame: it
	// picks the user's face each time, and says when the others have gone.
	track := f.Source == a.lastSource && f.Index == a.lastIndex+1 && a.people <= 1
	a.lastSource, a.lastIndex = f.Source, f.Index
	gain, refused := 1.0, 0.0
	if f.Source == a.lit.source {
		// The light stays from frame to frame of a stream, and across the
		// camera's rests: the previous frame's face says how to expose this
		// one before the models run (backlight.go).
		gain, refused = a.lit.faceGain, a.lit.refused
	}
	run, err := a.runModels(f, mean, spread, gain, track, true, refused)
	if err != nil {
		return posture.Input{}, err
	}
	if run.refused > 0 {
		refused = run.refused
	}
	kps, fr := run.kps, run.fr
	// Only a face backed as someone's says how the light falls: the
	// detector's guess on an empty scene (a cup) would otherwise be
	// exposed for and backed. Only a face the mesh reads is exposed for
	// (backlight.go); any says the light is behind the user.
	asked, want := 1.0, 1.0
	if fr.Detected && a.judge.Sees(inputOf(f, kps, fr)) {
		if level, ok := faceLevel(f.Mat, fr.Best.Box); ok {
			asked = faceGain(level, mean)
		}
		if fr.Mesh.Accepted(face.DefaultMinMeshScore) {
			want = asked
		}
	}
	if run.refused > 0 {
		want = run.gain // the copy exposed for this face was tried and refused
	}
	a.lit.source, a.lit.faceGain, a.lit.asked, a.lit.refused = f.Source, want, asked, refused
	if fr.Detected && farApart(want, run.gain) {
		// The face path did not expose for the face before the mesh: the
		// light changed under a followed face (the detector did not run),
		// or a face refused before on this stream is read now. The models
		// saw the face exposed far from what it asks for. Run them again on
		// the copy exposed for it. Where the detector found the face on
		// this frame, its faces stand (it finds dark faces; the mesh and the
		// body model are what the light misleads).
		if fr.Faces > 0 {
			a.face.ReuseDetections()
		}
		if run, err = a.runModels(f, mean, spread, want, false, false, 0); err != nil {
			return posture.Input{}, err
		}
		kps, fr = run.kps, run.fr
	}
	a.people = fr.People
	return inputOf(f, kps, fr), nil
}

// farApart: two gains far enough apart (regainRatio) for the models to look
// again.
func farApart(g, h float64) bool { return g > h*regainRatio || g < h/regainRatio }

// inputOf is what the judgement reads of what the models saw on a frame.
func inputOf(f Frame, kps []domain.Keypoint, fr FaceResult) posture.Input {
	return posture.Input{W: f.Mat.Cols(), H: f.Mat.Rows(), Keypoints: kps, Face: faceInput(fr)}
}

// modelsRun is what the models saw on a frame.
type modelsRun struct {
	kps  []domain.Keypoint
	fr   FaceResult
	gain float64 // the exposure the results are from (≤ 1: the frame's own levels, modelLevels)
	// refused is the gain a face asked for whose copy, exposed for it, was
	// tried and refused (the mesh did not read it, or the body model did
	// not back the face): the results are from the copy as made. 0: none.
	refused float64
}

// exposing decides on the face path, as soon as the detector has found the
// face and before the mesh runs, whether the face asks for another
// exposure than the models' copy has (faceGain, regainRatio), and makes the
// copy exposed for it (lit.exposed): the mesh reads it, and the body model
// looks at it once the mesh has. A backlit frame seen first so runs the
// body model twice and the mesh once, where exposing after both models had
// run ran both twice (backlight.go).
type exposing struct {
	taken   gocv.Mat  // the frame as taken: the face's level is measured on it
	mean    float64   // its mean brightness
	gain    float64   // the models' copy's
	refused float64   // an ask the stream's last frames refused (modelsRun.refused): not tried again
	out     *gocv.Mat // the copy exposed for the face
	chosen  float64   // the gain chosen, set before decided closes
	decided chan struct{}
	once    sync.Once
}

func newExposing(taken gocv.Mat, mean, gain, refused float64, out *gocv.Mat) *exposing {
	return &exposing{taken: taken, mean: mean, gain: gain, refused: refused, out: out, chosen: gain, decided: make(chan struct{})}
}

// meshCopy is the face path's MeshCopy.
func (e *exposing) meshCopy(frame gocv.Mat, best face.Detection) gocv.Mat {
	g := e.gain
	if level, ok := faceLevel(e.taken, best.Box); ok {
		if asked := faceGain(level, e.mean); farApart(asked, e.gain) && (e.refused == 0 || farApart(asked, e.refused)) {
			e.taken.ConvertToWithParams(e.out, gocv.MatTypeCV8UC3, float32(asked), 0)
			g = asked
		}
	}
	e.once.Do(func() { e.chosen = g; close(e.decided) })
	if g == e.gain {
		return frame
	}
	return *e.out
}

// changed: the face path has chosen another exposure (so far).
func (e *exposing) changed() bool {
	select {
	case <-e.decided:
		return e.chosen != e.gain
	default:
		return false
	}
}

// bodyLooksAt is the body model's looks at one copy of a frame.
type bodyLooksAt struct {
	img    gocv.Mat
	cx     float64           // where across a wide frame the near look is cut (nearCut; < 0: its middle)
	kps    []domain.Keypoint // the look the stream's last frame took (far or not)
	other  []domain.Keypoint // the other look, where taken
	looked bool
}

// firstLook runs the body model's look on the copy.
func (a *Analyzer) firstLook(l *bodyLooksAt, far bool) error {
	a.passes++
	kps, err := a.look(l.img, far, l.cx)
	l.kps = kps
	return err
}

// bothLooks takes the look `far` says (as firstLook) and the near look cut
// about l.cx (as nearAboutFace, its keypoints in l.other) at once, the
// body model running on both together (PoseNet.EstimateTwo). In turn,
// where the near look was not kept, the backlit 16:9 frame seen first took
// 1.54–1.68 times as long as the plain one; at once, 1.16–1.24 times
// (README, "Two looks at once").
func (a *Analyzer) bothLooks(l *bodyLooksAt, far bool) error {
	a.passes++
	a.faceCuts++
	first, near := lookAt(l.img, far, l.cx), lookAt(l.img, false, l.cx)
	defer first.close()
	defer near.close()
	kps, err := a.pose.EstimateTwo([2]gocv.Mat{first.img, near.img}, [2]bool{far, false})
	if err != nil {
		return err
	}
	first.toFrame(kps[0])
	near.toFrame(kps[1])
	l.kps, l.other, l.looked = kps[0], kps[1], true
	return nil
}

// otherLook runs its other look where the first lost the head
// (bodyLostHead), or anyway, once.
func (a *Analyzer) otherLook(l *bodyLooksAt, far, anyway bool) error {
	if l.looked || !anyway && !bodyLostHead(l.img, l.kps) {
		return nil
	}
	var err error
	l.other, err = a.look(l.img, !far, l.cx)
	l.looked = true
	return err
}

// runModels runs the body and face models on the frame, or on the models'
// copy of it: exposed for a backlit face (gain > 1), else brightened or
// stretched as modelLevels says. With expose, a face the detector finds
// asking for another exposure is meshed on a copy exposed for it
// (exposing), unless it asks for about refused (a gain the stream's faces
// asked for and refused; 0: none). Where the mesh reads that copy and the
// body model backs the face, the body model looks at the copy too; where
// the mesh does not read it, that result stands; where the body model
// does not back the face, the mesh reads the copy as made.
func (a *Analyzer) runModels(f Frame, mean, spread, gain float64, track, expose bool, refused float64) (modelsRun, error) {
	taken := f.Mat
	alpha, beta := gain, 0.0
	if gain <= 1 {
		alpha, beta = modelLevels(mean, spread)
	}
	if alpha != 1 || beta != 0 {
		f.Mat.ConvertToWithParams(&a.lit.copy, gocv.MatTypeCV8UC3, float32(alpha), float32(beta))
		f.Mat = a.lit.copy
	}
	var meshOn MeshCopy
	ex := newExposing(taken, mean, gain, refused, &a.lit.exposed)
	if expose {
		meshOn = ex.meshCopy
	}
	// A stream keeps the look its last frame took. Whether the body model's
	// other look is wanted waits on the face path (faceWantsOtherLook);
	// where the two run at once it is taken while the face path still runs
	// (a photo cut square: 24–25 ms in turn), unless the stream's last frame
	// showed no face (an empty room would run the body model twice a frame
	// for nothing).
	stream := f.Source == a.body.source && f.Index == a.body.index+1
	far := stream && a.body.far
	early := !stream || a.body.face
	made := &bodyLooksAt{img: f.Mat, cx: -1} // the body model's looks at the copy as made
	if stream && a.body.face {
		made.cx = a.body.faceX // a wide frame's near look is cut about the face the last frame showed
	}
	// A wide frame whose face is not known yet (seen first, or the
	// stream's last frame showed none) is seen whole while the face path
	// runs, and its near look is cut about the face the face path finds
	// (nearAboutFace). Not about a guess: where the guess missed, a third
	// look would be wanted, and the body model reads a sitter differently
	// a few pixels off its input's middle. With the masked development
	// person's 16:9 frames cut about the frame's middle (her face 0–0.09
	// of the height off it), the refitted score weighed her neck less and
	// the changes since a baseline very differently, and the desk people's
	// slumps caught fell from 540 to 528 of 670 (measured while her near
	// looks at the edge were still kept).
	_, wide := nearCut(f.Mat.Cols(), f.Mat.Rows(), -1)
	wholeFirst := wide && made.cx < 0
	if wholeFirst {
		far = true
	}
	var (
		fr              FaceResult
		bodyErr, faceEr error
		near            nearBesideMesh // a wide frame's near look, taken while the mesh runs
	)
	hooks := FaceHooks{MeshCopy: meshOn}
	if a.inTurn || a.face.NeedsEyes(f.Time, track) {
		if bodyErr = a.firstLook(made, far); bodyErr == nil {
			fr, faceEr = a.face.ObserveWith(f.Mat, f.Time, track, func() *Eyes { return eyesOf(made.kps) }, hooks)
		}
	} else {
		// The face path needs nothing from the body model on this frame
		// (at most the eyes, to keep for the next one): the two run at once,
		// on the two cores, with the same result as in turn. With the models
		// on one thread each, as the live service runs them, a frame with
		// the detector takes 24 ms instead of 43. With more threads, each
		// model runs on half of them meanwhile (runningBeside).
		var eyes *Eyes
		poseDone, faceDone := make(chan struct{}), make(chan struct{})
		if wholeFirst {
			hooks = near.hooks(a, made, ex, meshOn, poseDone, &bodyErr)
		}
		bodyBeside, faceBeside := runningBeside(), runningBeside()
		go func() {
			defer close(faceDone)
			defer faceBeside()
			fr, faceEr = a.face.ObserveWith(f.Mat, f.Time, track, func() *Eyes { <-poseDone; return eyes }, hooks)
		}()
		bodyErr = a.firstLook(made, far)
		if bodyErr == nil {
			eyes = eyesOf(made.kps)
		}
		close(poseDone)
		if bodyErr == nil && early && !ex.changed() && !wholeFirst {
			// A wide frame's near look that will not be kept (keepNear,
			// as below) is looked at whole while the face path still
			// runs, not after it.
			_, cut := nearCut(made.img.Cols(), made.img.Rows(), made.cx)
			bodyErr = a.otherLook(made, far, cut && !far && !keepNear(made.img, made.kps, nil))
		}
		bodyBeside()
		<-faceDone
		near.wait()
	}
	if bodyErr != nil {
		return modelsRun{}, fmt.Errorf("pose on %s frame %d: %w", f.Source, f.Index, bodyErr)
	}
	if faceEr != nil {
		return modelsRun{}, fmt.Errorf("face on %s frame %d: %w", f.Source, f.Index, faceEr)
	}
	if err := a.recut(made, far, fr); err != nil {
		return modelsRun{}, fmt.Errorf("pose, cut about the face, on %s frame %d: %w", f.Source, f.Index, err)
	}
	run := modelsRun{gain: gain}
	looks := made
	if ex.changed() {
		// The body model looks at the exposed copy once the mesh has read
		// it: beside the mesh it took as long (both models on two threads
		// share the two cores) and ran for nothing where the mesh refused
		// the copy.
		if fr.Mesh.Accepted(face.DefaultMinMeshScore) && a.judge.Sees(inputOf(f, made.kps, fr)) {
			looks, run.gain = &bodyLooksAt{img: a.lit.exposed, cx: faceX(fr)}, ex.chosen
			// A wide frame seen first takes its near look at the copy,
			// cut about the face, and its whole look at once (bothLooks):
			// the whole one, which ran beside the face path on the frame as
			// made, would here run alone after the near one wherever that
			// is not kept (keepNear). In turn, the near look is taken
			// first and the whole one only where it is not kept; the
			// verdict is the same (TestBacklitWideFrameTakesBothLooksAtOnce).
			wholeWanted := true // the whole look at the copy, still to be taken
			if wholeFirst && looks.cx >= 0 && !a.fillsTheFrame(fr.Best, looks.img.Rows()) {
				if !a.inTurn {
					if err := a.bothLooks(looks, far); err != nil {
						return modelsRun{}, fmt.Errorf("pose, exposed for the face, on %s frame %d: %w", f.Source, f.Index, err)
					}
					wholeWanted = false // taken with the near one
				} else {
					kps, err := a.nearAboutFace(looks, &near)
					if err != nil {
						return modelsRun{}, fmt.Errorf("pose, cut about the face exposed for, on %s frame %d: %w", f.Source, f.Index, err)
					}
					wholeWanted = !keepNear(looks.img, kps, nil)
				}
			}
			if wholeWanted {
				if err := a.firstLook(looks, far); err != nil {
					return modelsRun{}, fmt.Errorf("pose, exposed for the face, on %s frame %d: %w", f.Source, f.Index, err)
				}
			}
		} else {
			// Refused: the body model's looks at the copy as made stand.
			// A face the mesh did not read exposed for it, it did not read
			// dark either (the masked person's 51 backlit frames: scores
			// under 0.2 exposed for, under 0.05 as made), so its result
			// stands too; a face the body model did not back (a guess on
			// an empty scene) is meshed again as made, the detector's
			// faces kept.
			run.refused = ex.chosen
			if fr.Mesh.Accepted(face.DefaultMinMeshScore) {
				a.face.ReuseDetections()
				var err error
				if fr, err = a.face.Observe(f.Mat, f.Time, false, eyesOf(made.kps)); err != nil {
					return modelsRun{}, fmt.Errorf("face on %s frame %d: %w", f.Source, f.Index, err)
				}
			}
		}
	}
	run.kps, run.fr = looks.kps, fr
	filled := wholeFirst && a.fillsTheFrame(fr.Best, looks.img.Rows())
	switch _, cutNear := nearCut(looks.img.Cols(), looks.img.Rows(), looks.cx); {
	case wholeFirst:
		if x := faceX(fr); x >= 0 && !filled {
			looks.cx = x
			kps, err := looks.other, error(nil)
			if !looks.looked { // not taken at the exposed copy above
				kps, err = a.nearAboutFace(looks, &near)
			}
			if err != nil {
				return modelsRun{}, fmt.Errorf("pose, cut about the face, on %s frame %d: %w", f.Source, f.Index, err)
			}
			if keepNear(looks.img, kps, run.kps) {
				run.kps, far = kps, false
			}
		}
	case cutNear && !far && !keepNear(looks.img, looks.kps, nil):
		// A wide frame's near look that lost the head, or that places the
		// shoulders at the picture's bottom edge or nowhere, is looked at
		// whole, as before it was cut, whatever the face (nearcut.go).
		a.bodyLooks++
		if err := a.otherLook(looks, far, true); err != nil {
			return modelsRun{}, fmt.Errorf("pose, second look, on %s frame %d: %w", f.Source, f.Index, err)
		}
		if !keepNear(looks.img, looks.kps, looks.other) {
			run.kps, far = looks.other, true
		}
	case faceWantsOtherLook(looks.img, fr) && bodyLostHead(looks.img, looks.kps):
		a.bodyLooks++
		if err := a.otherLook(looks, far, false); err != nil {
			return modelsRun{}, fmt.Errorf("pose, second look, on %s frame %d: %w", f.Source, f.Index, err)
		}
		if posture.HeadScore(looks.other) > posture.HeadScore(run.kps) {
			run.kps, far = looks.other, !far
		}
	}
	a.body = bodyLook{source: f.Source, index: f.Index, far: far, face: fr.Detected, faceX: faceX(fr)}
	if filled {
		// Not cut about a face that filled the frame: the stream's next
		// frame is seen whole first again, and cut about its own face once
		// the sitter leans back, rather than kept to the whole look.
		a.body.faceX = -1
	}
	if r, cut := nearCut(looks.img.Cols(), looks.img.Rows(), looks.cx); cut && !far {
		a.body.cut = r
	}
	return run, nil
}

// faceX is the middle across the frame of the face the face path found;
// -1 when it found none.
func faceX(fr FaceResult) float64 {
	if !fr.Detected {
		return -1
	}
	return detectionX(fr.Best)
}

// detectionX is faceX for one detection.
func detectionX(d face.Detection) float64 {
	if d.Score < posture.MinFaceScore {
		return -1
	}
	return (d.Box.MinX + d.Box.MaxX) / 2
}

// recut takes a stream's near look at a wide frame again, cut about the
// face the face path found, where it was cut about the face's place on the
// stream's last frame and the face has since moved more than recutMove of
// the frame's height. Whichever look the frame took first, only the near
// one depends on the cut.
func (a *Analyzer) recut(l *bodyLooksAt, far bool, fr FaceResult) error {
	x := faceX(fr)
	r, cut := nearCut(l.img.Cols(), l.img.Rows(), l.cx)
	if x < 0 || l.cx < 0 || !cut || math.Abs(x-l.cx) <= recutMove*float64(l.img.Rows()) {
		return nil
	}
	if r2, _ := nearCut(l.img.Cols(), l.img.Rows(), x); r2 == r {
		return nil // the frame's side keeps the cut where it is
	}
	l.cx = x
	var err error
	switch {
	case !far:
		a.faceCuts++
		l.kps, err = a.look(l.img, false, x)
	case l.looked:
		a.faceCuts++
		l.other, err = a.look(l.img, false, x)
	}
	return err
}

// nearAboutFace takes the near look at a wide frame seen whole first, cut
// about the face the face path found (l.cx), or the one taken beside the
// face path on that copy about that face.
func (a *Analyzer) nearAboutFace(l *bodyLooksAt, beside *nearBesideMesh) ([]domain.Keypoint, error) {
	a.faceCuts++
	var (
		near []domain.Keypoint
		err  error
	)
	if nl := beside.taken(l); nl != nil {
		a.nearBeside++
		if nl.unsure {
			a.nearUnsure++
		}
		near, err = nl.kps, nl.err
	} else {
		near, err = a.look(l.img, false, l.cx)
	}
	l.other, l.looked = near, true
	return near, err
}

// nearBesideMesh is a wide frame's near look (seen first, so seen whole)
// taken while the face path still runs rather than after it: cut about
// the face the detector found, which is settled before the mesh runs, or,
// where the detector's first look is unsure of the face and looks again,
// about the face its first look found (most often the one it settles on;
// where it is not, the look about that one is taken beside the mesh). The
// body model is free once its whole look is done. On this project's
// machine the first 16:9 frame took 17.3–18.1 ms with the near look after
// the mesh, at the 20 ms budget in the machine's slow runs (README); the
// masked person's backlit frame, whose face the detector looks for twice
// and the mesh cannot read, took 1.56–1.78 times as long as her plain
// frame with the near look after the mesh, and 1.16–1.27 times with it
// beside the detector's second look (README, "Two looks at once").
type nearBesideMesh struct {
	looks []*nearLook // started, on the face path's goroutine
}

// nearLook is one near look started beside the face path.
type nearLook struct {
	done <-chan struct{}
	on   *bodyLooksAt
	cut  image.Rectangle
	kps  []domain.Keypoint
	err  error
	// unsure: cut about the face of the detector's first look, unsure
	unsure bool
}

// hooks are the face path's hooks (meshOn as its MeshCopy) that also start
// the near look on l, once the whole look is done (wholeDone closed,
// wholeErr set): cut about the face the detector's first look found where
// it is unsure of it (and does not take it for part of a larger one), and
// about the face found, as the mesh starts to read it, unless the mesh is
// to read another exposure (the body model then looks at that copy after
// the mesh, or at l as now where the mesh refuses it).
func (n *nearBesideMesh) hooks(a *Analyzer, l *bodyLooksAt, ex *exposing, meshOn MeshCopy, wholeDone <-chan struct{}, wholeErr *error) FaceHooks {
	return FaceHooks{
		Unsure: func(first face.Detection) {
			// Not where the detector takes the face for part of one
			// larger than the frame: its second look most often finds
			// that one, filling the frame, which takes no near look.
			if first.Box.Height() < partOfLargerFace*float64(l.img.Rows()) {
				n.start(a, l, first, wholeDone, wholeErr, true)
			}
		},
		MeshCopy: func(frame gocv.Mat, best face.Detection) gocv.Mat {
			out := frame
			if meshOn != nil {
				out = meshOn(frame, best)
			}
			if !ex.changed() {
				n.start(a, l, best, wholeDone, wholeErr, false)
			}
			return out
		},
	}
}

// start starts the near look on l cut about the face d (unsure: the
// detector's first look's), unless one cut there is under way or done, d
// is not a face (detectionX), or it fills the frame.
func (n *nearBesideMesh) start(a *Analyzer, l *bodyLooksAt, d face.Detection, wholeDone <-chan struct{}, wholeErr *error, unsure bool) {
	x := detectionX(d)
	if x < 0 || a.fillsTheFrame(d, l.img.Rows()) {
		return
	}
	r, ok := nearCut(l.img.Cols(), l.img.Rows(), x)
	if !ok {
		return
	}
	for _, nl := range n.looks {
		if nl.on == l && nl.cut == r {
			return
		}
	}
	done := make(chan struct{})
	nl := &nearLook{done: done, on: l, cut: r, unsure: unsure}
	n.looks = append(n.looks, nl)
	go func() {
		defer close(done)
		<-wholeDone
		if *wholeErr != nil {
			return // the frame fails with the whole look's error
		}
		nl.kps, nl.err = a.look(l.img, false, x)
	}()
}

// wait returns once every near look started is done.
func (n *nearBesideMesh) wait() {
	for _, nl := range n.looks {
		<-nl.done
	}
}

// taken is the near look taken on l cut where l is to be cut now (nil:
// none). It is called after wait.
func (n *nearBesideMesh) taken(l *bodyLooksAt) *nearLook {
	r, ok := nearCut(l.img.Cols(), l.img.Rows(), l.cx)
	if !ok {
		return nil
	}
	for _, nl := range n.looks {
		if nl.on == l && nl.cut == r && nl.kps != nil {
			return nl
		}
	}
	return nil
}

// fillsTheFrame: the face the detector found fills at least faceFillsFrame
// of a frame h pixels high.
func (a *Analyzer) fillsTheFrame(d face.Detection, h int) bool {
	return !a.nearOfFilledFrame && d.Box.Height() >= faceFillsFrame*float64(h)
}

// faceFillsFrame is the face box's share of the frame's height from which a
// wide frame seen first (seen whole while the face path runs) takes no near
// look cut about the face: someone leaning right in, about 25 cm from the
// lens, nothing below the chin in view. The near look would see a face and
// no body; the face's size alone names the verdict, too close at full
// severity from this fill (posture.Params.CloseFill). With the look, the
// leaning-in frame seen first took 20.6–22.0 ms, over the budget; without
// it 17.3–17.7 (BenchmarkFrameWholePathLeaningIn, side by side). Of the
// development frames and copies, 5 of the masked person's faces zoomed to
// fill 0.85–0.98 of the height are seen so, each with the verdict and the
// faults it had with the near look (their features compared);
// TestFaceFillingTheFrameTakesNoNearLook judges 105 zoomed faces both ways.
const faceFillsFrame = 0.85

// keepNear decides between a wide frame's near look and its whole (far)
// look (nil: not taken yet): the near one, unless it lost the head or the
// body (bodyLostHead) or placed the shoulders at the picture's bottom edge
// or nowhere (shouldersAtTheEdge). Then the whole one where it found the
// head (at the edge), or saw it better (lost).
func keepNear(img gocv.Mat, near, whole []domain.Keypoint) bool {
	edge := shouldersAtTheEdge(near, img.Rows())
	if !edge && !bodyLostHead(img, near) {
		return true
	}
	if whole == nil {
		return false
	}
	w := posture.HeadScore(whole)
	return !(edge && w >= lostHeadScore || w > posture.HeadScore(near))
}

// recutMove is how far (a share of the frame's height) the face may move
// across a wide frame from where the stream's last frame had it before the
// near look is cut again about it: a sitter's head sways by more than the
// frame-to-frame noise of the face's box, and a second look on every frame
// would double the body model's cost.
const recutMove = 0.03

// bodyLook is which of its two looks the body model took on a stream's
// frame: the frame fitted to its input (NewLetterbox) or shown smaller, as
// a 16:9 frame is (NewFarLetterbox).
type bodyLook struct {
	source string
	index  int
	far    bool
	face   bool    // the face path saw a face on it
	faceX  float64 // the face's middle across the frame (faceX)
	// cut is the square the near look saw of a wide frame, where that look
	// was kept (nearCut); empty where the body model saw the frame whole.
	cut image.Rectangle
}

// lostHeadScore is the body model's head score (posture.HeadScore) under
// which it has not found the head the face path sees: real heads, masked
// and with closed eyes included, score 0.4–0.9 (posture.Params.MinHeadScore).
const lostHeadScore = 0.4

// The face box's share of the frame's height between which the body
// model's other look is worth a run. From leaningInFill the face is
// someone leaning in: its size, not the body, says so. Below nearFaceFill
// the head is small in the body model's input already (people at a desk
// fill 0.25–0.4; passers-by further back, on whose faces the detector
// also guesses, less), and the far look would only make it smaller.
const (
	nearFaceFill  = 0.2
	leaningInFill = 0.5
)

// rolledHead is the head roll (degrees) past which the body model's other
// look is not tried: a head rolled so far loses the body model's head by
// its roll, not by its size, and the face path names the tilt. Looking
// again at heads rolled 50–55° (Grace Hopper's portrait, an upright
// development frame) found the head but placed the shoulders under the
// chin: a full forward head named before the tilt.
const rolledHead = 25

// faceWantsOtherLook and bodyLostHead tell together when the body model's
// other look is worth a run: the face path sees a face (not one leaning in,
// nor rolled past rolledHead), the body model placed no head there
// (HeadScore under lostHeadScore) or put the shoulders at the eyes
// (shouldersAtTheEyes), and the two looks differ (looksDiffer). The other
// look is taken when it sees the head better, and a stream's next frames
// take it first. On the square development frames as `make features`
// records them it changes one (a face cut below the chin, its verdict as
// before); cut to 4:3 or square, the masked person's worst forward head is
// found with it (see NewFarLetterbox). A wide frame's near look, cut about
// the face (nearcut.go), that lost the head is looked at whole whatever the
// face: that is how it was seen before it was cut.
func faceWantsOtherLook(img gocv.Mat, fr FaceResult) bool {
	h := float64(img.Rows())
	switch {
	case !fr.Detected || fr.Best.Score < posture.MinFaceScore:
		return false
	case fr.Best.Box.Height() < nearFaceFill*h || fr.Best.Box.Height() >= leaningInFill*h:
		return false
	}
	return math.Abs(faceRoll(fr)) <= rolledHead
}

// bodyLostHead: see faceWantsOtherLook. A look that places the shoulders
// at the eyes has lost the body, whatever its head score
// (shouldersAtTheEyes).
func bodyLostHead(img gocv.Mat, kps []domain.Keypoint) bool {
	w, h := img.Cols(), img.Rows()
	return looksDiffer(w, h) && (posture.HeadScore(kps) < lostHeadScore || shouldersAtTheEyes(kps))
}

// looksDiffer: the body model's two looks at a w×h frame show it at
// different sizes: the far look shrinks a frame narrower than 16:9, the
// near look cuts one at least wideCut wide (nearcut.go).
func looksDiffer(w, h int) bool {
	_, cut := nearCut(w, h, -1)
	return cut || NewFarLetterbox(w, h).Scale <= 0.9*NewLetterbox(w, h).Scale
}

// shouldersAtEyes is how far below the eyes, in the body model's own eye
// widths, the shoulders it places must lie for the look to have found the
// body. No development frame as taken has them nearer than 1.28 (the masked
// person's worst forward head; the desk people's slumps 1.57); cut to 4:3
// about her face, the body model's look at the frame fitted to its input
// put them at 0.10–0.28, on the eye line at scores of 0.22–0.44, for six of
// her 35 forward heads, with head scores of 0.40–0.45, over lostHeadScore,
// and judged them upright from the face alone; its other look placed them
// 80–130 pixels lower at 0.5–0.6 and saw the head better (0.48–0.59).
const shouldersAtEyes = 0.75

// shouldersAtTheEyes: the body model sees both eyes and a shoulder (at a
// score of 0.2, under posture.MinScore: a misplaced shoulder scores low),
// and its shoulders lie less than shouldersAtEyes of its eye widths below
// its eyes.
func shouldersAtTheEyes(kps []domain.Keypoint) bool {
	le, re := kps[posture.LeftEye], kps[posture.RightEye]
	if le.Score < seenScore || re.Score < seenScore {
		return false
	}
	eyeWidth := math.Hypot(le.X-re.X, le.Y-re.Y)
	y, ok := shoulderLine(kps)
	return eyeWidth > 0 && ok && y-(le.Y+re.Y)/2 < shouldersAtEyes*eyeWidth
}

// seenScore is the body model's score from which the checks on where it
// put the body (shouldersAtTheEyes, shouldersAtTheEdge) take a keypoint as
// placed: under posture.MinScore, as a misplaced shoulder scores low.
const seenScore = 0.2

// shoulderLine is the mean height of the shoulders the body model placed
// (seenScore); ok is false when it placed none.
func shoulderLine(kps []domain.Keypoint) (y float64, ok bool) {
	n := 0
	for _, s := range []domain.Keypoint{kps[posture.LeftShoulder], kps[posture.RightShoulder]} {
		if s.Score >= seenScore {
			y += s.Y
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return y / float64(n), true
}

// faceRoll is the face's roll in degrees: the mesh's where it reads the
// face, else the detector's (its eye line), else 0.
func faceRoll(fr FaceResult) float64 {
	if fr.Mesh.Accepted(face.DefaultMinMeshScore) {
		if ang, ok := fr.Mesh.Angles(); ok {
			return ang.Roll
		}
	}
	if p, ok := fr.Best.Pose(); ok {
		return p.Roll
	}
	return 0
}

// eyesOf is where the body model sees the eyes, nil unless it sees both.
func eyesOf(kps []domain.Keypoint) *Eyes {
	le, re := kps[posture.LeftEye], kps[posture.RightEye]
	if le.Score < posture.MinScore || re.Score < posture.MinScore {
		return nil
	}
	return &Eyes{Left: face.Point{X: re.X, Y: re.Y}, Right: face.Point{X: le.X, Y: le.Y}} // the person's right eye is on the image's left
}

// LookAfresh makes the next frame run the face detector over the whole
// frame rather than follow the face: the count of people in view
// (Observation.People) is then fresh, as a framing check wants.
func (a *Analyzer) LookAfresh() { a.lastSource = "" }

// Analyze runs the whole path on one frame. The frame stays owned by the
// caller. A frame too dark or too flat to show anyone is unknown, with
// Picture saying why, never away.
func (a *Analyzer) Analyze(f Frame) (domain.Observation, error) {
	obs := domain.Observation{Time: f.Time, Offset: f.Offset, Source: f.Source, Frame: f.Index, Faults: []domain.Fault{}}
	switch {
	case isNilMat(f.Mat) || f.Mat.Empty():
		return obs, fmt.Errorf("%s frame %d: empty frame", f.Source, f.Index)
	case f.Mat.Type() != gocv.MatTypeCV8UC3:
		return obs, fmt.Errorf("%s frame %d: frame type %v, want 8-bit BGR", f.Source, f.Index, f.Mat.Type())
	}
	grey, haveGrey, mean, spread := measurePicture(f.Mat)
	if p := flatPicture(mean, spread); p != "" {
		a.lastSource = "" // the face is not tracked across it
		obs.Posture, obs.Picture, obs.Why = domain.PostureUnknown, p, p.Advice()
		return obs, nil
	}
	in, err := a.input(f, mean, spread)
	if err != nil {
		return obs, err
	}
	learning := a.judge.Learning() && !f.Time.IsZero()
	forgot := false
	if learning && !a.lastSeen.IsZero() && f.Time.Sub(a.lastSeen) > ForgetAfter {
		a.judge.ForgetLearnt()
		a.lastSeen, forgot = time.Time{}, true
	}
	if a.viewStale.Swap(false) {
		a.view.Reset()
		forgot = true // ForgetLearnt: another camera or recording
	}
	// The camera moved (the room behind the sitter shifted for good): what
	// was learnt about its place is wrong from now on, and so is a
	// calibration made there (the coach is told: Observation.CameraMoved).
	moved := learning && haveGrey && a.view.Observe(grey.cells, grey.cols, grey.rows, personIn(in), f.Time)
	if moved {
		a.judge.ForgetLearnt()
		a.lastSeen, forgot = time.Time{}, true
		slog.Info("the camera's view changed: learning where it sits afresh", "source", f.Source, "t_s", f.Offset.Seconds())
	}
	obs = a.judge.Observe(obs, in)
	obs.CameraMoved = moved
	obs.ViewForgotten = learning && forgot
	if learning && obs.Against != "" {
		a.lastSeen = f.Time
	}
	obs.People = a.people
	obs.Backlit = a.lit.asked >= backlitShown && obs.Posture != domain.PostureAway
	if mean < darkMean && (obs.Posture == domain.PostureAway || obs.Posture == domain.PostureUnknown) {
		obs.Posture, obs.Picture, obs.Why = domain.PostureUnknown, domain.PictureDark, domain.PictureDark.Advice()
	}
	return obs, nil
}

// Timed runs Analyze and reports how long it took.
func (a *Analyzer) Timed(f Frame) (domain.Observation, time.Duration, error) {
	t0 := time.Now()
	obs, err := a.Analyze(f)
	return obs, time.Since(t0), err
}

// faceInput keeps what the judgement needs of the face models' result.
func faceInput(r FaceResult) *posture.Face {
	if !r.Detected {
		return &posture.Face{Faces: r.Faces}
	}
	pt := func(p face.Point) posture.Point { return posture.Point{X: p.X, Y: p.Y} }
	box := func(b face.Box) posture.Box {
		return posture.Box{MinX: b.MinX, MinY: b.MinY, MaxX: b.MaxX, MaxY: b.MaxY}
	}
	out := &posture.Face{Faces: r.Faces, Tracked: r.Tracked, Score: r.Best.Score, Box: box(r.Best.Box)}
	for i, l := range r.Best.Landmarks {
		out.Landmarks[i] = pt(l)
	}
	if r.MeshRan {
		m := &r.Mesh
		pm := &posture.Mesh{Score: m.Score, Box: box(m.Bounds()), EyeDist3D: m.EyeDistance3D()}
		if ang, ok := m.Angles(); ok {
			pm.Roll, pm.Pitch, pm.Yaw = ang.Roll, ang.Pitch, ang.Yaw
		}
		right, left := m.EyeCenters() // the subject's right eye is on the image's left
		pm.EyeL, pm.EyeR = pt(right), pt(left)
		pm.Nose = pt(m.Points[face.MeshNoseTip].XY())
		pm.Chin = pt(m.Points[face.MeshChin].XY())
		pm.Forehead = pt(m.Points[face.MeshForehead].XY())
		out.Mesh = pm
	}
	return out
}

// personIn is the region the sitter covers in the frame, for telling the
// room behind them from them. The head: across the head's points and the
// face box, widened by 40 % of that width on each side (hair, a turn), from
// 0.8 of that width above it down: the crown sits about 0.6 face widths
// above the brows, hair higher. (From half the width above, the masked
// person's hair rose out of the region when she brought her head forward
// in a portrait-shaped frame, where the room beside her is narrow: the
// background's correlation fell to 0.71, taken for the camera moved, and
// the view was learnt afresh from her forward head. Widening the sides
// too hid grey-sweatshirt's real camera moves.) The body: across the shoulders widened by
// a quarter of their width (arms, the chair's back), from a head's height
// above the shoulder line down; without both shoulders, the head's region
// widened to three times its width. Nobody seen covers nothing.
func personIn(in posture.Input) camview.Person {
	if in.W <= 0 || in.H <= 0 {
		return camview.Person{}
	}
	minX, maxX, minY, maxY := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	add := func(x, y float64) {
		minX, maxX = math.Min(minX, x), math.Max(maxX, x)
		minY, maxY = math.Min(minY, y), math.Max(maxY, y)
	}
	for i := posture.Nose; i <= posture.RightEar && i < len(in.Keypoints); i++ {
		if k := in.Keypoints[i]; k.Score >= posture.MinScore {
			add(k.X, k.Y)
		}
	}
	if in.Face != nil && in.Face.Score >= posture.MinFaceScore {
		add(in.Face.Box.MinX, in.Face.Box.MinY)
		add(in.Face.Box.MaxX, in.Face.Box.MaxY)
	}
	if !(maxX >= minX) {
		return camview.Person{}
	}
	W, H := float64(in.W), float64(in.H)
	w := math.Max(maxX-minX, 0.05*W)
	p := camview.Person{HeadX0: (minX - 0.4*w) / W, HeadX1: (maxX + 0.4*w) / W, Top: (minY - 0.8*w) / H}
	p.BodyX0, p.BodyX1, p.BodyTop = (minX-w)/W, (maxX+w)/W, (maxY+0.5*w)/H
	if len(in.Keypoints) > posture.RightShoulder {
		l, r := in.Keypoints[posture.LeftShoulder], in.Keypoints[posture.RightShoulder]
		if l.Score >= posture.MinScore && r.Score >= posture.MinScore {
			sw := math.Abs(l.X - r.X)
			p.BodyX0, p.BodyX1 = (math.Min(l.X, r.X)-0.25*sw)/W, (math.Max(l.X, r.X)+0.25*sw)/W
			p.BodyTop = (math.Min(l.Y, r.Y) - (maxY - minY)) / H
		}
	}
	return p
}
