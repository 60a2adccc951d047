package vision

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"posturewatch/coach/domain"
	"posturewatch/models"
	"posturewatch/vision/face"
)

// A graph whose input or heads are not the ones asked for is refused with
// an error that names the difference, before any run.
func TestGraphOfAnotherModelIsRefused(t *testing.T) {
	modelPath(t)
	mesh, det := models.PathOf(models.FaceMesh), models.PathOf(models.BlazeFace)
	pose := models.DefaultPath()
	for _, c := range []struct {
		name, path string
		as         models.Model
		want       string
	}{
		{"the mesh as the pose model", mesh, models.MoveNet, "no output called heatmaps"},
		// The detector leaves its input's height and width free, so its
		// input passes for the pose model's; its heads do not.
		{"the detector as the pose model", det, models.MoveNet, "no output called heatmaps"},
		{"the pose model as the detector", pose, models.BlazeFace, "input has shape [1,3,192,192], want [1,3,256,256]"},
	} {
		in, outs := poseInput, poseOutputs
		if c.as.Name == models.BlazeFace.Name {
			in, outs = detectorInput, detectorOutputs
		}
		g, err := openGraph(c.path, c.as, 1, in, outs)
		if err == nil {
			g.close()
			t.Errorf("%s: accepted", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.as.Hint) {
			t.Errorf("%s: %v, want it to say %q and how to fix it", c.name, err, c.want)
		}
	}
	// Right input, one head of the wrong size.
	heads := append([]tensorSpec(nil), poseOutputs...)
	heads[1] = tensorSpec{"center", []int64{1, 1, 24, 24}}
	if g, err := openGraph(models.DefaultPath(), models.MoveNet, 1, poseInput, heads); err == nil {
		g.close()
		t.Error("a head of another shape was accepted")
	} else if !strings.Contains(err.Error(), "center has shape [1,1,48,48], want [1,1,24,24]") {
		t.Errorf("wrong head shape: %v", err)
	}
	// The detector's heads follow its input's free height and width; their
	// channels are still checked.
	heads = append([]tensorSpec(nil), detectorOutputs...)
	heads[0] = tensorSpec{"scores16", []int64{1, 3, 16, 16}}
	if g, err := openGraph(det, models.BlazeFace, 1, detectorInput, heads); err == nil {
		g.close()
		t.Error("a detector head with other channels was accepted")
	} else if !strings.Contains(err.Error(), "scores16 has shape [1,2,-1,-1], want [1,3,16,16]") {
		t.Errorf("wrong detector head: %v", err)
	}
}

// A model that leaves its input's height and width free runs on a smaller
// canvas over the buffers of its largest; a fixed one, a larger canvas, or
// heads of a size the model does not give are errors, never a crash.
func TestGraphReshape(t *testing.T) {
	modelPath(t)
	g, err := openGraph(models.PathOf(models.BlazeFace), models.BlazeFace, 1, detectorInput, detectorOutputs)
	if err != nil {
		t.Fatal(err)
	}
	defer g.close()
	if !g.freeHW {
		t.Fatal("the detector's input size is not free")
	}
	if err := g.reshape(detectorTensors(256, 160)); err != nil {
		t.Fatal(err)
	}
	if len(g.in) != 3*160*256 || len(g.outs[0]) != 2*10*16 || len(g.outs[3]) != 96*5*8 {
		t.Fatalf("buffers %d, %d and %d long after the reshape", len(g.in), len(g.outs[0]), len(g.outs[3]))
	}
	for i := range g.in {
		g.in[i] = float32(i%255)/127.5 - 1
	}
	if err := g.run(); err != nil {
		t.Fatal(err)
	}
	if err := g.reshape(detectorTensors(288, 288)); err == nil || !strings.Contains(err.Error(), "larger") {
		t.Errorf("a canvas larger than at load: %v", err)
	}
	if err := g.reshape(tensorSpec{"input", []int64{1, 1, 160, 256}}, detectorOutputs); err == nil || !strings.Contains(err.Error(), "only the height and width") {
		t.Errorf("a reshape of the channels: %v", err)
	}
	// Heads of the wrong size for the input: the run says so.
	in, _ := detectorTensors(256, 160)
	_, wrong := detectorTensors(256, 128)
	if err := g.reshape(in, wrong); err != nil {
		t.Fatal(err)
	}
	if err := g.run(); err == nil || !strings.Contains(err.Error(), "shape") {
		t.Errorf("a run with heads of the wrong size: %v", err)
	}
	if err := g.reshape(detectorTensors(256, 256)); err != nil || g.run() != nil {
		t.Errorf("back to the square: %v", err)
	}

	mesh, err := openGraph(models.PathOf(models.FaceMesh), models.FaceMesh, 1, meshInput, meshOutputs)
	if err != nil {
		t.Fatal(err)
	}
	defer mesh.close()
	if mesh.freeHW {
		t.Error("the mesh's input size is free")
	}
	if err := mesh.reshape(tensorSpec{"input", []int64{1, 3, 96, 96}}, meshOutputs); err == nil {
		t.Error("a fixed model was reshaped")
	}
}

// Bytes that are not a model give an error from the runtime, not a crash.
func TestGraphOfGarbageIsAnError(t *testing.T) {
	modelPath(t)
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"random":    randomBytes(t, 4096),
		"truncated": truncatedModel(t),
		"empty":     nil,
	} {
		p := filepath.Join(dir, name+".onnx")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		g, err := openGraph(p, models.MoveNet, 1, poseInput, poseOutputs)
		if err == nil {
			g.close()
			t.Errorf("%s: accepted", name)
		} else if !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v does not name the file", name, err)
		}
	}
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func truncatedModel(t *testing.T) []byte {
	data, err := os.ReadFile(models.DefaultPath())
	if err != nil {
		t.Fatal(err)
	}
	return data[:len(data)/3]
}

// The runtime library is loaded once per process, so each bad library is
// tried in a child (this test binary, told by runtimeChildEnv): it must fail
// with a clear error and exit normally.
const runtimeChildEnv = "POSTUREWATCH_TEST_RUNTIME_CHILD"

func TestRuntimeLibraryProblemsAreErrors(t *testing.T) {
	if os.Getenv(runtimeChildEnv) != "" {
		_, err := NewPoseNet(PoseOptions{})
		if err == nil {
			t.Fatal("the pose model loaded")
		}
		t.Log("ERROR: " + err.Error())
		return
	}
	modelPath(t)
	dir := t.TempDir()
	notELF := filepath.Join(dir, "libonnxruntime.so")
	if err := os.WriteFile(notELF, bytes.Repeat([]byte("not a library "), 1<<17), 0o644); err != nil {
		t.Fatal(err)
	}
	other, _ := filepath.Glob("/usr/lib/*-linux-gnu/libopencv_core.so.4*") // a real library, not ONNX Runtime
	type libCase struct{ name, lib, want string }
	cases := []libCase{
		{"missing", filepath.Join(dir, "nowhere.so"), "ONNX Runtime library not found at " + filepath.Join(dir, "nowhere.so")},
		{"not a library", notELF, "is not a shared library (not an ELF file)"},
	}
	if len(other) > 0 {
		cases = append(cases, libCase{"another library", other[0], "it has no OrtGetApiBase: not ONNX Runtime"})
	}
	for _, c := range cases {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRuntimeLibraryProblemsAreErrors$", "-test.v")
		cmd.Env = append(os.Environ(), runtimeChildEnv+"=1", models.Runtime.EnvVar+"="+c.lib)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("%s: the child failed (%v):\n%s", c.name, err, out)
			continue
		}
		if !strings.Contains(string(out), "ERROR: ") || !strings.Contains(string(out), c.want) || !strings.Contains(string(out), "make models") {
			t.Errorf("%s: want an error saying %q and what to do, got:\n%s", c.name, c.want, out)
		}
	}
}

// Where the face path needs nothing from the body model before it starts
// (the face followed through its mesh, or the detector to run), the two
// run at once, each model on half the threads (its paired session); the
// result must be exactly that of running them in turn, on all of them.
// The frames: 40 webcam frames of one person in a row a quarter of a second
// apart (the face followed by its mesh) and 3 s apart (the detector on
// each), and 40 frames of a clip whose face the mesh cannot read, so it is
// followed by the eyes the detector's frames kept.
func TestModelsAtOnceGiveWhatTheyGiveInTurn(t *testing.T) {
	path := modelPath(t)
	var desk, clip []gocv.Mat
	for i := range 40 {
		img, err := loadImage(filepath.Join(dataDir(t), "desk-three-people", "good", fmt.Sprintf("%04d.jpg", i)))
		if err != nil {
			t.Fatal(err)
		}
		defer img.Close()
		desk = append(desk, img)
	}
	src, err := OpenPath(filepath.Join(dataDir(t), "clips", "forward-head-session.mp4"), SourceOptions{FPS: 4})
	if err != nil {
		t.Fatal(err)
	}
	for range 40 {
		f, err := src.Next()
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		clip = append(clip, f.Mat)
	}
	src.Close()
	// Wide frames each seen first: the body model sees them whole beside
	// the face path and takes its near look beside the mesh.
	var wide []gocv.Mat
	for _, f := range append(everyNth(slouchOrNotFrames(t), 6), everyNth(dataFiles(t, 20, "desk frames", "desk-three-people/bad/*.jpg"), 60)...) {
		img, err := loadImage(f)
		if err != nil {
			t.Fatal(err)
		}
		w := widened(img, 16.0/9)
		img.Close()
		defer w.Close()
		wide = append(wide, w)
	}
	wide = append(wide, clip[0], clip[20])
	pairedAtOnce := 0 // runs in the paired sessions with the models run at once, all cases
	for _, c := range []struct {
		name       string
		imgs       []gocv.Mat
		step       time.Duration
		minAtOnce  int
		byEyesOnly bool
		each       bool // every frame seen first: its own source
		minBeside  int  // near looks taken beside the mesh
	}{
		{"desk frames 0.25 s apart", desk, 250 * time.Millisecond, 30, false, false, 0},
		{"desk frames 3 s apart", desk, 3 * time.Second, 35, false, false, 0},
		{"clip frames 0.25 s apart", clip, 250 * time.Millisecond, 1, true, false, 0},
		{"wide frames, each seen first", wide, time.Second, len(wide), false, true, len(wide) - 4},
	} {
		var inputs [2][]string
		atOnce, byEyes, beside := 0, 0, 0
		var paired [2]map[string]int // runs in the paired sessions, at once and in turn
		for way, inTurn := range []bool{false, true} {
			an, err := NewAnalyzer(AnalyzerOptions{ModelPath: path, Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			an.inTurn = inTurn
			for i, img := range c.imgs {
				f := Frame{Mat: img, Index: i, Source: "test", Time: time.Unix(0, 0).Add(time.Duration(i) * c.step)}
				if c.each {
					f.Source = fmt.Sprintf("test %d", i)
				}
				if !inTurn && !an.face.NeedsEyes(f.Time, i > 0 && !c.each) {
					atOnce++
				}
				in, err := an.Input(f)
				if err != nil {
					t.Fatal(err)
				}
				if in.Face != nil && in.Face.Tracked && (in.Face.Mesh == nil || in.Face.Mesh.Score < face.DefaultMinMeshScore) {
					byEyes++
				}
				j, err := json.Marshal(in)
				if err != nil {
					t.Fatal(err)
				}
				inputs[way] = append(inputs[way], string(j))
			}
			beside += an.nearBeside
			paired[way] = map[string]int{"pose": an.pose.net.pairedRuns, "detector": an.face.det.pairedRuns, "mesh": an.face.mesh.pairedRuns}
			an.Close()
		}
		if atOnce < c.minAtOnce {
			t.Errorf("%s: only %d of %d ran the models at once", c.name, atOnce, len(c.imgs))
		}
		if beside < c.minBeside {
			t.Errorf("%s: %d of %d frames took the near look beside the mesh, want at least %d", c.name, beside, len(c.imgs), c.minBeside)
		}
		// Which runs at once take the paired session depends on timing
		// (whether the other model's run is under way and how long it is
		// expected to go on: under the race detector, in a loaded CI, the
		// face path's preparation in Go can outlast the body model's
		// look), so they are counted over all the cases; in turn, none is
		// paired (TestModelTakesHalfTheThreadsOnlyBesideAnother checks
		// the rule itself).
		t.Logf("%s: paired runs at once %v", c.name, paired[0])
		for _, n := range paired[0] {
			pairedAtOnce += n
		}
		if paired[1]["pose"]+paired[1]["detector"]+paired[1]["mesh"] != 0 {
			t.Errorf("%s: paired runs in turn %v, want none", c.name, paired[1])
		}
		if c.byEyesOnly && byEyes < 2*30 {
			t.Errorf("%s: the face was followed by the eyes on %d of 2×40 frames", c.name, byEyes)
		}
		for i := range inputs[0] {
			if inputs[0][i] != inputs[1][i] {
				t.Fatalf("%s, frame %d differs:\nat once: %s\nin turn: %s", c.name, i, inputs[0][i], inputs[1][i])
			}
		}
	}
	if pairedAtOnce == 0 {
		t.Error("no model run at once took its paired session: the comparison did not cover it")
	}
}

// A model takes its paired session (half the threads) only while another
// part of an analysis runs models beside it or another model's run is
// under way and not about to end, and only where it has one: loaded on one
// thread, it runs on that one.
func TestModelTakesHalfTheThreadsOnlyBesideAnother(t *testing.T) {
	modelPath(t)
	img := testImage(t, "misc/grace_hopper.jpg")
	for _, threads := range []int{1, 2, 4} {
		pn, err := NewPoseNet(PoseOptions{ModelPath: models.DefaultPath(), Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		run := func() []string {
			kps, _, err := pn.Estimate(img)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, k := range kps {
				out = append(out, fmt.Sprintf("%v %v %v", k.X, k.Y, k.Score))
			}
			return out
		}
		alone := run()
		if pn.net.pairedRuns != 0 {
			t.Errorf("%d threads: a run alone took the paired session", threads)
		}
		one, other := runningBeside(), runningBeside()
		beside := run()
		want := 0
		if threads > 1 {
			want = 1
		}
		if pn.net.pairedRuns != want {
			t.Errorf("%d threads: %d paired runs beside another part, want %d", threads, pn.net.pairedRuns, want)
		}
		one()
		one() // a second call changes nothing
		run()
		if pn.net.pairedRuns != want {
			t.Errorf("%d threads: a run after the other part was done took the paired session", threads)
		}
		other()
		if partsBeside.Load() != 0 {
			t.Errorf("%d parts still counted beside", partsBeside.Load())
		}
		if strings.Join(alone, ";") != strings.Join(beside, ";") {
			t.Errorf("%d threads: the paired session's keypoints differ:\nalone:  %v\nbeside: %v", threads, alone, beside)
		}
		// Beside another model's run under way: paired while that run is
		// expected to go on (or its time is not known yet), alone when it
		// is expected to end now.
		under := &onnxGraph{}
		for _, c := range []struct {
			name   string
			end    time.Time
			paired bool
		}{
			{"a run expected to go on", time.Now().Add(time.Hour), true},
			{"a run of unknown length", time.Time{}, true},
			{"a run expected to have ended", time.Now().Add(-time.Millisecond), false},
		} {
			runsUnderWay.Lock()
			runsUnderWay.ends[graphRun{under, 0}] = c.end
			runsUnderWay.Unlock()
			before := pn.net.pairedRuns
			run()
			runsUnderWay.Lock()
			delete(runsUnderWay.ends, graphRun{under, 0})
			runsUnderWay.Unlock()
			if got := pn.net.pairedRuns > before; got != (c.paired && threads > 1) {
				t.Errorf("%d threads, beside %s: paired %v", threads, c.name, got)
			}
		}
		pn.Close()
	}
}

// Two looks at once (EstimateTwo: the model run on its two buffer sets
// together) give exactly the keypoints each look gives alone, whichever
// look is which, on any number of threads; with more than one, both runs
// take the paired session.
func TestTwoLooksAtOnceGiveWhatEachGivesAlone(t *testing.T) {
	modelPath(t)
	portrait := testImage(t, "misc/grace_hopper.jpg")
	webcam := testImage(t, "neck-forward/4-upright/IMG_0877_100.jpg") // 16:9
	r, _ := nearCut(webcam.Cols(), webcam.Rows(), -1)
	cut := webcam.Region(r)
	defer cut.Close()
	text := func(kps []domain.Keypoint) string {
		var out []string
		for _, k := range kps {
			out = append(out, fmt.Sprintf("%v %v %v", k.X, k.Y, k.Score))
		}
		return strings.Join(out, ";")
	}
	type look struct {
		name string
		img  gocv.Mat
		far  bool
	}
	looks := []look{{"portrait", portrait, false}, {"webcam whole, far", webcam, true}, {"webcam cut square", cut, false}, {"portrait far", portrait, true}}
	for _, threads := range []int{1, 2, 4} {
		pn, err := NewPoseNet(PoseOptions{ModelPath: models.DefaultPath(), Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		alone := map[string]string{}
		for _, l := range looks {
			kps, _, err := pn.EstimateIn(l.img, l.far)
			if err != nil {
				t.Fatal(err)
			}
			alone[l.name] = text(kps)
		}
		for i, a := range looks {
			b := looks[(i+1)%len(looks)]
			paired, twice := pn.net.pairedRuns, pn.net.twiceRuns
			both, err := pn.EstimateTwo([2]gocv.Mat{a.img, b.img}, [2]bool{a.far, b.far})
			if err != nil {
				t.Fatal(err)
			}
			for k, l := range []look{a, b} {
				if got := text(both[k]); got != alone[l.name] {
					t.Errorf("%d threads, %s beside %s: keypoints differ from the look alone:\nat once: %s\nalone:   %s", threads, l.name, []look{a, b}[1-k].name, got, alone[l.name])
				}
			}
			if pn.net.twiceRuns != twice+1 {
				t.Errorf("%d threads: %d runs of both sets, want 1", threads, pn.net.twiceRuns-twice)
			}
			want := 0
			if threads > 1 {
				want = 2
			}
			if got := pn.net.pairedRuns - paired; got != want {
				t.Errorf("%d threads: %d runs in the paired session, want %d", threads, got, want)
			}
		}
		if _, err := pn.EstimateTwo([2]gocv.Mat{portrait, gocv.NewMat()}, [2]bool{}); err == nil {
			t.Errorf("%d threads: an empty frame beside another gave no error", threads)
		}
		pn.Close()
		if _, err := pn.EstimateTwo([2]gocv.Mat{portrait, portrait}, [2]bool{}); err == nil {
			t.Errorf("%d threads: a closed model ran", threads)
		}
	}
}
