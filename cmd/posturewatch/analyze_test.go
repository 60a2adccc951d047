package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gocv.io/x/gocv"

	"posturewatch/coach/domain"
	"posturewatch/coach/store"
	"posturewatch/models"
)

// dataDir is ../shared/posture-data seen from the repository root.
func dataDir(t testing.TB) string {
	t.Helper()
	d := filepath.Join("..", "..", "..", "shared", "posture-data")
	if _, err := os.Stat(d); err != nil {
		t.Skipf("posture data not found at %s (it lives beside the repository as ../shared/posture-data): %v", d, err)
	}
	return d
}

func needModel(t testing.TB) {
	t.Helper()
	if err := models.Check(models.DefaultPath(), true); err != nil {
		t.Skipf("pose model not available (%v); run `make models`", err)
	}
}

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = dispatch(args, &o, &e)
	return code, o.String(), e.String()
}

func jsonLines(t *testing.T, s string) []frameRecord {
	t.Helper()
	var out []frameRecord
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r frameRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("not JSON: %q: %v", sc.Text(), err)
		}
		out = append(out, r)
	}
	return out
}

func TestAnalyzeJSONOnImagesAndVideo(t *testing.T) {
	d := dataDir(t)
	needModel(t)
	code, out, errOut := run(t, "analyze", "--json", "--fps", "1",
		filepath.Join(d, "misc", "grace_hopper.jpg"), filepath.Join(d, "neck-forward", "1-forward-worst", "IMG_0877_100.jpg"),
		filepath.Join(d, "clips", "away-and-back.mp4"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	recs := jsonLines(t, out)
	if len(recs) != 2+40 {
		t.Fatalf("%d records, want 2 images + 40 video frames at 1 fps", len(recs))
	}
	g := recs[0]
	if g.Posture != domain.PostureGood || g.Class != "good" || len(g.Keypoints) != 17 || g.Metrics[domain.MetricFaceFrame] == 0 || g.MS <= 0 {
		t.Errorf("grace_hopper record: %+v", g)
	}
	fh := recs[1]
	if fh.Posture != domain.PostureBad || len(fh.Faults) == 0 || fh.Faults[0].Name != domain.ForwardHead || fh.Faults[0].Why == "" || fh.Class != "sit_up_straight" {
		t.Errorf("forward-head frame: %s (%s) %+v", fh.Posture, fh.Class, fh.Faults)
	}
	for i := 1; i < len(fh.Faults); i++ {
		if fh.Faults[i].Severity > fh.Faults[i-1].Severity {
			t.Errorf("faults not sorted most severe first: %+v", fh.Faults)
		}
	}
	// The clip: good, 20 s away (10–30 s), good; t_s on the video's timeline.
	away := 0
	for _, r := range recs[2:] {
		in := r.TS >= 11 && r.TS < 29
		if in && r.Posture == domain.PostureAway {
			away++
		}
		if r.Posture == domain.PostureAway && r.Class != "away" {
			t.Errorf("t=%.1f s: away, class %q", r.TS, r.Class)
		}
		if (r.TS < 9 || r.TS >= 31) && r.Posture == domain.PostureAway {
			t.Errorf("t=%.1f s judged away while the person sits there", r.TS)
		}
	}
	if away < 17 {
		t.Errorf("only %d of 18 frames in the empty stretch judged away", away)
	}
	if recs[len(recs)-1].TS != 39 {
		t.Errorf("last frame at t=%v, want 39", recs[len(recs)-1].TS)
	}
}

// Broken, empty or unreadable files give an error line each, the rest goes
// on, and the exit code is non-zero.
func TestAnalyzeBadFilesGoOnAndFail(t *testing.T) {
	d := dataDir(t)
	needModel(t)
	code, out, errOut := run(t, "analyze", "--json", filepath.Join(d, "bad"), filepath.Join(d, "misc", "coffee.png"), filepath.Join(d, "no-such-file.jpg"))
	if code == 0 {
		t.Fatalf("exit 0 with broken files; stderr %s", errOut)
	}
	recs := jsonLines(t, out)
	errs := map[string]string{}
	var coffee, black *frameRecord
	for i, r := range recs {
		if filepath.Base(r.Source) == "black-frame.png" {
			black = &recs[i]
		}
		if r.Error != "" {
			errs[filepath.Base(r.Source)] = r.Error
		}
		if filepath.Base(r.Source) == "coffee.png" {
			coffee = &recs[i]
		}
	}
	for _, f := range []string{"empty.jpg", "text.jpg", "truncated.jpg", "noise.mp4", "truncated.mp4", "one-pixel.png", "no-such-file.jpg"} {
		if errs[f] == "" {
			t.Errorf("%s: no error line", f)
		}
	}
	if coffee == nil || coffee.Posture != domain.PostureAway {
		t.Errorf("coffee.png after the broken files: %+v, want away", coffee)
	}
	if black == nil || black.Posture != domain.PostureUnknown || !strings.Contains(black.Why, "too dark") {
		t.Errorf("black-frame.png (a covered lens): %+v, want unknown: too dark", black)
	}
	if !strings.Contains(errOut, "failed") {
		t.Errorf("stderr does not say items failed: %q", errOut)
	}
}

func TestAnalyzeTableAnnotateAndUsageErrors(t *testing.T) {
	d := dataDir(t)
	needModel(t)
	ann := t.TempDir()
	code, out, errOut := run(t, "analyze", "--annotate", ann, filepath.Join(d, "neck-forward", "4-upright"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "POSTURE") || !strings.Contains(out, "13 good") {
		t.Errorf("table/summary missing:\n%s", out)
	}
	files, _ := filepath.Glob(filepath.Join(ann, "*.jpg"))
	if len(files) != 13 {
		t.Errorf("%d annotated files, want 13", len(files))
	}
	for _, args := range [][]string{{"analyze"}, {"analyze", "--fps", "0", "x.jpg"}, {"analyze", "--bogus"}, {"nope"}} {
		if code, _, _ := run(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code, _, e := run(t, "analyze", "--model", filepath.Join(d, "bad", "text.jpg"), filepath.Join(d, "misc", "coffee.png")); code != 1 || !strings.Contains(e, "model") {
		t.Errorf("bad model: exit %d, %q", code, e)
	}
	// a well-formed envelope around a garbage graph: refused, not a crash
	garbage := append([]byte{0x3a, 0x80, 0x80, 0x80, 0x01}, bytes.Repeat([]byte("posturewatch"), 180000)[:2<<20]...) // field 7, 2 MiB long
	gpath := filepath.Join(t.TempDir(), "garbage.onnx")
	if err := os.WriteFile(gpath, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, e := run(t, "analyze", "--model", gpath, filepath.Join(d, "misc", "coffee.png")); code != 1 || !strings.Contains(e, "cannot be used") {
		t.Errorf("garbage graph: exit %d, %q", code, e)
	}
}

// calibrate makes a baseline from good frames; analyze --baseline uses it.
func TestCalibrateThenAnalyzeWithBaseline(t *testing.T) {
	d := dataDir(t)
	needModel(t)
	out := filepath.Join(t.TempDir(), "desk.json")
	code, stdout, errOut := run(t, "calibrate", "--out", out, filepath.Join(d, "slouch-or-not", "upright"))
	if code != 0 {
		t.Fatalf("calibrate exit %d: %s", code, errOut)
	}
	if !strings.Contains(stdout, "neck_eyes") {
		t.Errorf("calibrate output lists no metrics: %s", stdout)
	}
	b, err := store.LoadBaseline(out)
	if err != nil {
		t.Fatal(err)
	}
	if b.Name != "desk" || b.Frames < 30 {
		t.Errorf("baseline %q from %d frames", b.Name, b.Frames)
	}
	if code, _, _ := run(t, "calibrate", "--out", out, filepath.Join(d, "slouch-or-not", "upright")); code == 0 {
		t.Error("calibrate overwrote an existing file without --force")
	}
	// Nobody in the frames: no baseline, a clear error.
	if code, _, e := run(t, "calibrate", "--out", filepath.Join(t.TempDir(), "x.json"), filepath.Join(d, "misc", "coffee.png")); code == 0 || e == "" {
		t.Errorf("calibrating on an empty scene: exit %d %q", code, e)
	}
	code, so, errOut := run(t, "analyze", "--json", "--baseline", out, filepath.Join(d, "slouch-or-not", "slouching"))
	if code != 0 {
		t.Fatalf("analyze exit %d: %s", code, errOut)
	}
	bad := 0
	recs := jsonLines(t, so)
	for _, r := range recs {
		if r.Posture == domain.PostureBad {
			bad++
		}
	}
	if bad < len(recs)*9/10 {
		t.Errorf("with a baseline only %d of %d slouching frames judged bad", bad, len(recs))
	}
	if code, _, e := run(t, "analyze", "--baseline", filepath.Join(d, "bad", "text.jpg"), filepath.Join(d, "misc", "coffee.png")); code == 0 || !strings.Contains(e, "baseline") {
		t.Errorf("corrupt baseline: exit %d %q", code, e)
	}
}

// A photo with a bright window behind the sitter says so, frame by frame in
// the JSON and with the advice in the summary; the same photo as taken does
// not.
func TestAnalyzeReportsABacklitPhoto(t *testing.T) {
	d := dataDir(t)
	needModel(t)
	src := filepath.Join(d, "desk-three-people", "good", "0100.jpg")
	img := gocv.IMRead(src, gocv.IMReadColor)
	if img.Empty() {
		t.Fatalf("cannot read %s", src)
	}
	defer img.Close()
	lit := backlitOf(img)
	defer lit.Close()
	backlit := filepath.Join(t.TempDir(), "backlit.png")
	if !gocv.IMWrite(backlit, lit) {
		t.Fatal("cannot write the backlit photo")
	}

	code, out, errOut := run(t, "analyze", "--json", src, backlit)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	recs := jsonLines(t, out)
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2: %s", len(recs), out)
	}
	for _, r := range recs {
		if want := r.Source == backlit; r.Backlit != want {
			t.Errorf("%s: backlit %v, want %v (%s %s)", filepath.Base(r.Source), r.Backlit, want, r.Posture, r.Why)
		}
		if r.Posture != domain.PostureGood && r.Posture != domain.PostureBad {
			t.Errorf("%s: %s (%s), want the sitter judged", filepath.Base(r.Source), r.Posture, r.Why)
		}
	}
	if strings.Contains(strings.SplitN(out, "\n", 2)[0], `"backlit"`) {
		t.Errorf("the photo as taken carries a backlit field: %s", strings.SplitN(out, "\n", 2)[0])
	}

	code, out, errOut = run(t, "analyze", src, backlit)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "backlit: 1 of 2 frames. "+domain.BacklitAdvice) {
		t.Errorf("summary without the backlight's advice:\n%s", out)
	}
}

// backlitOf is img with a bright window behind the sitter: darkened to 0.3,
// the top and the sides of the picture a window's white.
func backlitOf(img gocv.Mat) gocv.Mat {
	lit := gocv.NewMat()
	img.ConvertToWithParams(&lit, gocv.MatTypeCV8UC3, 0.3, 0)
	w, h := lit.Cols(), lit.Rows()
	for _, r := range []image.Rectangle{image.Rect(0, 0, w, h/4), image.Rect(0, 0, w/4, h), image.Rect(w-w/4, 0, w, h)} {
		band := lit.Region(r)
		band.SetTo(gocv.NewScalar(250, 250, 250, 0))
		band.Close()
	}
	return lit
}
