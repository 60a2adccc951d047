package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"posturewatch/coach/domain"
)

// cameras lists what gives video, not the metadata nodes, with the names
// sysfs gives; with none it says what to do.
func TestCamerasCommand(t *testing.T) {
	sys := t.TempDir()
	class := filepath.Join(sys, "class", "video4linux")
	if err := os.MkdirAll(class, 0o755); err != nil {
		t.Fatal(err)
	}
	for node, idx := range map[string]string{"video90": "0", "video91": "1"} { // a webcam and its metadata node
		real := filepath.Join(sys, "devices", "usb1", node)
		if err := os.MkdirAll(real, 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(real, "name"), []byte("Test Webcam C1\n"), 0o644)
		os.WriteFile(filepath.Join(real, "index"), []byte(idx+"\n"), 0o644)
		if err := os.Symlink(real, filepath.Join(class, node)); err != nil {
			t.Fatal(err)
		}
	}
	var out, errb syncBuffer
	if code := runCameras([]string{"--json", "--sys-root", sys}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var cams []domain.CameraDevice
	if err := json.Unmarshal([]byte(out.String()), &cams); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if len(cams) != 1 || cams[0].Path != "/dev/video90" || cams[0].Index != 90 || cams[0].Name != "Test Webcam C1" {
		t.Errorf("cameras %+v, want only the capture node video90", cams)
	}

	var out2, errb2 syncBuffer
	if code := runCameras([]string{"--sys-root", t.TempDir()}, &out2, &errb2); code != 0 || !strings.Contains(out2.String(), "No cameras found") {
		t.Errorf("no cameras: exit %d, %q %q", code, out2.String(), errb2.String())
	}
}
