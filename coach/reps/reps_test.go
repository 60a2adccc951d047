package reps

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"posturewatch/coach/domain"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var repT0 = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

// repScript describes a synthetic exercise set seen by the camera.
type repScript struct {
	fps      float64
	length   float64   // seconds
	starts   []float64 // when each repetition leaves rest (s)
	hold     float64   // seconds displaced (at full depth, plus the ramps)
	ramp     float64   // seconds to move out or back
	forward  bool      // head pokes forward instead of tucking back
	depth    float64   // 1 = a typical full movement
	noise    float64   // relative noise on every metric
	drop     float64   // probability a frame is missing entirely
	patchy   float64   // probability each metric is missing from a frame
	seed     uint64
	spikes   []float64 // single-frame jolts at these times (s)
	awayFrom float64   // nobody in view between awayFrom and awayTo (s)
	awayTo   float64
}

type timedObs struct {
	at  time.Time
	obs domain.Observation
}

// amplitude is the displacement (0..1) at time s.
func (sc repScript) amplitude(s float64) float64 {
	for _, st := range sc.starts {
		end := st + sc.hold
		switch {
		case s < st || s > end+sc.ramp:
		case s < st+sc.ramp:
			return (s - st) / sc.ramp
		case s <= end:
			return 1
		default:
			return 1 - (s-end)/sc.ramp
		}
	}
	return 0
}

func (sc repScript) frames() []timedObs {
	rng := rand.New(rand.NewPCG(sc.seed, 7))
	depth := sc.depth
	if depth == 0 {
		depth = 1
	}
	var out []timedObs
	for i := 0; ; i++ {
		s := float64(i) / sc.fps
		if s > sc.length {
			break
		}
		if sc.drop > 0 && rng.Float64() < sc.drop {
			continue
		}
		at := repT0.Add(time.Duration(s * float64(time.Second)))
		if s >= sc.awayFrom && s < sc.awayTo {
			out = append(out, timedObs{at, domain.Observation{Posture: domain.PostureAway, Metrics: domain.Metrics{}}})
			continue
		}
		a := depth * sc.amplitude(s)
		for _, sp := range sc.spikes {
			if math.Abs(s-sp) < 0.5/sc.fps {
				a = 1.2
			}
		}
		// A chin tuck makes the face smaller and the neck longer and dips the
		// nose; a forward poke does the opposite, about twice as much.
		dir, size := -1.0, 0.06
		if sc.forward {
			dir, size = 1, 0.12
		}
		n := func() float64 { return 1 + sc.noise*rng.NormFloat64() }
		m := domain.Metrics{
			domain.MetricFaceFrame:     0.20 * (1 + dir*size*a) * n(),
			domain.MetricShoulderFace:  4.8 / (1 + dir*size*a) * n(),
			domain.MetricNeckShoulders: 0.65 * (1 - dir*1.4*size*a) * n(),
			domain.MetricHeadPitch:     3 + 60*dir*1.4*size*a + 12*sc.noise*rng.NormFloat64(),
			domain.MetricHeadRoll:      1.5 * n(), // not used by the counter
		}
		// In a fixed order: ranging over the map would draw the random
		// numbers for its keys in a different order on every run, and the
		// seeded script would differ between runs.
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if sc.patchy > 0 && rng.Float64() < sc.patchy {
				delete(m, k)
			}
		}
		out = append(out, timedObs{at, domain.Observation{Posture: domain.PostureGood, Metrics: m, Offset: time.Duration(s * float64(time.Second))}})
	}
	return out
}

func runReps(t *testing.T, kind string, frames []timedObs) (*Counter, []Update) {
	t.Helper()
	rc, err := New(kind)
	if err != nil {
		t.Fatal(err)
	}
	var ups []Update
	for _, f := range frames {
		u, _ := rc.Step(f.obs, f.at)
		ups = append(ups, u)
	}
	return rc, ups
}

// eightReps: 4 s at rest, then 8 repetitions 5 s apart, each held 2 s.
func eightReps() repScript {
	sc := repScript{fps: 5, length: 45, hold: 2, ramp: 0.4}
	for i := range 8 {
		sc.starts = append(sc.starts, 4+5*float64(i))
	}
	return sc
}

func secsSince(t time.Time) float64 { return t.Sub(repT0).Seconds() }

func checkEight(t *testing.T, sc repScript, res Result, tol float64) {
	t.Helper()
	if res.Reps != len(sc.starts) {
		t.Fatalf("counted %d repetitions, want %d (holds %v)", res.Reps, len(sc.starts), res.HoldTimes)
	}
	wantHold := sc.hold + sc.ramp // measured at the exit level, mid-ramp to mid-ramp
	for i, r := range res.Repetitions {
		if d := math.Abs(secsSince(r.Start) - (sc.starts[i] + sc.ramp/4)); d > tol {
			t.Errorf("rep %d starts at %.2f s, want about %.2f", i+1, secsSince(r.Start), sc.starts[i])
		}
		if d := math.Abs(r.Hold.Seconds() - wantHold); d > tol {
			t.Errorf("rep %d held %.2f s, want about %.2f", i+1, r.Hold.Seconds(), wantHold)
		}
		if res.HoldTimes[i] != r.Hold {
			t.Errorf("HoldTimes[%d] %v != repetition hold %v", i, res.HoldTimes[i], r.Hold)
		}
	}
	if d := math.Abs(res.MeanHold.Seconds() - wantHold); d > tol {
		t.Errorf("mean hold %v, want about %.2f s", res.MeanHold, wantHold)
	}
}

func TestRepsClean(t *testing.T) {
	sc := eightReps()
	rc, ups := runReps(t, ChinTuck, sc.frames())
	checkEight(t, sc, rc.Result(), 0.25)
	if rc.Kind() != ChinTuck || rc.Result().Kind != ChinTuck {
		t.Errorf("kind %q", rc.Kind())
	}
	// The live updates: calibrating first, then rest; holding during reps with
	// a growing hold time; the count goes up one at a time.
	if ups[0].Phase != PhaseCalibrating || ups[len(ups)-1].Phase != PhaseRest {
		t.Errorf("phases first %q last %q", ups[0].Phase, ups[len(ups)-1].Phase)
	}
	prev := Update{}
	maxHold := time.Duration(0)
	for i, u := range ups {
		if u.Reps < prev.Reps || u.Reps > prev.Reps+1 {
			t.Fatalf("frame %d: count jumped %d → %d", i, prev.Reps, u.Reps)
		}
		if u.Holding != (u.Phase == PhaseHold) {
			t.Errorf("frame %d: holding %v in phase %s", i, u.Holding, u.Phase)
		}
		if u.Holding && prev.Holding && u.HoldTime <= prev.HoldTime {
			t.Errorf("frame %d: hold time did not grow: %v after %v", i, u.HoldTime, prev.HoldTime)
		}
		if u.Reps > prev.Reps && u.LastHold != rc.Result().HoldTimes[u.Reps-1] {
			t.Errorf("frame %d: last hold %v, result %v", i, u.LastHold, rc.Result().HoldTimes[u.Reps-1])
		}
		if u.Holding && u.Score < 0.25 { // below the exit level the hold has ended
			t.Errorf("frame %d: holding with score %.2f", i, u.Score)
		}
		maxHold = max(maxHold, u.HoldTime.D())
		prev = u
	}
	if maxHold < 2*time.Second || maxHold > 3*time.Second {
		t.Errorf("longest live hold time %v, want about 2.4 s", maxHold)
	}
}

func TestRepsStepReportsChanges(t *testing.T) {
	sc := eightReps()
	rc, _ := New(ChinTuck)
	changes, before := 0, 0
	for _, f := range sc.frames() {
		u, changed := rc.Step(f.obs, f.at)
		if u.Reps != before && !changed {
			t.Fatalf("a repetition completed without changed=true at %.1f s", secsSince(f.at))
		}
		if changed {
			changes++
		}
		before = u.Reps
	}
	// calibrated, then 8 × (enter hold, return, counted once back for long enough)
	if changes != 1+3*8 {
		t.Errorf("%d steps reported a change, want 25", changes)
	}
}

func TestRepsNoisy(t *testing.T) {
	for seed := range uint64(25) {
		sc := eightReps()
		sc.noise, sc.seed = 0.02, seed
		rc, _ := runReps(t, ChinTuck, sc.frames())
		if res := rc.Result(); res.Reps != 8 {
			t.Errorf("seed %d: %d repetitions counted in noise, want 8 (holds %v)", seed, res.Reps, res.HoldTimes)
		}
	}
	// Noise alone, no movement: nothing counted.
	for seed := range uint64(25) {
		sc := repScript{fps: 5, length: 60, noise: 0.02, seed: seed, hold: 2, ramp: 0.4}
		rc, _ := runReps(t, ChinTuck, sc.frames())
		if n := rc.Result().Reps; n != 0 {
			t.Errorf("seed %d: %d repetitions counted from noise alone", seed, n)
		}
	}
}

func TestRepsMissingFrames(t *testing.T) {
	for seed := range uint64(10) {
		sc := eightReps()
		sc.noise, sc.drop, sc.patchy, sc.seed = 0.008, 0.25, 0.2, seed
		rc, _ := runReps(t, ChinTuck, sc.frames())
		checkEight(t, sc, rc.Result(), 0.5)
	}
}

func TestRepsFrameRates(t *testing.T) {
	var holds [2][]domain.Seconds
	for i, fps := range []float64{2, 5} {
		sc := eightReps()
		sc.fps = fps
		rc, _ := runReps(t, ChinTuck, sc.frames())
		res := rc.Result()
		checkEight(t, sc, res, 0.35)
		holds[i] = res.HoldTimes
	}
	for i := range holds[0] {
		if d := (holds[0][i].D() - holds[1][i].D()).Abs(); d > 400*time.Millisecond {
			t.Errorf("rep %d: hold %v at 2 fps vs %v at 5 fps", i+1, holds[0][i], holds[1][i])
		}
	}
	// Short 1-second holds still count at 2 fps.
	sc := eightReps()
	sc.fps, sc.hold = 2, 1
	rc, _ := runReps(t, ChinTuck, sc.frames())
	if n := rc.Result().Reps; n != 8 {
		t.Errorf("1-s holds at 2 fps: %d repetitions, want 8", n)
	}
}

func TestRepsDirection(t *testing.T) {
	fwd := eightReps()
	fwd.forward = true
	// Poking the head forward is not a chin tuck...
	rc, _ := runReps(t, ChinTuck, fwd.frames())
	if n := rc.Result().Reps; n != 0 {
		t.Errorf("chin-tuck counter counted %d forward pokes", n)
	}
	// ...but the same machinery counts it as head_forward.
	rc, _ = runReps(t, HeadForward, fwd.frames())
	checkEight(t, fwd, rc.Result(), 0.25)
	// And head_forward ignores chin tucks.
	rc, _ = runReps(t, HeadForward, eightReps().frames())
	if n := rc.Result().Reps; n != 0 {
		t.Errorf("head-forward counter counted %d chin tucks", n)
	}
}

func TestRepsIgnoresSpikesAndShallowMoves(t *testing.T) {
	sc := eightReps()
	sc.spikes = []float64{2.6, 8.2, 13, 30.1} // single frames at 5 fps, between repetitions
	rc, _ := runReps(t, ChinTuck, sc.frames())
	checkEight(t, sc, rc.Result(), 0.25)
	// A movement a quarter as deep as a repetition is not one.
	sc = eightReps()
	sc.depth = 0.25
	rc, _ = runReps(t, ChinTuck, sc.frames())
	if n := rc.Result().Reps; n != 0 {
		t.Errorf("shallow movements counted as %d repetitions", n)
	}
}

func TestRepsAwayLosesTheHold(t *testing.T) {
	sc := eightReps()
	sc.awayFrom, sc.awayTo = 14.5, 18 // covers the hold of the 3rd repetition (14–16.4 s)
	rc, ups := runReps(t, ChinTuck, sc.frames())
	res := rc.Result()
	if res.Reps != 7 {
		t.Errorf("%d repetitions, want 7 (the one interrupted by leaving is dropped)", res.Reps)
	}
	sawLost := false
	for _, u := range ups {
		sawLost = sawLost || u.Phase == PhaseLost
	}
	if !sawLost {
		t.Error("never reported the lost phase while nobody was in view")
	}
	for _, r := range res.Repetitions {
		if s := secsSince(r.Start); s > 13 && s < 18 {
			t.Errorf("a repetition at %.1f s was counted across the absence", s)
		}
	}
}

func TestRepsOutOfOrderIgnored(t *testing.T) {
	sc := eightReps()
	frames := sc.frames()
	rc, _ := New(ChinTuck)
	for i, f := range frames {
		rc.Step(f.obs, f.at)
		if i%7 == 3 { // replay an old displaced frame
			old := frames[max(0, i-20)]
			if _, changed := rc.Step(old.obs, old.at); changed {
				t.Fatalf("an out-of-order frame changed the counter")
			}
		}
	}
	if n := rc.Result().Reps; n != 8 {
		t.Errorf("%d repetitions with stale frames interleaved, want 8", n)
	}
}

func TestRepsSetBaseline(t *testing.T) {
	sc := eightReps()
	sc.starts = sc.starts[:3]
	frames := sc.frames()
	rc, _ := New(ChinTuck)
	if err := rc.SetBaseline(domain.Metrics{domain.MetricShoulderTilt: 2}); err == nil {
		t.Error("a baseline without the needed metrics was accepted")
	}
	if err := rc.SetBaseline(frames[0].obs.Metrics); err != nil {
		t.Fatal(err)
	}
	u, _ := rc.Step(frames[0].obs, frames[0].at)
	if u.Phase != PhaseRest {
		t.Errorf("phase %q right after SetBaseline, want rest", u.Phase)
	}
	for _, f := range frames[1:] {
		rc.Step(f.obs, f.at)
	}
	if n := rc.Result().Reps; n != 3 {
		t.Errorf("%d repetitions, want 3", n)
	}
}

func TestRepsLongHoldRecalibrates(t *testing.T) {
	// The user moves back and stays there: not a repetition, and after a while
	// the new position becomes the rest position.
	sc := repScript{fps: 5, length: 60, hold: 50, ramp: 0.4, starts: []float64{4}}
	rc, ups := runReps(t, ChinTuck, sc.frames())
	if n := rc.Result().Reps; n != 0 {
		t.Errorf("a 50-s shift counted as %d repetitions", n)
	}
	recal := false
	for i, u := range ups {
		if i > 30 && u.Phase == PhaseCalibrating {
			recal = true
		}
	}
	if !recal || ups[len(ups)-1].Phase != PhaseRest {
		t.Errorf("recalibrated %v, last phase %q", recal, ups[len(ups)-1].Phase)
	}
}

func TestRepsSlowDriftNotCounted(t *testing.T) {
	// Sinking slowly by a full movement's worth over a minute is drift.
	var frames []timedObs
	for i := range 300 {
		s := float64(i) / 5
		f := 1 - 0.06*s/60
		frames = append(frames, timedObs{repT0.Add(time.Duration(s * float64(time.Second))), domain.Observation{Posture: domain.PostureGood,
			Metrics: domain.Metrics{domain.MetricFaceFrame: 0.2 * f, domain.MetricShoulderFace: 4.8 / f, domain.MetricNeckShoulders: 0.65 / f}}})
	}
	rc, _ := runReps(t, ChinTuck, frames)
	if n := rc.Result().Reps; n != 0 {
		t.Errorf("slow drift counted as %d repetitions", n)
	}
}

func TestRepCounterBadInput(t *testing.T) {
	if _, err := New("squat"); err == nil || !strings.Contains(err.Error(), "unknown kind") {
		t.Errorf("unknown kind: %v", err)
	}
	rc, _ := New(ChinTuck)
	// Nothing usable: never leaves calibration, never panics.
	for i := range 50 {
		at := repT0.Add(time.Duration(i) * 200 * time.Millisecond)
		var obs domain.Observation
		switch i % 4 {
		case 0:
			obs = domain.Observation{Posture: domain.PostureAway}
		case 1:
			obs = domain.Observation{Posture: domain.PostureUnknown, Metrics: domain.Metrics{}}
		case 2:
			obs = domain.Observation{Posture: domain.PostureGood, Metrics: domain.Metrics{domain.MetricFaceFrame: math.NaN(), domain.MetricShoulderFace: math.Inf(1)}}
		case 3:
			obs = domain.Observation{Posture: domain.PostureGood, Metrics: domain.Metrics{domain.MetricFaceFrame: 0}}
		}
		if u, _ := rc.Step(obs, at); u.Phase != PhaseCalibrating || u.Reps != 0 {
			t.Fatalf("step %d: %+v", i, u)
		}
	}
	if r := rc.Result(); r.Reps != 0 || r.MeanHold != 0 || len(r.HoldTimes) != 0 {
		t.Errorf("result %+v", r)
	}
	if ks := Kinds(); len(ks) != 2 || ks[0] != ChinTuck || ks[1] != HeadForward {
		t.Errorf("RepKinds %v", ks)
	}
}

// The real clip: ../shared/posture-data/clips/head-reps.mp4 (45 s at 5 fps:
// 5 s upright, then 8 repetitions of poking the head forward for 2 s and
// pulling it back upright for 3 s). The observations are recorded once from
// `bin/posturewatch analyze --json --fps 5` into a small fixture (t_s, posture
// and metrics only); the truth comes from the clip's csv.
var updateReps = flag.Bool("update-reps", false, "re-record testdata/reps-head-reps.jsonl with ../../bin/posturewatch analyze")

const (
	headRepsFixture = "testdata/reps-head-reps.jsonl"
	headRepsClip    = "../../../shared/posture-data/clips/head-reps.mp4"
	headRepsCSV     = "../../../shared/posture-data/clips/head-reps.csv"
)

type clipRecord struct {
	TS      float64        `json:"t_s"`
	Posture domain.Posture `json:"posture"`
	Metrics domain.Metrics `json:"metrics"`
}

func recordHeadReps(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(headRepsClip); err != nil {
		t.Fatalf("cannot record: %v", err)
	}
	cmd := exec.Command("../../bin/posturewatch", "analyze", "--json", "--fps", "5", headRepsClip)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("posturewatch analyze: %v", err)
	}
	var buf bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r clipRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("analyze output line %q: %v", sc.Text(), err)
		}
		for k, v := range r.Metrics {
			r.Metrics[k] = math.Round(v*1e5) / 1e5
		}
		b, _ := json.Marshal(r)
		buf.Write(append(b, '\n'))
	}
	if err := os.WriteFile(headRepsFixture, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d bytes into %s", buf.Len(), headRepsFixture)
}

func loadClipFixture(t *testing.T, path string) []timedObs {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []timedObs
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r clipRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		off := time.Duration(r.TS * float64(time.Second))
		out = append(out, timedObs{repT0.Add(off), domain.Observation{Posture: r.Posture, Metrics: r.Metrics, Offset: off}})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// readRepCSV reads rep,forward_start_s,upright_start_s,upright_end_s rows.
func readRepCSV(t *testing.T, path string) [][3]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("clip truth %s not available (the shared posture data is missing): %v", path, err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out [][3]float64
	for _, row := range rows[1:] {
		var v [3]float64
		for i := range 3 {
			if v[i], err = strconv.ParseFloat(row[i+1], 64); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
		}
		out = append(out, v)
	}
	return out
}

func TestRepsHeadRepsClip(t *testing.T) {
	if *updateReps {
		recordHeadReps(t)
	}
	if _, err := os.Stat(headRepsFixture); err != nil {
		t.Skipf("fixture %s not recorded yet (go test ./coach -run HeadRepsClip -update-reps, needs bin/posturewatch): %v", headRepsFixture, err)
	}
	truth := readRepCSV(t, headRepsCSV)
	frames := loadClipFixture(t, headRepsFixture)
	for _, fps := range []int{5, 2} {
		t.Run(fmt.Sprintf("%dfps", fps), func(t *testing.T) {
			// Resample: the frame nearest to each tick of the lower rate.
			var sub []timedObs
			step := time.Second / time.Duration(fps)
			for i, f := range frames {
				off := f.obs.Offset
				tick := off.Round(step)
				if (off-tick).Abs() <= 100*time.Millisecond &&
					(i == 0 || (frames[i-1].obs.Offset-tick).Abs() > (off-tick).Abs()) {
					sub = append(sub, f)
				}
			}
			// The clip's movement is poking the head forward: the head_forward
			// kind, the same machinery as chin tucks in the other direction.
			rc, _ := runReps(t, HeadForward, sub)
			res := rc.Result()
			for _, r := range res.Repetitions {
				t.Logf("rep %.1f–%.1f s, hold %.2f s, peak %.2f", secsSince(r.Start), secsSince(r.End), r.Hold.Seconds(), r.Peak)
			}
			if res.Reps != len(truth) {
				t.Fatalf("counted %d repetitions, the csv has %d", res.Reps, len(truth))
			}
			for i, r := range res.Repetitions {
				start, back := truth[i][0], truth[i][1]
				if d := math.Abs(secsSince(r.Start) - start); d > 1 {
					t.Errorf("rep %d leaves rest at %.2f s, csv %.0f s", i+1, secsSince(r.Start), start)
				}
				if d := math.Abs(secsSince(r.End) - back); d > 1 {
					t.Errorf("rep %d back at %.2f s, csv %.0f s", i+1, secsSince(r.End), back)
				}
				if d := math.Abs(r.Hold.Seconds() - (back - start)); d > 1 {
					t.Errorf("rep %d held %.2f s, csv %.0f s", i+1, r.Hold.Seconds(), back-start)
				}
			}
			// The chin-tuck counter must not count forward pokes.
			ct, _ := runReps(t, ChinTuck, sub)
			if n := ct.Result().Reps; n != 0 {
				t.Errorf("the chin-tuck counter counted %d forward pokes", n)
			}
		})
	}
}

func TestRepsJSON(t *testing.T) {
	sc := eightReps()
	sc.starts = sc.starts[:2]
	rc, ups := runReps(t, ChinTuck, sc.frames())
	var holding Update
	for _, u := range ups {
		if u.Holding && u.HoldTime.D() > time.Second {
			holding = u
			break
		}
	}
	b, err := json.Marshal(holding)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"hold_s":`) || !strings.Contains(string(b), `"phase":"hold"`) {
		t.Errorf("update JSON %s", b)
	}
	var u Update
	if err := json.Unmarshal(b, &u); err != nil || u.HoldTime.D() != holding.HoldTime.D().Round(time.Millisecond) || u.Reps != holding.Reps {
		t.Errorf("update round trip %+v (%v), want %+v", u, err, holding)
	}
	res := rc.Result()
	b, err = json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var back Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Reps != 2 || len(back.HoldTimes) != 2 || (back.MeanHold.D()-res.MeanHold.D()).Abs() > time.Millisecond ||
		len(back.Repetitions) != 2 || (back.Repetitions[1].Hold.D()-res.Repetitions[1].Hold.D()).Abs() > time.Millisecond {
		t.Errorf("result round trip %+v, want %+v", back, res)
	}
	empty, _ := New(HeadForward)
	if b, _ := json.Marshal(empty.Result()); !strings.Contains(string(b), `"repetitions":[]`) || !strings.Contains(string(b), `"hold_times_s":[]`) {
		t.Errorf("empty result JSON %s", b)
	}
}

// chinTucksOnRealNoise replays the upright frames of the real clip (real
// detector jitter) and applies synthetic chin tucks of the given depth to
// them: the face a depth×5 % smaller, the neck depth×7 % longer, the nose
// depth×0.07 lower.
func chinTucksOnRealNoise(t *testing.T, depth float64, fps float64, starts []float64, hold float64) []timedObs {
	t.Helper()
	var upright []domain.Metrics
	for _, f := range loadClipFixture(t, headRepsFixture) {
		if f.obs.Posture == domain.PostureGood {
			upright = append(upright, f.obs.Metrics)
		}
	}
	if len(upright) < 50 {
		t.Fatalf("only %d upright frames in the fixture", len(upright))
	}
	sc := repScript{starts: starts, hold: hold, ramp: 0.4}
	var out []timedObs
	for i := 0; float64(i)/fps <= starts[len(starts)-1]+hold+4; i++ {
		s := float64(i) / fps
		a := depth * sc.amplitude(s)
		src := upright[i%len(upright)]
		m := domain.Metrics{}
		for k, v := range src {
			m[k] = v
		}
		m[domain.MetricFaceFrame] *= 1 - 0.05*a
		m[domain.MetricShoulderFace] /= 1 - 0.05*a
		m[domain.MetricNeckShoulders] *= 1 + 0.07*a
		m[domain.MetricHeadPitch] -= 4 * a
		out = append(out, timedObs{repT0.Add(time.Duration(s * float64(time.Second))), domain.Observation{Posture: domain.PostureGood, Metrics: m}})
	}
	return out
}

func TestRepsChinTucksOnRealNoise(t *testing.T) {
	if _, err := os.Stat(headRepsFixture); err != nil {
		t.Skipf("fixture %s not recorded yet: %v", headRepsFixture, err)
	}
	starts := []float64{5, 11, 17, 23, 29, 35}
	for _, fps := range []float64{5, 2} {
		rc, _ := runReps(t, ChinTuck, chinTucksOnRealNoise(t, 1, fps, starts, 3))
		res := rc.Result()
		if res.Reps != len(starts) {
			t.Errorf("%.0f fps: %d chin tucks counted on real jitter, want %d (holds %v)", fps, res.Reps, len(starts), res.HoldTimes)
			continue
		}
		for i, r := range res.Repetitions {
			if d := math.Abs(secsSince(r.Start) - starts[i]); d > 1 {
				t.Errorf("%.0f fps: tuck %d starts at %.2f s, want %.0f", fps, i+1, secsSince(r.Start), starts[i])
			}
			if d := math.Abs(r.Hold.Seconds() - 3.4); d > 1 {
				t.Errorf("%.0f fps: tuck %d held %.2f s, want about 3.4", fps, i+1, r.Hold.Seconds())
			}
		}
		// The same real jitter without any movement counts nothing.
		still, _ := runReps(t, ChinTuck, chinTucksOnRealNoise(t, 0, fps, starts, 3))
		if n := still.Result().Reps; n != 0 {
			t.Errorf("%.0f fps: %d chin tucks counted from real jitter alone", fps, n)
		}
	}
}

func TestRepsInterruptedBaselineStartsOver(t *testing.T) {
	// One second in another position, then nobody for 5 s, then the set: the
	// rest baseline must come from the set, not the earlier position.
	var frames []timedObs
	for i := range 5 {
		at := repT0.Add(time.Duration(i) * 200 * time.Millisecond)
		frames = append(frames, timedObs{at, domain.Observation{Posture: domain.PostureGood,
			Metrics: domain.Metrics{domain.MetricFaceFrame: 0.26, domain.MetricShoulderFace: 3.6, domain.MetricNeckShoulders: 0.6, domain.MetricHeadPitch: 15}}})
	}
	sc := eightReps()
	for _, f := range sc.frames() {
		f.at = f.at.Add(6 * time.Second)
		frames = append(frames, f)
	}
	rc, _ := runReps(t, ChinTuck, frames)
	if n := rc.Result().Reps; n != 8 {
		t.Errorf("%d repetitions after an interrupted baseline, want 8", n)
	}
}
