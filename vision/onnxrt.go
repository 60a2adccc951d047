package vision

/*
#cgo LDFLAGS: -ldl
#include <stdlib.h>
#include "onnxrt.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"gocv.io/x/gocv"

	"posturewatch/models"
)

// The models run in ONNX Runtime (its CPU library, set up by `make models`
// beside them). OpenCV 4.6's dnn module ran them too, at twice the time:
// MoveNet 21 ms against 10.5 ms on 2 threads here, its depthwise
// convolutions being slow on narrow planes. OpenCV still does everything
// around the models (decoding, resizing, warping).

// runtimeAPIVersion is the C API version asked of the library: that of
// models.RuntimeVersion, so any library of that release or newer serves.
const runtimeAPIVersion = 20

// tensorSpec names a model input or output and gives its shape.
type tensorSpec struct {
	name  string
	shape []int64
}

func (t tensorSpec) size() int {
	n := 1
	for _, d := range t.shape {
		n *= int(d)
	}
	return n
}

// onnxGraph is one model loaded into ONNX Runtime with fixed buffers for
// its input and outputs: fill in, call run, read outs until the next run.
// The buffers are sized for the shapes given at load; a graph whose model
// leaves its input's height and width free may be reshaped to smaller ones.
// A graph given a twin set of buffers (addTwin) runs the model on both at
// once (runTwice). It is not safe for concurrent use.
type onnxGraph struct {
	g    *C.pw_ort_graph
	in   []float32
	outs [][]float32
	twin *graphBuffers // the second set (nil: none)

	inCap     int   // the values the input's buffer holds
	outCaps   []int // and each output's
	freeHW    bool  // the model leaves the input's height and width free
	inShape   []int64
	outShapes [][]int64 // the shapes in force

	// paired: it has a session on half the threads, for the runs made
	// beside another model's (startRun); pairedRuns counts the runs made
	// in it, and twiceRuns the runTwice calls (tests and benchmarks check
	// where a frame's models ran side by side; guarded by runsUnderWay).
	paired     bool
	pairedRuns int
	twiceRuns  int
	// took is how long its runs take, alone and paired, smoothed
	// (startRun; guarded by runsUnderWay).
	took [2]time.Duration
}

// graphBuffers is a set of a graph's input and output buffers beside its
// first (in, outs).
type graphBuffers struct {
	in   []float32
	outs [][]float32
}

var runtimeLib struct {
	sync.Mutex
	path    string // the library loaded ("" none yet)
	version string
}

// openRuntime loads the ONNX Runtime library once per process: from
// $POSTUREWATCH_ONNXRUNTIME if set (any well-formed shared library, said
// loudly), otherwise the one `make models` set up, checked by its sha256.
func openRuntime() error {
	runtimeLib.Lock()
	defer runtimeLib.Unlock()
	path := models.PathOf(models.Runtime)
	if runtimeLib.path != "" {
		if path != runtimeLib.path {
			return fmt.Errorf("%s %s: this process already runs %s", models.Runtime.Name, path, runtimeLib.path)
		}
		return nil
	}
	strict := os.Getenv(models.Runtime.EnvVar) == ""
	if err := models.CheckModel(path, models.Runtime, strict); err != nil {
		return err
	}
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var version *C.char
	if msg := C.pw_ort_open(cpath, runtimeAPIVersion, &version); msg != nil {
		return fmt.Errorf("%s %s: %s: %s", models.Runtime.Name, path, takeMessage(msg), models.Runtime.Hint)
	}
	runtimeLib.path, runtimeLib.version = path, C.GoString(version)
	return nil
}

// LoadRuntime loads the ONNX Runtime library if no model has yet, and
// says which version runs the models (doctor's check that it loads).
func LoadRuntime() (version string, err error) {
	if err := openRuntime(); err != nil {
		return "", err
	}
	runtimeLib.Lock()
	defer runtimeLib.Unlock()
	return runtimeLib.version, nil
}

// openGraph loads the model file at path (checked by the caller) into a
// session on `threads` threads and checks its input and outputs. With more
// than one thread it also loads it into a session on half as many, over
// the same buffers, for the runs made beside another model's (startRun).
func openGraph(path string, m models.Model, threads int, in tensorSpec, outs []tensorSpec) (*onnxGraph, error) {
	if err := openRuntime(); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", m.Name, path, err)
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("%s %s is empty: %s", m.Name, path, m.Hint)
	}
	if len(outs) == 0 {
		return nil, fmt.Errorf("%s %s: no outputs asked for", m.Name, path)
	}
	// The call only reads the model bytes, the shapes and the name table
	// (ONNX Runtime copies what it keeps), so they are passed as they are;
	// the names themselves are C strings.
	cIn := C.CString(in.name)
	defer C.free(unsafe.Pointer(cIn))
	names := make([]*C.char, len(outs))
	ranks := make([]C.int, len(outs))
	dims := make([]C.int64_t, 0, 4*(1+len(outs)))
	for _, d := range in.shape {
		dims = append(dims, C.int64_t(d))
	}
	for i, o := range outs {
		names[i] = C.CString(o.name)
		defer C.free(unsafe.Pointer(names[i]))
		ranks[i] = C.int(len(o.shape))
		for _, d := range o.shape {
			dims = append(dims, C.int64_t(d))
		}
	}

	// A session that does not load says so the same way for either session.
	notLoaded := func(msg *C.char) error {
		return fmt.Errorf("%s %s: %s: %s", m.Name, path, takeMessage(msg), m.Hint)
	}
	var g *C.pw_ort_graph
	if msg := C.pw_ort_graph_new(unsafe.Pointer(&data[0]), C.size_t(len(data)), C.int(threads),
		cIn, &dims[0], C.int(len(in.shape)),
		C.int(len(outs)), &names[0], &dims[len(in.shape)], &ranks[0], &g); msg != nil {
		return nil, notLoaded(msg)
	}
	if threads > 1 {
		if msg := C.pw_ort_graph_pair(g, unsafe.Pointer(&data[0]), C.size_t(len(data)), C.int(threads/2)); msg != nil {
			C.pw_ort_graph_free(g)
			return nil, notLoaded(msg)
		}
	}
	og := &onnxGraph{g: g, paired: threads > 1, in: inputBuffer(g, 0, in),
		inCap: in.size(), inShape: slices.Clone(in.shape)}
	og.freeHW = len(in.shape) == 4 && C.pw_ort_graph_input_free(g)&0b1100 == 0b1100
	for i, o := range outs {
		og.outs = append(og.outs, outputBuffer(g, 0, i, o))
		og.outCaps = append(og.outCaps, o.size())
		og.outShapes = append(og.outShapes, slices.Clone(o.shape))
	}
	return og, nil
}

func inputBuffer(g *C.pw_ort_graph, set int, in tensorSpec) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(C.pw_ort_graph_input(g, C.int(set)))), in.size())
}

func outputBuffer(g *C.pw_ort_graph, set, i int, o tensorSpec) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(C.pw_ort_graph_output(g, C.int(set), C.int(i)))), o.size())
}

// shapeDims flattens an input's and outputs' shapes as the C side takes
// them: the input's dims, then each output's.
func shapeDims(in tensorSpec, outs []tensorSpec) []C.int64_t {
	dims := make([]C.int64_t, 0, len(in.shape)*(1+len(outs)))
	for _, d := range in.shape {
		dims = append(dims, C.int64_t(d))
	}
	for _, o := range outs {
		for _, d := range o.shape {
			dims = append(dims, C.int64_t(d))
		}
	}
	return dims
}

// specs are the graph's input and outputs at the shapes in force.
func (g *onnxGraph) specs() (tensorSpec, []tensorSpec) {
	outs := make([]tensorSpec, len(g.outShapes))
	for i, s := range g.outShapes {
		outs[i] = tensorSpec{shape: s}
	}
	return tensorSpec{shape: g.inShape}, outs
}

// addTwin gives the graph a second set of buffers, so that runTwice can
// run the model on two inputs at once.
func (g *onnxGraph) addTwin() error {
	if g == nil || g.g == nil {
		return errors.New("the model is closed")
	}
	if g.twin != nil {
		return nil
	}
	in, outs := g.specs()
	dims := shapeDims(in, outs)
	if msg := C.pw_ort_graph_twin(g.g, &dims[0], &dims[len(in.shape)]); msg != nil {
		return errors.New(takeMessage(msg))
	}
	g.twin = g.buffers(1, in, outs)
	return nil
}

// buffers are set's buffers at the shapes given.
func (g *onnxGraph) buffers(set int, in tensorSpec, outs []tensorSpec) *graphBuffers {
	b := &graphBuffers{in: inputBuffer(g.g, set, in)}
	for i, o := range outs {
		b.outs = append(b.outs, outputBuffer(g.g, set, i, o))
	}
	return b
}

// reshape gives the input and outputs new shapes (names as at load, ranks
// too, sizes no larger; the outputs' must follow from the input's); it does
// nothing when they have those shapes already. in and outs then have the new
// lengths.
func (g *onnxGraph) reshape(in tensorSpec, outs []tensorSpec) error {
	if g == nil || g.g == nil {
		return errors.New("the model is closed")
	}
	same := slices.Equal(in.shape, g.inShape) && len(outs) == len(g.outShapes)
	for i := 0; same && i < len(outs); i++ {
		same = slices.Equal(outs[i].shape, g.outShapes[i])
	}
	if same {
		return nil
	}
	if !g.freeHW {
		return fmt.Errorf("the model's input is fixed at %v, cannot run it at %v", g.inShape, in.shape)
	}
	if len(in.shape) != len(g.inShape) || len(outs) != len(g.outs) {
		return fmt.Errorf("reshape to %v with %d outputs: the graph has rank %d and %d outputs", in.shape, len(outs), len(g.inShape), len(g.outs))
	}
	if !slices.Equal(in.shape[:2], g.inShape[:2]) {
		return fmt.Errorf("reshape to %v: only the height and width are free, not %v", in.shape, g.inShape[:2])
	}
	if in.size() > g.inCap {
		return fmt.Errorf("input shape %v is larger than the %d values loaded for", in.shape, g.inCap)
	}
	for i, o := range outs {
		if len(o.shape) != len(g.outShapes[i]) {
			return fmt.Errorf("output %s shape %v: rank %d at load", o.name, o.shape, len(g.outShapes[i]))
		}
		if o.size() > g.outCaps[i] {
			return fmt.Errorf("output %s shape %v is larger than the %d values loaded for", o.name, o.shape, g.outCaps[i])
		}
	}
	dims := shapeDims(in, outs)
	if msg := C.pw_ort_graph_reshape(g.g, &dims[0], &dims[len(in.shape)]); msg != nil {
		return errors.New(takeMessage(msg))
	}
	first := g.buffers(0, in, outs)
	g.in, g.outs = first.in, first.outs
	if g.twin != nil {
		g.twin = g.buffers(1, in, outs)
	}
	g.inShape = slices.Clone(in.shape)
	for i, o := range outs {
		g.outShapes[i] = slices.Clone(o.shape)
	}
	return nil
}

// Two models running at once on N threads each would put 2N threads on the
// machine's cores: with N = 2 on this project's two cores, the first frame
// of the masked development person took 16.2 ms where the same work with
// each model on one thread took 11.4. So a model run beside another takes
// its paired session on N/2 threads, and a run alone keeps all N. Beside
// means: another run is under way and expected to go on for at least
// overlapShare of this one's expected time, or, with no run under way,
// another part of a frame's analysis that runs models has been started
// beside this one (runningBeside) and is about to start its own. A run
// that starts just as another ends
// would otherwise spend nearly all its time alone on half the threads (the
// detector's second look at a dark face took 9.4 ms so, where it takes 5.5
// on both). The models' outputs are the same either way
// (TestModelsAtOnceGiveWhatTheyGiveInTurn).
var (
	partsBeside  atomic.Int32 // parts of an analysis running models side by side, not yet done
	runsUnderWay = struct {
		sync.Mutex
		ends map[graphRun]time.Time // when each run under way is expected to end (zero: not known yet)
	}{ends: map[graphRun]time.Time{}}
)

// graphRun names a run under way: the graph's, on one of its buffer sets.
type graphRun struct {
	g   *onnxGraph
	set int
}

// overlapShare is how much of a run's expected time another run under way
// must still be expected to take for the two to count as side by side.
const overlapShare = 0.25

// runningBeside counts one part of an analysis that runs models side by
// side with another, until done is called (once; later calls do nothing).
// Every part is counted before any starts, so that the first model run
// does not take all the threads for itself a moment before the other
// starts.
func runningBeside() (done func()) {
	partsBeside.Add(1)
	var once sync.Once
	return func() { once.Do(func() { partsBeside.Add(-1) }) }
}

// startRun enters a run of g on buffer set `set` among the runs under way
// and says whether it takes the paired session (always, with twice: one of
// runTwice's two); ended takes it out and keeps how long it took.
func (g *onnxGraph) startRun(set int, twice bool) (paired bool, ended func()) {
	runsUnderWay.Lock()
	defer runsUnderWay.Unlock()
	now := time.Now()
	if g.paired {
		paired = twice || len(runsUnderWay.ends) == 0 && partsBeside.Load() > 1
		for _, end := range runsUnderWay.ends {
			if end.IsZero() || end.Sub(now) >= time.Duration(overlapShare*float64(g.took[1])) {
				paired = true
			}
		}
	}
	mode := 0
	if paired {
		mode = 1
		g.pairedRuns++
	}
	var end time.Time
	if g.took[mode] > 0 {
		end = now.Add(g.took[mode])
	}
	key := graphRun{g, set}
	runsUnderWay.ends[key] = end
	return paired, func() {
		runsUnderWay.Lock()
		defer runsUnderWay.Unlock()
		delete(runsUnderWay.ends, key)
		if took := time.Since(now); g.took[mode] == 0 {
			g.took[mode] = took
		} else {
			g.took[mode] += (took - g.took[mode]) / 4
		}
	}
}

// run runs the model on in; outs hold its results until the next run.
func (g *onnxGraph) run() error {
	if g == nil || g.g == nil {
		return errors.New("the model is closed")
	}
	return g.runSet(0, false)
}

// runSet runs the model on buffer set `set` (see startRun for twice).
func (g *onnxGraph) runSet(set int, twice bool) error {
	p, ended := g.startRun(set, twice)
	defer ended()
	paired := C.int(0)
	if p {
		paired = 1
	}
	if msg := C.pw_ort_graph_run(g.g, paired, C.int(set)); msg != nil {
		return errors.New(takeMessage(msg))
	}
	return nil
}

// runTwice runs the model on in and outs and on the twin's at once, each
// run in the paired session where the graph has one (with one thread per
// model, each in the session on its one thread): the body model's near
// and whole looks at the masked person's 16:9 frame took 8.2–10.0 ms
// together on this project's machine, where in turn on both threads they
// took 14.3–14.5 (BenchmarkStagePoseTwoLooks, a slow hour).
func (g *onnxGraph) runTwice() error {
	if g == nil || g.g == nil {
		return errors.New("the model is closed")
	}
	if g.twin == nil {
		return errors.New("the model has no twin buffers")
	}
	runsUnderWay.Lock()
	g.twiceRuns++
	runsUnderWay.Unlock()
	twinDone := make(chan error, 1)
	go func() { twinDone <- g.runSet(1, true) }()
	err := g.runSet(0, true)
	return errors.Join(err, <-twinDone)
}

// runOn copies an input blob (a float32 Mat of the input's size, as
// gocv.BlobFromImage makes it) into the input and runs the model.
func (g *onnxGraph) runOn(blob gocv.Mat) error {
	if err := g.setInput(blob); err != nil {
		return err
	}
	return g.run()
}

// setInput copies a blob of exactly the input's size into the input buffer.
func (g *onnxGraph) setInput(blob gocv.Mat) error { return copyBlob(g.in, blob) }

// copyBlob copies a blob of exactly in's size into in.
func copyBlob(in []float32, blob gocv.Mat) error {
	data, err := blob.DataPtrFloat32()
	if err != nil {
		return fmt.Errorf("input blob: %w", err)
	}
	if len(data) != len(in) {
		return fmt.Errorf("input blob has %d values, want %d", len(data), len(in))
	}
	copy(in, data)
	return nil
}

// close frees the session and its buffers; in and outs are gone with them.
func (g *onnxGraph) close() {
	if g == nil || g.g == nil {
		return
	}
	C.pw_ort_graph_free(g.g)
	g.g, g.in, g.outs, g.twin = nil, nil, nil, nil
}

// takeMessage turns a C error message into a Go string and frees it.
func takeMessage(msg *C.char) string {
	defer C.free(unsafe.Pointer(msg))
	return C.GoString(msg)
}
