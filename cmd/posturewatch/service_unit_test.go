package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// service install writes a user unit with absolute paths that
// systemd-analyze accepts, and asks systemd's user manager to enable and
// start it; a unit the user changed is kept, not overwritten; uninstall
// disables and removes it; without a user manager install explains what
// to do instead.
func TestServiceInstall(t *testing.T) {
	needModel(t)
	cfgHome, dataHome, bin := t.TempDir(), t.TempDir(), t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfgHome)
	t.Setenv("XDG_DATA_HOME", dataHome)
	t.Setenv("DISPLAY", ":0") // a desktop session: WantedBy graphical-session.target
	calls := filepath.Join(t.TempDir(), "calls")
	fake := "#!/bin/sh\necho \"$@\" >> " + calls + "\n[ -n \"$FAIL_SYSTEMCTL\" ] && { echo 'Failed to connect to bus: No medium found' >&2; exit 1; }\nexit 0\n"
	if err := os.WriteFile(filepath.Join(bin, "systemctl"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))

	var out, errb syncBuffer
	if code := dispatch([]string{"service", "install"}, &out, &errb); code != 0 {
		t.Fatalf("install: exit %d: %s %s", code, out.String(), errb.String())
	}
	unitPath := filepath.Join(cfgHome, "systemd", "user", unitName)
	unit, err := os.ReadFile(unitPath)
	if err != nil {
		t.Fatal(err)
	}
	u := string(unit)
	for _, want := range []string{"ExecStart=/", "--data-dir " + filepath.Join(dataHome, "posturewatch"), "Environment=POSTUREWATCH_MODEL_DIR=/",
		"Restart=on-failure", "WantedBy=graphical-session.target"} {
		if !strings.Contains(u, want) {
			t.Errorf("the unit lacks %q:\n%s", want, u)
		}
	}
	if analyze, err := exec.LookPath("systemd-analyze"); err == nil {
		if out, err := exec.Command(analyze, "verify", unitPath).CombinedOutput(); err != nil {
			t.Errorf("systemd-analyze verify: %v\n%s", err, out)
		}
	} else {
		t.Log("no systemd-analyze here: the unit is not verified")
	}
	got, _ := os.ReadFile(calls)
	if !strings.Contains(string(got), "--user daemon-reload\n--user enable --now posturewatch.service") {
		t.Errorf("systemctl calls:\n%s", got)
	}

	// the user edited the unit: it is kept aside, not lost
	if err := os.WriteFile(unitPath, append(unit, []byte("# my change\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	var out2, errb2 syncBuffer
	if code := dispatch([]string{"service", "install", "--no-start"}, &out2, &errb2); code != 0 {
		t.Fatalf("install again: %d %s", code, errb2.String())
	}
	kept, _ := filepath.Glob(unitPath + ".before-*")
	if len(kept) != 1 {
		t.Errorf("the edited unit was not kept: %v", kept)
	} else if b, _ := os.ReadFile(kept[0]); !strings.Contains(string(b), "# my change") {
		t.Errorf("kept file %s lacks the change", kept[0])
	}

	var out3, errb3 syncBuffer
	if code := dispatch([]string{"service", "uninstall"}, &out3, &errb3); code != 0 {
		t.Fatalf("uninstall: %d %s", code, errb3.String())
	}
	if _, err := os.Stat(unitPath); !os.IsNotExist(err) {
		t.Error("the unit is still there")
	}
	got, _ = os.ReadFile(calls)
	if !strings.Contains(string(got), "--user disable --now posturewatch.service") {
		t.Errorf("uninstall did not disable:\n%s", got)
	}

	// no user manager (a container, no login session)
	t.Setenv("FAIL_SYSTEMCTL", "1")
	var out4, errb4 syncBuffer
	if code := dispatch([]string{"service", "install"}, &out4, &errb4); code != 1 || !strings.Contains(errb4.String(), "autostart") {
		t.Errorf("without a user manager: exit %d, %q", code, errb4.String())
	}
	var out5, errb5 syncBuffer
	if code := dispatch([]string{"service", "status"}, &out5, &errb5); code != 0 || !strings.Contains(out5.String(), unitPath) {
		t.Errorf("status: exit %d, %q", code, out5.String())
	}
}
