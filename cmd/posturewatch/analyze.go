package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"posturewatch/coach/domain"
	"posturewatch/coach/store"
	"posturewatch/vision"
	"posturewatch/vision/posture/fit"
)

func init() {
	register("analyze", "judge posture on images, videos and directories", runAnalyze)
}

// frameRecord is one line of `analyze --json`.
type frameRecord struct {
	Source    string            `json:"source"`
	Frame     int               `json:"frame"`
	TS        float64           `json:"t_s"`
	Posture   domain.Posture    `json:"posture,omitempty"`
	Class     string            `json:"class,omitempty"` // the verdict as the held-out photos are scored (fit.ObservationClass)
	Why       string            `json:"why,omitempty"`   // what the verdict rests on
	Faults    []domain.Fault    `json:"faults,omitempty"`
	Metrics   domain.Metrics    `json:"metrics,omitempty"`
	Keypoints []domain.Keypoint `json:"keypoints,omitempty"`
	Visible   []string          `json:"visible,omitempty"`
	// Backlit: the face was dark against a brighter picture (a window
	// behind); the summary gives the advice.
	Backlit bool `json:"backlit,omitempty"`
	// Confidence is the mean score of the head and shoulder keypoints seen.
	Confidence float64 `json:"confidence"`
	MS         float64 `json:"ms"`
	Annotated  string  `json:"annotated,omitempty"`
	Error      string  `json:"error,omitempty"`
}

// analysisOptions are shared by analyze, calibrate and eval.
type analysisOptions struct {
	fps      float64
	model    string
	threads  int
	baseline string
}

func (o *analysisOptions) register(fs *flag.FlagSet) {
	fs.Float64Var(&o.fps, "fps", 2, "frames per second sampled from videos")
	fs.StringVar(&o.model, "model", "", "pose model file (default: models/"+"movenet-lightning.onnx, sha256-checked)")
	fs.IntVar(&o.threads, "threads", 2, "threads for each model (half of them while another model runs beside it)")
	fs.StringVar(&o.baseline, "baseline", "", "baseline profile file made by 'posturewatch calibrate'")
}

func (o *analysisOptions) validate() error {
	if o.fps <= 0 || o.fps > 60 || math.IsNaN(o.fps) {
		return fmt.Errorf("--fps %v: want a rate above 0 and at most 60", o.fps)
	}
	if o.threads < 1 || o.threads > 64 {
		return fmt.Errorf("--threads %d: want 1 to 64", o.threads)
	}
	return nil
}

// newAnalyzer loads the baseline (if any) and the model.
func (o *analysisOptions) newAnalyzer() (*vision.Analyzer, error) {
	b, err := o.loadBaseline()
	if err != nil {
		return nil, err
	}
	return vision.NewAnalyzer(vision.AnalyzerOptions{ModelPath: o.model, Threads: o.threads, Baseline: b})
}

// loadBaseline loads the --baseline file; nil without one.
func (o *analysisOptions) loadBaseline() (*domain.Baseline, error) {
	if o.baseline == "" {
		return nil, nil
	}
	return store.LoadBaseline(o.baseline)
}

func runAnalyze(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("analyze", stderr)
	var o analysisOptions
	o.register(fs)
	asJSON := fs.Bool("json", false, "one JSON object per line per image or sampled frame")
	annotate := fs.String("annotate", "", "write each frame with skeleton and verdict into this directory")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: posturewatch analyze [--json] [--baseline FILE] [--fps N] [--annotate DIR] PATH...")
		fmt.Fprintln(stderr, "PATH: images, videos (sampled at --fps) and directories (recursively).")
		fs.PrintDefaults()
	}
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "posturewatch analyze: no PATH given")
		fs.Usage()
		return 2
	}
	if err := o.validate(); err != nil {
		fmt.Fprintln(stderr, "posturewatch analyze:", err)
		return 2
	}
	an, err := o.newAnalyzer()
	if err != nil {
		fmt.Fprintln(stderr, "posturewatch analyze:", err)
		return 1
	}
	defer an.Close()

	enc := json.NewEncoder(stdout)
	var tw *tabwriter.Writer
	if !*asJSON {
		tw = tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SOURCE\tFRAME\tT_S\tPOSTURE\tFAULTS\tMS\tWHY")
	}
	sum := newSummary()
	failed := 0
	emit := func(r frameRecord) {
		sum.add(r)
		if *asJSON {
			if err := enc.Encode(r); err != nil {
				fmt.Fprintln(stderr, "posturewatch analyze: write:", err)
			}
			return
		}
		if r.Error != "" {
			fmt.Fprintf(tw, "%s\t%d\t-\terror\t%s\t-\n", r.Source, r.Frame, r.Error)
			return
		}
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%s\t%s\t%.1f\t%s\n", r.Source, r.Frame, r.TS, r.Posture, faultList(r.Faults), r.MS, r.Why)
	}
	err = vision.Walk(fs.Args(), vision.SourceOptions{FPS: o.fps, Start: time.Unix(0, 0).UTC()}, func(f *vision.Frame, ferr error) {
		if ferr != nil {
			failed++
			r := frameRecord{Error: ferr.Error()}
			var ie *vision.ItemError
			if errors.As(ferr, &ie) {
				r.Source, r.Error = ie.Path, ie.Err.Error()
			}
			emit(r)
			return
		}
		obs, dt, err := an.Timed(*f)
		r := frameRecord{Source: f.Source, Frame: f.Index, TS: round3(f.Offset.Seconds()), MS: round3(float64(dt.Microseconds()) / 1000)}
		if err != nil {
			failed++
			r.Error = err.Error()
			emit(r)
			return
		}
		r.Posture, r.Why, r.Faults, r.Metrics, r.Keypoints, r.Visible = obs.Posture, obs.Why, obs.Faults, roundMetrics(obs.Metrics), roundKeypoints(obs.Keypoints), obs.Visible
		r.Class = fit.ObservationClass(obs)
		r.Confidence, r.Backlit = round3(obs.Confidence), obs.Backlit
		if *annotate != "" {
			img := vision.Annotate(f.Mat, obs, 0.3)
			path, werr := vision.WriteAnnotated(*annotate, obs, img)
			img.Close()
			if werr != nil {
				fmt.Fprintln(stderr, "posturewatch analyze:", werr)
				failed++
			} else {
				r.Annotated = path
			}
		}
		emit(r)
	})
	if err != nil {
		fmt.Fprintln(stderr, "posturewatch analyze:", err)
		failed++
	}
	if tw != nil {
		tw.Flush()
		sum.print(stdout)
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "posturewatch analyze: %d of %d items failed\n", failed, sum.total)
		return 1
	}
	return 0
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

func roundMetrics(m domain.Metrics) domain.Metrics {
	out := make(domain.Metrics, len(m))
	for k, v := range m {
		out[k] = math.Round(v*10000) / 10000
	}
	return out
}

func roundKeypoints(kps []domain.Keypoint) []domain.Keypoint {
	out := make([]domain.Keypoint, len(kps))
	for i, k := range kps {
		out[i] = domain.Keypoint{Name: k.Name, X: math.Round(k.X*10) / 10, Y: math.Round(k.Y*10) / 10, Score: math.Round(k.Score*1000) / 1000}
	}
	return out
}

// summary counts verdicts for the readable output.
type summary struct {
	total, errors int
	backlit       int
	postures      map[domain.Posture]int
	faults        map[domain.FaultName]int
	ms            []float64
}

func newSummary() *summary {
	return &summary{postures: map[domain.Posture]int{}, faults: map[domain.FaultName]int{}}
}

func (s *summary) add(r frameRecord) {
	s.total++
	if r.Error != "" {
		s.errors++
		return
	}
	s.postures[r.Posture]++
	if r.Backlit {
		s.backlit++
	}
	for _, f := range r.Faults {
		if f.Severity >= 0.5 {
			s.faults[f.Name]++
		}
	}
	s.ms = append(s.ms, r.MS)
}

func (s *summary) print(w io.Writer) {
	fmt.Fprintf(w, "\n%d frames: ", s.total)
	for _, p := range []domain.Posture{domain.PostureGood, domain.PostureBad, domain.PostureAway, domain.PostureUnknown} {
		fmt.Fprintf(w, "%d %s, ", s.postures[p], p)
	}
	fmt.Fprintf(w, "%d errors\n", s.errors)
	if len(s.faults) > 0 {
		names := make([]string, 0, len(s.faults))
		for n := range s.faults {
			names = append(names, string(n))
		}
		sort.Strings(names)
		fmt.Fprint(w, "faults at severity ≥ 0.5:")
		for _, n := range names {
			fmt.Fprintf(w, " %s %d", n, s.faults[domain.FaultName(n)])
		}
		fmt.Fprintln(w)
	}
	if s.backlit > 0 {
		fmt.Fprintln(w, backlitSummary(s.backlit, s.total-s.errors))
	}
	if len(s.ms) > 0 {
		sort.Float64s(s.ms)
		var tot float64
		for _, v := range s.ms {
			tot += v
		}
		fmt.Fprintf(w, "time per frame: mean %.1f ms, median %.1f ms\n", tot/float64(len(s.ms)), s.ms[len(s.ms)/2])
	}
}

// backlitSummary is the summaries' line for n of frames backlit, with the
// advice (analyze, replay).
func backlitSummary(n, frames int) string {
	return fmt.Sprintf("backlit: %d of %d frames. %s", n, frames, domain.BacklitAdvice)
}

// faultList formats faults as "name:severity …", or "-" for none.
func faultList(fs []domain.Fault) string {
	if len(fs) == 0 {
		return "-"
	}
	parts := make([]string, 0, len(fs))
	for _, f := range fs {
		parts = append(parts, fmt.Sprintf("%s:%.2f", f.Name, f.Severity))
	}
	return strings.Join(parts, " ")
}
