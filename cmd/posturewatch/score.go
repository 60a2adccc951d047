package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"posturewatch/coach/domain"
	"posturewatch/coach/exercise"
	"posturewatch/vision"
	"posturewatch/vision/posture/fit"
)

func init() {
	register("score", "score photos and videos sorted into folders named good, sit_up_straight, straighten_head and away", runScore)
}

// runScore scores photos and videos against the class their folders name
// (fit.Labels), as the held-out sets are scored: the figures their targets
// are set in. Each photo is judged alone, as analyze judges it; each video
// is played through vision and the coach as a sitting, as replay plays it,
// and counted by the nudges it drew.
func runScore(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("score", stderr)
	var o analysisOptions
	o.register(fs)
	asJSON := fs.Bool("json", false, "print the scorecard, every photo and video with it, as JSON")
	every := fs.Bool("v", false, "list every photo and video, not only the misjudged ones")
	var labels fit.Labels
	fs.Func("class", "a folder name of your data set and the class it means, as NAME=CLASS (e.g. bad=sit_up_straight); repeatable", func(v string) error {
		name, class, ok := strings.Cut(v, "=")
		if !ok {
			return fmt.Errorf("%q: want NAME=CLASS", v)
		}
		return labels.AddName(name, class)
	})
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: posturewatch score [--json] [-v] [--class NAME=CLASS]... [--baseline FILE] DIR...")
		fmt.Fprintln(stderr, "Photos and videos in folders named good, sit_up_straight, straighten_head or away, at any")
		fmt.Fprintln(stderr, "depth, are scored against that class. A photo is judged alone: good when the posture is")
		fmt.Fprintln(stderr, "good, sit up straight or straighten head by its first fault; away, unknown and unreadable")
		fmt.Fprintln(stderr, "photos of a person are wrong. A video is played as a sitting (sampled at --fps): sitting")
		fmt.Fprintln(stderr, "well (good) must draw no nudge, a slump a nudge of its class. --class names your own folders.")
		fs.PrintDefaults()
	}
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "posturewatch score: no DIR given")
		fs.Usage()
		return 2
	}
	if err := o.validate(); err != nil {
		fmt.Fprintln(stderr, "posturewatch score:", err)
		return 2
	}
	baseline, err := o.loadBaseline() // one for the photos' analyzer and the videos'
	if err != nil {
		fmt.Fprintln(stderr, "posturewatch score:", err)
		return 1
	}

	files, unreadable := vision.ListMedia(fs.Args())
	card := fit.NewScorecard()
	var photos, videos, unlabelled []string
	failed := 0 // paths in no class folder that could not be read
	for _, ie := range unreadable {
		class, set, ok := labels.Of(ie.Path)
		switch {
		case !ok:
			failed++
			fmt.Fprintln(stderr, "posturewatch score:", ie)
		case vision.IsVideoPath(ie.Path):
			card.AddSession(fit.Session{Path: ie.Path, Set: set, Expected: class, Error: ie.Err.Error()})
		default:
			card.Add(fit.Judged{Path: ie.Path, Set: set, Expected: class, Judged: fit.OutcomeError, Error: ie.Err.Error()})
		}
	}
	for _, f := range files {
		switch _, _, ok := labels.Of(f); {
		case !ok:
			unlabelled = append(unlabelled, f)
		case vision.IsVideoPath(f):
			videos = append(videos, f)
		default:
			photos = append(photos, f)
		}
	}
	if len(photos) > 0 {
		if err := scorePhotos(photos, labels, &o, baseline, card); err != nil {
			fmt.Fprintln(stderr, "posturewatch score:", err)
			return 1
		}
	}
	if len(videos) > 0 {
		log, _ := newLogger(stderr, "warn") // as replay's default
		if err := scoreVideos(videos, labels, &o, baseline, card, log); err != nil {
			fmt.Fprintln(stderr, "posturewatch score:", err)
			return 1
		}
	}
	if n := len(unlabelled); n > 0 {
		fmt.Fprintf(stderr, "posturewatch score: skipped %d %s in no folder named good, sit_up_straight, straighten_head or away (the first: %s)\n", n, map[bool]string{true: "file", false: "files"}[n == 1], unlabelled[0])
	}
	if card.All.Photos == 0 && card.Videos.Videos == 0 {
		if failed == 0 {
			fmt.Fprintln(stderr, "posturewatch score: nothing to score: put photos and videos in folders named good, sit_up_straight, straighten_head or away")
		}
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(card); err != nil {
			fmt.Fprintln(stderr, "posturewatch score:", err)
			return 1
		}
	} else {
		card.Write(stdout, *every)
	}
	if n := card.All.Errors + card.Videos.Errors; n > 0 {
		fmt.Fprintf(stderr, "posturewatch score: %d of %d photos and videos could not be read or analysed (scored wrong)\n", n, card.All.Photos+card.Videos.Videos)
	}
	if card.All.Errors > 0 || card.Videos.Errors > 0 || failed > 0 {
		return 1
	}
	return 0
}

// scorePhotos judges each photo alone, as analyze does, and scores it.
func scorePhotos(photos []string, labels fit.Labels, o *analysisOptions, baseline *domain.Baseline, card *fit.Scorecard) error {
	an, err := vision.NewAnalyzer(vision.AnalyzerOptions{ModelPath: o.model, Threads: o.threads, Baseline: baseline})
	if err != nil {
		return err
	}
	defer an.Close()
	return vision.Walk(photos, vision.SourceOptions{FPS: o.fps, Start: time.Unix(0, 0).UTC()}, func(f *vision.Frame, ferr error) {
		if ferr != nil {
			var ie *vision.ItemError
			errors.As(ferr, &ie) // Walk passes item errors only
			class, set, _ := labels.Of(ie.Path)
			card.Add(fit.Judged{Path: ie.Path, Set: set, Expected: class, Judged: fit.OutcomeError, Error: ie.Err.Error()})
			return
		}
		class, set, _ := labels.Of(f.Source)
		j := fit.Judged{Path: f.Source, Set: set, Expected: class}
		if obs, err := an.Analyze(*f); err != nil {
			j.Judged, j.Error = fit.OutcomeError, err.Error()
		} else {
			j.Judged, j.Posture, j.Faults, j.Why = fit.ObservationClass(obs), obs.Posture, obs.Faults, obs.Why
		}
		card.Add(j)
	})
}

// scoreVideos plays each video through vision and a fresh coach, as replay
// does (the camera's view learnt afresh for each), and scores it by the
// nudges it drew.
func scoreVideos(videos []string, labels fit.Labels, o *analysisOptions, baseline *domain.Baseline, card *fit.Scorecard, log *slog.Logger) error {
	an, err := vision.NewAnalyzer(vision.AnalyzerOptions{ModelPath: o.model, Threads: o.threads, Baseline: baseline, Learn: true})
	if err != nil {
		return err
	}
	defer an.Close()
	cat := exercise.Default()
	for _, path := range videos {
		class, set, _ := labels.Of(path)
		s := fit.Session{Path: path, Set: set, Expected: class, Nudges: []fit.Nudge{}}
		src, err := vision.OpenPath(path, vision.SourceOptions{FPS: o.fps, Start: replayStart})
		if err != nil {
			s.Error = err.Error()
			card.AddSession(s)
			continue
		}
		sum, err := replaySession(src, path, domain.DefaultConfig(), baseline, cat, an, log, func(e domain.Event) error {
			if e.Type == domain.EventNudge && !e.Test {
				s.Nudges = append(s.Nudges, fit.Nudge{Fault: e.Fault, AtS: round3(e.Offset.Seconds())})
			}
			return nil
		})
		src.Close()
		s.Seconds = sum.TS
		switch {
		case err != nil:
			s.Error = err.Error()
		case sum.Errors > 0:
			s.Error = fmt.Sprintf("%d of %d frames could not be analysed", sum.Errors, sum.Frames)
		}
		card.AddSession(s)
	}
	return nil
}
