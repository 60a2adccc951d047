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

	"posturewatch/models"
	"posturewatch/vision/face"
)

// A graph whose input or heads are not the ones asked for is refused with
// an error that names the difference, before any run.
func TestGraphOfAnotherModelIsRefused(t *testing.T) {
	modelPath(t)
	mesh, det := models.PathOf(models.FaceMesh), models.PathOf(models.BlazeFace)
	for _, c := range []struct {
		name, path string
		want       string
	}{
		{"the mesh as the pose model", mesh, "no output called heatmaps"},
		{"the detector as the pose model", det, "input has shape [1,3,256,256], want [1,3,192,192]"},
	} {
		g, err := openGraph(c.path, models.MoveNet, 1, poseInput, poseOutputs)
		if err == nil {
			g.close()
			t.Errorf("%s: accepted", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), models.MoveNet.Hint) {
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
// run at once; the result must be exactly that of running them in turn.
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
	for _, c := range []struct {
		name       string
		imgs       []gocv.Mat
		step       time.Duration
		minAtOnce  int
		byEyesOnly bool
	}{
		{"desk frames 0.25 s apart", desk, 250 * time.Millisecond, 30, false},
		{"desk frames 3 s apart", desk, 3 * time.Second, 35, false},
		{"clip frames 0.25 s apart", clip, 250 * time.Millisecond, 1, true},
	} {
		var inputs [2][]string
		atOnce, byEyes := 0, 0
		for way, inTurn := range []bool{false, true} {
			an, err := NewAnalyzer(AnalyzerOptions{ModelPath: path, Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			an.inTurn = inTurn
			for i, img := range c.imgs {
				f := Frame{Mat: img, Index: i, Source: "test", Time: time.Unix(0, 0).Add(time.Duration(i) * c.step)}
				if !inTurn && !an.face.NeedsEyes(f.Time, i > 0) {
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
			an.Close()
		}
		if atOnce < c.minAtOnce {
			t.Errorf("%s: only %d of 40 ran the models at once", c.name, atOnce)
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
}
