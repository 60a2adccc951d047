package vision

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"time"

	"gocv.io/x/gocv"
)

// errNoFrame means a capture returned no frame (end of file, or a device
// that stopped delivering).
var errNoFrame = errors.New("no frame")

// readBGR reads the next frame of c into a new BGR 8UC3 Mat owned by the
// caller. It returns errNoFrame when the capture has nothing more; it is
// shared by the video and the camera sources.
func readBGR(c *gocv.VideoCapture) (gocv.Mat, error) {
	m := gocv.NewMat()
	if !c.Read(&m) || m.Empty() {
		m.Close()
		return gocv.Mat{}, errNoFrame
	}
	if err := toBGR(&m); err != nil {
		m.Close()
		return gocv.Mat{}, err
	}
	return m, nil
}

// fallbackVideoFPS is assumed when a container does not state its frame rate.
const fallbackVideoFPS = 25.0

// videoSource samples a video file at opt.FPS on the video's own timeline.
//
// Sample k is due at video time t = k/FPS; it is the frame being shown at t
// (frame floor(t·fps)), and its Offset is t. When FPS is above the video's
// own rate every frame is delivered once, with Offset = its own time. Frames
// in between are skipped with Grab (a sequential decode, cheaper than a seek
// for the short gaps sampling makes; see BenchmarkVideoNext).
type videoSource struct {
	path   string
	opt    SourceOptions
	cap    *gocv.VideoCapture
	srcFPS float64
	frames int // frames in a pass, as the container states it; 0: unknown

	pos     int      // index of the frame the next Read returns
	pending gocv.Mat // frame 0, read at open to prove the file decodes
	hasPend bool
	nextK   int // next sample on the grid k/FPS within this pass

	index     int           // frames delivered so far (all passes)
	loopBase  time.Duration // video time at the start of this pass (Loop)
	lastOff   float64       // offset within this pass of the last delivered frame, seconds
	passCount int           // frames delivered in this pass
	closed    bool
}

func openVideo(path string, opt SourceOptions) (Source, error) {
	s := &videoSource{path: path, opt: opt}
	if err := s.open(); err != nil {
		return nil, err
	}
	return s, nil
}

// open (re)opens the file and reads frame 0.
func (s *videoSource) open() error {
	if err := checkFile(s.path); err != nil {
		return fmt.Errorf("video %w", err)
	}
	c, err := gocv.VideoCaptureFileWithAPI(s.path, gocv.VideoCaptureFFmpeg)
	if err != nil || c == nil || !c.IsOpened() {
		if c != nil {
			c.Close()
		}
		return fmt.Errorf("video %s: cannot open it (not a video, truncated, or a codec FFmpeg lacks)", s.path)
	}
	m, err := readBGR(c)
	if err != nil {
		c.Close()
		if errors.Is(err, errNoFrame) {
			return fmt.Errorf("video %s: no frame could be decoded (truncated or corrupt file?)", s.path)
		}
		return fmt.Errorf("video %s: %w", s.path, err)
	}
	if err := checkSize(m); err != nil {
		m.Close()
		c.Close()
		return fmt.Errorf("video %s: %w", s.path, err)
	}
	fps := c.Get(gocv.VideoCaptureFPS)
	if math.IsNaN(fps) || fps <= 0 || fps > 1000 {
		slog.Warn("video does not state a usable frame rate; assuming one", "path", s.path, "fps", fps, "assumed", fallbackVideoFPS)
		fps = fallbackVideoFPS
	}
	s.cap, s.srcFPS = c, fps
	if n := c.Get(gocv.VideoCaptureFrameCount); n >= 1 && n < 1e9 {
		s.frames = int(n)
	}
	s.pending, s.hasPend = m, true
	s.pos, s.nextK, s.passCount, s.lastOff = 1, 0, 0, 0
	return nil
}

func (s *videoSource) Name() string { return s.path }

// SkipTo moves the sampling grid on to offset: the frames in between are
// passed with Grab, never converted, when the next one is read. Sampled at
// one frame in 5 s, a 5 fps clip so decodes 1 frame in 25 fully.
func (s *videoSource) SkipTo(offset time.Duration) {
	t := (offset - s.loopBase).Seconds()
	if t <= 0 {
		return
	}
	if s.frames > 0 {
		// at most to the pass's last frame: the pass then ends where the
		// video does, and the loop's timeline stays the video's
		t = min(t, float64(s.frames-1)/s.srcFPS)
	}
	if k := int(math.Ceil(t*s.opt.FPS - 1e-6)); k > s.nextK {
		s.nextK = k
	}
}

func (s *videoSource) Next() (Frame, error) {
	if s.closed || s.cap == nil {
		return Frame{}, io.EOF
	}
	for {
		f, err := s.sample()
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, errNoFrame) {
			return Frame{}, fmt.Errorf("video %s: %w", s.path, err)
		}
		// End of this pass.
		if !s.opt.Loop || s.passCount == 0 {
			s.closed = true
			s.release()
			return Frame{}, io.EOF
		}
		step := math.Max(1/s.opt.FPS, 1/s.srcFPS)
		s.loopBase += secs(s.lastOff + step)
		s.release()
		if err := s.open(); err != nil {
			s.closed = true
			return Frame{}, fmt.Errorf("loop: %w", err)
		}
	}
}

// sample delivers the next due frame of the current pass.
func (s *videoSource) sample() (Frame, error) {
	t := float64(s.nextK) / s.opt.FPS
	want := int(math.Floor(t*s.srcFPS + 1e-6))
	if want < s.pos-1 || (want == s.pos-1 && !s.hasPend) {
		want = s.pos // that frame was already delivered: take the next one
	}
	var m gocv.Mat
	if s.hasPend && want == 0 {
		m, s.hasPend = s.pending, false
		s.pending = gocv.Mat{}
	} else {
		if s.hasPend {
			s.pending.Close()
			s.hasPend = false
		}
		if skip := want - s.pos; skip > 0 {
			s.cap.Grab(skip)
			s.pos += skip
		}
		var err error
		m, err = readBGR(s.cap)
		if err != nil {
			return Frame{}, err
		}
		s.pos++
	}
	off := math.Max(t, float64(want)/s.srcFPS)
	s.nextK = int(math.Ceil(off*s.opt.FPS + 1 - 1e-6))
	s.lastOff = off
	s.passCount++
	offset := s.loopBase + secs(off)
	f := Frame{Mat: m, Time: s.opt.Start.Add(offset), Offset: offset, Index: s.index, Source: s.path}
	s.index++
	return f, nil
}

func secs(x float64) time.Duration { return time.Duration(math.Round(x * float64(time.Second))) }

// release frees the capture and any pending frame.
func (s *videoSource) release() {
	if s.hasPend {
		s.pending.Close()
		s.hasPend = false
	}
	if s.cap != nil {
		if err := s.cap.Close(); err != nil {
			slog.Warn("closing video", "path", s.path, "err", err)
		}
		s.cap = nil
	}
}

func (s *videoSource) Close() error {
	s.closed = true
	s.release()
	return nil
}
