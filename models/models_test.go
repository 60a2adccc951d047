package models

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
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
