package vision

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"time"

	"gocv.io/x/gocv"

	"posturewatch/models"
)

// A model file that is not a known one (given by path) may hold any graph,
// and native code (the model runtime, OpenCV around it) can abort the whole
// process on a malformed one; recover cannot catch that. So such a file is
// first loaded and run once in a child process (the same program, told by
// checkEnv what to check): if the child dies, the file is refused with a
// clear error and this process goes on.
const checkEnv = "POSTUREWATCH_CHECK_MODEL" // "<model file name>\n<path>"

// checkTimeout bounds the child's check (loading and one forward pass).
const checkTimeout = time.Minute

// ServeModelCheck turns this process into the model checker when its
// parent asked for one, and exits; otherwise it returns at once. Call it
// first thing in main (and in TestMain of packages whose tests load models).
func ServeModelCheck() {
	v, ok := os.LookupEnv(checkEnv)
	if !ok {
		return
	}
	name, path, _ := strings.Cut(v, "\n")
	if err := runModelOnce(name, path); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	os.Exit(0)
}

// runModelOnce loads the model and runs it on a blank frame.
func runModelOnce(fileName, path string) error {
	blank := gocv.NewMatWithSize(480, 640, gocv.MatTypeCV8UC3)
	defer blank.Close()
	switch fileName {
	case models.MoveNet.FileName:
		p, err := NewPoseNet(PoseOptions{ModelPath: path, Threads: 1})
		if err != nil {
			return err
		}
		defer p.Close()
		_, _, err = p.Estimate(blank)
		return err
	case models.BlazeFace.FileName, models.FaceMesh.FileName:
		opt := FaceOptions{Threads: 1}
		if fileName == models.BlazeFace.FileName {
			opt.DetectorPath = path
		} else {
			opt.MeshPath = path
		}
		f, err := NewFaceNet(opt)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = f.Observe(blank, time.Now(), false, nil)
		return err
	}
	return fmt.Errorf("no such model kind %q", fileName)
}

// checkUnknownModel says loudly that path is not the known model m, and
// checks it in a child process before this one loads it. The child itself
// skips the check (it is the check).
func checkUnknownModel(path string, m models.Model) error {
	if _, child := os.LookupEnv(checkEnv); child {
		return nil
	}
	known, digest, err := models.Known(path, m)
	if err != nil {
		return fmt.Errorf("%s %s: %w", m.Name, path, err)
	}
	if known {
		return nil
	}
	slog.Warn("this is not the "+m.Name+" posturewatch was built and tested with: its verdicts may differ",
		"file", path, "sha256", digest, "known sha256", m.ExpectedSHA256())
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("%s %s: cannot check it in a child process: %w", m.Name, path, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), checkEnv+"="+m.FileName+"\n"+path, "OPENCV_LOG_LEVEL=ERROR")
	out, err := cmd.CombinedOutput()
	if err == nil {
		return nil
	}
	why := lastLine(string(out))
	var ee *exec.ExitError
	if errors.As(err, &ee) && !ee.Exited() {
		why = "it crashed the checking process (" + ee.String() + ")"
	}
	return fmt.Errorf("the %s %s cannot be used: %s: %s", m.Name, path, why, m.Hint)
}

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
