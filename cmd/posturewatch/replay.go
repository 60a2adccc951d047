package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"posturewatch/coach"
	"posturewatch/coach/domain"
	"posturewatch/coach/exercise"
	"posturewatch/coach/store"
	"posturewatch/vision"
)

func init() {
	register("replay", "run vision and the coach over recordings and print the coach's events", runReplay)
}

// replayStart is the fixed wall time of a recording's first frame: the coach
// sees now = replayStart + the frame's offset on the video's own timeline,
// so a replay gives the same events on every run.
var replayStart = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// replaySummary is the last line printed for each video.
type replaySummary struct {
	Source   string                       `json:"source"`
	Type     string                       `json:"type"` // "summary"
	TS       float64                      `json:"t_s"`  // video time of the last frame
	Frames   int                          `json:"frames"`
	Errors   int                          `json:"errors"`
	PresentS float64                      `json:"present_s"`
	GoodS    float64                      `json:"good_s"`
	FaultS   map[domain.FaultName]float64 `json:"fault_s,omitempty"`
	Nudges   int                          `json:"nudges"`
	Breaks   int                          `json:"breaks_suggested"`
	Baseline string                       `json:"baseline"`
	// LearntAtS is where in the recording the camera's view was learnt
	// (without a profile the judge measures against it from then on);
	// absent when it never was.
	LearntAtS *float64 `json:"learnt_at_s,omitempty"`
	// FaceViewAtS is where a view of the face alone was first learnt, from
	// frames that show no shoulder (posture.Learner.FaceView): a framing
	// that cuts the shoulders off is judged against it until a view of the
	// shoulders comes. Absent when it never was.
	FaceViewAtS *float64 `json:"face_view_at_s,omitempty"`
	// BacklitFrames counts the frames whose face a bright light behind
	// darkened (Observation.Backlit); the readable summary then gives the
	// advice.
	BacklitFrames int `json:"backlit_frames,omitempty"`
}

func runReplay(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("replay", stderr)
	var o analysisOptions
	o.register(fs)
	asJSON := fs.Bool("json", false, "one JSON object per line: every event (t_s, type, details), then a summary per video")
	profile := fs.String("profile", "", "use this saved calibration profile (see the dashboard or 'posturewatch calibrate')")
	profileDir := fs.String("profile-dir", "", "profiles directory (default: the user config dir's posturewatch/profiles)")
	onset := fs.Float64("onset", -1, "seconds a fault must persist before it counts (0–120; default 20)")
	sensitivity := fs.String("sensitivity", "", "low, normal or high (default normal)")
	logLevel := fs.String("log-level", "warn", "debug, info, warn or error")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: posturewatch replay [--json] [--profile NAME | --baseline FILE] [--onset S] [--fps N] VIDEO...")
		fmt.Fprintln(stderr, "Runs vision and the coach over each recording as fast as possible, on the video's own")
		fmt.Fprintln(stderr, "timeline, and prints every coach event with its video time.")
		fs.PrintDefaults()
	}
	if code, done := parseFlags(fs, args); done {
		return code
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "posturewatch replay: "+format+"\n", a...)
		return code
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return fail(2, "no VIDEO given")
	}
	log, err := newLogger(stderr, *logLevel)
	if err != nil {
		return fail(2, "--log-level: %v", err)
	}
	if err := o.validate(); err != nil {
		return fail(2, "%v", err)
	}
	cfg := domain.DefaultConfig()
	if *onset != -1 {
		d, err := domain.SecondsFromFloat(*onset)
		if err != nil || d < 0 || d.D() > domain.MaxOnsetDelay {
			return fail(2, "--onset %v: want 0 to %g seconds", *onset, domain.MaxOnsetDelay.Seconds())
		}
		cfg.OnsetDelay = d
	}
	if *sensitivity != "" {
		cfg.Sensitivity = domain.Sensitivity(*sensitivity)
	}
	if err := cfg.Validate(); err != nil {
		return fail(2, "%v", err)
	}
	if *profile != "" && o.baseline != "" {
		return fail(2, "--profile and --baseline both given: choose one")
	}
	var baseline *domain.Baseline
	switch {
	case *profile != "":
		store, err := store.NewProfileStore(*profileDir)
		if err != nil {
			return fail(1, "%v", err)
		}
		if baseline, err = store.Load(*profile); err != nil {
			return fail(1, "%v", err)
		}
	case o.baseline != "":
		if baseline, err = store.LoadBaseline(o.baseline); err != nil {
			return fail(1, "%v", err)
		}
	}
	for _, p := range fs.Args() {
		st, err := os.Stat(p)
		if err != nil {
			return fail(1, "%s: %v", p, errors.Unwrap(err))
		}
		if st.IsDir() || !vision.IsVideoPath(p) {
			return fail(2, "%s: not a video file (.mp4, .avi …)", p)
		}
	}

	// A recording is a session, as the camera is: the judge learns where
	// its camera sits, afresh for each recording.
	an, err := vision.NewAnalyzer(vision.AnalyzerOptions{ModelPath: o.model, Threads: o.threads, Baseline: baseline, Learn: true})
	if err != nil {
		return fail(1, "%v", err)
	}
	defer an.Close()
	cat := exercise.Default()

	failed := 0
	for _, p := range fs.Args() {
		sum, err := replayVideo(p, o.fps, cfg, baseline, cat, an, *asJSON, stdout, log)
		if err != nil {
			fmt.Fprintf(stderr, "posturewatch replay: %v\n", err)
			failed++
			continue
		}
		if sum.Errors > 0 {
			failed++
		}
	}
	if failed > 0 {
		return 1
	}
	return 0
}

// replayVideo runs one recording through vision and a fresh coach, and
// prints its events and summary.
func replayVideo(path string, fps float64, cfg domain.Config, baseline *domain.Baseline, cat *exercise.Catalogue,
	an *vision.Analyzer, asJSON bool, w io.Writer, log *slog.Logger) (replaySummary, error) {
	src, err := vision.OpenPath(path, vision.SourceOptions{FPS: fps, Start: replayStart})
	if err != nil {
		return replaySummary{}, fmt.Errorf("replay %s: %w", path, err)
	}
	defer src.Close()
	if !asJSON {
		how := "defaults until the camera's view is learnt"
		if baseline != nil {
			how = baseline.Name
		}
		fmt.Fprintf(w, "== %s (baseline: %s, onset %gs, sensitivity %s)\n", path, how, cfg.OnsetDelay.Seconds(), cfg.Sensitivity)
	}
	sum, err := replaySession(src, path, cfg, baseline, cat, an, log, func(e domain.Event) error {
		return writeReplayEvent(w, path, e, asJSON)
	})
	if err != nil {
		return sum, err
	}
	if asJSON {
		if err := json.NewEncoder(w).Encode(sum); err != nil {
			return sum, fmt.Errorf("write: %w", err)
		}
		return sum, nil
	}
	fmt.Fprintf(w, "   end %.1fs: %d frames, present %.1f s, good %.1f s, %d nudges, %d breaks suggested%s",
		sum.TS, sum.Frames, sum.PresentS, sum.GoodS, sum.Nudges, sum.Breaks, faultSeconds(sum.FaultS))
	if sum.Errors > 0 {
		fmt.Fprintf(w, ", %d frames failed", sum.Errors)
	}
	if sum.LearntAtS != nil {
		fmt.Fprintf(w, "; the camera's view learnt at %.1f s", *sum.LearntAtS)
	}
	if sum.FaceViewAtS != nil {
		fmt.Fprintf(w, "; a view of the face alone (no shoulder in view) learnt at %.1f s", *sum.FaceViewAtS)
	}
	fmt.Fprintln(w)
	if sum.BacklitFrames > 0 {
		fmt.Fprintln(w, "  ", backlitSummary(sum.BacklitFrames, sum.Frames-sum.Errors))
	}
	return sum, nil
}

// replaySession runs one recording (src, opened from path to start at
// replayStart) through vision and a fresh coach, on the recording's own
// timeline, and passes each of the coach's events to onEvent (an error from
// it ends the session).
func replaySession(src vision.Source, path string, cfg domain.Config, baseline *domain.Baseline, cat *exercise.Catalogue,
	an *vision.Analyzer, log *slog.Logger, onEvent func(domain.Event) error) (replaySummary, error) {
	sum := replaySummary{Source: path, Type: "summary", Baseline: "defaults"}
	if baseline != nil {
		sum.Baseline = baseline.Name
	}
	an.ForgetLearnt()
	c := coach.New(cfg, baseline, cat)
	var last time.Duration
	for {
		f, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return sum, fmt.Errorf("replay %s: %w", path, err)
		}
		obs, aerr := an.Analyze(f)
		off := f.Offset
		f.Close()
		sum.Frames++
		if aerr != nil {
			sum.Errors++
			log.Warn("frame skipped", "source", path, "t_s", off.Seconds(), "err", aerr)
			continue
		}
		obs.Offset = off
		last = off
		if obs.Backlit {
			sum.BacklitFrames++
		}
		if sum.LearntAtS == nil && baseline == nil && an.Learnt() != nil {
			at := round3(off.Seconds())
			sum.LearntAtS = &at
		}
		if sum.FaceViewAtS == nil && baseline == nil && an.FaceView() != nil {
			at := round3(off.Seconds())
			sum.FaceViewAtS = &at
		}
		for _, e := range c.Step(obs, replayStart.Add(off)) {
			if err := onEvent(e); err != nil {
				return sum, err
			}
		}
	}
	sum.TS = round3(last.Seconds())
	for _, d := range c.Stats().Days {
		sum.PresentS += d.PresentS
		sum.GoodS += d.GoodS
		sum.Nudges += d.Nudges
		sum.Breaks += d.BreaksSuggested
		for f, s := range d.FaultS {
			if sum.FaultS == nil {
				sum.FaultS = map[domain.FaultName]float64{}
			}
			sum.FaultS[f] += s
		}
	}
	sum.PresentS, sum.GoodS = round3(sum.PresentS), round3(sum.GoodS)
	for f, s := range sum.FaultS {
		sum.FaultS[f] = round3(s)
	}
	return sum, nil
}

func faultSeconds(m map[domain.FaultName]float64) string {
	if len(m) == 0 {
		return ""
	}
	names := make([]string, 0, len(m))
	for f := range m {
		names = append(names, string(f))
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s %.1f s", n, m[domain.FaultName(n)])
	}
	return "; slouching: " + strings.Join(parts, ", ")
}

// writeReplayEvent prints one event: JSON {"source":…, "t_s":…, "type":…, …}
// or a readable line.
func writeReplayEvent(w io.Writer, source string, e domain.Event, asJSON bool) error {
	if !asJSON {
		_, err := fmt.Fprintln(w, e.String())
		return err
	}
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	src, _ := json.Marshal(source)
	line := make([]byte, 0, len(data)+len(src)+12)
	line = append(line, `{"source":`...)
	line = append(line, src...)
	line = append(line, ',')
	line = append(line, data[1:]...)
	line = append(line, '\n')
	if _, err := w.Write(line); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}
