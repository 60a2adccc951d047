package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"runtime/debug"

	"gocv.io/x/gocv"

	"posturewatch/models"
)

func init() {
	register("version", "print the version, commit, Go and OpenCV versions and the models' digests", runVersion)
}

// version is the release; `go build -ldflags "-X main.version=1.2.0"` sets it.
var version = "0.5.0-dev"

// buildInfo is what this binary is.
type buildInfo struct {
	Version string       `json:"version"`
	Commit  string       `json:"commit,omitempty"`
	Dirty   bool         `json:"dirty,omitempty"` // built from a tree with uncommitted changes
	Go      string       `json:"go"`
	Arch    string       `json:"arch"`
	OpenCV  string       `json:"opencv"`
	GoCV    string       `json:"gocv"`
	Models  []modelState `json:"models"`
}

// modelState is one model file as found now.
type modelState struct {
	Name   string `json:"name"`
	Path   string `json:"path"`
	SHA256 string `json:"sha256,omitempty"`
	State  string `json:"state"` // "ok", "missing", "differs" (not the known file), or the error
}

func currentBuild() buildInfo {
	b := buildInfo{Version: version, Go: runtime.Version(), Arch: runtime.GOOS + "/" + runtime.GOARCH,
		OpenCV: gocv.OpenCVVersion(), GoCV: gocv.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				b.Commit = s.Value
			case "vcs.modified":
				b.Dirty = s.Value == "true"
			}
		}
	}
	for _, m := range models.All() {
		p := models.PathOf(m)
		st := modelState{Name: m.Name, Path: p}
		known, digest, err := models.Known(p, m)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			st.State = "missing"
		case err != nil:
			st.State = err.Error()
		case known:
			st.SHA256, st.State = digest, "ok"
		default:
			st.SHA256, st.State = digest, "differs from the known "+m.ExpectedSHA256()
		}
		b.Models = append(b.Models, st)
	}
	return b
}

// short is the one-line version for the dashboard's About.
func (b buildInfo) short() string {
	s := b.Version
	if b.Commit != "" {
		c := b.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		s += " (" + c
		if b.Dirty {
			s += ", modified"
		}
		s += ")"
	}
	return s + " · " + b.Go + " · OpenCV " + b.OpenCV
}

func runVersion(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("version", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	b := currentBuild()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(b); err != nil {
			fmt.Fprintf(stderr, "posturewatch version: %v\n", err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(stdout, "posturewatch %s\n", b.short())
	fmt.Fprintf(stdout, "built for %s, gocv %s\n", b.Arch, b.GoCV)
	for _, m := range b.Models {
		fmt.Fprintf(stdout, "%-20s %s\n%-20s   %s", m.Name, m.Path, "", m.State)
		if m.SHA256 != "" && m.State == "ok" {
			fmt.Fprintf(stdout, ", sha256 %s", m.SHA256)
		}
		fmt.Fprintln(stdout)
	}
	return 0
}
