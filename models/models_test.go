package models

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestExpectedSHA256IsAHexDigest(t *testing.T) {
	if d := ExpectedSHA256(); len(d) != 64 || strings.Trim(d, "0123456789abcdef") != "" {
		t.Fatalf("embedded digest %q is not a sha256 hex digest", d)
	}
}

// A tiny but well-formed ModelProto: ir_version (field 1, varint) and a
// graph (field 7, length-delimited).
var miniONNX = []byte{0x08, 0x06, 0x3a, 0x03, 0x0a, 0x01, 0x78}

func TestCheckONNX(t *testing.T) {
	if err := CheckONNX(miniONNX); err != nil {
		t.Fatalf("well-formed model refused: %v", err)
	}
	noise := make([]byte, 4096)
	_, _ = rand.Read(noise)
	for name, data := range map[string][]byte{
		"truncated": miniONNX[:len(miniONNX)-1],
		"no graph":  {0x08, 0x06},
		"text":      []byte("this is not a model\n"),
		"noise":     noise,
		"empty":     nil,
	} {
		if err := CheckONNX(data); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestCheckExplainsHowToFix(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "fake.onnx")
	data := append(append([]byte{}, miniONNX[:4]...), bytes.Repeat([]byte{0}, 2<<20)...)
	if err := os.WriteFile(big, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		path   string
		strict bool
	}{
		"missing":     {filepath.Join(dir, "none.onnx"), true},
		"directory":   {dir, true},
		"wrong hash":  {big, true},
		"not an onnx": {big, false},
	} {
		err := Check(c.path, c.strict)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if !strings.Contains(err.Error(), "make models") {
			t.Errorf("%s: message does not say how to fix it: %v", name, err)
		}
	}
}

func TestDefaultPathHonoursEnvironment(t *testing.T) {
	t.Setenv("POSTUREWATCH_MODEL", "/somewhere/model.onnx")
	if p := DefaultPath(); p != "/somewhere/model.onnx" {
		t.Fatalf("DefaultPath() = %q", p)
	}
}

func TestEveryModelHasItsDigest(t *testing.T) {
	seen := map[string]string{}
	for _, m := range All() {
		d := m.ExpectedSHA256()
		if len(d) != 64 || strings.Trim(d, "0123456789abcdef") != "" {
			t.Errorf("%s: embedded digest %q is not a sha256 hex digest", m.FileName, d)
		}
		// The embedded digest is the one the setup scripts check against.
		shaName := m.FileName + ".sha256"
		if m.FileName == RuntimeFileName {
			shaName = "onnxruntime.sha256" // one line per platform
		}
		f, err := os.ReadFile(shaName)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for line := range strings.Lines(string(f)) {
			fields := strings.Fields(line)
			found = found || len(fields) >= 2 && fields[0] == d && fields[len(fields)-1] == m.FileName
		}
		if !found {
			t.Errorf("%s = %q, want a line with %q and the file name", shaName, f, d)
		}
		if other, ok := seen[d]; ok {
			t.Errorf("%s and %s share a digest", m.FileName, other)
		}
		seen[d] = m.FileName
	}
	if ExpectedSHA256() != MoveNet.ExpectedSHA256() || MoveNet.FileName != FileName {
		t.Error("the package-level MoveNet API and MoveNet disagree")
	}
}

func TestPathOfHonoursEnvironment(t *testing.T) {
	for _, m := range []Model{MoveNet, BlazeFace, FaceMesh} {
		t.Setenv(m.EnvVar, "/somewhere/"+m.FileName)
		if p := PathOf(m); p != "/somewhere/"+m.FileName {
			t.Errorf("PathOf(%s) = %q", m.FileName, p)
		}
	}
	if BlazeFace.EnvVar != "POSTUREWATCH_FACE_DETECTOR" || FaceMesh.EnvVar != "POSTUREWATCH_FACE_MESH" || MoveNet.EnvVar != "POSTUREWATCH_MODEL" {
		t.Error("documented environment variables changed")
	}
}

func TestPathOfLooksInDotModelsButNotInParents(t *testing.T) {
	for _, m := range []Model{BlazeFace, FaceMesh} {
		t.Setenv(m.EnvVar, "")
	}
	t.Setenv(DirEnv, "")
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	root := t.TempDir()
	child := filepath.Join(root, "child")
	for _, d := range []string{filepath.Join(root, "models"), filepath.Join(child, "models")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// A face detector only in the parent's models/: not found from child/.
	if err := os.WriteFile(filepath.Join(root, "models", BlazeFace.FileName), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A face mesh in child/models: found.
	if err := os.WriteFile(filepath.Join(child, "models", FaceMesh.FileName), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(child)
	if p := PathOf(BlazeFace); p != filepath.Join("models", BlazeFace.FileName) {
		t.Errorf("PathOf(BlazeFace) = %q, want the ./models path", p)
	}
	if _, err := os.Stat(PathOf(BlazeFace)); err == nil {
		t.Errorf("PathOf(BlazeFace) found the parent's file")
	}
	if p := PathOf(FaceMesh); p != filepath.Join("models", FaceMesh.FileName) {
		t.Errorf("PathOf(FaceMesh) = %q", p)
	}
	if _, err := os.Stat(PathOf(FaceMesh)); err != nil {
		t.Errorf("PathOf(FaceMesh) did not find ./models: %v", err)
	}
}

func TestCheckModelNamesTheModelAndTheFix(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "fake.onnx")
	data := append(append([]byte{}, miniONNX[:4]...), bytes.Repeat([]byte{0}, 2<<20)...)
	if err := os.WriteFile(big, data, 0o644); err != nil {
		t.Fatal(err)
	}
	small := filepath.Join(dir, "small.onnx")
	if err := os.WriteFile(small, miniONNX, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, m := range []Model{BlazeFace, FaceMesh} {
		for name, c := range map[string]struct {
			path   string
			strict bool
		}{
			"missing":     {filepath.Join(dir, "none.onnx"), true},
			"directory":   {dir, true},
			"truncated":   {small, false},
			"wrong hash":  {big, true},
			"not an onnx": {big, false},
		} {
			err := CheckModel(c.path, m, c.strict)
			if err == nil {
				t.Errorf("%s %s: accepted", m.Name, name)
				continue
			}
			msg := err.Error()
			if !strings.Contains(msg, "make models") || !strings.Contains(msg, m.Name) || !strings.Contains(msg, m.EnvVar) {
				t.Errorf("%s %s: message does not name the model and the fix: %v", m.Name, name, err)
			}
		}
	}
	// Check is CheckModel for MoveNet, message for message.
	for _, p := range []string{filepath.Join(dir, "none.onnx"), dir, big} {
		a, b := Check(p, true), CheckModel(p, MoveNet, true)
		if a == nil || b == nil || a.Error() != b.Error() || !strings.HasPrefix(a.Error(), "pose model ") {
			t.Errorf("Check(%s) = %v, CheckModel(MoveNet) = %v", p, a, b)
		}
	}
}

// The files `make models` built, if present, are the expected ones.
func TestBuiltModelsMatchTheirDigests(t *testing.T) {
	for _, m := range All() {
		if _, err := os.Stat(m.FileName); err != nil {
			t.Logf("%s not built here; skipped (run `make models`)", m.FileName)
			continue
		}
		if err := CheckModel(m.FileName, m, true); err != nil {
			t.Error(err)
		}
	}
}

func TestPathOfModelDirAndInstalledCopy(t *testing.T) {
	for _, m := range All() {
		t.Setenv(m.EnvVar, "")
	}
	dir, data := t.TempDir(), t.TempDir()
	t.Setenv(DirEnv, dir)
	t.Setenv("XDG_DATA_HOME", data)
	t.Chdir(t.TempDir())
	installed := filepath.Join(data, "posturewatch", "models")
	if err := os.MkdirAll(installed, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{filepath.Join(dir, FaceMesh.FileName), filepath.Join(installed, FaceMesh.FileName), filepath.Join(installed, BlazeFace.FileName)} {
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if p := PathOf(FaceMesh); p != filepath.Join(dir, FaceMesh.FileName) {
		t.Errorf("PathOf(FaceMesh) = %q: $%s comes before the installed copy", p, DirEnv)
	}
	if p := PathOf(BlazeFace); p != filepath.Join(installed, BlazeFace.FileName) {
		t.Errorf("PathOf(BlazeFace) = %q, want the installed copy", p)
	}
	if p := DefaultPath(); p != filepath.Join("models", MoveNet.FileName) {
		t.Errorf("DefaultPath() = %q, want the ./models path named for the error", p)
	}
}

func TestTheRuntimeDigestIsThisPlatforms(t *testing.T) {
	const a, b = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	here := runtime.GOOS + "-" + runtime.GOARCH
	m := Model{shaFile: a + "  plan9-mips  lib.so\n" + strings.ToUpper(b) + "  " + here + "  lib.so\n"}
	if got := m.ExpectedSHA256(); got != b {
		t.Errorf("ExpectedSHA256 = %q, want this platform's %q", got, b)
	}
	m.shaFile = a + "  plan9-mips  lib.so\n"
	if got := m.ExpectedSHA256(); got != "" {
		t.Errorf("ExpectedSHA256 without a line for %s = %q, want none", here, got)
	}
}

func TestAnUnknownRuntimeMustBeASharedLibrary(t *testing.T) {
	dir := t.TempDir()
	elf := make([]byte, 2<<20)
	copy(elf, "\x7fELF\x02\x01")
	elf[16] = 3 // a shared object
	lib := filepath.Join(dir, "libonnxruntime.so")
	if err := os.WriteFile(lib, elf, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CheckModel(lib, Runtime, false); err != nil {
		t.Errorf("a shared library given by the user: %v", err)
	}
	if err := CheckModel(lib, Runtime, true); err == nil || !strings.Contains(err.Error(), "make models") {
		t.Errorf("strict check of an unknown library = %v, want a refusal that says what to do", err)
	}
	elf[16] = 2 // an executable
	if err := os.WriteFile(lib, elf, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CheckModel(lib, Runtime, false); err == nil || !strings.Contains(err.Error(), "not a shared library") {
		t.Errorf("an executable as the library = %v", err)
	}
	if err := os.WriteFile(lib, bytes.Repeat([]byte{0x08}, 2<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CheckModel(lib, Runtime, false); err == nil {
		t.Error("random bytes accepted as the library")
	}
}

// Checking a file hashes it as it reads it: the runtime library is 21 MB,
// and a buffer of its size would stay resident in a long-running process.
func TestCheckModelDoesNotHoldTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.onnx")
	if err := os.WriteFile(path, bytes.Repeat([]byte{7}, 20<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	err := CheckModel(path, MoveNet, true)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("a 20 MB file of sevens passed as MoveNet: %v", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Errorf("checking a 20 MB file allocated %d bytes", grew)
	}
}
