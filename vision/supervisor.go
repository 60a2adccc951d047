package vision

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"log/slog"
	"path/filepath"
	"posturewatch/coach/domain"
	"sync"
	"time"

	"gocv.io/x/gocv"
)

// Clock is the time source of a Supervisor (injectable for tests).
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// SourceState is what a Supervisor's source is doing: the shared
// vocabulary's camera states.
type SourceState = domain.CameraState

const (
	SourceStarting = domain.CameraStarting // not opened yet
	SourceOK       = domain.CameraOK       // frames flowing
	SourceRetrying = domain.CameraRetrying // could not open it or lost it; retrying with backoff
	SourceReleased = domain.CameraReleased // closed on purpose (paused)
	SourceEnded    = domain.CameraEnded    // a video file (without Loop) reached its end
	SourceStopped  = domain.CameraStopped  // the supervisor has stopped
)

// SupervisorStatus describes the source for the dashboard.
type SupervisorStatus struct {
	State    SourceState `json:"state"`
	Source   string      `json:"source"`          // "camera:0", "clip.mp4 (looped)"
	Error    string      `json:"error,omitempty"` // why no frames flow
	Hint     string      `json:"hint,omitempty"`  // how to fix it
	Attempts int         `json:"attempts,omitempty"`
	// NextRetry is when the next attempt to open is due (SourceRetrying).
	NextRetry time.Time `json:"next_retry,omitzero"`
	// Open reports whether the device/file is held open right now.
	Open bool `json:"open"`
	// Resting: a camera closed between two frames far apart (its light is
	// off); it opens again by itself.
	Resting bool `json:"resting,omitempty"`
	// HeldShare is the share of the time since Run started that the source
	// was held open (0..1).
	HeldShare float64 `json:"held_share"`
}

// OK reports whether frames are flowing.
func (s SupervisorStatus) OK() bool { return s.State == SourceOK }

// SupervisorOptions configure a Supervisor. Exactly one of Camera and File
// is used (File wins when both are set).
type SupervisorOptions struct {
	Camera string // camera index or device path ("0", "/dev/video2")
	File   string // a video file played on its own timeline instead of a camera
	Loop   bool   // restart File at its end
	// Speed makes File play faster than real time: video time advances Speed
	// times faster than the wall clock, and so does the supervisor's clock
	// (Now). Default 1 (real time, like a camera). Cameras ignore it.
	Speed float64
	// MaxFPS is the highest sampling rate (the rate the source is opened at);
	// SetInterval can only lower it. Default DefaultFPS (2).
	MaxFPS        float64
	Width, Height int // camera resolution, default 640×480
	// Open replaces the real opener (for tests); it is called for every
	// (re)open. A supervisor given one cannot switch cameras.
	Open func() (Source, error)
	// OpenCamera replaces the camera opener (for tests of SetCamera).
	OpenCamera func(camera string) (Source, error)
	// Clock replaces the wall clock (for tests).
	Clock Clock
	// MinBackoff and MaxBackoff bound the retry delay after a failure: it
	// starts at MinBackoff (default 1 s) and doubles up to MaxBackoff
	// (default 30 s). A source that delivered frames resets it.
	MinBackoff, MaxBackoff time.Duration
	// RestFrom, for a camera, closes it between frames whenever the next
	// one is at least this far away (so its light goes off), and opens it
	// again WarmUp before the frame is due, reading and dropping Settle
	// frames while its exposure adjusts. Zero keeps it open.
	RestFrom time.Duration
	WarmUp   time.Duration // default 1 s
	Settle   int           // default 5 frames
	// OnStatus is called (from the supervisor goroutine) after every status
	// change. It must not block for long.
	OnStatus func(SupervisorStatus)
	Logger   *slog.Logger
}

// Supervisor keeps a camera (or a video file) open while monitoring and
// delivers its frames newest-wins at the sampling interval: it opens the
// source, re-opens it with exponential backoff when it fails or is lost,
// releases it while paused (so the camera light goes off) and reopens it on
// resume. A file source is paced on its own timeline like a camera.
//
// The supervisor has its own clock, Now: the wall clock for a camera, and
// for a file played at Speed s a clock that runs s times faster. Frames carry
// Time on that clock and Offset since the first open, monotonic across
// reopens; for a file's first pass Offset is the video time.
type Supervisor struct {
	opt   SupervisorOptions
	clock Clock
	log   *slog.Logger
	out   chan Frame
	wake  chan struct{}
	name  string // written by Run (camera switch) under mu; read by others under mu

	mu       sync.Mutex
	camera   string  // the camera opened (camera sources)
	switchTo *string // a camera SetCamera asked for, taken up by Run
	status   SupervisorStatus
	paused   bool
	interval time.Duration
	released chan struct{} // closed when the source is closed after a pause request
	running  bool
	stopped  bool // Run has returned: nothing is open

	// the virtual clock: V = v0 + speed·(wall − w0)
	w0, v0 time.Time
	// timeline origin (first open) and the last frame's time, for Offset
	origin   time.Time
	lastTime time.Time
	// held-open accounting on the wall clock (HeldShare)
	runStart, heldSince time.Time
	heldTotal           time.Duration
}

// NewSupervisor checks the options; call Run to start it.
func NewSupervisor(opt SupervisorOptions) (*Supervisor, error) {
	if opt.File == "" && opt.Camera == "" && opt.Open == nil {
		return nil, errors.New("supervisor: give a camera or a video file")
	}
	if opt.Speed == 0 {
		opt.Speed = 1
	}
	if opt.Speed < 0.1 || opt.Speed > 100 {
		return nil, fmt.Errorf("supervisor: speed %g: want 0.1 to 100", opt.Speed)
	}
	if opt.File == "" {
		opt.Speed = 1
	}
	if opt.MaxFPS <= 0 {
		opt.MaxFPS = DefaultFPS
	}
	if opt.MinBackoff <= 0 {
		opt.MinBackoff = time.Second
	}
	if opt.MaxBackoff <= 0 {
		opt.MaxBackoff = 30 * time.Second
	}
	if opt.MaxBackoff < opt.MinBackoff {
		opt.MaxBackoff = opt.MinBackoff
	}
	if opt.Clock == nil {
		opt.Clock = realClock{}
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.RestFrom < 0 || opt.WarmUp < 0 || opt.Settle < 0 {
		return nil, fmt.Errorf("supervisor: negative RestFrom, WarmUp or Settle")
	}
	if opt.WarmUp == 0 {
		opt.WarmUp = time.Second
	}
	if opt.Settle == 0 {
		opt.Settle = 5
	}
	s := &Supervisor{opt: opt, clock: opt.Clock, log: opt.Logger, out: NewSlot(), wake: make(chan struct{}, 1)}
	switch {
	case opt.File != "":
		s.name = filepath.Base(opt.File)
		if opt.Loop {
			s.name += " (looped)"
		}
		if opt.Open == nil {
			file, loop, maxFPS := opt.File, opt.Loop, opt.MaxFPS
			s.opt.Open = func() (Source, error) {
				if !IsVideoPath(file) {
					return nil, fmt.Errorf("%s: not a video file (.mp4, .avi …)", file)
				}
				return OpenPath(file, SourceOptions{FPS: maxFPS, Loop: loop, Start: time.Unix(0, 0)})
			}
		}
	default:
		s.name = "camera:" + opt.Camera
		if opt.Camera == "" {
			s.name = "source"
		}
		s.camera = opt.Camera
		if opt.Open == nil {
			if s.opt.OpenCamera == nil {
				so := SourceOptions{FPS: opt.MaxFPS, Width: opt.Width, Height: opt.Height}
				s.opt.OpenCamera = func(cam string) (Source, error) { return OpenCamera(cam, so) }
			}
			s.opt.Open = func() (Source, error) {
				s.mu.Lock()
				cam := s.camera
				s.mu.Unlock()
				return s.opt.OpenCamera(cam)
			}
		}
	}
	s.interval = time.Duration(float64(time.Second) / opt.MaxFPS)
	s.w0 = s.clock.Now()
	s.v0 = s.w0
	s.status = SupervisorStatus{State: SourceStarting, Source: s.name}
	return s, nil
}

// Frames is the newest-wins slot the frames arrive in. The receiver owns
// each frame and must Close it.
func (s *Supervisor) Frames() <-chan Frame { return s.out }

// Name describes the source ("camera:0", "clip.mp4 (looped)").
func (s *Supervisor) Name() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.name
}

// Camera is the camera watched ("/dev/video2"); empty for a video file.
func (s *Supervisor) Camera() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.camera
}

// ErrNotSwitchable: the source is a video file (or a test's opener), not
// a camera that can be swapped for another.
var ErrNotSwitchable = errors.New("a video file plays instead of a camera")

// SetCamera switches to another camera: the one open is closed and the new
// one opened at once, with the retries any camera gets (one not plugged in
// yet is waited for). While paused the switch waits for Resume.
func (s *Supervisor) SetCamera(camera string) error {
	if s.opt.File != "" || s.opt.OpenCamera == nil {
		return ErrNotSwitchable
	}
	if camera == "" {
		return errors.New("supervisor: no camera given")
	}
	s.mu.Lock()
	s.switchTo = &camera
	s.mu.Unlock()
	s.poke()
	return nil
}

// takeSwitch returns the camera asked for by SetCamera, if it differs from
// the one in use, and makes it the one in use (Run goroutine only).
func (s *Supervisor) takeSwitch() (from, to string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.switchTo == nil {
		return "", "", false
	}
	from, to = s.camera, *s.switchTo
	s.switchTo = nil
	if to == from {
		return "", "", false
	}
	s.camera, s.name = to, "camera:"+to
	s.status.Source = s.name
	return from, to, true
}

// Speed is how much faster than the wall clock Now runs (1 for cameras).
func (s *Supervisor) Speed() float64 { return s.opt.Speed }

// Now is the supervisor's clock (see Supervisor).
func (s *Supervisor) Now() time.Time { return s.virt(s.clock.Now()) }

func (s *Supervisor) virt(wall time.Time) time.Time {
	if s.opt.Speed == 1 {
		return wall
	}
	return s.v0.Add(time.Duration(float64(wall.Sub(s.w0)) * s.opt.Speed))
}

// WallDelay converts a span of the supervisor's clock to wall time.
func (s *Supervisor) WallDelay(d time.Duration) time.Duration {
	return time.Duration(float64(d) / s.opt.Speed)
}

// Status returns the current status.
func (s *Supervisor) Status() SupervisorStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.status
	if !s.runStart.IsZero() {
		now := s.clock.Now()
		held := s.heldTotal
		if !s.heldSince.IsZero() {
			held += now.Sub(s.heldSince)
		}
		if ran := now.Sub(s.runStart); ran > 0 {
			st.HeldShare = min(1, held.Seconds()/ran.Seconds())
		}
	}
	return st
}

// Interval returns the current sampling interval (on the supervisor's clock).
func (s *Supervisor) Interval() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.interval
}

// SetInterval sets the least time between two delivered frames on the
// supervisor's clock (adaptive sampling); it is raised to 1/MaxFPS at least.
func (s *Supervisor) SetInterval(d time.Duration) {
	d = max(d, time.Duration(float64(time.Second)/s.opt.MaxFPS))
	s.mu.Lock()
	changed := d != s.interval
	s.interval = d
	s.mu.Unlock()
	if changed {
		s.poke()
	}
}

// Pause releases the source (closing the camera) and returns a channel that
// is closed once it is closed. Frames stop until Resume.
func (s *Supervisor) Pause() <-chan struct{} {
	s.mu.Lock()
	if !s.paused {
		s.paused = true
		s.released = make(chan struct{})
		if s.stopped {
			close(s.released)
		}
	}
	ch := s.released
	s.mu.Unlock()
	s.poke()
	return ch
}

// Resume reopens the source after Pause.
func (s *Supervisor) Resume() {
	s.mu.Lock()
	s.paused = false
	s.mu.Unlock()
	s.poke()
}

// Paused reports whether Pause is in effect.
func (s *Supervisor) Paused() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paused
}

func (s *Supervisor) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Supervisor) setStatus(fn func(st *SupervisorStatus)) {
	s.mu.Lock()
	old := s.status
	fn(&s.status)
	st := s.status
	if st.Open != old.Open { // account the time held open
		now := s.clock.Now()
		if st.Open {
			s.heldSince = now
		} else if !s.heldSince.IsZero() {
			s.heldTotal += now.Sub(s.heldSince)
			s.heldSince = time.Time{}
		}
	}
	if s.paused && !st.Open && s.released != nil {
		select {
		case <-s.released:
		default:
			close(s.released)
		}
	}
	s.mu.Unlock()
	if st != old && s.opt.OnStatus != nil {
		s.opt.OnStatus(st)
	}
}

// fileReadLead is how long before a file's next frame is due (on the
// supervisor's clock) the supervisor skips to it and decodes it.
const fileReadLead = 300 * time.Millisecond

// wait blocks until the wall clock reaches d from now, ctx ends or the
// supervisor is poked; it reports whether the full time passed.
func (s *Supervisor) wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	select {
	case <-ctx.Done():
		return false
	case <-s.wake:
		return false
	case <-s.clock.After(d):
		return true
	}
}

// Run supervises the source until ctx is done, then closes it, drains the
// frame slot and returns. Call it once.
func (s *Supervisor) Run(ctx context.Context) {
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		return
	}
	s.running = true
	s.runStart = s.clock.Now()
	s.mu.Unlock()
	var src Source
	closeSrc := func(state SourceState, why, hint string, retry time.Time) {
		if src != nil {
			if err := src.Close(); err != nil {
				s.log.Warn("closing source", "source", s.name, "err", err)
			}
			src = nil
		}
		s.setStatus(func(st *SupervisorStatus) {
			st.State, st.Open, st.Error, st.Hint, st.NextRetry = state, false, why, hint, retry
		})
	}
	defer func() {
		closeSrc(SourceStopped, "", "", time.Time{})
		s.setStatus(func(st *SupervisorStatus) { st.Resting = false })
		DrainSlot(s.out)
		s.mu.Lock()
		s.stopped = true
		if s.released != nil {
			select {
			case <-s.released:
			default:
				close(s.released)
			}
		}
		s.mu.Unlock()
	}()

	backoff := s.opt.MinBackoff
	attempts := 0
	var (
		segStart  time.Time // supervisor time of this open (file pacing)
		lastOut   time.Time // supervisor time of the last delivered frame
		ahead     *Frame    // a file frame read but not yet due
		delivered bool      // this open delivered at least one frame
		restUntil time.Time // a resting camera opens again then (supervisor time)
		settle    int       // frames to read and drop after opening from rest
	)
	dropAhead := func() {
		if ahead != nil {
			ahead.Close()
			ahead = nil
		}
	}
	defer dropAhead()
	isFile := s.opt.File != ""
	// lost closes a source that failed while running and waits out the backoff.
	lost := func(err error) {
		why, hint := explainSourceError(err, isFile)
		closeSrc(SourceRetrying, why, hint, s.clock.Now().Add(backoff))
		s.log.Warn("source lost; retrying", "source", s.name, "err", err, "retry_in", backoff)
		s.wait(ctx, backoff)
		backoff = min(backoff*2, s.opt.MaxBackoff)
	}

	for ctx.Err() == nil {
		if from, to, ok := s.takeSwitch(); ok {
			dropAhead()
			restUntil, settle = time.Time{}, 0
			s.setStatus(func(st *SupervisorStatus) { st.Resting = false })
			if src != nil || s.Status().State != SourceReleased {
				closeSrc(SourceStarting, "", "", time.Time{})
			}
			backoff, attempts = s.opt.MinBackoff, 0
			s.log.Info("switching camera", "from", from, "to", to)
		}
		s.mu.Lock()
		paused := s.paused
		interval := s.interval
		s.mu.Unlock()

		if paused {
			dropAhead()
			restUntil, settle = time.Time{}, 0
			s.setStatus(func(st *SupervisorStatus) { st.Resting = false })
			if src != nil || s.Status().State != SourceReleased {
				closeSrc(SourceReleased, "", "", time.Time{})
				s.log.Info("source released (paused)", "source", s.name)
			}
			DrainSlot(s.out)
			select {
			case <-ctx.Done():
			case <-s.wake:
			}
			continue
		}

		if src == nil {
			if st := s.Status(); st.State == SourceEnded {
				select { // a finished file stays finished until resumed after a pause
				case <-ctx.Done():
				case <-s.wake:
				}
				continue
			}
			if !restUntil.IsZero() {
				if d := restUntil.Sub(s.Now()); d > 0 {
					s.wait(ctx, s.WallDelay(d))
					continue // re-check pause, ctx and the interval
				}
				restUntil, settle = time.Time{}, s.opt.Settle
			}
			attempts++
			var err error
			src, err = s.opt.Open()
			if err != nil {
				src = nil
				why, hint := explainSourceError(err, isFile)
				due := s.clock.Now().Add(backoff)
				s.setStatus(func(st *SupervisorStatus) {
					st.State, st.Open, st.Error, st.Hint, st.Attempts, st.NextRetry = SourceRetrying, false, why, hint, attempts, due
				})
				s.log.Warn("cannot open the source; retrying", "source", s.name, "err", err, "retry_in", backoff)
				if s.wait(ctx, backoff) {
					backoff = min(backoff*2, s.opt.MaxBackoff)
				}
				continue
			}
			now := s.Now()
			segStart = now
			if s.origin.IsZero() {
				s.origin = now
			}
			delivered = false
			resting := s.Status().Resting
			s.setStatus(func(st *SupervisorStatus) {
				st.State, st.Open, st.Error, st.Hint, st.Attempts, st.NextRetry, st.Resting = SourceOK, true, "", "", attempts, time.Time{}, false
			})
			if resting {
				s.log.Debug("camera opened after a rest", "source", s.name)
			} else {
				s.log.Info("source opened", "source", s.name)
			}
		}

		var f Frame
		if isFile {
			if ahead == nil && !lastOut.IsZero() {
				// Choose the next frame only shortly before it is due, as a
				// camera would read it: an interval shortened meanwhile (the
				// frame that ends a fault's onset) then still applies.
				due := lastOut.Add(interval - interval/20)
				if d := due.Sub(s.Now()) - fileReadLead; d > 0 {
					s.wait(ctx, s.WallDelay(d))
					continue // re-check pause, ctx and the interval
				}
			}
			if ahead == nil {
				if sk, ok := src.(Skipper); ok && !lastOut.IsZero() {
					// pass over what the sampling would drop, undecoded
					sk.SkipTo(lastOut.Add(interval - interval/20).Sub(segStart))
				}
				nf, err := src.Next()
				if err != nil {
					if errors.Is(err, io.EOF) {
						closeSrc(SourceEnded, "the video ended", "start with --loop to play it again and again", time.Time{})
						continue
					}
					var ie *ItemError
					if errors.As(err, &ie) {
						s.log.Warn("skipping unusable item", "source", s.name, "err", err)
						continue
					}
					lost(err)
					continue
				}
				nf.Time = segStart.Add(nf.Offset)
				if !lastOut.IsZero() && nf.Time.Before(lastOut.Add(interval-interval/20)) {
					nf.Close() // sampled out (adaptive rate)
					continue
				}
				ahead = &nf
			}
			// pace: deliver when the supervisor clock reaches the frame's time
			if d := ahead.Time.Sub(s.Now()); d > 0 {
				s.wait(ctx, s.WallDelay(d))
				continue // re-check pause, ctx and the interval
			}
			f = *ahead
			ahead = nil
		} else {
			if !lastOut.IsZero() {
				if d := lastOut.Add(interval).Sub(s.Now()); d > 0 {
					if s.opt.RestFrom > 0 && interval >= s.opt.RestFrom && d > s.opt.WarmUp {
						// Nothing is wanted for a while: close the camera (its
						// light goes off, and other programs may have it) and
						// open it again shortly before the next frame.
						restUntil = lastOut.Add(interval).Add(-s.opt.WarmUp)
						closeSrc(SourceOK, "", "", time.Time{})
						s.setStatus(func(st *SupervisorStatus) { st.Resting = true })
						continue
					}
					s.wait(ctx, d)
					continue
				}
			}
			if settle > 0 { // the exposure adjusts over the first frames
				if st, ok := src.(Settler); ok {
					_ = st.Settle(settle) // a failing camera fails the read below
				} else {
					for ; settle > 0; settle-- {
						nf, err := src.Next()
						if err != nil {
							break
						}
						nf.Close()
					}
				}
				settle = 0
			}
			nf, err := src.Next()
			if err != nil {
				lost(err)
				continue
			}
			f = nf
			f.Time = s.Now()
		}
		if !delivered {
			delivered = true
			backoff, attempts = s.opt.MinBackoff, 0
		}
		if !s.lastTime.IsZero() && !f.Time.After(s.lastTime) {
			f.Time = s.lastTime.Add(time.Millisecond) // keep the timeline monotonic across reopens
		}
		s.lastTime = f.Time
		f.Offset = f.Time.Sub(s.origin)
		lastOut = f.Time
		if ctx.Err() != nil {
			f.Close()
			break
		}
		put(s.out, f)
	}
}

// explainSourceError splits an open/read error into a reason and a fix, by
// the error's kind.
func explainSourceError(err error, isFile bool) (why, hint string) {
	why = err.Error()
	if isFile {
		return why, "check the file path and that it is a video OpenCV can read (.mp4, .avi)"
	}
	switch {
	case errors.Is(err, ErrCameraMissing):
		hint = "plug the camera in (or pick another one with --camera /dev/videoN); posturewatch retries by itself"
	case errors.Is(err, ErrCameraPermission):
		hint = "add yourself to the video group (sudo usermod -aG video $USER, then log in again)"
	case errors.Is(err, ErrCameraLost):
		hint = "the camera stopped sending pictures: check the cable; posturewatch retries by itself"
	case errors.Is(err, ErrCameraUnopenable), errors.Is(err, ErrNoPicture):
		hint = "close other programs using the camera (video calls), then wait: posturewatch retries by itself"
	default:
		hint = cameraHint
	}
	return why, hint
}

// PreviewJPEG scales the frame down to at most maxWidth pixels wide (0: 640)
// and encodes it as JPEG in memory (never on disk). It returns the JPEG, its
// size and obs's keypoints scaled to it, for the dashboard to draw on.
func PreviewJPEG(f Frame, obs domain.Observation, maxWidth, quality int) (jpeg []byte, width, height int, kps []domain.Keypoint, err error) {
	if isNilMat(f.Mat) || f.Mat.Empty() {
		return nil, 0, 0, nil, errors.New("preview: empty frame")
	}
	if maxWidth <= 0 {
		maxWidth = 640
	}
	if quality <= 0 || quality > 100 {
		quality = 70
	}
	// The raw frame, shrunk: the dashboard draws the skeleton itself from
	// kps, crisp at any size, so it is not burnt into the picture.
	img := f.Mat
	scale := 1.0
	if img.Cols() > maxWidth {
		scale = float64(maxWidth) / float64(img.Cols())
		small := gocv.NewMat()
		defer small.Close()
		gocv.Resize(f.Mat, &small, image.Pt(maxWidth, max(1, int(float64(f.Mat.Rows())*scale+0.5))), 0, 0, gocv.InterpolationArea)
		img = small
	}
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, img, []int{gocv.IMWriteJpegQuality, quality})
	if err != nil {
		return nil, 0, 0, nil, fmt.Errorf("preview: encode JPEG: %w", err)
	}
	defer buf.Close()
	jpeg = bytes.Clone(buf.GetBytes())
	kps = make([]domain.Keypoint, len(obs.Keypoints))
	for i, k := range obs.Keypoints {
		k.X, k.Y = k.X*scale, k.Y*scale
		kps[i] = k
	}
	return jpeg, img.Cols(), img.Rows(), kps, nil
}
