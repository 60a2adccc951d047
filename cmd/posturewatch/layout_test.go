package main

import (
	"go/build"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The imports point the way the README's layout says: the pure-Go packages
// build without cgo and never reach for the camera side, the HTTP layer or
// the service, and only cmd wires them together.
func TestLayoutImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{.Dir}}", "posturewatch/...").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	forbidden := map[string][]string{
		// the service reaches storage and the desktop only through its ports
		"posturewatch/coach": {"posturewatch/vision", "posturewatch/webui", "posturewatch/coach/live", "posturewatch/coach/store",
			"posturewatch/coach/history", "posturewatch/coach/desktop", "posturewatch/cmd"},
		"posturewatch/vision": {"posturewatch/coach/live", "posturewatch/coach/store", "posturewatch/coach/history", "posturewatch/coach/desktop",
			"posturewatch/webui", "posturewatch/cmd", "posturewatch/coach/exercise", "posturewatch/coach/reps"},
		// the HTTP layer has no storage of its own: it reads through the service
		"posturewatch/webui": {"posturewatch/vision", "posturewatch/coach/live", "posturewatch/coach/store", "posturewatch/coach/history",
			"posturewatch/coach/desktop", "posturewatch/cmd"},
	}
	// the storage packages share their file helpers, and the About panel's
	// adapter reads both (sizes, export, deletion, the environment's overrides)
	allowed := map[[2]string]bool{{"posturewatch/coach/history", "posturewatch/coach/store"}: true,
		{"posturewatch/coach/about", "posturewatch/coach/history"}: true, {"posturewatch/coach/about", "posturewatch/coach/store"}: true}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, dir, _ := strings.Cut(line, " ")
		pkg, err := build.ImportDir(dir, 0)
		if err != nil {
			continue // no Go files
		}
		for prefix, bad := range forbidden {
			if path != prefix && !strings.HasPrefix(path, prefix+"/") {
				continue
			}
			for _, imp := range pkg.Imports {
				for _, b := range bad {
					if (imp == b || strings.HasPrefix(imp, b+"/")) && !strings.HasPrefix(path, b) && !allowed[[2]string{path, imp}] {
						t.Errorf("%s imports %s", path, imp)
					}
				}
			}
			checked++
		}
		if path != "posturewatch/cmd/posturewatch" && path != "posturewatch/vision" {
			for _, imp := range pkg.Imports {
				if imp == "gocv.io/x/gocv" || imp == "C" {
					t.Errorf("%s (%s) uses cgo; only vision may", path, filepath.Base(dir))
				}
			}
		}
	}
	if checked < 10 {
		t.Errorf("only %d packages checked: the listing went wrong", checked)
	}
}
