package vision

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"sync"
	"time"

	"gocv.io/x/gocv"

	"posturewatch/models"
	"posturewatch/vision/face"
	"posturewatch/vision/posture"
	"posturewatch/vision/resample"
)

// The converted face models' inputs and heads (models/README.md). The
// detector's are loaded at its largest input, the 256² square.
var (
	detectorInput, detectorOutputs = detectorTensors(face.DetectorInputSize, face.DetectorInputSize)

	meshInput   = tensorSpec{"input", []int64{1, 3, face.MeshInputSize, face.MeshInputSize}}
	meshOutputs = []tensorSpec{{"mesh", []int64{1, 3 * face.NumMeshPoints}}, {"score", []int64{1, 1}}}
)

// detectorTensors are the detector's input and heads on a w×h input: maps
// at strides 16 and 32.
func detectorTensors(w, h int) (tensorSpec, []tensorSpec) {
	r16, c16, r8, c8 := int64(h/16), int64(w/16), int64(h/32), int64(w/32)
	return tensorSpec{"input", []int64{1, 3, int64(h), int64(w)}}, []tensorSpec{
		{"scores16", []int64{1, 2, r16, c16}}, {"boxes16", []int64{1, 32, r16, c16}},
		{"scores8", []int64{1, 6, r8, c8}}, {"boxes8", []int64{1, 96, r8, c8}},
	}
}

// FaceOptions configures the face models.
type FaceOptions struct {
	DetectorPath, MeshPath string // default: models.PathOf, sha256-checked
	Threads                int    // the models' and OpenCV's threads; 0 = 2
}

// FaceNet runs BlazeFace (face box and six landmarks) and FaceMesh (468
// points) in ONNX Runtime, and tracks one face across the frames
// of a stream: while the mesh holds, its own bounds give the next crop and
// the detector is skipped (the detector costs four times the mesh). Calls are
// serialised; one FaceNet serves one stream at a time (Reset between streams).
type FaceNet struct {
	mu        sync.Mutex
	det       *onnxGraph
	mesh      *onnxGraph
	detIn     gocv.Mat         // detector canvas, reused
	detSmall  gocv.Mat         // resized frame before padding, reused
	detResize resample.Resizer // the detector's letterbox from a frame's bytes
	meshIn    gocv.Mat         // mesh crop, reused
	warp      gocv.Mat         // 2×3 affine, reused

	track       *face.Crop // next frame's crop from the last mesh; nil = run the detector
	trackFrames int        // frames since the detector last ran
	trackSince  time.Time  // when it last ran
	trackDet    face.Detection
	trackHint   *Eyes // the body model's eyes on that frame
	// trackMesh is the mesh's bounds on the frame the detector last ran:
	// a face tracked through its mesh gets that detection moved and scaled
	// as the mesh moved (the face's fill of the frame judges leaning in).
	trackMesh face.Box

	// lastFaces are the detector's faces on the last frame it ran on;
	// reuse makes the next observe take them instead of running it
	// (ReuseDetections).
	lastFaces []face.Detection
	reuse     bool

	meshRuns int // times the mesh ran (tests count what a frame costs)
}

// ReuseDetections makes the next Observe take the faces the detector found
// on the last frame it ran on instead of running it again: for the same
// frame shown to the models another way (a backlit frame exposed for the
// face), where the detector had already found the face.
func (f *FaceNet) ReuseDetections() {
	f.mu.Lock()
	f.reuse = true
	f.mu.Unlock()
}

// FaceResult is what the face path saw on one frame. Everything is in the
// frame's pixels.
type FaceResult struct {
	// Faces is the number of faces the detector found (0 when it did not run
	// because the face was tracked: then Tracked is true and Detection is the
	// one the track started from, moved with the mesh).
	Faces int
	// People counts the faces of a user's size among them (at least a
	// quarter of the main face's area): a passer-by further back is not
	// someone sharing the camera. 0 when the detector did not run.
	People   int
	Detected bool           // a face was found (by the detector or the track)
	Tracked  bool           // found by following the previous face, not by the detector
	byMesh   bool           // followed through the previous mesh (else the body model's eyes)
	Best     face.Detection // the largest, most confident face
	Mesh     face.Mesh      // the mesh on Best's crop (check Mesh.Accepted)
	MeshRan  bool
	// DetectorMS and MeshMS time the two models (0 when not run).
	DetectorMS, MeshMS float64
}

// NewFaceNet checks both models and loads them.
func NewFaceNet(opt FaceOptions) (*FaceNet, error) {
	dp, mp := opt.DetectorPath, opt.MeshPath
	strictD, strictM := dp == "", mp == ""
	if dp == "" {
		dp = models.PathOf(models.BlazeFace)
	}
	if mp == "" {
		mp = models.PathOf(models.FaceMesh)
	}
	if err := models.CheckModel(dp, models.BlazeFace, strictD); err != nil {
		return nil, err
	}
	if err := models.CheckModel(mp, models.FaceMesh, strictM); err != nil {
		return nil, err
	}
	if !strictD {
		if err := checkUnknownModel(dp, models.BlazeFace); err != nil {
			return nil, err
		}
	}
	if !strictM {
		if err := checkUnknownModel(mp, models.FaceMesh); err != nil {
			return nil, err
		}
	}
	if opt.Threads <= 0 {
		opt.Threads = 2
	}
	SetThreads(opt.Threads)
	det, err := openGraph(dp, models.BlazeFace, opt.Threads, detectorInput, detectorOutputs)
	if err != nil {
		return nil, err
	}
	mesh, err := openGraph(mp, models.FaceMesh, opt.Threads, meshInput, meshOutputs)
	if err != nil {
		det.close()
		return nil, err
	}
	return &FaceNet{det: det, mesh: mesh,
		detIn: gocv.NewMat(), detSmall: gocv.NewMat(),
		meshIn: gocv.NewMatWithSize(face.MeshInputSize, face.MeshInputSize, gocv.MatTypeCV8UC3),
		warp:   gocv.NewMatWithSize(2, 3, gocv.MatTypeCV64F)}, nil
}

// Close releases both networks and the buffers.
func (f *FaceNet) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range []*gocv.Mat{&f.detIn, &f.detSmall, &f.meshIn, &f.warp} {
		m.Close()
	}
	f.det.close()
	f.mesh.close()
	return nil
}

// Reset forgets the tracked face: the next frame runs the detector. Call it
// between unrelated frames (another file, a reopened camera).
func (f *FaceNet) Reset() {
	f.mu.Lock()
	f.track, f.trackHint, f.trackDet, f.trackMesh, f.trackSince = nil, nil, face.Detection{}, face.Box{}, time.Time{}
	f.mu.Unlock()
}

// NeedsEyes reports whether Observe on a frame taken at t might follow the
// face by the body model's eyes, so needs them before it starts. When it
// does not, ObserveAwaitingEyes can run beside the body model.
func (f *FaceNet) NeedsEyes(t time.Time, track bool) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return track && f.track == nil && f.mayFollowEyes(t)
}

// Eyes are where the body model places the eyes (the image-left eye first),
// a hint that lets the face path skip the detector while the face stays put.
type Eyes struct{ Left, Right face.Point }

// Observe finds the face on a BGR frame taken at t: by the detector, or by
// following the previous frame's face when tracking holds — through its
// mesh, or, for a face the mesh cannot read (a mask), through the body
// model's eyes (hint; nil when it sees none). With track false every frame
// runs the detector (still images).
func (f *FaceNet) Observe(img gocv.Mat, t time.Time, track bool, hint *Eyes) (FaceResult, error) {
	return f.ObserveAwaitingEyes(img, t, track, func() *Eyes { return hint })
}

// ObserveAwaitingEyes is Observe with the eyes given by a function, called
// once at most, which may wait for the body model. Where NeedsEyes is false
// it is called only at the end, to keep them for following the next frame.
func (f *FaceNet) ObserveAwaitingEyes(img gocv.Mat, t time.Time, track bool, eyes func() *Eyes) (FaceResult, error) {
	return f.ObserveWith(img, t, track, eyes, FaceHooks{})
}

// MeshCopy says which copy of a frame the mesh reads once the detector has
// found the face (best, in the frame's pixels): the frame as the detector
// saw it, or one exposed for that face (a backlit face: backlight.go). It
// returns the frame it was given where that stands. It is called at most
// once a frame, and only where the detector ran; a copy it returns must
// stay unchanged until Observe returns.
type MeshCopy func(frame gocv.Mat, best face.Detection) gocv.Mat

// FaceHooks let the caller act on what the face path finds before it is
// done: the analyzer starts the body model's near look about the face as
// soon as the face's place is known.
type FaceHooks struct {
	// MeshCopy gives the copy the mesh reads (nil: the frame).
	MeshCopy MeshCopy
	// Unsure, where not nil, is called with the main face of the
	// detector's first look where that look is unsure of it and the
	// detector looks again (FaceNet.detect), before it does. The face the
	// second look settles on is most often the same.
	Unsure func(first face.Detection)
}

// ObserveWith is ObserveAwaitingEyes with the hooks given.
func (f *FaceNet) ObserveWith(img gocv.Mat, t time.Time, track bool, eyes func() *Eyes, hooks FaceHooks) (FaceResult, error) {
	if isNilMat(img) || img.Empty() {
		return FaceResult{}, errors.New("empty frame")
	}
	if img.Type() != gocv.MatTypeCV8UC3 {
		return FaceResult{}, fmt.Errorf("frame type %v, want 8-bit BGR", img.Type())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	defer func() { f.reuse = false }()
	res, err := f.observe(img, t, track, eyes, hooks)
	if err == nil && res.Tracked && res.byMesh && !res.Mesh.Accepted(face.DefaultMinMeshScore) {
		// The track was lost on this frame: the face may have moved out of
		// the crop. Look again with the detector rather than report an
		// unmeshable face that is really elsewhere.
		f.track = nil
		return f.observe(img, t, track, nil, hooks)
	}
	return res, err
}

// followEyes moves the last detection with the body model's eyes when they
// are still about where they were when the detector last ran (moved less
// than a third of an eye width, the eye width within 15 %, not longer than
// the tracking age ago): the face has not moved enough to need the detector.
func (f *FaceNet) followEyes(hint *Eyes, t time.Time) (face.Detection, bool) {
	was := f.trackHint
	if hint == nil || !f.mayFollowEyes(t) {
		return face.Detection{}, false
	}
	we := math.Hypot(was.Right.X-was.Left.X, was.Right.Y-was.Left.Y)
	he := math.Hypot(hint.Right.X-hint.Left.X, hint.Right.Y-hint.Left.Y)
	if we <= 0 || math.Abs(he/we-1) > 0.15 {
		return face.Detection{}, false
	}
	dx := (hint.Left.X+hint.Right.X)/2 - (was.Left.X+was.Right.X)/2
	dy := (hint.Left.Y+hint.Right.Y)/2 - (was.Left.Y+was.Right.Y)/2
	if math.Hypot(dx, dy) > we/3 {
		return face.Detection{}, false
	}
	return f.trackDet.Shifted(dx, dy), true
}

// eyesIfFollowing asks for the eyes only where following by them is
// possible (NeedsEyes), so that elsewhere nothing waits for them.
func (f *FaceNet) eyesIfFollowing(track bool, t time.Time, hint func() *Eyes) *Eyes {
	if !track || !f.mayFollowEyes(t) {
		return nil
	}
	return hint()
}

// mayFollowEyes: the last detection is recent and was made with the eyes in
// view, so this frame's eyes may tell whether it still holds.
func (f *FaceNet) mayFollowEyes(t time.Time) bool {
	return f.trackHint != nil && !f.trackSince.IsZero() && t.Sub(f.trackSince) <= trackOptions.MaxAge && f.trackDet.Score != 0
}

// observe is Observe; eyes nil means none.
func (f *FaceNet) observe(img gocv.Mat, t time.Time, track bool, eyes func() *Eyes, hooks FaceHooks) (FaceResult, error) {
	hint := func() *Eyes {
		if eyes == nil {
			return nil
		}
		e := eyes()
		eyes = func() *Eyes { return e }
		return e
	}
	w, h := img.Cols(), img.Rows()
	var res FaceResult
	var crop face.Crop
	if track && f.track != nil {
		crop = *f.track
		res.Detected, res.Tracked, res.byMesh, res.Best = true, true, true, f.trackDet
		f.trackFrames++
	} else if d, ok := f.followEyes(f.eyesIfFollowing(track, t, hint), t); track && ok {
		var err error
		if crop, err = face.CropFromDetection(d, face.DefaultDetectionCrop()); err != nil {
			return res, nil
		}
		res.Detected, res.Tracked, res.Best = true, true, d
		f.trackFrames++
	} else {
		var (
			dets []face.Detection
			err  error
		)
		if f.reuse {
			dets = f.lastFaces
		} else {
			t0 := time.Now()
			dets, err = f.detect(img, hooks.Unsure)
			res.DetectorMS = msSince(t0)
			if err != nil {
				return res, err
			}
			f.lastFaces = dets
		}
		res.Faces = len(dets)
		if len(dets) == 0 {
			f.track = nil
			return res, nil
		}
		res.Detected, res.Best = true, mainFace(dets)
		for _, d := range dets {
			if d.Box.Area() >= res.Best.Box.Area()/4 {
				res.People++
			}
		}
		if crop, err = face.CropFromDetection(res.Best, face.DefaultDetectionCrop()); err != nil {
			f.track = nil
			return res, nil // a degenerate box: seen, not meshable
		}
		f.trackFrames, f.trackSince, f.trackDet = 0, t, res.Best
		// The eyes are kept to follow the next frames by; asked for last,
		// so that the detector and the mesh need not wait for them.
		f.trackHint = nil
		defer func() { f.trackHint = hint() }()
		if hooks.MeshCopy != nil {
			img = hooks.MeshCopy(img, res.Best)
		}
	}
	t0 := time.Now()
	m, err := f.runMesh(img, crop)
	res.MeshMS = msSince(t0)
	if err != nil {
		f.track = nil
		return res, err
	}
	res.Mesh, res.MeshRan = m, true
	if res.byMesh && f.trackMesh.Height() > 0 {
		// A tracked face's box and landmarks follow its mesh, so its size
		// and place are this frame's, not the detector's last.
		res.Best = movedWithMesh(f.trackDet, f.trackMesh, m)
	}
	if !res.Tracked {
		f.trackMesh = face.Box{}
		if m.Accepted(face.DefaultMinMeshScore) {
			f.trackMesh = m.Bounds()
		}
	}
	f.track = nil
	if track && trackOptions.DropTracking(&m, w, h, f.trackFrames, t.Sub(f.trackSince)) == face.KeepTracking {
		if next, err := face.CropFromMesh(&m, face.DefaultTrackingCrop()); err == nil {
			f.track = &next
		}
	}
	return res, nil
}

// mainFace picks the user's face among several: the largest box, with the
// score breaking near-ties. Passers-by are further away, so smaller.
func mainFace(dets []face.Detection) face.Detection {
	best := dets[0]
	for _, d := range dets[1:] {
		if d.Box.Area() > 1.3*best.Box.Area() || (d.Box.Area() > best.Box.Area()/1.3 && d.Score > best.Score) {
			best = d
		}
	}
	return best
}

// trackOptions: how long a face may be followed without the detector. The
// mesh checks itself on every frame (its score) and the eyes' follower
// checks the eyes' place and size against the detector's frame, so the age
// limit only bounds drift: a minute, or 100 frames. (MediaPipe's 2.5 s
// assumes 30 fps; at the service's 0.3–2 fps it would run the detector on
// every other frame.)
var trackOptions = func() face.TrackOptions {
	o := face.DefaultTrackOptions()
	o.MaxAge, o.MaxFrames = time.Minute, 100
	return o
}()

// nearMargin is the border added around the frame, on each side as a share
// of its longer side, when the detector finds nothing sure: BlazeFace is a
// short-range model for faces up to about half its input, and a face that
// fills the frame (someone leaning right in) is found once it is smaller.
const nearMargin = 0.5

// partOfLargerFace is the first look's face height, as a share of the
// frame's, from which an unsure face is taken for part of one larger than
// the frame (sureFace); so is no face at all. The second look then borders
// the frame by nearMargin of each side instead of the longer side all
// round: the face shrinks as much, the canvas keeps the frame's shape (a
// 16:9 frame's is the first look's 256×160, not 256×224), and the two looks
// cost 2–5 ms less (the frame under 20 ms at this machine's usual pace, at
// the line in its slow hours: README). An unsure face of
// ordinary size (a head bowed forward: 0.28–0.42 of the height) keeps the
// square border: its reads there differ with the canvas's context, and the
// forward-head clip cut to its top 80 % caught the bowed head as looking
// down only in that one. On development faces zoomed to 1.2 and 1.4 times
// the frame's height the first look saw 0.41–0.56 of it (quartiles) or none.
const partOfLargerFace = 0.45

// detect finds the faces on a frame; when none is sure, it looks again with
// the frame shrunk inside a border, for a face too large for the detector.
// The second look's faces replace the first's when the first found none
// above MinFaceScore, or when the second found a larger face (the whole of
// one the first saw a part of), each time only with a better score: where
// both found the same face the first look, at the full resolution, places
// it more exactly (a masked face filling 85 % of the frame's height got a
// box of 0.71 of it from the second look, 0.80 from the first).
func (f *FaceNet) detect(img gocv.Mat, unsure func(face.Detection)) ([]face.Detection, error) {
	dets, err := f.detectIn(img, 0, 0)
	if err != nil || (len(dets) > 0 && dets[0].Score >= sureFace) {
		return dets, err
	}
	if unsure != nil && len(dets) > 0 {
		unsure(mainFace(dets))
	}
	mx, my := nearMargins(img.Cols(), img.Rows(), dets)
	far, err := f.detectIn(img, mx, my)
	if err != nil {
		return nil, err
	}
	switch {
	case len(far) == 0:
		return dets, nil
	case len(dets) == 0:
		return far, nil
	case far[0].Score <= dets[0].Score:
		return dets, nil
	case dets[0].Score < posture.MinFaceScore || far[0].Box.Height() >= largerFace*dets[0].Box.Height():
		return far, nil
	}
	return dets, nil
}

// nearMargins is the second look's border, left and right and above and
// below, for a w×h frame on which the first look found dets
// (partOfLargerFace).
func nearMargins(w, h int, dets []face.Detection) (mx, my int) {
	if len(dets) == 0 || dets[0].Box.Height() >= partOfLargerFace*float64(h) {
		return int(nearMargin * float64(w)), int(nearMargin * float64(h))
	}
	m := int(nearMargin * float64(max(w, h)))
	return m, m
}

// largerFace is how much taller the second look's face must be to be the
// whole of one the first look saw a part of: the part is half the frame's
// height and the face 1.2–1.4 times it (sureFace).
const largerFace = 1.25

// sureFace is the detector score above which the first look is enough:
// faces at a desk score 0.75–0.95. A face larger than the frame (someone
// leaning right in, brows or chin cut off) is not found whole by the first
// look: it finds a face inside it, a box half the frame's height at
// 0.35–0.75, which the mesh cannot read or reads as a face of normal size
// (on development faces zoomed to fill 1.2–1.4 times the frame's height, a
// third were called away and a third upright). The second look finds the
// whole face at 0.7–0.9.
const sureFace = 0.75

// detectIn letterboxes the frame into the detector's input and decodes
// every face it finds. The input is the frame's own shape, rounded up to the
// detector's stride, 256 on the long side (a 16:9 frame: 256×160, not the
// 256² square with 112 rows of padding), when the model allows it.
func (f *FaceNet) detectIn(img gocv.Mat, mx, my int) ([]face.Detection, error) {
	w, h := img.Cols()+2*mx, img.Rows()+2*my
	lb, err := face.NewLetterbox(w, h, face.DetectorInputSize)
	if f.det.freeHW {
		lb, err = face.NewFittedLetterbox(w, h, face.DetectorInputSize, face.DetectorStride)
	}
	if err != nil {
		return nil, err
	}
	if err := f.det.reshape(detectorTensors(lb.Width, lb.Height)); err != nil {
		return nil, fmt.Errorf("face detector: %w", err)
	}
	if err := f.letterboxDetector(img, mx, my, lb); err != nil {
		return nil, fmt.Errorf("face detector: %w", err)
	}
	if err := f.det.run(); err != nil {
		return nil, fmt.Errorf("face detector: %w", err)
	}
	o := f.det.outs
	dets, err := face.DecodeDetections(o[0], o[1], o[2], o[3], lb, face.DefaultDetectOptions())
	for i := range dets {
		dets[i] = dets[i].Shifted(-float64(mx), -float64(my))
	}
	return dets, err
}

// detectorNorm is the detector's input scaling, BlobFromImage's
// (v − 127.5)/127.5.
var detectorNorm = resample.Norm{Mean: 127.5, Scale: 1 / 127.5}

// letterboxDetector fills the detector's input with img inside a black
// margin (mx pixels left and right, my above and below), letterboxed as lb
// says. A shrunk continuous frame goes through resample, in one pass from
// its bytes (0.7 ms for 960×540 where OpenCV 4.6's area resize alone took
// 2.3, bit for bit the same tensor); anything else (an enlarged small
// frame, a region) through OpenCV.
func (f *FaceNet) letterboxDetector(img gocv.Mat, mx, my int, lb face.Letterbox) error {
	shrink := lb.ResizedWidth <= lb.SourceWidth && lb.ResizedHeight <= lb.SourceHeight
	if frame, ok := frameBytes(img); ok && shrink {
		frame.MarginX, frame.MarginY = mx, my
		return f.detResize.AreaInto(resample.Tensor{Data: f.det.in, Width: lb.Width, Height: lb.Height}, frame,
			resample.Placement{Left: lb.PadLeft, Top: lb.PadTop, Width: lb.ResizedWidth, Height: lb.ResizedHeight},
			detectorNorm)
	}
	src := img
	if mx > 0 || my > 0 {
		padded := gocv.NewMat()
		defer padded.Close()
		gocv.CopyMakeBorder(img, &padded, my, my, mx, mx, gocv.BorderConstant, blackBGR)
		src = padded
	}
	interp := gocv.InterpolationArea
	if !shrink {
		interp = gocv.InterpolationLinear
	}
	gocv.Resize(src, &f.detSmall, image.Pt(lb.ResizedWidth, lb.ResizedHeight), 0, 0, interp)
	gocv.CopyMakeBorder(f.detSmall, &f.detIn, lb.PadTop, lb.PadBottom(), lb.PadLeft, lb.PadRight(), gocv.BorderConstant, blackBGR)
	blob := gocv.BlobFromImage(f.detIn, 1/127.5, image.Pt(lb.Width, lb.Height), gocv.NewScalar(127.5, 127.5, 127.5, 0), true, false)
	defer blob.Close()
	return f.det.setInput(blob)
}

// runMesh warps the crop out of the frame (rotated upright) and decodes the
// mesh back into frame pixels.
func (f *FaceNet) runMesh(img gocv.Mat, crop face.Crop) (face.Mesh, error) {
	f.meshRuns++
	m := crop.WarpMatrix()
	for i, v := range m {
		f.warp.SetDoubleAt(i/3, i%3, v)
	}
	gocv.WarpAffineWithParams(img, &f.meshIn, f.warp, image.Pt(face.MeshInputSize, face.MeshInputSize),
		gocv.InterpolationLinear, gocv.BorderConstant, blackBGR)
	blob := gocv.BlobFromImage(f.meshIn, 1/255.0, image.Pt(face.MeshInputSize, face.MeshInputSize), gocv.NewScalar(0, 0, 0, 0), true, false)
	defer blob.Close()
	if err := f.mesh.runOn(blob); err != nil {
		return face.Mesh{}, fmt.Errorf("face mesh: %w", err)
	}
	return face.DecodeMesh(f.mesh.outs[0], f.mesh.outs[1], crop)
}

var blackBGR = color.RGBA{0, 0, 0, 0}

func msSince(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }

// movedWithMesh places the detection of an earlier frame on this frame's
// face: scaled and shifted as the mesh's bounds moved since then.
func movedWithMesh(d face.Detection, was face.Box, now face.Mesh) face.Detection {
	nb := now.Bounds()
	if was.Height() <= 0 || nb.Height() <= 0 {
		return d
	}
	k := nb.Height() / was.Height()
	wc, nc := was.Center(), nb.Center()
	move := func(p face.Point) face.Point {
		return face.Point{X: nc.X + (p.X-wc.X)*k, Y: nc.Y + (p.Y-wc.Y)*k}
	}
	lo, hi := move(face.Point{X: d.Box.MinX, Y: d.Box.MinY}), move(face.Point{X: d.Box.MaxX, Y: d.Box.MaxY})
	d.Box = face.Box{MinX: lo.X, MinY: lo.Y, MaxX: hi.X, MaxY: hi.Y}
	for i := range d.Landmarks {
		d.Landmarks[i] = move(d.Landmarks[i])
	}
	return d
}
