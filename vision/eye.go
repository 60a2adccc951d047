package vision

import (
	"context"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"posturewatch/coach/domain"
	"posturewatch/vision/v4l"
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
	afresh      atomic.Bool // the next frame runs the face detector (a preview was turned on)
	lastPreview time.Time   // Run goroutine only
	runOnce     sync.Once

	looked      int       // frames analysed (Run goroutine only)
	lastRelease time.Time // when ReleaseUnused last ran (Run goroutine only)
}

// Unused memory is handed back once the models have run on a few frames
// (their start-up garbage is free by then and the loop's own pages are
// known) and again now and then: reading the memory map costs a few
// milliseconds, and the pages a camera reopen touches are few.
const (
	releaseAfterFrames = 5
	releaseEvery       = 10 * time.Minute
)

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
	// The analyser handed back what loading the models touched; starting
	// the supervisor touched more (the video and camera libraries' set-up),
	// which can go now rather than after the first frames.
	if _, err := ReleaseUnused(); err != nil {
		e.log.Debug("handing back unused memory", "err", err)
	}
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
				e.releaseUnused()
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

// releaseUnused hands unused memory back to the kernel when it is due.
func (e *Eye) releaseUnused() {
	e.looked++
	if e.looked < releaseAfterFrames || (!e.lastRelease.IsZero() && time.Since(e.lastRelease) < releaseEvery) {
		return
	}
	e.lastRelease = time.Now()
	n, err := ReleaseUnused()
	if err != nil {
		e.log.Debug("handing back unused memory", "err", err)
		return
	}
	e.log.Debug("handed back unused library pages", "MB", n>>20)
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
// Turning it on also makes the next frame look afresh for faces: someone
// looking at the preview checks their framing, and how many people are in
// view (Observation.People) is then counted on the whole frame.
func (e *Eye) SetPreview(on bool) {
	if on && !e.preview.Swap(true) {
		e.afresh.Store(true)
	}
	e.preview.Store(on)
}

// Cameras lists the cameras that can be chosen, and which one is in use.
func (e *Eye) Cameras() (domain.Cameras, error) {
	out := domain.Cameras{Devices: []domain.CameraDevice{}, InUse: e.sup.Camera()}
	if out.InUse == "" {
		out.Fixed = ErrNotSwitchable.Error()
		return out, nil
	}
	devs, err := v4l.Cameras("")
	if err != nil {
		return out, domain.WrapError(domain.EUNAVAILABLE, err)
	}
	out.Devices = devs
	return out, nil
}

// UseCamera switches to the camera spec names (an index, a device path or
// a name; "" is the first camera, "0"). A spec that can never be a camera
// is EINVALID; a video file source cannot switch (ECONFLICT). It returns
// the device node chosen.
func (e *Eye) UseCamera(spec string) (string, error) {
	if e.sup.Camera() == "" {
		return "", domain.WrapError(domain.ECONFLICT, ErrNotSwitchable)
	}
	if spec == "" {
		spec = "0"
	}
	choice, err := v4l.Resolve(spec, "")
	if err != nil {
		return "", domain.WrapError(domain.EINVALID, err)
	}
	if err := e.sup.SetCamera(choice.Path); err != nil {
		return "", domain.WrapError(domain.ECONFLICT, err)
	}
	e.an.ForgetLearnt() // another camera sits elsewhere
	return choice.Path, nil
}
