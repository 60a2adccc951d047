//go:build linux

package v4l

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// mknod makes a character device node (root only: skips otherwise).
func mknod(t *testing.T, dir, name string, major, minor uint32, mode uint32) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("making device nodes needs root")
	}
	p := filepath.Join(dir, name)
	if err := unix.Mknod(p, unix.S_IFCHR|mode, int(unix.Mkdev(major, minor))); err != nil {
		t.Skipf("cannot make a device node here: %v", err)
	}
	return p
}

// A node with the V4L2 major number but no driver behind it (this machine
// has no camera): a camera that was unplugged while its node stayed.
func TestFakeV4LNode(t *testing.T) {
	node := mknod(t, t.TempDir(), "video0", v4lMajor, 200, 0o660)
	c, err := ParseCamera(node, nil)
	if err != nil || !c.Present {
		t.Errorf("ParseCamera(%s) = %+v, %v; want accepted, present", node, c, err)
	}
	err = CheckOpen(node)
	if !errors.Is(err, ErrNotFound) || !(errors.Is(err, syscall.ENXIO) || errors.Is(err, syscall.ENODEV)) {
		t.Errorf("CheckOpen on a node without a driver: %v, want ErrNotFound (ENXIO/ENODEV)", err)
	}
}

// What a user outside the video group is told: CheckOpen and the Watcher
// both say ErrPermission and name the group. Run as uid/gid 65534 in a
// helper process.
func TestPermissionDenied(t *testing.T) {
	dir, err := os.MkdirTemp("", "v4l-perm-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	node := mknod(t, dir, "video0", v4lMajor, 201, 0o660) // root:root, like root:video
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	copyExe := filepath.Join(dir, "v4l.test")
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(copyExe, b, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(copyExe)
	cmd.Env = append(os.Environ(), "V4L_TEST_HELPER=check", "V4L_TEST_FILE="+node, "GORACE=atexit_sleep_ms=0")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("cannot run a helper as another user: %v %s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if want := []string{ErrPermission.Error(), ErrPermission.Error()}; !slices.Equal(lines, want) {
		t.Errorf("as another user: CheckOpen, Run said %q, want %q (stderr: %s)", lines, want, stderr.String())
	}
	if !strings.Contains(stderr.String(), "usermod -aG") {
		t.Errorf("the watcher's error does not say how to fix it: %s", stderr.String())
	}
}

// A program whose /dev has its own node for the device (a container) is
// found by device number. /dev/null stands in for the camera.
func TestHoldersByDeviceNumber(t *testing.T) {
	var st unix.Stat_t
	if err := unix.Stat("/dev/null", &st); err != nil {
		t.Skip(err)
	}
	alias := mknod(t, t.TempDir(), "null-alias", unix.Major(uint64(st.Rdev)), unix.Minor(uint64(st.Rdev)), 0o666)
	o := hold(t, "/dev/null", "container-app")
	hs, err := Holders("/proc", alias, os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(hs, Holder{PID: o.pid, Name: "container-app"}) {
		t.Errorf("Holders(%s) = %v, want the helper holding /dev/null", alias, hs)
	}
}
