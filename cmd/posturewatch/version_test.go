package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"posturewatch/models"
)

// version prints the OpenCV version and digests that match the model files
// and the runtime library.
func TestVersionCommand(t *testing.T) {
	needModel(t)
	var out, errb syncBuffer
	if code := dispatch([]string{"version", "--json"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var b buildInfo
	if err := json.Unmarshal([]byte(out.String()), &b); err != nil {
		t.Fatal(err)
	}
	if b.Version == "" || !strings.HasPrefix(b.OpenCV, "4.") || !strings.HasPrefix(b.Go, "go") || len(b.Models) != 4 || b.Models[3].Name != models.Runtime.Name {
		t.Fatalf("version info %+v", b)
	}
	for _, m := range b.Models {
		data, err := os.ReadFile(m.Path)
		if err != nil {
			t.Errorf("%s: %v", m.Name, err)
			continue
		}
		sum := sha256.Sum256(data)
		if m.SHA256 != hex.EncodeToString(sum[:]) || m.State != "ok" {
			t.Errorf("%s: printed %s (%s), the file's is %x", m.Name, m.SHA256, m.State, sum)
		}
	}
	var text, errb2 syncBuffer
	if code := dispatch([]string{"--version"}, &text, &errb2); code != 0 || !strings.HasPrefix(text.String(), "posturewatch "+version) || !strings.Contains(text.String(), "OpenCV 4.") {
		t.Errorf("--version: exit %d, %q", code, text.String())
	}
}
