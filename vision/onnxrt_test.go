package vision

import (
	"bytes"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"posturewatch/models"
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
	cases := []struct{ name, lib, want string }{
		{"missing", filepath.Join(dir, "nowhere.so"), "ONNX Runtime library not found at " + filepath.Join(dir, "nowhere.so")},
		{"not a library", notELF, "is not a shared library (not an ELF file)"},
	}
	if len(other) > 0 {
		cases = append(cases, struct{ name, lib, want string }{"another library", other[0], "it has no OrtGetApiBase: not ONNX Runtime"})
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
