package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"gocv.io/x/gocv"

	"posturewatch/coach/domain"
)

// replayClip returns the path of a clip of ../shared/posture-data/clips
// (relative to the repository root) and skips when it or the model is absent.
func replayClip(t *testing.T, name string) string {
	t.Helper()
	needModel(t)
	return filepath.Join(dataDir(t), "clips", name)
}

type replayLine struct {
	Source   string                       `json:"source"`
	TS       float64                      `json:"t_s"`
	Type     string                       `json:"type"`
	State    string                       `json:"state"`
	Previous string                       `json:"previous"`
	Fault    string                       `json:"fault"`
	Message  string                       `json:"message"`
	PresentS float64                      `json:"present_s"`
	FaultS   map[domain.FaultName]float64 `json:"fault_s"`
	Learnt   *float64                     `json:"learnt_at_s"`
	FaceView *float64                     `json:"face_view_at_s"`
	Frames   int                          `json:"frames"`
	Backlit  int                          `json:"backlit_frames"`
}

func replayJSON(t *testing.T, args ...string) []replayLine {
	t.Helper()
	var out, errb bytes.Buffer
	if code := runReplay(append([]string{"--json"}, args...), &out, &errb); code != 0 {
		t.Fatalf("replay %v: exit %d\n%s", args, code, errb.String())
	}
	var lines []replayLine
	sc := bufio.NewScanner(&out)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l replayLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("bad JSON line %q: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	return lines
}

func linesOf(ls []replayLine, typ string) []replayLine {
	var out []replayLine
	for _, l := range ls {
		if l.Type == typ {
			out = append(out, l)
		}
	}
	return out
}

func TestReplayForwardHeadSession(t *testing.T) {
	clip := replayClip(t, "forward-head-session.mp4")
	ls := replayJSON(t, clip)
	nudges := linesOf(ls, "nudge")
	if len(nudges) != 1 || nudges[0].Fault != string(domain.ForwardHead) {
		t.Fatalf("want exactly one forward_head nudge, got %+v", nudges)
	}
	// forward head from 20 s, default onset 20 s → between 40 s and 45 s
	if ts := nudges[0].TS; ts < 40 || ts > 45 {
		t.Errorf("nudge at %.1f s, want 40–45 s", ts)
	}
	if !strings.Contains(nudges[0].Message, "chin back") {
		t.Errorf("nudge message %q lacks the quick fix", nudges[0].Message)
	}
	var back []replayLine
	for _, l := range linesOf(ls, "state") {
		if l.State == "good" && l.TS >= 60 {
			back = append(back, l)
		}
	}
	if len(back) != 1 || back[0].TS > 65 || back[0].Previous != "slouching" {
		t.Errorf("want back to good within 5 s after 60 s, got %+v", back)
	}
	sum := linesOf(ls, "summary")
	if len(sum) != 1 || sum[0].Source != clip || sum[0].FaultS[domain.ForwardHead] < 10 {
		t.Errorf("summary %+v", sum)
	} else if l := sum[0].Learnt; l == nil || *l >= 20 {
		t.Errorf("the camera's view learnt at %v, want within the first good 20 s", l)
	}
	for _, l := range ls {
		if l.Source != clip {
			t.Errorf("line without its source: %+v", l)
		}
	}
}

func TestReplayAwayAndBack(t *testing.T) {
	clip := replayClip(t, "away-and-back.mp4")
	ls := replayJSON(t, "--fps", "5", clip)
	if n := linesOf(ls, "nudge"); len(n) != 0 {
		t.Errorf("want no nudge, got %+v", n)
	}
	var away, back []replayLine
	for _, l := range linesOf(ls, "state") {
		switch {
		case l.State == "away":
			away = append(away, l)
		case l.State == "good" && l.TS > 0:
			back = append(back, l)
		}
	}
	if len(away) != 1 || away[0].TS < 10 || away[0].TS > 15 {
		t.Errorf("want away within 5 s of 10 s, got %+v", away)
	}
	if len(back) != 1 || back[0].TS < 30 || back[0].TS > 33 {
		t.Errorf("want back at 30–33 s, got %+v", back)
	}
	// present 0–10 s and 30–40 s of the 40 s clip: presence stops while away
	sum := linesOf(ls, "summary")
	if len(sum) != 1 || sum[0].PresentS < 18 || sum[0].PresentS > 21 {
		t.Errorf("summary %+v: want ≈ 20 s present", sum)
	}
}

func TestReplayReadableAndOnset(t *testing.T) {
	clip := replayClip(t, "forward-head-session.mp4")
	var out, errb bytes.Buffer
	// a 45 s onset is longer than the 40 s of forward head: no nudge at all
	if code := runReplay([]string{"--onset", "45", clip}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	s := out.String()
	if strings.Contains(s, " nudge ") || !strings.Contains(s, "onset 45s") || !strings.Contains(s, "end ") {
		t.Errorf("readable output with --onset 45:\n%s", s)
	}
}

func TestReplayBadArguments(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "no VIDEO"},
		{[]string{"--onset", "121", "x.mp4"}, 2, "--onset"},
		{[]string{"--sensitivity", "max", "x.mp4"}, 2, "sensitivity"},
		{[]string{"--fps", "0", "x.mp4"}, 2, "--fps"},
		{[]string{"--profile", "a", "--baseline", "b.json", "x.mp4"}, 2, "choose one"},
		{[]string{"--profile", "../etc", "x.mp4"}, 1, "not allowed"},
		{[]string{"--profile-dir", dir, "--profile", "missing", "x.mp4"}, 1, "no such profile"},
		{[]string{"--baseline", filepath.Join(dir, "none.json"), "x.mp4"}, 1, "none.json"},
		{[]string{filepath.Join(dir, "missing.mp4")}, 1, "missing.mp4"},
		{[]string{dir}, 2, "not a video"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		code := runReplay(c.args, &out, &errb)
		if code != c.code || !strings.Contains(errb.String(), c.want) {
			t.Errorf("replay %v: exit %d, stderr %q; want exit %d mentioning %q", c.args, code, errb.String(), c.code, c.want)
		}
	}
}

// A recording whose second half has a window behind the sitter counts those
// frames backlit, and the readable summary gives the advice.
func TestReplayCountsBacklitFrames(t *testing.T) {
	needModel(t)
	img := gocv.IMRead(filepath.Join(dataDir(t), "desk-three-people", "good", "0100.jpg"), gocv.IMReadColor)
	if img.Empty() {
		t.Fatal("cannot read the desk frame")
	}
	defer img.Close()
	lit := backlitOf(img)
	defer lit.Close()
	const fps, seconds = 5, 10
	clip := writeClip(t, fps, fps*seconds, 10, func(i int) gocv.Mat {
		if i < fps*seconds/2 {
			return img
		}
		return lit
	})

	sum := linesOf(replayJSON(t, clip), "summary")
	if len(sum) != 1 {
		t.Fatalf("summary lines: %+v", sum)
	}
	if half := sum[0].Frames / 2; sum[0].Backlit < half-1 || sum[0].Backlit > half+1 {
		t.Errorf("%d of %d frames backlit, want about half", sum[0].Backlit, sum[0].Frames)
	}
	var out, errb bytes.Buffer
	if code := runReplay([]string{clip}, &out, &errb); code != 0 {
		t.Fatalf("replay: exit %d\n%s", code, errb.String())
	}
	if !strings.Contains(out.String(), domain.BacklitAdvice) {
		t.Errorf("the readable summary without the backlight's advice:\n%s", out.String())
	}
}
