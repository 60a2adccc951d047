// Package models knows where posturewatch's pose model lives and checks it
// before any OpenCV call sees it: OpenCV aborts the whole process on a missing
// or malformed ONNX file, so a bad file must be caught here with a clear message.
package models

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// FileName is the converted MoveNet SinglePose Lightning model.
const FileName = "movenet-lightning.onnx"

//go:embed movenet-lightning.onnx.sha256
var shaFile string

// ExpectedSHA256 is the hex digest `make models` must produce.
func ExpectedSHA256() string {
	f := strings.Fields(shaFile)
	if len(f) == 0 {
		return ""
	}
	return strings.ToLower(f[0])
}

// FixHint tells the user how to get a good model.
const FixHint = "run `make models` in the posturewatch source tree (it fetches and converts the model once), or pass --model PATH"

// DefaultPath finds the model: $POSTUREWATCH_MODEL, then models/ beside the
// binary's parent (bin/../models), then ./models. The first that exists wins;
// if none exists the ./models path is returned so the error names it.
func DefaultPath() string {
	if p := os.Getenv("POSTUREWATCH_MODEL"); p != "" {
		return p
	}
	var cands []string
	if exe, err := os.Executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		dir := filepath.Dir(exe)
		cands = append(cands, filepath.Join(dir, "..", "models", FileName), filepath.Join(dir, "models", FileName))
	}
	if wd, err := os.Getwd(); err == nil {
		// Walk up from the working directory (tests run inside package dirs).
		for d := wd; ; d = filepath.Dir(d) {
			cands = append(cands, filepath.Join(d, "models", FileName))
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	for _, c := range cands {
		if st, err := os.Stat(c); err == nil && st.Mode().IsRegular() {
			return filepath.Clean(c)
		}
	}
	return filepath.Join("models", FileName)
}

// Check verifies that path is the expected model: it exists, is readable and
// its sha256 matches. With strict false (a user-supplied --model), a hash
// mismatch is accepted if the file is a well-formed ONNX protobuf.
func Check(path string, strict bool) error {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("pose model not found at %s: %s", path, FixHint)
		}
		return fmt.Errorf("pose model %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("pose model %s is not a regular file: %s", path, FixHint)
	}
	if st.Size() < 1<<20 {
		return fmt.Errorf("pose model %s is only %d bytes, it is truncated or not a model: %s", path, st.Size(), FixHint)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read pose model %s: %w", path, err)
	}
	sum := sha256.Sum256(data)
	got := hex.EncodeToString(sum[:])
	if want := ExpectedSHA256(); want != "" && got == want {
		return nil
	}
	if strict {
		return fmt.Errorf("pose model %s has sha256 %s, want %s (stale or damaged): delete it and %s", path, got, ExpectedSHA256(), FixHint)
	}
	if err := CheckONNX(data); err != nil {
		return fmt.Errorf("pose model %s is not a valid ONNX file (%v): %s", path, err, FixHint)
	}
	return nil
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

func uvarint(b []byte) (uint64, int) {
	var x uint64
	for i := 0; i < len(b) && i < 10; i++ {
		x |= uint64(b[i]&0x7f) << (7 * i)
		if b[i] < 0x80 {
			return x, i + 1
		}
	}
	return 0, 0
}
