package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gocv.io/x/gocv"

	"posturewatch/coach/domain"
	"posturewatch/coach/history"
	"posturewatch/models"
	"posturewatch/vision"
	"posturewatch/vision/v4l"
	"posturewatch/webui"
)

func init() {
	register("doctor", "check that everything posturewatch needs is in place, and say how to fix what is not", runDoctor)
}

// finding is one check's result.
type finding struct {
	level string // "ok", "warn" (works, with less), "FAIL" (needs fixing)
	what  string
	fix   string
}

// doctorEnv is where the checks look (tests make each problem on purpose).
type doctorEnv struct {
	dataDir, configDir string
	listen             string
	sysRoot            string
	sessionBus         string // address of the session bus ("" when none)
	systemBusSocket    string
	// inRun leaves out what a running posturewatch cannot check of itself:
	// the cameras (opening them would fight its own) and its own port.
	inRun bool
}

func runDoctor(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("doctor", stderr)
	var env doctorEnv
	fs.StringVar(&env.dataDir, "data-dir", "", "the data directory run uses (default: $XDG_DATA_HOME/posturewatch)")
	fs.StringVar(&env.configDir, "config-dir", "", "the config directory run uses (default: the user config dir's posturewatch)")
	fs.StringVar(&env.listen, "listen", webui.DefaultListen, "the dashboard address run uses")
	fs.StringVar(&env.sysRoot, "sys-root", "/sys", testingFlag+"where sysfs is mounted")
	fs.StringVar(&env.systemBusSocket, "system-bus", "/run/dbus/system_bus_socket", testingFlag+"the system bus socket")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: posturewatch doctor [--data-dir DIR] [--config-dir DIR] [--listen HOST:PORT]")
		fmt.Fprintln(stderr, "Checks the models, that ONNX Runtime loads, OpenCV, the cameras, the directories, the dashboard port, notifications and the desktop bus; exits 1 when something needs fixing.")
	}
	if code, done := parseFlags(fs, args); done {
		return code
	}
	env.sessionBus = sessionBusAddress()
	fails := 0
	for _, f := range diagnose(env) {
		fmt.Fprintf(stdout, "%-4s  %s\n", f.level, f.what)
		if f.fix != "" {
			fmt.Fprintf(stdout, "      → %s\n", f.fix)
		}
		if f.level == "FAIL" {
			fails++
		}
	}
	if fails > 0 {
		fmt.Fprintf(stdout, "\n%d thing(s) to fix before `posturewatch run` can monitor.\n", fails)
		return 1
	}
	fmt.Fprintln(stdout, "\nEverything posturewatch needs is in place.")
	return 0
}

// diagnose runs every check.
func diagnose(env doctorEnv) []finding {
	var out []finding
	// the models
	for _, m := range models.All() {
		p := models.PathOf(m)
		known, digest, err := models.Known(p, m)
		switch {
		case errors.Is(err, os.ErrNotExist):
			out = append(out, finding{"FAIL", m.Name + " missing at " + p, "run `make models` in the source tree (it fetches and converts it once), or `make install`"})
		case err != nil:
			out = append(out, finding{"FAIL", m.Name + ": " + err.Error(), "check the file's permissions, or run `make models` again"})
		case !known:
			out = append(out, finding{"warn", fmt.Sprintf("%s %s is not the known file (sha256 %s)", m.Name, p, digest), "delete it and run `make models` to get the one posturewatch is tested with"})
		default:
			out = append(out, finding{"ok", fmt.Sprintf("%s %s (sha256 %s…)", m.Name, p, digest[:12]), ""})
		}
		// the runtime, when its file is there: that it loads, and its version
		if m.FileName == models.RuntimeFileName && err == nil {
			if v, err := vision.LoadRuntime(); err != nil {
				out = append(out, finding{"FAIL", err.Error(), "delete the library and run `make models` to get the one posturewatch is tested with"})
			} else {
				out = append(out, finding{"ok", "ONNX Runtime " + v + " loads", ""})
			}
		}
	}
	// OpenCV
	if v := gocv.OpenCVVersion(); strings.HasPrefix(v, "4.") {
		out = append(out, finding{"ok", "OpenCV " + v, ""})
	} else {
		out = append(out, finding{"FAIL", "OpenCV " + v + ": posturewatch is built for OpenCV 4", "install Debian's libopencv-dev (4.6): `make deps`"})
	}
	if !env.inRun {
		out = append(out, cameraFindings(env.sysRoot)...)
	}
	// directories
	dataDir, configDir := env.dataDir, env.configDir
	if dataDir == "" {
		if p, err := history.DefaultPath(); err == nil {
			dataDir = filepath.Dir(p)
		}
	}
	if configDir == "" {
		if d, err := os.UserConfigDir(); err == nil {
			configDir = filepath.Join(d, "posturewatch")
		}
	}
	out = append(out, dirFinding("data directory (history)", dataDir), dirFinding("config directory (settings, profiles)", configDir))
	if !env.inRun {
		out = append(out, portFinding(env.listen))
	}
	// the desktop
	if env.sessionBus != "" {
		out = append(out, finding{"ok", "session bus " + env.sessionBus + ": desktop notifications and the screensaver's lock can be followed", ""})
	} else {
		out = append(out, finding{"warn", "no session bus: no desktop notifications, and a screensaver's lock is not seen", "run posturewatch inside your desktop session"})
	}
	if st, err := os.Stat(env.systemBusSocket); err == nil && st.Mode()&os.ModeSocket != 0 {
		out = append(out, finding{"ok", "system bus: suspend and the session lock (logind) can be followed", ""})
	} else {
		out = append(out, finding{"warn", "no system bus: the camera is not released on suspend or screen lock", "on a desktop, start dbus; on a server this is expected"})
	}
	return out
}

// runningChecks are the doctor's checks that make sense inside a running
// posturewatch, for the dashboard's About panel.
func runningChecks(dataDir, configDir string) []domain.Check {
	env := doctorEnv{dataDir: dataDir, configDir: configDir, systemBusSocket: "/run/dbus/system_bus_socket",
		sessionBus: sessionBusAddress(), inRun: true}
	var out []domain.Check
	for _, f := range diagnose(env) {
		out = append(out, domain.Check{Level: strings.ToLower(f.level), What: f.what, Fix: f.fix})
	}
	return out
}

func cameraFindings(sysRoot string) []finding {
	devs, err := v4l.List(sysRoot)
	if err != nil {
		return []finding{{"FAIL", "cannot list the cameras: " + err.Error(), "check that " + sysRoot + " is mounted"}}
	}
	var out []finding
	for _, d := range devs {
		if !d.Capture || d.Meta {
			continue
		}
		name := d.Name
		if name == "" {
			name = "(no name)"
		}
		switch {
		case d.Err == nil:
			out = append(out, finding{"ok", fmt.Sprintf("camera %s %q", d.Path, name), ""})
		case errors.Is(d.Err, v4l.ErrPermission):
			out = append(out, finding{"FAIL", fmt.Sprintf("camera %s %q: you may not open it", d.Path, name), "sudo usermod -aG video $USER, then log out and in"})
		default:
			out = append(out, finding{"warn", fmt.Sprintf("camera %s %q: %v", d.Path, name, d.Err), v4l.Hint(d.Err)})
		}
	}
	if len(out) == 0 {
		out = append(out, finding{"FAIL", "no camera found", "plug one in (`posturewatch cameras` lists them); `run --source FILE` plays a video instead"})
	}
	return out
}

// dirFinding checks that dir can be created and written.
func dirFinding(what, dir string) finding {
	if dir == "" {
		return finding{"FAIL", what + ": no directory (HOME unset?)", "set HOME or XDG_DATA_HOME / XDG_CONFIG_HOME"}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return finding{"FAIL", fmt.Sprintf("%s %s cannot be created: %v", what, dir, err), "give --data-dir / --config-dir a writable place, or fix the permissions"}
	}
	f, err := os.CreateTemp(dir, ".doctor-*")
	if err != nil {
		return finding{"FAIL", fmt.Sprintf("%s %s is not writable: %v", what, dir, err), "fix its permissions (it should be yours), or give another directory"}
	}
	f.Close()
	os.Remove(f.Name())
	return finding{"ok", fmt.Sprintf("%s %s is writable", what, dir), ""}
}

// portFinding checks that the dashboard's address is free, or held by a
// running posturewatch.
func portFinding(listen string) finding { return portFindingWithin(listen, portProbeTimeout) }

// portProbeTimeout is how long doctor waits for whatever holds the
// dashboard's address to answer. A running posturewatch analysing frames on
// a busy machine can take seconds; with 2 s, one that answered late was
// reported as another program.
const portProbeTimeout = 10 * time.Second

// portFindingWithin is portFinding, waiting at most within for an answer.
// A holder that does not answer in time is a warning, not a failure: it
// may be a posturewatch too busy to answer.
func portFindingWithin(listen string, within time.Duration) finding {
	ln, err := net.Listen("tcp", listen)
	if err == nil {
		ln.Close()
		return finding{"ok", "dashboard address " + listen + " is free", ""}
	}
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+listen+"/", nil)
	resp, herr := http.DefaultClient.Do(req)
	if herr == nil {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
		if strings.Contains(string(body), "posturewatch") {
			return finding{"ok", "dashboard address " + listen + " is held by a running posturewatch", ""}
		}
	}
	if errors.Is(herr, context.DeadlineExceeded) {
		return finding{"warn", fmt.Sprintf("dashboard address %s is held by a program that did not answer within %v (a busy posturewatch, or another program)", listen, within),
			"if no posturewatch is running, stop that program, or give run another address: --listen 127.0.0.1:8485"}
	}
	return finding{"FAIL", fmt.Sprintf("dashboard address %s is taken by another program (%v)", listen, err), "stop that program, or give run another address: --listen 127.0.0.1:8485"}
}

// sessionBusAddress is the session bus run would use ("" when none).
func sessionBusAddress() string {
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" {
		return a
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		if st, err := os.Stat(filepath.Join(d, "bus")); err == nil && st.Mode()&os.ModeSocket != 0 {
			return "unix:path=" + filepath.Join(d, "bus")
		}
	}
	return ""
}
