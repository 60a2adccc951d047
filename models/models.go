// Package models knows where posturewatch's models live and checks them
// before the model runtime sees them: a missing, stale or malformed file is
// caught here with a clear message that says how to get a good one.
//
// Three models, all built by `make models` (models/setup.sh) and described in
// models/README.md: MoveNet (pose), BlazeFace (face detector), FaceMesh (face
// landmarks); and the ONNX Runtime library that runs them, which `make models`
// puts beside them (models/runtime-setup.sh) and which is found and checked
// the same way. The package-level FileName, ExpectedSHA256, DefaultPath and
// Check are the MoveNet ones, kept for existing callers.
package models

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// FileName is the converted MoveNet SinglePose Lightning model.
const FileName = "movenet-lightning.onnx"

//go:embed movenet-lightning.onnx.sha256
var shaFile string

//go:embed blazeface.onnx.sha256
var blazeFaceSHAFile string

//go:embed facemesh.onnx.sha256
var faceMeshSHAFile string

//go:embed onnxruntime.sha256
var runtimeSHAFile string

// Model is one converted model file with its expected digest.
type Model struct {
	Name     string // what messages call it, e.g. "face detector model"
	FileName string // file name inside models/
	EnvVar   string // environment variable holding a path that overrides the lookup
	Hint     string // how to get a good file

	minSize int64  // anything smaller is truncated or not the model
	shaFile string // the embedded .sha256 file
	// wellFormed checks a file that is not the known one (given by the
	// user); nil means an ONNX model (CheckONNX).
	wellFormed func([]byte) error
}

// FixHint tells the user how to get a good model.
const FixHint = "run `make models` in the posturewatch source tree (it fetches and converts the model once), or pass --model PATH"

var (
	// MoveNet is MoveNet SinglePose Lightning, the pose model.
	MoveNet = Model{Name: "pose model", FileName: FileName, EnvVar: "POSTUREWATCH_MODEL", Hint: FixHint,
		minSize: 1 << 20, shaFile: shaFile}
	// BlazeFace is the BlazeFace 256 face detector.
	BlazeFace = Model{Name: "face detector model", FileName: "blazeface.onnx", EnvVar: "POSTUREWATCH_FACE_DETECTOR",
		Hint:    "run `make models` in the posturewatch source tree (it fetches and converts the models once), or set POSTUREWATCH_FACE_DETECTOR to the file",
		minSize: 256 << 10, shaFile: blazeFaceSHAFile}
	// FaceMesh is the FaceMesh 468-landmark model.
	FaceMesh = Model{Name: "face mesh model", FileName: "facemesh.onnx", EnvVar: "POSTUREWATCH_FACE_MESH",
		Hint:    "run `make models` in the posturewatch source tree (it fetches and converts the models once), or set POSTUREWATCH_FACE_MESH to the file",
		minSize: 1 << 20, shaFile: faceMeshSHAFile}
	// Runtime is ONNX Runtime's CPU library (from the npm package
	// onnxruntime-node), which runs the three models.
	Runtime = Model{Name: "ONNX Runtime library", FileName: RuntimeFileName, EnvVar: "POSTUREWATCH_ONNXRUNTIME",
		Hint:    "run `make models` in the posturewatch source tree (it fetches the library once), or set POSTUREWATCH_ONNXRUNTIME to a libonnxruntime.so of version " + RuntimeVersion + " or newer",
		minSize: 1 << 20, shaFile: runtimeSHAFile, wellFormed: checkELF}
)

// RuntimeVersion is the ONNX Runtime release `make models` sets up; its C
// API is the one the vision package asks the library for.
const RuntimeVersion = "1.20.1"

// RuntimeFileName is the library's file name inside models/.
const RuntimeFileName = "libonnxruntime.so." + RuntimeVersion

// All lists every file `make models` sets up: the models and their runtime.
func All() []Model { return []Model{MoveNet, BlazeFace, FaceMesh, Runtime} }

// ExpectedSHA256 is the hex digest `make models` must produce for m. A
// digest file with several lines ("digest platform file", one per
// platform) gives the line of this platform (GOOS-GOARCH), or "" if none.
func (m Model) ExpectedSHA256() string {
	for line := range strings.Lines(m.shaFile) {
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case len(f) < 3:
			return strings.ToLower(f[0]) // "digest  file.onnx"
		case f[1] == runtime.GOOS+"-"+runtime.GOARCH:
			return strings.ToLower(f[0])
		}
	}
	return ""
}

// checkELF accepts a 64-bit little-endian ELF shared object, which is all
// that can be said of a library before loading it.
func checkELF(data []byte) error {
	if len(data) < 18 || string(data[:4]) != "\x7fELF" {
		return errors.New("not an ELF file")
	}
	if data[4] != 2 || data[5] != 1 {
		return errors.New("not a 64-bit little-endian ELF file")
	}
	if data[16] != 3 { // e_type ET_DYN
		return errors.New("not a shared library")
	}
	return nil
}

// ExpectedSHA256 is the hex digest `make models` must produce for MoveNet.
func ExpectedSHA256() string { return MoveNet.ExpectedSHA256() }

// DirEnv names a directory that holds all the models (tests and odd
// installs); each model's own EnvVar still wins.
const DirEnv = "POSTUREWATCH_MODEL_DIR"

// PathOf finds m's file: $m.EnvVar if set, then $POSTUREWATCH_MODEL_DIR,
// then models/ beside the binary's directory (bin/../models in the source
// tree), then the installed copy in $XDG_DATA_HOME/posturewatch/models, then
// ./models. The first that exists wins; if none exists the ./models path is
// returned so the error names it. It never searches further afield: a model
// found by accident in some parent directory would be a surprise.
func PathOf(m Model) string {
	if p := os.Getenv(m.EnvVar); m.EnvVar != "" && p != "" {
		return p
	}
	var cands []string
	if d := os.Getenv(DirEnv); d != "" {
		cands = append(cands, filepath.Join(d, m.FileName))
	}
	if exe, err := os.Executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		cands = append(cands, filepath.Join(filepath.Dir(exe), "..", "models", m.FileName))
	}
	if d := dataHome(); d != "" {
		cands = append(cands, filepath.Join(d, "posturewatch", "models", m.FileName))
	}
	cands = append(cands, filepath.Join("models", m.FileName))
	for _, c := range cands {
		if st, err := os.Stat(c); err == nil && st.Mode().IsRegular() {
			return filepath.Clean(c)
		}
	}
	return filepath.Join("models", m.FileName)
}

// dataHome is $XDG_DATA_HOME, or ~/.local/share.
func dataHome() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return d
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share")
	}
	return ""
}

// DefaultPath finds the MoveNet model (see PathOf).
func DefaultPath() string { return PathOf(MoveNet) }

// Check verifies that path is the expected MoveNet model; see CheckModel.
func Check(path string, strict bool) error { return CheckModel(path, MoveNet, strict) }

// CheckModel verifies that path is m: it exists, is readable and its sha256
// matches. With strict false (a user-supplied file), a hash mismatch is
// accepted if the file is a well-formed ONNX protobuf.
func CheckModel(path string, m Model, strict bool) error {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%s not found at %s: %s", m.Name, path, m.Hint)
		}
		return fmt.Errorf("%s %s: %w", m.Name, path, err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s %s is not a regular file: %s", m.Name, path, m.Hint)
	}
	if st.Size() < m.minSize {
		return fmt.Errorf("%s %s is only %d bytes, it is truncated or not a model: %s", m.Name, path, st.Size(), m.Hint)
	}
	// Hashed as it is read, not read whole: the runtime library is 21 MB,
	// and a buffer that size would stay resident in a process meant to
	// run all day in 150 MB.
	got, err := fileSHA256(path)
	if err != nil {
		return fmt.Errorf("read %s %s: %w", m.Name, path, err)
	}
	if want := m.ExpectedSHA256(); want != "" && got == want {
		return nil
	}
	if strict {
		return fmt.Errorf("%s %s has sha256 %s, want %s (stale or damaged): delete it and %s", m.Name, path, got, m.ExpectedSHA256(), m.Hint)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read %s %s: %w", m.Name, path, err)
	}
	if m.wellFormed != nil {
		if err := m.wellFormed(data); err != nil {
			return fmt.Errorf("%s %s is not a shared library (%v): %s", m.Name, path, err, m.Hint)
		}
		return nil
	}
	if err := CheckONNX(data); err != nil {
		return fmt.Errorf("%s %s is not a valid ONNX file (%v): %s", m.Name, path, err, m.Hint)
	}
	return nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// CheckONNX walks the top level of an ONNX ModelProto protobuf: every field
// must be well formed, end exactly at the end of the data, and a graph (field 7)
// must be present. It catches truncated, random and non-ONNX files.
func CheckONNX(data []byte) error {
	graph := false
	for i := 0; i < len(data); {
		key, n := uvarint(data[i:])
		if n <= 0 {
			return fmt.Errorf("bad field key at byte %d", i)
		}
		i += n
		field, wire := key>>3, key&7
		if field == 0 || field > 100 {
			return fmt.Errorf("unexpected field %d at byte %d", field, i)
		}
		switch wire {
		case 0:
			_, n := uvarint(data[i:])
			if n <= 0 {
				return fmt.Errorf("bad varint at byte %d", i)
			}
			i += n
		case 2:
			l, n := uvarint(data[i:])
			if n <= 0 || l > uint64(len(data)-i-n) {
				return fmt.Errorf("field %d runs past the end of the file (truncated?)", field)
			}
			i += n + int(l)
			if field == 7 {
				graph = true
			}
		case 1:
			i += 8
		case 5:
			i += 4
		default:
			return fmt.Errorf("unsupported wire type %d at byte %d", wire, i)
		}
		if i > len(data) {
			return errors.New("truncated")
		}
	}
	if !graph {
		return errors.New("no graph in the file")
	}
	return nil
}

// uvarint reads a protobuf varint: at most 10 bytes, the tenth holding the
// 64th bit alone (more would overflow, which protobuf refuses).
func uvarint(b []byte) (uint64, int) {
	var x uint64
	for i := 0; i < len(b) && i < 10; i++ {
		if i == 9 && b[i] > 1 {
			return 0, 0
		}
		x |= uint64(b[i]&0x7f) << (7 * i)
		if b[i] < 0x80 {
			return x, i + 1
		}
	}
	return 0, 0
}

// Known reports whether the file at path is the model m posturewatch was
// built and tested with (its sha256 is the one kept in the repository),
// and the file's digest.
func Known(path string, m Model) (known bool, digest string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return false, "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false, "", fmt.Errorf("read %s: %w", path, err)
	}
	digest = hex.EncodeToString(h.Sum(nil))
	return digest == m.ExpectedSHA256(), digest, nil
}
