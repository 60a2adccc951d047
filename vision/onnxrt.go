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
// It is not safe for concurrent use.
type onnxGraph struct {
	g    *C.pw_ort_graph
	in   []float32
	outs [][]float32

	inCap     int   // the values the input's buffer holds
	outCaps   []int // and each output's
	freeHW    bool  // the model leaves the input's height and width free
	inShape   []int64
	outShapes [][]int64 // the shapes in force
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
// session on `threads` threads and checks its input and outputs.
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

	var g *C.pw_ort_graph
	msg := C.pw_ort_graph_new(unsafe.Pointer(&data[0]), C.size_t(len(data)), C.int(threads),
		cIn, &dims[0], C.int(len(in.shape)),
		C.int(len(outs)), &names[0], &dims[len(in.shape)], &ranks[0], &g)
	if msg != nil {
		return nil, fmt.Errorf("%s %s: %s: %s", m.Name, path, takeMessage(msg), m.Hint)
	}
	og := &onnxGraph{g: g, in: unsafe.Slice((*float32)(unsafe.Pointer(C.pw_ort_graph_input(g))), in.size()),
		inCap: in.size(), inShape: slices.Clone(in.shape)}
	og.freeHW = len(in.shape) == 4 && C.pw_ort_graph_input_free(g)&0b1100 == 0b1100
	for i, o := range outs {
		og.outs = append(og.outs, unsafe.Slice((*float32)(unsafe.Pointer(C.pw_ort_graph_output(g, C.int(i)))), o.size()))
		og.outCaps = append(og.outCaps, o.size())
		og.outShapes = append(og.outShapes, slices.Clone(o.shape))
	}
	return og, nil
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
	dims := make([]C.int64_t, 0, len(in.shape)*(1+len(outs)))
	for _, d := range in.shape {
		dims = append(dims, C.int64_t(d))
	}
	for i, o := range outs {
		if len(o.shape) != len(g.outShapes[i]) {
			return fmt.Errorf("output %s shape %v: rank %d at load", o.name, o.shape, len(g.outShapes[i]))
		}
		if o.size() > g.outCaps[i] {
			return fmt.Errorf("output %s shape %v is larger than the %d values loaded for", o.name, o.shape, g.outCaps[i])
		}
		for _, d := range o.shape {
			dims = append(dims, C.int64_t(d))
		}
	}
	if msg := C.pw_ort_graph_reshape(g.g, &dims[0], &dims[len(in.shape)]); msg != nil {
		return errors.New(takeMessage(msg))
	}
	g.in = unsafe.Slice((*float32)(unsafe.Pointer(C.pw_ort_graph_input(g.g))), in.size())
	g.inShape = slices.Clone(in.shape)
	for i, o := range outs {
		g.outs[i] = unsafe.Slice((*float32)(unsafe.Pointer(C.pw_ort_graph_output(g.g, C.int(i)))), o.size())
		g.outShapes[i] = slices.Clone(o.shape)
	}
	return nil
}

// run runs the model on in; outs hold its results until the next run.
func (g *onnxGraph) run() error {
	if g == nil || g.g == nil {
		return errors.New("the model is closed")
	}
	if msg := C.pw_ort_graph_run(g.g); msg != nil {
		return errors.New(takeMessage(msg))
	}
	return nil
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
func (g *onnxGraph) setInput(blob gocv.Mat) error {
	data, err := blob.DataPtrFloat32()
	if err != nil {
		return fmt.Errorf("input blob: %w", err)
	}
	if len(data) != len(g.in) {
		return fmt.Errorf("input blob has %d values, want %d", len(data), len(g.in))
	}
	copy(g.in, data)
	return nil
}

// close frees the session and its buffers; in and outs are gone with them.
func (g *onnxGraph) close() {
	if g == nil || g.g == nil {
		return
	}
	C.pw_ort_graph_free(g.g)
	g.g, g.in, g.outs = nil, nil, nil
}

// takeMessage turns a C error message into a Go string and frees it.
func takeMessage(msg *C.char) string {
	defer C.free(unsafe.Pointer(msg))
	return C.GoString(msg)
}
