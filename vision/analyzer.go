package vision

import (
	"fmt"
	"time"

	"posturewatch/coach/domain"
	"posturewatch/models"
	"posturewatch/vision/posture"
)

// DefaultModelPath is where `make models` puts the model (or $POSTUREWATCH_MODEL).
func DefaultModelPath() string { return models.DefaultPath() }

// AnalyzerOptions configures the whole per-frame path.
type AnalyzerOptions struct {
	ModelPath string           // default DefaultModelPath(), sha256-checked
	Threads   int              // OpenCV threads, default 2
	Baseline  *domain.Baseline // optional personal profile
	Params    *posture.Params  // judgement thresholds, default posture.DefaultParams()
}

// Analyzer turns frames into observations: pose, metrics, faults.
type Analyzer struct {
	pose  *PoseNet
	judge *posture.Judge
}

// NewAnalyzer loads and checks the model.
func NewAnalyzer(opt AnalyzerOptions) (*Analyzer, error) {
	strict := opt.ModelPath == ""
	if opt.ModelPath == "" {
		opt.ModelPath = DefaultModelPath()
	}
	pn, err := NewPoseNet(PoseOptions{ModelPath: opt.ModelPath, Threads: opt.Threads, Strict: strict})
	if err != nil {
		return nil, err
	}
	p := posture.DefaultParams()
	if opt.Params != nil {
		p = *opt.Params
	}
	return &Analyzer{pose: pn, judge: posture.NewJudge(p, opt.Baseline)}, nil
}

// SetBaseline switches the personal profile (nil = defaults).
func (a *Analyzer) SetBaseline(b *domain.Baseline) { a.judge.SetBaseline(b) }

// Close releases the model.
func (a *Analyzer) Close() error { return a.pose.Close() }

// Analyze runs the whole path on one frame. The frame stays owned by the caller.
func (a *Analyzer) Analyze(f Frame) (domain.Observation, error) {
	obs := domain.Observation{Time: f.Time, Offset: f.Offset, Source: f.Source, Frame: f.Index}
	kps, _, err := a.pose.Estimate(f.Mat)
	if err != nil {
		return obs, fmt.Errorf("pose on %s frame %d: %w", f.Source, f.Index, err)
	}
	return a.judge.Observe(obs, kps, f.Mat.Cols(), f.Mat.Rows()), nil
}

// Timed runs Analyze and reports how long it took.
func (a *Analyzer) Timed(f Frame) (domain.Observation, time.Duration, error) {
	t0 := time.Now()
	obs, err := a.Analyze(f)
	return obs, time.Since(t0), err
}
