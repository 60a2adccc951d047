package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"posturewatch/vision"
	"posturewatch/vision/posture/fit"
)

func init() {
	register("score", "score photos sorted into folders named good, sit_up_straight, straighten_head and away", runScore)
}

// runScore judges photos one by one, as analyze does, and scores each
// against the class its folder names (fit.Labels), as the held-out sets
// are scored: the figures their targets are set in.
func runScore(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("score", stderr)
	var o analysisOptions
	o.register(fs)
	asJSON := fs.Bool("json", false, "print the scorecard, every photo with it, as JSON")
	every := fs.Bool("v", false, "list every photo, not only the misjudged ones")
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
		fmt.Fprintln(stderr, "Photos (and videos, sampled at --fps) in folders named good, sit_up_straight, straighten_head")
		fmt.Fprintln(stderr, "or away, at any depth, are judged one by one and scored against that class. A photo is good")
		fmt.Fprintln(stderr, "when the posture is good, sit up straight or straighten head by its first fault; away,")
		fmt.Fprintln(stderr, "unknown and unreadable photos of a person are wrong. --class names your own folders' classes.")
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
	an, err := o.newAnalyzer()
	if err != nil {
		fmt.Fprintln(stderr, "posturewatch score:", err)
		return 1
	}
	defer an.Close()

	card := fit.NewScorecard()
	var unlabelled []string
	unreadable := 0 // paths in no class folder that could not be opened
	err = vision.Walk(fs.Args(), vision.SourceOptions{FPS: o.fps, Start: time.Unix(0, 0).UTC()}, func(f *vision.Frame, ferr error) {
		if ferr != nil {
			var ie *vision.ItemError
			errors.As(ferr, &ie) // Walk passes item errors only
			if class, set, ok := labels.Of(ie.Path); ok {
				card.Add(fit.Judged{Path: ie.Path, Set: set, Expected: class, Judged: fit.OutcomeError, Error: ie.Err.Error()})
			} else {
				unreadable++
				fmt.Fprintln(stderr, "posturewatch score:", ferr)
			}
			return
		}
		class, set, ok := labels.Of(f.Source)
		if !ok {
			if len(unlabelled) == 0 || unlabelled[len(unlabelled)-1] != f.Source { // a video's frames once
				unlabelled = append(unlabelled, f.Source)
			}
			return
		}
		j := fit.Judged{Path: f.Source, Set: set, Expected: class}
		if vision.IsVideoPath(f.Source) {
			j.Video, j.Frame = true, f.Index
		}
		obs, err := an.Analyze(*f)
		if err != nil {
			j.Judged, j.Error = fit.OutcomeError, err.Error()
		} else {
			j.Judged, j.Posture, j.Faults, j.Why = fit.ObservationClass(obs), obs.Posture, obs.Faults, obs.Why
		}
		card.Add(j)
	})
	if err != nil {
		fmt.Fprintln(stderr, "posturewatch score:", err)
		return 1
	}
	if n := len(unlabelled); n > 0 {
		fmt.Fprintf(stderr, "posturewatch score: skipped %d %s in no folder named good, sit_up_straight, straighten_head or away (the first: %s)\n", n, map[bool]string{true: "file", false: "files"}[n == 1], unlabelled[0])
	}
	if card.All.Photos == 0 {
		if unreadable == 0 {
			fmt.Fprintln(stderr, "posturewatch score: no photo to score: put them in folders named good, sit_up_straight, straighten_head or away")
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
	if card.All.Errors > 0 {
		fmt.Fprintf(stderr, "posturewatch score: %d of %d photos could not be read or analysed (scored wrong)\n", card.All.Errors, card.All.Photos)
	}
	if card.All.Errors > 0 || unreadable > 0 {
		return 1
	}
	return 0
}
