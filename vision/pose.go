package vision

import (
	"errors"
	"fmt"
	"image"
	"sync"
	"unsafe"

	"gocv.io/x/gocv"

	"posturewatch/coach/domain"
	"posturewatch/models"
)

// InputSize is MoveNet Lightning's square input; the model is trained at it.
const InputSize = 192

// The converted model's input and heads (see models/README.md).
var (
	poseInput   = tensorSpec{"input", []int64{1, 3, InputSize, InputSize}}
	poseOutputs = []tensorSpec{
		{"heatmaps", []int64{1, NumKeypoints, HeatmapSize, HeatmapSize}},
		{"center", []int64{1, 1, HeatmapSize, HeatmapSize}},
		{"regress", []int64{1, 2 * NumKeypoints, HeatmapSize, HeatmapSize}},
		{"offsets", []int64{1, 2 * NumKeypoints, HeatmapSize, HeatmapSize}},
	}
)

// PoseOptions configures the pose network.
type PoseOptions struct {
	ModelPath string // default models.DefaultPath()
	Threads   int    // the model's and OpenCV's threads; 0 = 2
	// Strict requires the model's sha256 to match the one `make models`
	// produces. A user-supplied model only has to be a well-formed ONNX file.
	Strict bool
	// LinearResize letterboxes with bilinear interpolation, exactly as the
	// reference decoder check does; the default shrinks with pixel-area
	// averaging (in two steps for large frames, see letterbox), which does
	// not alias on large camera frames.
	LinearResize bool
}

// PoseNet runs MoveNet SinglePose Lightning in ONNX Runtime.
// It is safe for use by one goroutine at a time (calls are serialised).
type PoseNet struct {
	mu  sync.Mutex
	net *onnxGraph
	// canvas is the first for every look, the second for the other of two
	// looks taken at once (EstimateTwo).
	canvas [2]poseCanvas

	linear bool
}

// poseCanvas is the model's input square for one look, with the
// letterbox's intermediates, reused.
type poseCanvas struct {
	lb  gocv.Mat // letterbox canvas
	rs  gocv.Mat // intermediate of the two-step shrink
	row gocv.Mat // the frame's bottom rows averaged, carried into the band below it
}

func newPoseCanvas() poseCanvas {
	return poseCanvas{lb: gocv.NewMatWithSize(InputSize, InputSize, gocv.MatTypeCV8UC3), rs: gocv.NewMat(), row: gocv.NewMat()}
}

func (c *poseCanvas) close() {
	c.lb.Close()
	c.rs.Close()
	c.row.Close()
}

// Letterbox maps between source pixels and the model's input square.
type Letterbox struct {
	Scale      float64 // input pixels per source pixel
	PadX, PadY int     // offset of the resized frame inside the square
	W, H       int     // resized frame size
	SrcW, SrcH int
}

// ToSource maps a point normalised to the input square (0..1) to source pixels.
func (l Letterbox) ToSource(nx, ny float64) (x, y float64) {
	return (nx*InputSize - float64(l.PadX)) / l.Scale, (ny*InputSize - float64(l.PadY)) / l.Scale
}

// NewLetterbox fits a w×h frame into the input square keeping its aspect ratio,
// centred, the rest padded black.
func NewLetterbox(w, h int) Letterbox {
	return letterboxAt(w, h, float64(InputSize)/float64(max(w, h)))
}

// FarHeight is the most of the input's height a frame fills in the body
// model's far look (NewFarLetterbox): a 16:9 frame's, as most webcams give.
const FarHeight = InputSize * 9 / 16

// NewFarLetterbox fits a w×h frame into the input square as NewLetterbox
// does, but no taller than a 16:9 frame fits (FarHeight): a frame narrower
// than that (4:3, square, portrait) is shrunk further, as if seen from
// farther away, with black at its sides and the band below it carried
// (carryBottom). It is NewLetterbox's for a frame 16:9 or wider.
//
// The body model reads a head and shoulders filling much of its input
// less surely than the same seen smaller: the masked development person's
// upright frames cut to 4:3 or square from their 16:9 still read
// upright, but her worst forward head cut square lost her head (its three
// best keypoints scored 0.15–0.24, against 0.53–0.63 in this look) and
// was called away, and cut to 4:3 lost her shoulders and was called good.
// It is the body model's second look (Analyzer), not its first: on the
// square development frames, which show their sitters well at the full
// scale, this look for every frame cost the cross-validated accuracy
// without a baseline 0.6 points and the good frames called bad by fits
// without their person rose from 2 to 8 of 802.
func NewFarLetterbox(w, h int) Letterbox {
	s := float64(InputSize) / float64(max(w, h))
	if h > 0 {
		s = min(s, float64(FarHeight)/float64(h))
	}
	return letterboxAt(w, h, s)
}

// letterboxAt fits a w×h frame into the input square at scale s, centred.
func letterboxAt(w, h int, s float64) Letterbox {
	rw := min(InputSize, max(1, int(float64(w)*s+0.5)))
	rh := min(InputSize, max(1, int(float64(h)*s+0.5)))
	return Letterbox{Scale: s, W: rw, H: rh, PadX: (InputSize - rw) / 2, PadY: (InputSize - rh) / 2, SrcW: w, SrcH: h}
}

// NewPoseNet checks the model file and loads it.
func NewPoseNet(opt PoseOptions) (*PoseNet, error) {
	if opt.ModelPath == "" {
		opt.ModelPath = models.DefaultPath()
		opt.Strict = true
	}
	if err := models.Check(opt.ModelPath, opt.Strict); err != nil {
		return nil, err
	}
	if !opt.Strict {
		if err := checkUnknownModel(opt.ModelPath, models.MoveNet); err != nil {
			return nil, err
		}
	}
	if opt.Threads <= 0 {
		opt.Threads = 2
	}
	SetThreads(opt.Threads)
	net, err := openGraph(opt.ModelPath, models.MoveNet, opt.Threads, poseInput, poseOutputs)
	if err != nil {
		return nil, err
	}
	if err := net.addTwin(); err != nil {
		net.close()
		return nil, fmt.Errorf("%s %s: a second set of buffers: %w", models.MoveNet.Name, opt.ModelPath, err)
	}
	return &PoseNet{net: net, canvas: [2]poseCanvas{newPoseCanvas(), newPoseCanvas()}, linear: opt.LinearResize}, nil
}

// Close releases the network.
func (p *PoseNet) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range p.canvas {
		p.canvas[i].close()
	}
	p.net.close()
	return nil
}

// Estimate finds the 17 COCO keypoints of the most central person in a BGR
// frame, in the frame's pixel coordinates.
func (p *PoseNet) Estimate(img gocv.Mat) ([]domain.Keypoint, Letterbox, error) {
	return p.EstimateIn(img, false)
}

// EstimateIn is Estimate with the frame letterboxed by NewFarLetterbox
// when far is true, by NewLetterbox otherwise.
func (p *PoseNet) EstimateIn(img gocv.Mat, far bool) ([]domain.Keypoint, Letterbox, error) {
	if err := checkPoseFrame(img); err != nil {
		return nil, Letterbox{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed() {
		return nil, Letterbox{}, errClosedPose
	}
	lb := letterboxFor(img, far)
	p.letterbox(img, lb)
	var kps []domain.Keypoint
	err := p.forward(func(h Heads) { kps = keypointsIn(h, lb) })
	return kps, lb, err
}

// EstimateTwo is EstimateIn for two frames (or two cuts of one frame) at
// once: the model runs on both together, each run on half the threads
// (onnxGraph.runTwice), and the keypoints are those EstimateIn gives each.
func (p *PoseNet) EstimateTwo(imgs [2]gocv.Mat, far [2]bool) ([2][]domain.Keypoint, error) {
	var kps [2][]domain.Keypoint
	for _, img := range imgs {
		if err := checkPoseFrame(img); err != nil {
			return kps, err
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed() {
		return kps, errClosedPose
	}
	sets := [2]graphBuffers{{in: p.net.in, outs: p.net.outs}, *p.net.twin}
	var lbs [2]Letterbox
	for i, img := range imgs {
		lbs[i] = letterboxFor(img, far[i])
		p.canvas[i].letterbox(img, lbs[i], p.linear)
		if err := p.canvas[i].fill(sets[i].in); err != nil {
			return kps, fmt.Errorf("pose model: %w", err)
		}
	}
	if err := p.net.runTwice(); err != nil {
		return kps, fmt.Errorf("pose model: %w", err)
	}
	for i, set := range sets {
		kps[i] = keypointsIn(headsOf(set.outs), lbs[i])
	}
	return kps, nil
}

// headsOf names the model's outputs (poseOutputs' order).
func headsOf(outs [][]float32) Heads {
	return Heads{Heatmaps: outs[0], Center: outs[1], Regress: outs[2], Offsets: outs[3]}
}

var errClosedPose = errors.New("pose model: closed")

// closed: Close has been called (the canvases are gone with the model).
func (p *PoseNet) closed() bool { return p.net.g == nil }

// checkPoseFrame refuses a frame the model cannot be given.
func checkPoseFrame(img gocv.Mat) error {
	if isNilMat(img) || img.Empty() {
		return errors.New("empty frame")
	}
	if img.Type() != gocv.MatTypeCV8UC3 {
		return fmt.Errorf("frame type %v, want 8-bit BGR", img.Type())
	}
	return nil
}

// letterboxFor is NewFarLetterbox's fit of img when far is true,
// NewLetterbox's otherwise.
func letterboxFor(img gocv.Mat, far bool) Letterbox {
	if far {
		return NewFarLetterbox(img.Cols(), img.Rows())
	}
	return NewLetterbox(img.Cols(), img.Rows())
}

// keypointsIn decodes the heads into keypoints in the source's pixels.
func keypointsIn(h Heads, lb Letterbox) []domain.Keypoint {
	norm := Decode(h)
	kps := make([]domain.Keypoint, NumKeypoints)
	for i, k := range norm {
		x, y := lb.ToSource(k.X, k.Y)
		kps[i] = domain.Keypoint{Name: KeypointNames[i], X: x, Y: y, Score: k.Score}
	}
	return kps
}

// letterbox fits img into the first input canvas as lb says (stage 1 of
// Estimate).
func (p *PoseNet) letterbox(img gocv.Mat, lb Letterbox) { p.canvas[0].letterbox(img, lb, p.linear) }

// letterbox fits img into the canvas as lb says, with bilinear
// interpolation where linear is true (PoseOptions.LinearResize).
func (c *poseCanvas) letterbox(img gocv.Mat, lb Letterbox, linear bool) {
	c.lb.SetTo(gocv.NewScalar(0, 0, 0, 0))
	roi := c.lb.Region(image.Rect(lb.PadX, lb.PadY, lb.PadX+lb.W, lb.PadY+lb.H))
	defer roi.Close()
	switch {
	case lb.Scale > 1 || linear:
		gocv.Resize(img, &roi, image.Pt(lb.W, lb.H), 0, 0, gocv.InterpolationLinear)
	case lb.Scale < 0.5:
		// Shrinking a lot: bilinear to twice the size, then pixel-area
		// averaging by 2. Nearly the quality of one pixel-area shrink (which
		// does not alias) at 40 % of its cost.
		gocv.Resize(img, &c.rs, image.Pt(2*lb.W, 2*lb.H), 0, 0, gocv.InterpolationLinear)
		gocv.Resize(c.rs, &roi, image.Pt(lb.W, lb.H), 0, 0, gocv.InterpolationArea)
	default:
		gocv.Resize(img, &roi, image.Pt(lb.W, lb.H), 0, 0, gocv.InterpolationArea)
	}
	c.carryBottom(lb)
}

// fill copies the canvas, as the model takes it (RGB planes of floats),
// into a graph's input buffer.
func (c *poseCanvas) fill(in []float32) error {
	blob := gocv.BlobFromImage(c.lb, 1.0, image.Pt(InputSize, InputSize), gocv.NewScalar(0, 0, 0, 0), true, false)
	defer blob.Close()
	return copyBlob(in, blob)
}

// bandRows is how many of the frame's bottom rows (in the model's input)
// are averaged into the band below it: one row repeated turns a camera's
// grain into vertical stripes.
const bandRows = 4

// carryBottom fills the band the letterbox leaves below a landscape frame
// with the frame's bottom rows averaged, repeated down to the canvas's
// edge. Left black, the band reads to the body model as the body's end: it
// places the shoulders of someone the frame cuts near the shoulder line
// above the edge, on the neck, and an upright sitter framed as webcams
// frame people reads as a head forward. Upright development frames cut
// half an eye width to an eye width below the shoulders (every other one of
// slouch-or-not's, both shoulders placed with a score of 0.3 or more): with
// the band black the neck came out over 0.4 eye widths short on 14 of 27
// copies, carried on 3 of 29. The masked person's frames, landscape with
// her shoulders at the bottom edge, have them placed lower by 2 % of the
// frame's height or more on 69 of 102. Square and portrait frames have no
// band below.
func (c *poseCanvas) carryBottom(lb Letterbox) {
	below := InputSize - lb.PadY - lb.H
	if below <= 0 || lb.W <= 0 {
		return
	}
	n := min(bandRows, lb.H)
	last := c.lb.Region(image.Rect(lb.PadX, lb.PadY+lb.H-n, lb.PadX+lb.W, lb.PadY+lb.H))
	defer last.Close()
	gocv.Resize(last, &c.row, image.Pt(lb.W, 1), 0, 0, gocv.InterpolationArea)
	band := c.lb.Region(image.Rect(lb.PadX, lb.PadY+lb.H, lb.PadX+lb.W, InputSize))
	defer band.Close()
	gocv.Resize(c.row, &band, image.Pt(lb.W, below), 0, 0, gocv.InterpolationNearestNeighbor)
}

// forward runs the network on the first canvas and hands the raw heads to
// use (stage 2; the heads are only valid inside use).
func (p *PoseNet) forward(use func(Heads)) error {
	if err := p.canvas[0].fill(p.net.in); err != nil {
		return fmt.Errorf("pose model: %w", err)
	}
	if err := p.net.run(); err != nil {
		return fmt.Errorf("pose model: %w", err)
	}
	use(headsOf(p.net.outs))
	return nil
}

// isNilMat reports a zero-value (never allocated or already closed) Mat,
// on which any OpenCV call would crash the process.
func isNilMat(m gocv.Mat) bool { return unsafe.Pointer(m.Ptr()) == nil }
