// Package scripts_test tests the shell steps of the container build
// outside a container: there is no container engine where posturewatch is
// built and tested, so the Dockerfile's build stage is a script, and this
// runs it and holds the Dockerfile to what it makes.
package scripts_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	cmd  string // upper case: FROM, COPY, RUN …
	args string
}

func parseDockerfile(t *testing.T, file string) []instruction {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []instruction
	var cur strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if cur.Len() == 0 && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue // a comment inside a continued instruction
		}
		if s, ok := strings.CutSuffix(line, `\`); ok {
			cur.WriteString(s + " ")
			continue
		}
		cur.WriteString(line)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, instruction{strings.ToUpper(cmd), strings.TrimSpace(args)})
		cur.Reset()
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// dockerfile is what the checks need from the Dockerfile.
type dockerfile struct {
	args       map[string]string // ARG defaults before the first FROM
	froms      []string          // FROM images, ARGs expanded
	runs       []string          // RUN commands of the build stage
	copies     [][2]string       // final stage: COPY --from=build SRC DEST
	entrypoint string
	env        map[string]string // final stage ENV
}

func readDockerfile(t *testing.T) dockerfile {
	d := dockerfile{args: map[string]string{}, env: map[string]string{}}
	stage := -1
	for _, in := range parseDockerfile(t, "../Dockerfile") {
		switch in.cmd {
		case "ARG":
			if stage < 0 {
				k, v, _ := strings.Cut(in.args, "=")
				d.args[k] = v
			}
		case "FROM":
			stage++
			img, _, _ := strings.Cut(in.args, " ")
			d.froms = append(d.froms, os.Expand(img, func(k string) string { return d.args[k] }))
		case "RUN":
			if stage == 0 {
				d.runs = append(d.runs, in.args)
			}
		case "COPY":
			f := strings.Fields(in.args)
			if stage == 1 && len(f) == 3 && f[0] == "--from=build" {
				d.copies = append(d.copies, [2]string{f[1], f[2]})
			} else if stage == 1 {
				t.Errorf("final stage: COPY %s copies something not from the build stage's output", in.args)
			}
		case "ENTRYPOINT":
			var ep []string
			if err := json.Unmarshal([]byte(in.args), &ep); err != nil || len(ep) == 0 {
				t.Fatalf("ENTRYPOINT %s: want the exec form", in.args)
			}
			d.entrypoint = ep[0]
		case "ENV":
			if stage == 1 {
				for _, kv := range strings.Fields(in.args) {
					k, v, _ := strings.Cut(kv, "=")
					d.env[k] = v
				}
			}
		}
	}
	if len(d.froms) != 2 {
		t.Fatalf("FROM lines %v: want a build stage and a final stage", d.froms)
	}
	return d
}

// The image's releases are the project's: Go as go.mod says, Debian as the
// Makefile's container target says, the same Debian in both stages.
func TestDockerfileReleases(t *testing.T) {
	d := readDockerfile(t)
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod has no go directive")
	}
	if d.args["GO_VERSION"] != string(m[1]) {
		t.Errorf("Dockerfile GO_VERSION %q, go.mod says go %s", d.args["GO_VERSION"], m[1])
	}
	mk, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	deb := regexp.MustCompile(`(?m)^DEBIAN_RELEASE\s*:=\s*(\S+)`).FindSubmatch(mk)
	if deb == nil || d.args["DEBIAN"] != string(deb[1]) {
		t.Errorf("Dockerfile DEBIAN %q, Makefile DEBIAN_RELEASE %q", d.args["DEBIAN"], deb)
	}
	if want := "golang:" + d.args["GO_VERSION"] + "-" + d.args["DEBIAN"]; d.froms[0] != want {
		t.Errorf("build stage FROM %s, want %s", d.froms[0], want)
	}
	if want := "debian:" + d.args["DEBIAN"] + "-slim"; d.froms[1] != want {
		t.Errorf("final stage FROM %s, want %s", d.froms[1], want)
	}
	// the build stage installs with the Makefile's script and builds with this one
	runs := strings.Join(d.runs, "\n")
	for _, want := range []string{"bash scripts/deps.sh build models", "bash scripts/container-build.sh /out"} {
		if !strings.Contains(runs, want) {
			t.Errorf("the build stage does not RUN %q:\n%s", want, runs)
		}
	}
}

// The build stage's script, run here into a temporary directory, makes
// everything the final stage copies and runs: the binary, the models it
// finds beside it, and the libraries LD_LIBRARY_PATH points at.
func TestContainerBuildScript(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary: not in -short")
	}
	for _, tool := range []string{"ldd", "pkg-config", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found: the build needs the Debian packages of make deps", tool)
		}
	}
	for _, m := range []string{"movenet-lightning", "blazeface", "facemesh"} {
		if _, err := os.Stat(filepath.Join("..", "models", m+".onnx")); err != nil {
			t.Skipf("models/%s.onnx absent: the test reuses the models of make models rather than fetching them: %v", m, err)
		}
	}
	d := readDockerfile(t)
	out := t.TempDir()
	cmd := exec.Command("bash", "container-build.sh", out)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	log, err := cmd.CombinedOutput()
	t.Logf("container-build.sh:\n%s", log)
	if err != nil {
		t.Fatalf("container-build.sh: %v", err)
	}

	// what `version` printed from the laid-out tree names the models' digests
	for _, m := range []string{"movenet-lightning", "blazeface", "facemesh"} {
		sum := fileSHA(t, filepath.Join(out, "models", m+".onnx"))
		want, err := os.ReadFile(filepath.Join("..", "models", m+".onnx.sha256"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(want), sum) {
			t.Errorf("%s.onnx in the output has digest %s, not the committed one", m, sum)
		}
		if !strings.Contains(string(log), sum[:12]) {
			t.Errorf("the binary run from the output did not find %s.onnx (no %s… in its version output)", m, sum[:12])
		}
	}
	// and the runtime library beside them, the one make models checked
	if rt, _ := filepath.Glob(filepath.Join(out, "models", "libonnxruntime.so.*")); len(rt) != 1 {
		t.Errorf("want one ONNX Runtime library in %s/models, found %v", out, rt)
	} else if sum := fileSHA(t, rt[0]); fileSHA(t, filepath.Join("..", "models", filepath.Base(rt[0]))) != sum {
		t.Errorf("%s differs from models/%s", rt[0], filepath.Base(rt[0]))
	} else if !strings.Contains(string(log), sum[:12]) {
		t.Errorf("the binary run from the output did not find %s (no %s… in its version output)", filepath.Base(rt[0]), sum[:12])
	}
	libs, _ := filepath.Glob(filepath.Join(out, "lib", "libopencv_core.so*"))
	if len(libs) == 0 {
		t.Errorf("no libopencv_core in %s/lib", out)
	}
	if glibc, _ := filepath.Glob(filepath.Join(out, "lib", "libc.so*")); len(glibc) > 0 {
		t.Errorf("glibc copied into the image's libraries: %v", glibc)
	}

	// every path the final stage copies, and its entrypoint, is in the output
	if len(d.copies) == 0 {
		t.Fatal("the final stage copies nothing from the build stage")
	}
	dest := map[string]string{} // image path → path in out
	for _, c := range d.copies {
		rel, ok := strings.CutPrefix(c[0], "/out/")
		if !ok {
			t.Errorf("COPY --from=build %s: not under /out, where the script writes", c[0])
			continue
		}
		p := filepath.Join(out, rel)
		st, err := os.Stat(p)
		if err != nil {
			t.Errorf("COPY --from=build %s %s: the script made no %s", c[0], c[1], rel)
			continue
		}
		if strings.HasSuffix(c[0], "/") != st.IsDir() {
			t.Errorf("COPY %s: a directory in the Dockerfile is a file in the output, or the other way round", c[0])
		}
		dest[path.Clean(c[1])] = p
	}
	inImage := func(imgPath string) (string, bool) {
		for dir := imgPath; dir != "/"; dir = path.Dir(dir) {
			if p, ok := dest[dir]; ok {
				return filepath.Join(p, strings.TrimPrefix(imgPath, dir)), true
			}
		}
		return "", false
	}
	ep, ok := inImage(d.entrypoint)
	if !ok {
		t.Errorf("ENTRYPOINT %s is not among the copied paths", d.entrypoint)
	} else if st, err := os.Stat(ep); err != nil || st.Mode()&0o111 == 0 {
		t.Errorf("ENTRYPOINT %s → %s: not an executable file (%v)", d.entrypoint, ep, err)
	}
	// the binary finds its models at bin/../models, and its libraries where LD_LIBRARY_PATH says
	if p, ok := inImage(path.Join(path.Dir(path.Dir(d.entrypoint)), "models", "movenet-lightning.onnx")); !ok {
		t.Errorf("no models directory beside the entrypoint's bin/ in the image")
	} else if _, err := os.Stat(p); err != nil {
		t.Errorf("models beside the entrypoint: %v", err)
	}
	if p, ok := inImage(d.env["LD_LIBRARY_PATH"]); !ok {
		t.Errorf("LD_LIBRARY_PATH %q is not a copied directory", d.env["LD_LIBRARY_PATH"])
	} else if ents, err := os.ReadDir(p); err != nil || len(ents) == 0 {
		t.Errorf("LD_LIBRARY_PATH %q → %s: empty (%v)", d.env["LD_LIBRARY_PATH"], p, err)
	}
}

func fileSHA(t *testing.T, p string) string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}
