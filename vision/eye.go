package vision

import (
	"context"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"posturewatch/coach/domain"
)

// Preview pictures: at most two a second (wall time), 640 px wide, JPEG
// quality 70, made only while a dashboard shows them, never written to disk.
const (
	previewEvery   = 500 * time.Millisecond
	previewWidth   = 640
	previewQuality = 70
)

// Eye runs the frames of a Supervisor through an Analyzer and hands on
// what it sees: the live service's camera. It is the one owner of the
// analyzer (only its goroutine analyses, so the models need no lock) and
// of preview-making.
type Eye struct {
	sup *Supervisor
	an  *Analyzer
	log *slog.Logger

	out     chan domain.Sighting
	changes chan struct{}

	preview     atomic.Bool
	lastPreview time.Time // Run goroutine only
	runOnce     sync.Once
}

// NewEye makes a supervisor from opt and an eye over it and an. The eye
// takes over the supervisor's status callback.
func NewEye(opt SupervisorOptions, an *Analyzer) (*Eye, error) {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	e := &Eye{an: an, log: opt.Logger, out: make(chan domain.Sighting), changes: make(chan struct{}, 1)}
	opt.OnStatus = func(SupervisorStatus) {
		select {
		case e.changes <- struct{}{}:
		default: // one pending change is enough: the reader asks for the newest status
		}
	}
	sup, err := NewSupervisor(opt)
	if err != nil {
		return nil, err
	}
	e.sup = sup
	return e, nil
}

// Supervisor is the camera supervisor under the eye.
func (e *Eye) Supervisor() *Supervisor { return e.sup }

// Run reads, analyses and delivers frames until ctx is done; it returns
// once the camera is closed. Call it once.
func (e *Eye) Run(ctx context.Context) {
	e.runOnce.Do(func() {
		supDone := make(chan struct{})
		go func() { e.sup.Run(ctx); close(supDone) }()
		defer func() { <-supDone }()
		for {
			select {
			case <-ctx.Done():
				return
			case f := <-e.sup.Frames():
				sg, ok := e.look(f)
				if !ok {
					continue
				}
				select {
				case e.out <- sg:
				case <-ctx.Done():
					return
				}
			}
		}
	})
}

// look analyses one frame (and makes a preview picture when one is wanted)
// and closes it.
func (e *Eye) look(f Frame) (domain.Sighting, bool) {
	defer f.Close()
	t0 := time.Now()
	obs, err := e.an.Analyze(f)
	if err != nil {
		e.log.Warn("frame skipped", "source", f.Source, "err", err)
		return domain.Sighting{}, false
	}
	obs.Analysis = time.Since(t0)
	sg := domain.Sighting{Observation: obs}
	if e.preview.Load() && time.Since(e.lastPreview) >= previewEvery {
		e.lastPreview = time.Now()
		jpeg, w, h, kps, err := PreviewJPEG(f, obs, previewWidth, previewQuality)
		if err != nil {
			e.log.Warn("preview", "err", err)
		} else {
			sg.Preview = &domain.Preview{JPEG: jpeg, Width: w, Height: h, Keypoints: kps, At: f.Time}
		}
	}
	return sg, true
}

// Sightings delivers analysed frames.
func (e *Eye) Sightings() <-chan domain.Sighting { return e.out }

// Changes receives a value when the camera's status changed.
func (e *Eye) Changes() <-chan struct{} { return e.changes }

// Status is the camera's state in the shared vocabulary.
func (e *Eye) Status() domain.CameraStatus {
	st := e.sup.Status()
	return domain.CameraStatus{State: st.State, Source: st.Source, Error: st.Error, Hint: st.Hint,
		Resting: st.Resting, HeldShare: math.Round(st.HeldShare*1000) / 1000}
}

// SetInterval asks for the next frame this long after the last one.
func (e *Eye) SetInterval(d time.Duration) { e.sup.SetInterval(d) }

// Release closes the camera; the channel closes once it is closed.
func (e *Eye) Release() <-chan struct{} { return e.sup.Pause() }

// Resume opens the camera again.
func (e *Eye) Resume() { e.sup.Resume() }

// Now is the camera's clock.
func (e *Eye) Now() time.Time { return e.sup.Now() }

// Speed is how much faster than the wall clock Now runs.
func (e *Eye) Speed() float64 { return e.sup.Speed() }

// SetBaseline makes the following frames be judged against b (the judge
// takes it under its own lock, between frames).
func (e *Eye) SetBaseline(b *domain.Baseline) { e.an.SetBaseline(b) }

// SetPreview turns preview pictures on or off.
func (e *Eye) SetPreview(on bool) { e.preview.Store(on) }
