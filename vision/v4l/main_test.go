//go:build linux

package v4l

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// The test binary doubles as the "other program" that opens the device:
// with V4L_TEST_HELPER set it names itself V4L_TEST_COMM, opens
// V4L_TEST_FILE and either keeps it open until its standard input closes
// ("hold", saying "ready" once it is open) or closes it at once ("probe").
func TestMain(m *testing.M) {
	if mode := os.Getenv("V4L_TEST_HELPER"); mode != "" {
		os.Exit(helper(mode))
	}
	os.Exit(m.Run())
}

func helper(mode string) int {
	if comm := os.Getenv("V4L_TEST_COMM"); comm != "" {
		// /proc/self/comm is the main thread's name, which is what
		// /proc/PID/comm shows to others.
		if err := os.WriteFile("/proc/self/comm", []byte(comm), 0); err != nil {
			os.Stderr.WriteString("helper: " + err.Error() + "\n")
			return 2
		}
	}
	switch mode {
	case "check": // as another user: what CheckOpen and a Watcher say
		file := os.Getenv("V4L_TEST_FILE")
		fmt.Println(kindName(CheckOpen(file)))
		w, _ := NewWatcher(WatchOptions{Path: file})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := w.Run(ctx)
		fmt.Println(kindName(err))
		fmt.Fprintln(os.Stderr, err)
		return 0
	}
	f, err := os.Open(os.Getenv("V4L_TEST_FILE"))
	if err != nil {
		os.Stderr.WriteString("helper: " + err.Error() + "\n")
		return 2
	}
	switch mode {
	case "probe":
		f.Close()
		return 0
	case "hold":
		os.Stdout.WriteString("ready\n")
		io.Copy(io.Discard, os.Stdin) // until the test closes our stdin
		f.Close()
		return 0
	}
	return 2
}

func kindName(err error) string {
	switch {
	case err == nil:
		return "ok"
	case kindOf(err) == nil:
		return "other: " + err.Error()
	}
	return kindOf(err).Error()
}

// other is a running helper process holding a file open.
type other struct {
	cmd   *exec.Cmd
	stdin io.Closer
	pid   int
	once  sync.Once
}

// hold starts a helper named comm that opens file and keeps it open; it
// returns once the file is open. The helper is stopped at the end of the
// test.
func hold(t *testing.T, file, comm string) *other {
	t.Helper()
	cmd := helperCmd(t, "hold", file, comm)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	o := &other{cmd: cmd, stdin: in, pid: cmd.Process.Pid}
	t.Cleanup(o.stop)
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- s
	}()
	select {
	case s := <-line:
		if strings.TrimSpace(s) != "ready" {
			o.stop()
			t.Fatalf("helper said %q, want ready", s)
		}
	case <-time.After(20 * time.Second):
		o.stop()
		t.Fatal("helper did not open the file within 20 s")
	}
	return o
}

// stop makes the helper close the file and exit, and waits for it.
func (o *other) stop() {
	o.once.Do(func() {
		o.stdin.Close()
		done := make(chan struct{})
		go func() { o.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			o.cmd.Process.Kill()
			<-done
		}
	})
}

// probe runs a helper named comm that opens file and closes it at once,
// and waits for it to exit.
func probe(t *testing.T, file, comm string) {
	t.Helper()
	cmd := helperCmd(t, "probe", file, comm)
	if err := cmd.Run(); err != nil {
		t.Fatalf("probe helper: %v", err)
	}
}

func helperCmd(t *testing.T, mode, file, comm string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "V4L_TEST_HELPER="+mode, "V4L_TEST_FILE="+file, "V4L_TEST_COMM="+comm,
		"GORACE=atexit_sleep_ms=0") // a race-enabled helper would wait 1 s at exit
	cmd.Stderr = os.Stderr
	return cmd
}

// watcherGoroutines counts the goroutines running a Watcher's code.
func watcherGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	c := 0
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		if strings.Contains(g, "v4l.(*Watcher).Run") || strings.Contains(g, "v4l.(*loop)") {
			c++
		}
	}
	return c
}

// noWatcherGoroutines fails t unless the Watcher goroutines are gone (they
// should be when Run has returned; the wait only covers goroutines that
// have finished their work but not yet exited).
func noWatcherGoroutines(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for watcherGoroutines() > 0 {
		if time.Now().After(deadline) {
			t.Errorf("watcher goroutines left after Run returned: %d", watcherGoroutines())
			return
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}
