package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"posturewatch/models"
)

// doctor, in a temporary environment with each problem made on purpose:
// every problem is a FAIL line with its fix, and the exit code says so;
// what is fine (a port held by a running posturewatch) is not a problem.
// find is the finding that starts with prefix; the test fails without one.
func find(t testing.TB, fs []finding, prefix string) finding {
	t.Helper()
	for _, f := range fs {
		if strings.HasPrefix(f.what, prefix) {
			return f
		}
	}
	t.Fatalf("no finding %q in %+v", prefix, fs)
	return finding{}
}

func TestDoctor(t *testing.T) {
	// a port taken by another program
	other, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go http.Serve(other, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("another web server")) }))
	defer other.Close()
	// a data directory that is a file
	tmp := t.TempDir()
	notDir := filepath.Join(tmp, "data")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// no models, no cameras, no buses
	t.Setenv(models.DirEnv, t.TempDir())
	for _, m := range models.All() {
		if m.EnvVar != "" {
			t.Setenv(m.EnvVar, "")
		}
	}
	env := doctorEnv{dataDir: notDir, configDir: filepath.Join(tmp, "config"), listen: other.Addr().String(),
		sysRoot: t.TempDir(), systemBusSocket: filepath.Join(tmp, "no-bus")}
	fs := diagnose(env)
	for _, want := range []struct{ prefix, level, fix string }{
		{"pose model missing", "FAIL", "make models"},
		{"face detector model missing", "FAIL", "make models"},
		{"no camera found", "FAIL", "plug one in"},
		{"data directory (history) " + notDir + " cannot be created", "FAIL", "--data-dir"},
		{"config directory (settings, profiles) " + filepath.Join(tmp, "config") + " is writable", "ok", ""},
		{"dashboard address " + other.Addr().String() + " is taken by another program", "FAIL", "--listen"},
		{"no session bus", "warn", "desktop session"},
		{"no system bus", "warn", "server"},
	} {
		f := find(t, fs, want.prefix)
		if f.level != want.level || !strings.Contains(f.fix, want.fix) {
			t.Errorf("%s: %+v, want %s with a fix mentioning %q", want.prefix, f, want.level, want.fix)
		}
	}
	var out, errb syncBuffer
	args := []string{"--data-dir", notDir, "--config-dir", filepath.Join(tmp, "config"), "--listen", other.Addr().String(), "--sys-root", env.sysRoot}
	if code := runDoctor(args, &out, &errb); code != 1 || !strings.Contains(out.String(), "to fix") {
		t.Errorf("exit %d: %s", code, out.String())
	}
}

// The dashboard's port held by a running posturewatch is not a problem.
func TestDoctorPortHeldByPosturewatch(t *testing.T) {
	needModel(t)
	rs := startService(t, runOptions{camera: "/dev/video987"})
	if f := portFinding(strings.TrimPrefix(rs.base, "http://")); f.level != "ok" || !strings.Contains(f.what, "running posturewatch") {
		t.Errorf("port held by posturewatch: %+v", f)
	}
}

// With the runtime library set up, doctor loads it and names its version;
// a library that is not the known one fails the digest check.
func TestDoctorLoadsTheRuntime(t *testing.T) {
	needModel(t)
	env := doctorEnv{dataDir: t.TempDir(), configDir: t.TempDir(), sysRoot: t.TempDir(), systemBusSocket: filepath.Join(t.TempDir(), "no-bus")}
	if f := find(t, diagnose(env), "ONNX Runtime "+models.RuntimeVersion+" loads"); f.level != "ok" {
		t.Errorf("the runtime check: %+v", f)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, models.RuntimeFileName), bytes.Repeat([]byte("not a library "), 1<<17), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(models.Runtime.EnvVar, filepath.Join(dir, models.RuntimeFileName))
	f := find(t, diagnose(env), "ONNX Runtime library")
	if f.level == "ok" {
		t.Errorf("a file that is not the library: %+v", f)
	}
}

// A holder of the dashboard's address that answers with a page of its own
// is another program (a failure); one that does not answer in time may be a
// posturewatch too busy to answer, and is a warning that says so.
func TestDoctorPortHeldByAnother(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<html>some other dashboard</html>")
	}))
	defer other.Close()
	if f := portFinding(strings.TrimPrefix(other.URL, "http://")); f.level != "FAIL" || !strings.Contains(f.what, "another program") {
		t.Errorf("port held by another program: %+v", f)
	}

	release := make(chan struct{})
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer silent.Close()
	defer close(release)
	f := portFindingWithin(strings.TrimPrefix(silent.URL, "http://"), 50*time.Millisecond)
	if f.level != "warn" || !strings.Contains(f.what, "did not answer within 50ms") || !strings.Contains(f.fix, "--listen") {
		t.Errorf("port held by a program that does not answer: %+v", f)
	}
}
