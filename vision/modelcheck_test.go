package vision

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"posturewatch/models"
)

// A model file that passes the envelope check but holds a garbage graph,
// or a real graph of another kind, is refused with an error: a crash would
// happen in a child process, not in this one. The known model under
// another name is used as it is.
func TestUnknownModelCheckedInAChild(t *testing.T) {
	known := modelPath(t)
	dir := t.TempDir()

	// field 7 (the graph), 2 MiB of junk: a well-formed envelope
	junk := make([]byte, 2<<20)
	for i := range junk {
		junk[i] = byte(i*7 + i/13)
	}
	garbage := append([]byte{0x3a, 0x80, 0x80, 0x80, 0x01}, junk...)
	if err := models.CheckONNX(garbage); err != nil {
		t.Fatalf("the crafted file does not pass the envelope check: %v", err)
	}
	bad := filepath.Join(dir, "garbage.onnx")
	if err := os.WriteFile(bad, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	if p, err := NewPoseNet(PoseOptions{ModelPath: bad}); err == nil {
		p.Close()
		t.Error("a garbage graph was loaded")
	} else if !strings.Contains(err.Error(), "cannot be used") {
		t.Errorf("garbage graph: %v", err)
	}

	if detector := models.PathOf(models.BlazeFace); models.CheckModel(detector, models.BlazeFace, true) == nil {
		if p, err := NewPoseNet(PoseOptions{ModelPath: detector}); err == nil {
			p.Close()
			t.Error("the face detector was accepted as the pose model")
		}
	}

	data, err := os.ReadFile(known)
	if err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(dir, "my-movenet.onnx")
	if err := os.WriteFile(copyPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := NewPoseNet(PoseOptions{ModelPath: copyPath})
	if err != nil {
		t.Fatalf("the known model under another name: %v", err)
	}
	p.Close()
}
