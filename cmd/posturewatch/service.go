package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"posturewatch/coach/history"
	"posturewatch/coach/store"
	"posturewatch/models"
	"posturewatch/webui"
)

func init() {
	register("service", "start at login as a systemd user service: install, uninstall or status", runServiceCmd)
}

// unitName is the systemd user unit posturewatch installs.
const unitName = "posturewatch.service"

// unitOptions are what the unit file is made from.
type unitOptions struct {
	binary, modelDir, dataDir, configDir, listen string
	graphical                                    bool // WantedBy graphical-session.target (else default.target)
}

// unitFile writes the systemd user unit: absolute paths only (the unit
// runs outside the checkout), restarted on failure, at a lower priority
// (it runs beside the user's work all day).
func unitFile(o unitOptions) string {
	target := "default.target"
	var b strings.Builder
	b.WriteString("# Written by `posturewatch service install`; `posturewatch service uninstall` removes it.\n")
	b.WriteString("[Unit]\nDescription=posturewatch: webcam posture monitor with coaching\n")
	if o.graphical {
		target = "graphical-session.target"
		b.WriteString("PartOf=graphical-session.target\nAfter=graphical-session.target\n")
	}
	fmt.Fprintf(&b, "\n[Service]\nType=exec\nExecStart=%s run --listen %s --data-dir %s --config-dir %s\n",
		systemdQuote(o.binary), o.listen, systemdQuote(o.dataDir), systemdQuote(o.configDir))
	fmt.Fprintf(&b, "Environment=%s\n", systemdQuote(models.DirEnv+"="+o.modelDir))
	b.WriteString("Environment=OPENCV_LOG_LEVEL=ERROR\nRestart=on-failure\nRestartSec=10\nNice=10\n")
	fmt.Fprintf(&b, "\n[Install]\nWantedBy=%s\n", target)
	return b.String()
}

// systemdQuote quotes a word for a unit file when it needs it.
func systemdQuote(s string) string {
	if !strings.ContainsAny(s, " \t\"'\\$%;") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", "$$", "%", "%%")
	return `"` + r.Replace(s) + `"`
}

// unitPath is where the user's units live: $XDG_CONFIG_HOME/systemd/user.
func unitPath() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no config directory for the unit: set XDG_CONFIG_HOME or HOME: %w", err)
	}
	return filepath.Join(d, "systemd", "user", unitName), nil
}

func runServiceCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "usage: posturewatch service install [--listen ADDR] [--no-start] | uninstall | status")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return 0
		}
		return 2
	}
	sub, rest := args[0], args[1:]
	fs := newFlagSet("service "+sub, stderr)
	listen := fs.String("listen", webui.DefaultListen, "dashboard address for the service")
	noStart := fs.Bool("no-start", false, "only write the unit file (do not call systemctl)")
	if code, done := parseFlags(fs, rest); done {
		return code
	}
	path, err := unitPath()
	if err != nil {
		fmt.Fprintf(stderr, "posturewatch service: %v\n", err)
		return 1
	}
	switch sub {
	case "install":
		return serviceInstall(path, *listen, *noStart, stdout, stderr)
	case "uninstall":
		return serviceUninstall(path, *noStart, stdout, stderr)
	case "status":
		return serviceStatus(path, stdout)
	}
	fmt.Fprintf(stderr, "posturewatch service: unknown action %q: install, uninstall or status\n", sub)
	return 2
}

func serviceInstall(path, listen string, noStart bool, stdout, stderr io.Writer) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "posturewatch service install: "+format+"\n", a...)
		return 1
	}
	o, err := currentUnitOptions(listen)
	if err != nil {
		return fail("%v", err)
	}
	unit := []byte(unitFile(o))
	if old, err := os.ReadFile(path); err == nil && !bytes.Equal(old, unit) {
		// a unit the user may have edited is kept, never overwritten
		kept, err := store.KeepAside(path, "before", time.Now())
		if err != nil {
			return fail("the unit at %s differs and could not be kept aside: %v", path, err)
		}
		fmt.Fprintf(stdout, "kept the earlier unit as %s\n", kept)
	}
	if err := store.WriteAtomic(path, unit); err != nil {
		return fail("write %s: %v", path, err)
	}
	fmt.Fprintf(stdout, "wrote %s\n  binary  %s\n  models  %s\n  data    %s\n", path, o.binary, o.modelDir, o.dataDir)
	if noStart {
		fmt.Fprintf(stdout, "start it with: systemctl --user daemon-reload && systemctl --user enable --now %s\n", unitName)
		return 0
	}
	for _, a := range [][]string{{"daemon-reload"}, {"enable", "--now", unitName}} {
		if err := systemctlUser(a...); err != nil {
			fmt.Fprintf(stderr, "posturewatch service install: %v\n", err)
			fmt.Fprintln(stderr, "The unit file is written, but systemd's user manager could not start it (no systemd here, or not in a login session).")
			fmt.Fprintln(stderr, "Without systemd, start `"+o.binary+" run` from your desktop's autostart (e.g. a .desktop file in ~/.config/autostart).")
			return 1
		}
	}
	fmt.Fprintf(stdout, "posturewatch starts at login; the dashboard is at http://%s/\n", listen)
	return 0
}

func serviceUninstall(path string, noStart bool, stdout, stderr io.Writer) int {
	if !noStart {
		if err := systemctlUser("disable", "--now", unitName); err != nil {
			fmt.Fprintf(stderr, "posturewatch service uninstall: %v (going on: removing the unit file)\n", err)
		}
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stderr, "posturewatch service uninstall: %v\n", err)
		return 1
	}
	if !noStart {
		_ = systemctlUser("daemon-reload")
	}
	fmt.Fprintf(stdout, "removed %s; posturewatch no longer starts at login (your settings, profiles and history are kept)\n", path)
	return 0
}

func serviceStatus(path string, stdout io.Writer) int {
	if _, err := os.Stat(path); err != nil {
		fmt.Fprintf(stdout, "not installed (no %s): `posturewatch service install` makes it start at login\n", path)
		return 3
	}
	fmt.Fprintf(stdout, "unit file: %s\n", path)
	for _, q := range []string{"is-enabled", "is-active"} {
		out, err := exec.Command("systemctl", "--user", q, unitName).CombinedOutput()
		state := strings.TrimSpace(string(out))
		if err != nil && state == "" {
			state = err.Error()
		}
		fmt.Fprintf(stdout, "%-11s %s\n", q+":", state)
	}
	return 0
}

// systemctlUser runs systemctl --user with args.
func systemctlUser(args ...string) error {
	p, err := exec.LookPath("systemctl")
	if err != nil {
		return errors.New("no systemctl: systemd is not installed here")
	}
	out, err := exec.Command(p, append([]string{"--user"}, args...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("systemctl --user %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// currentUnitOptions finds the absolute paths the unit runs with.
func currentUnitOptions(listen string) (unitOptions, error) {
	exe, err := os.Executable()
	if err != nil {
		return unitOptions{}, fmt.Errorf("where is this program? %w", err)
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	model := models.PathOf(models.MoveNet)
	if err := models.Check(model, true); err != nil {
		return unitOptions{}, fmt.Errorf("%w (the unit needs the models where it can find them: `make install` copies them)", err)
	}
	modelDir, err := filepath.Abs(filepath.Dir(model))
	if err != nil {
		return unitOptions{}, err
	}
	hp, err := history.DefaultPath()
	if err != nil {
		return unitOptions{}, err
	}
	cfg, err := os.UserConfigDir()
	if err != nil {
		return unitOptions{}, err
	}
	graphical := os.Getenv("XDG_CURRENT_DESKTOP") != "" || os.Getenv("WAYLAND_DISPLAY") != "" || os.Getenv("DISPLAY") != ""
	return unitOptions{binary: exe, modelDir: modelDir, dataDir: filepath.Dir(hp), configDir: filepath.Join(cfg, "posturewatch"),
		listen: listen, graphical: graphical}, nil
}
