package vision

// The TF.js reference check: each converted ONNX model, run in ONNX Runtime
// exactly as production runs it, must give the same heads as the original TF.js
// graph run by @tensorflow/tfjs (pure-JS CPU backend) on the identical input.
// `make test` sets everything up (`make models tfjs-ref`); without it the test
// skips and says what is missing.

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"posturewatch/models"
)

// tfjsHead is one compared output: the ONNX name and NCHW shape, the TF.js node
// holding the same values (NHWC), and the largest accepted difference, measured
// against max(1, |TF.js value|) (see tfjsCompare).
type tfjsHead struct {
	onnx  string
	shape []int
	tf    string
	tol   float64
}

// Tolerances. Both sides compute in float32, in different summation orders
// (ONNX Runtime's blocked convolutions vs. TF.js's plain loops), so the heads differ by
// float32 rounding that grows with the depth of the network and with the size of
// the values: hence the measure relative to max(1, |value|), absolute for
// sigmoid outputs and relative for logits (down to −1490 in BlazeFace) and pixel
// offsets. Measured on grace_hopper.jpg (models/README.md has the table) the
// worst head is at 7.9e-5; each bound is about 10× its head's measurement, to
// absorb another CPU's SIMD path, and still 1000× below what a conversion
// mistake does (the symmetric-padding mistake moves mesh points by pixels, a
// layout mistake by tens).
var (
	moveNetHeads = []tfjsHead{
		{"heatmaps", []int{1, 17, 48, 48}, "StatefulPartitionedCall/Sigmoid", 5e-5},                       // measured 4.2e-6
		{"center", []int{1, 1, 48, 48}, "StatefulPartitionedCall/Sigmoid_1", 5e-5},                        // 1.4e-6
		{"regress", []int{1, 34, 48, 48}, "StatefulPartitionedCall/kpt_regress_0/conv2d_6/BiasAdd", 5e-4}, // 7.9e-5
		{"offsets", []int{1, 34, 48, 48}, "StatefulPartitionedCall/kpt_offset_0/conv2d_7/BiasAdd", 2e-4},  // 1.8e-5
	}
	blazeFaceHeads = []tfjsHead{
		{"scores16", []int{1, 2, 16, 16}, "StatefulPartitionedCall/functional_1/conv2d_33/BiasAdd", 2e-4}, // 2.1e-5
		{"boxes16", []int{1, 32, 16, 16}, "StatefulPartitionedCall/functional_1/conv2d_35/BiasAdd", 5e-4}, // 4.4e-5
		{"scores8", []int{1, 6, 8, 8}, "StatefulPartitionedCall/functional_1/conv2d_34/BiasAdd", 2e-4},    // 1.9e-6
		{"boxes8", []int{1, 96, 8, 8}, "StatefulPartitionedCall/functional_1/conv2d_36/BiasAdd", 5e-4},    // 5.1e-5
	}
	faceMeshHeads = []tfjsHead{
		{"mesh", []int{1, 1404}, "StatefulPartitionedCall/model_1/output_mesh/Reshape", 1e-4},   // 9.4e-6
		{"score", []int{1, 1}, "StatefulPartitionedCall/model_1/output_faceflag/Reshape", 1e-5}, // 1.2e-7
	}
)

// tfjsEnv is what the check needs; tfjsSetup skips the test when any is missing.
type tfjsEnv struct {
	node    string // node binary
	script  string // models/tfjs_reference.js
	tfjsDir string // holds node_modules/@tensorflow/tfjs and models/*.json
	image   string // the test photo
}

func tfjsSetup(t *testing.T) tfjsEnv {
	t.Helper()
	img := filepath.Join("..", "..", "shared", "posture-data", "misc", "grace_hopper.jpg")
	if _, err := os.Stat(img); err != nil {
		t.Skipf("test image %s not found (expected ../shared/posture-data beside the repository): %v", img, err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found: run `make deps` (Debian package nodejs, with npm) and `make tfjs-ref`")
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Skipf("no cache directory: %v", err)
	}
	dir := filepath.Join(cache, "posturewatch", "tfjs")
	if _, err := os.Stat(filepath.Join(dir, "ready")); err != nil {
		t.Skipf("@tensorflow/tfjs is not installed in %s: run `make tfjs-ref` (models/tfjs-setup.sh)", dir)
	}
	script, err := filepath.Abs(filepath.Join("..", "models", "tfjs_reference.js"))
	if err != nil {
		t.Fatal(err)
	}
	return tfjsEnv{node: node, script: script, tfjsDir: dir, image: img}
}

// tfjsModel returns the checked ONNX file of m in ../models, or skips.
func tfjsModel(t *testing.T, m models.Model) string {
	t.Helper()
	p := filepath.Join("..", "models", m.FileName)
	if err := models.CheckModel(p, m, true); err != nil {
		t.Skipf("%v", err)
	}
	return p
}

func TestTFJSReference(t *testing.T) {
	env := tfjsSetup(t)
	img := gocv.IMRead(env.image, gocv.IMReadColor)
	if img.Empty() {
		t.Fatalf("cannot read %s", env.image)
	}
	defer img.Close()

	t.Run("movenet-lightning", func(t *testing.T) {
		path := tfjsModel(t, models.MoveNet)
		// The letterbox of models/DECODER.md; RGB 0..255 (normalised inside the graph).
		lb, _ := tfjsLetterbox(img, 192, 192)
		defer lb.Close()
		blob := gocv.BlobFromImage(lb, 1, image.Pt(192, 192), gocv.NewScalar(0, 0, 0, 0), true, false)
		defer blob.Close()
		tfjsCompare(t, env, path, "movenet-lightning", blob, 192, 192, moveNetHeads)
	})

	var faceCrop image.Rectangle // found by the detector, used for FaceMesh
	t.Run("blazeface", func(t *testing.T) {
		path := tfjsModel(t, models.BlazeFace)
		lb, box := tfjsLetterbox(img, 256, 256)
		defer lb.Close()
		// The contract of models/README.md: RGB scaled to -1..1.
		blob := gocv.BlobFromImage(lb, 1/127.5, image.Pt(256, 256), gocv.NewScalar(127.5, 127.5, 127.5, 0), true, false)
		defer blob.Close()
		outs := tfjsCompare(t, env, path, "blazeface", blob, 256, 256, blazeFaceHeads)
		if outs == nil {
			return
		}
		score, cx, cy, w, h, lm := tfjsBestFace(outs, 256, 256)
		// The box in source pixels, enlarged ×1.4 and made square as the library does.
		side := 1.4 * math.Max(w, h) / box.scale
		sx, sy := (cx-box.padX)/box.scale, (cy-box.padY)/box.scale
		faceCrop = image.Rect(int(math.Round(sx-side/2)), int(math.Round(sy-side/2)),
			int(math.Round(sx+side/2)), int(math.Round(sy+side/2)))
		t.Logf("best face: score %.4f, box centre (%.1f, %.1f) size %.1f×%.1f in the 256 input; crop %v of %dx%d",
			score, cx, cy, w, h, faceCrop, img.Cols(), img.Rows())
		t.Logf("landmarks (256 input): eye %.1f,%.1f  eye %.1f,%.1f  nose %.1f,%.1f  mouth %.1f,%.1f  ear %.1f,%.1f  ear %.1f,%.1f",
			lm[0][0], lm[0][1], lm[1][0], lm[1][1], lm[2][0], lm[2][1], lm[3][0], lm[3][1], lm[4][0], lm[4][1], lm[5][0], lm[5][1])
		// The photo shows one upright face clearly: a contract mistake (BGR, 0..255)
		// loses it, a layout mistake scrambles the landmarks. Documented order: the
		// eye on the image's left first, then the other eye, nose, mouth, the ear on
		// the image's left, the other ear.
		if score < 0.75 {
			t.Errorf("best face score %.3f, want ≥ 0.75 on %s", score, env.image)
		}
		inBox := func(p [2]float64) bool { return math.Abs(p[0]-cx) < w && math.Abs(p[1]-cy) < h }
		eyesY := (lm[0][1] + lm[1][1]) / 2
		if !(lm[0][0] < lm[2][0] && lm[2][0] < lm[1][0] && lm[4][0] < lm[0][0] && lm[1][0] < lm[5][0] &&
			eyesY < lm[2][1] && lm[2][1] < lm[3][1] && inBox(lm[0]) && inBox(lm[3])) {
			t.Errorf("landmarks %v do not lie as documented around box centre (%.1f, %.1f)", lm, cx, cy)
		}
	})

	// The live path feeds the detector a canvas fitted to the frame: a 16:9
	// frame (here the photo's middle band) on 256×160, the graph's free
	// height. TF.js runs the same graph at that size.
	t.Run("blazeface on a 16:9 canvas", func(t *testing.T) {
		path := tfjsModel(t, models.BlazeFace)
		band := img.Region(image.Rect(0, (img.Rows()-img.Cols()*9/16)/2, img.Cols(), (img.Rows()+img.Cols()*9/16)/2))
		defer band.Close()
		lb, _ := tfjsLetterbox(band, 256, 160)
		defer lb.Close()
		blob := gocv.BlobFromImage(lb, 1/127.5, image.Pt(256, 160), gocv.NewScalar(127.5, 127.5, 127.5, 0), true, false)
		defer blob.Close()
		_, fitted := detectorTensors(256, 160)
		heads := make([]tfjsHead, len(blazeFaceHeads))
		for i, h := range blazeFaceHeads {
			heads[i] = h
			heads[i].shape = nil
			for _, d := range fitted[i].shape {
				heads[i].shape = append(heads[i].shape, int(d))
			}
		}
		outs := tfjsCompare(t, env, path, "blazeface", blob, 256, 160, heads)
		if outs == nil {
			return
		}
		if score, _, _, _, _, _ := tfjsBestFace(outs, 256, 160); score < 0.75 {
			t.Errorf("best face score %.3f on the 16:9 canvas, want ≥ 0.75", score)
		}
	})

	t.Run("facemesh", func(t *testing.T) {
		path := tfjsModel(t, models.FaceMesh)
		if faceCrop.Empty() {
			t.Skip("no face crop: the blazeface check did not run")
		}
		// The face crop saturates the presence score at 1; the same crop moved down
		// by half its size (the chin at the top) gives a score near 0.5, so the
		// score head is compared where it is not flat.
		for _, c := range []struct {
			name string
			r    image.Rectangle
		}{
			{"face", faceCrop},
			{"half face", faceCrop.Add(image.Pt(0, faceCrop.Dy()/2))},
		} {
			crop := tfjsCrop(img, c.r, 192)
			// The contract of models/README.md: RGB scaled to 0..1.
			blob := gocv.BlobFromImage(crop, 1/255.0, image.Pt(192, 192), gocv.NewScalar(0, 0, 0, 0), true, false)
			outs := tfjsCompare(t, env, path, "facemesh", blob, 192, 192, faceMeshHeads)
			blob.Close()
			crop.Close()
			if outs == nil {
				continue
			}
			score := outs["score"][0]
			var mx, my float64
			for i := 0; i < 468; i++ {
				mx += float64(outs["mesh"][3*i]) / 468
				my += float64(outs["mesh"][3*i+1]) / 468
			}
			t.Logf("%s crop %v: face presence %.4f, mesh centre (%.1f, %.1f) in the 192 crop", c.name, c.r, score, mx, my)
			if c.name == "face" && (score < 0.9 || mx < 64 || mx > 128 || my < 64 || my > 128) {
				t.Errorf("face presence %.3f, mesh centre (%.1f, %.1f): want a confident mesh near the crop centre", score, mx, my)
			}
		}
	})
}

// tfjsLetterboxBox maps the model's input back to source pixels.
type tfjsLetterboxBox struct{ scale, padX, padY float64 }

// tfjsLetterbox fits img into a black cw×ch canvas, centred, with bilinear
// resizing (the letterbox of models/DECODER.md).
func tfjsLetterbox(img gocv.Mat, cw, ch int) (gocv.Mat, tfjsLetterboxBox) {
	s := math.Min(float64(cw)/float64(img.Cols()), float64(ch)/float64(img.Rows()))
	w := int(math.Round(float64(img.Cols()) * s))
	h := int(math.Round(float64(img.Rows()) * s))
	px, py := (cw-w)/2, (ch-h)/2
	out := gocv.NewMatWithSize(ch, cw, gocv.MatTypeCV8UC3)
	out.SetTo(gocv.NewScalar(0, 0, 0, 0))
	roi := out.Region(image.Rect(px, py, px+w, py+h))
	gocv.Resize(img, &roi, image.Pt(w, h), 0, 0, gocv.InterpolationLinear)
	roi.Close()
	return out, tfjsLetterboxBox{s, float64(px), float64(py)}
}

// tfjsCrop cuts r out of img (black outside the image) and resizes it to size×size.
func tfjsCrop(img gocv.Mat, r image.Rectangle, size int) gocv.Mat {
	pad := max(r.Dx(), r.Dy())
	padded := gocv.NewMat()
	defer padded.Close()
	gocv.CopyMakeBorder(img, &padded, pad, pad, pad, pad, gocv.BorderConstant, color.RGBA{}) // black
	roi := padded.Region(r.Add(image.Pt(pad, pad)))
	defer roi.Close()
	out := gocv.NewMat()
	gocv.Resize(roi, &out, image.Pt(size, size), 0, 0, gocv.InterpolationLinear)
	return out
}

// tfjsBestFace decodes the most confident of BlazeFace's anchors on an
// inW×inH input with the layout of models/README.md: score, box (centre,
// size) and the 6 landmarks (x, y) in input pixels.
func tfjsBestFace(outs map[string][]float32, inW, inH int) (score, cx, cy, w, h float64, lm [6][2]float64) {
	best := math.Inf(-1)
	grids := []struct {
		scores, boxes string
		anchors       int
		stride        int
	}{{"scores16", "boxes16", 2, 16}, {"scores8", "boxes8", 6, 32}}
	for _, g := range grids {
		s, b := outs[g.scores], outs[g.boxes]
		cols, rows := inW/g.stride, inH/g.stride
		cells := cols * rows
		stride := float64(g.stride)
		for a := 0; a < g.anchors; a++ {
			for y := 0; y < rows; y++ {
				for x := 0; x < cols; x++ {
					cell := y*cols + x
					logit := float64(s[a*cells+cell])
					if logit <= best {
						continue
					}
					best = logit
					v := func(k int) float64 { return float64(b[(a*16+k)*cells+cell]) }
					ax, ay := stride*(float64(x)+0.5), stride*(float64(y)+0.5)
					cx, cy = ax+v(0), ay+v(1)
					w, h = v(2), v(3)
					for k := range lm {
						lm[k] = [2]float64{ax + v(4+2*k), ay + v(5+2*k)}
					}
				}
			}
		}
	}
	return 1 / (1 + math.Exp(-best)), cx, cy, w, h, lm
}

// tfjsCompare runs the ONNX model on blob (NCHW) in ONNX Runtime and the TF.js
// graph on the same values (NHWC) through node, and compares every head. It
// returns ONNX Runtime's outputs by ONNX name (nil after a failure).
func tfjsCompare(t *testing.T, env tfjsEnv, onnxPath, graph string, blob gocv.Mat, inW, inH int, heads []tfjsHead) map[string][]float32 {
	t.Helper()
	in, err := blob.DataPtrFloat32()
	if err != nil || len(in) != 3*inW*inH {
		t.Fatalf("input blob: %d values, %v", len(in), err)
	}

	// ONNX Runtime, as production runs it.
	start := time.Now()
	specs := make([]tensorSpec, len(heads))
	for i, h := range heads {
		specs[i].name = h.onnx
		for _, d := range h.shape {
			specs[i].shape = append(specs[i].shape, int64(d))
		}
	}
	g, err := openGraph(onnxPath, models.Model{Name: graph}, 2, tensorSpec{"input", []int64{1, 3, int64(inH), int64(inW)}}, specs)
	if err != nil {
		t.Fatal(err) // also when a head's shape differs from the contract
	}
	defer g.close()
	if err := g.runOn(blob); err != nil {
		t.Fatal(err)
	}
	got := map[string][]float32{}
	for i, h := range heads {
		got[h.onnx] = append([]float32(nil), g.outs[i]...)
	}
	rtTime := time.Since(start)

	// TF.js, on the same numbers in NHWC order.
	dir := t.TempDir()
	nhwc := make([]byte, 4*len(in))
	hw := inW * inH
	for c := 0; c < 3; c++ {
		for p := 0; p < hw; p++ {
			binary.LittleEndian.PutUint32(nhwc[4*(p*3+c):], math.Float32bits(in[c*hw+p]))
		}
	}
	inFile := filepath.Join(dir, "input.f32")
	if err := os.WriteFile(inFile, nhwc, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{env.script, "--tfjs", env.tfjsDir,
		"--model", filepath.Join(env.tfjsDir, "models", graph+".json"),
		"--input", inFile, "--shape", fmt.Sprintf("1,%d,%d,3", inH, inW), "--out", dir}
	if inW != inH { // not the square the graph declares
		args = append(args, "--free-size", "yes")
	}
	for _, h := range heads {
		args = append(args, h.tf)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start = time.Now()
	if out, err := exec.CommandContext(ctx, env.node, args...).CombinedOutput(); err != nil {
		t.Fatalf("node %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	jsTime := time.Since(start)
	var manifest []struct {
		Name  string `json:"name"`
		Shape []int  `json:"shape"`
		File  string `json:"file"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, "outputs.json"))
	if err == nil {
		err = json.Unmarshal(raw, &manifest)
	}
	if err != nil || len(manifest) != len(heads) {
		t.Fatalf("TF.js outputs.json: %v (%d entries, want %d)", err, len(manifest), len(heads))
	}
	t.Logf("%s: ONNX Runtime load+run %v, node+TF.js %v", graph, rtTime.Round(time.Millisecond), jsTime.Round(time.Millisecond))

	for i, h := range heads {
		ref, err := tfjsNCHW(filepath.Join(dir, manifest[i].File), manifest[i].Shape)
		if err != nil {
			t.Fatalf("%s (%s): %v", h.onnx, h.tf, err)
		}
		o := got[h.onnx]
		if len(o) != len(ref) {
			t.Errorf("%s: ONNX Runtime gave %d values, TF.js %d", h.onnx, len(o), len(ref))
			continue
		}
		// Differences grow with the magnitude of the values (float32 rounding is
		// relative), so each is measured against max(1, |TF.js value|): an absolute
		// difference for values up to 1 (sigmoid outputs), a relative one beyond
		// (raw logits, pixel offsets).
		worst, worstAbs, lo, hi := 0.0, 0.0, math.Inf(1), math.Inf(-1)
		for j := range o {
			r := float64(ref[j])
			d := math.Abs(float64(o[j]) - r)
			worst = math.Max(worst, d/math.Max(1, math.Abs(r)))
			worstAbs = math.Max(worstAbs, d)
			lo, hi = math.Min(lo, r), math.Max(hi, r)
		}
		t.Logf("%s %-8s %-15s max |ONNX Runtime − TF.js| = %.2g (%.2g of max(1, |value|), tolerance %.0e); TF.js values %.4g..%.4g",
			graph, h.onnx, fmt.Sprint(h.shape), worstAbs, worst, h.tol, lo, hi)
		if !(worst <= h.tol) {
			t.Errorf("%s %s differs from TF.js %s by %.3g of max(1, |value|) > %.0e", graph, h.onnx, h.tf, worst, h.tol)
		}
	}
	if t.Failed() {
		return nil
	}
	return got
}

// tfjsNCHW reads a raw float32 file written by tfjs_reference.js and returns it
// in NCHW order (4-D NHWC maps are transposed; other shapes are kept).
func tfjsNCHW(path string, shape []int) ([]float32, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	n := 1
	for _, d := range shape {
		n *= d
	}
	if len(raw) != 4*n {
		return nil, fmt.Errorf("%s has %d bytes, shape %v needs %d", path, len(raw), shape, 4*n)
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	if len(shape) != 4 {
		return v, nil
	}
	if shape[0] != 1 {
		return nil, fmt.Errorf("batch %s, want 1", strconv.Itoa(shape[0]))
	}
	h, w, c := shape[1], shape[2], shape[3]
	out := make([]float32, n)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			for k := 0; k < c; k++ {
				out[(k*h+y)*w+x] = v[(y*w+x)*c+k]
			}
		}
	}
	return out, nil
}
