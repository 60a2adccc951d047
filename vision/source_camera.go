package vision

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"gocv.io/x/gocv"
)

// cameraSource delivers webcam frames paced to opt.FPS. The device is held
// only between OpenCamera and Close.
type cameraSource struct {
	name    string
	opt     SourceOptions
	cap     *gocv.VideoCapture
	opened  time.Time
	pace    pacer
	pending gocv.Mat // first frame, read at open to prove the camera works
	hasPend bool
	index   int
}

// cameraHint is the fix for a camera problem of no more precise kind.
const cameraHint = "check it is plugged in, not used by another program, and that you may use it (permissions: video group)"

// Why a camera gives no picture. The supervisor decides what to tell the
// user (and the command line whether to refuse at start) with errors.Is on
// these, never by reading the text.
var (
	ErrCameraMissing    = errors.New("no such device")                      // unplugged, or not there yet
	ErrNotCamera        = errors.New("not a video device")                  // a path that can never be a camera
	ErrCameraPermission = errors.New("permission denied")                   // not in the video group
	ErrCameraUnopenable = errors.New("OpenCV cannot open it")               // busy, or a node without capture
	ErrNoPicture        = errors.New("it opened but gave no picture")       // opened, first read failed
	ErrCameraLost       = errors.New("reading a frame failed (unplugged?)") // worked, then stopped
)

// OpenCamera opens a webcam: spec is an index ("0", "1") or a device path
// ("/dev/video2"). It reads one frame before returning, so an error here
// means the camera is really unusable.
func OpenCamera(spec string, opt SourceOptions) (Source, error) {
	opt = opt.withDefaults()
	spec = strings.TrimSpace(spec)
	var (
		dev   string // device path checked before OpenCV sees it
		index = -1
	)
	switch {
	case spec == "":
		return nil, errors.New("camera: empty camera name (give an index such as 0, or a device path such as /dev/video0)")
	case strings.HasPrefix(spec, "/"):
		dev = spec
	default:
		n, err := strconv.Atoi(spec)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("camera %q: give an index (0, 1, …) or a device path (/dev/video2)", spec)
		}
		index = n
		if runtime.GOOS == "linux" {
			dev = "/dev/video" + spec
		}
	}
	name := "camera:" + spec
	if dev != "" {
		if err := checkDevice(dev); err != nil {
			return nil, fmt.Errorf("no camera at %s: %w", dev, err)
		}
	}
	where := dev
	if where == "" {
		where = "index " + spec
	}

	var (
		c   *gocv.VideoCapture
		err error
	)
	switch {
	case index >= 0 && runtime.GOOS == "linux":
		c, err = gocv.VideoCaptureDeviceWithAPI(index, gocv.VideoCaptureV4L2)
	case index >= 0:
		c, err = gocv.VideoCaptureDevice(index)
	default:
		c, err = gocv.VideoCaptureFileWithAPI(dev, gocv.VideoCaptureV4L2)
	}
	if err != nil || c == nil || !c.IsOpened() {
		if c != nil {
			c.Close()
		}
		return nil, fmt.Errorf("no camera at %s: %w", where, ErrCameraUnopenable)
	}
	c.Set(gocv.VideoCaptureFrameWidth, float64(opt.Width))
	c.Set(gocv.VideoCaptureFrameHeight, float64(opt.Height))
	c.Set(gocv.VideoCaptureBufferSize, 1)
	// Ask for a low frame rate (the driver picks the nearest it has; UVC
	// webcams offer 5 fps): a few frames a second are all monitoring reads,
	// and a slower stream costs less USB bandwidth and CPU to grab.
	c.Set(gocv.VideoCaptureFPS, max(5, 2*opt.FPS))
	m, err := readBGR(c)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("no camera at %s: %w: %w", where, ErrNoPicture, err)
	}
	now := time.Now()
	slog.Debug("camera opened", "camera", name, "width", m.Cols(), "height", m.Rows())
	return &cameraSource{name: name, opt: opt, cap: c, opened: now, pending: m, hasPend: true,
		pace: pacer{period: time.Duration(float64(time.Second) / opt.FPS)}}, nil
}

// checkDevice makes sure dev exists, is a character device and can be
// opened for reading and writing (as V4L2 needs).
func checkDevice(dev string) error {
	st, err := os.Stat(dev)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w: %w", ErrCameraMissing, err)
		}
		return err
	}
	if st.Mode()&fs.ModeCharDevice == 0 {
		return fmt.Errorf("%w (not a character device)", ErrNotCamera)
	}
	f, err := os.OpenFile(dev, os.O_RDWR, 0)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("%w: %w", ErrCameraPermission, err)
		}
		return err
	}
	return f.Close()
}

func (s *cameraSource) Name() string { return s.name }

// Next waits until the next frame is due (1/FPS after the previous one),
// grabbing and discarding frames meanwhile so the one returned is fresh.
func (s *cameraSource) Next() (Frame, error) {
	if s.cap == nil {
		return Frame{}, io.EOF
	}
	var m gocv.Mat
	if s.hasPend {
		m, s.hasPend = s.pending, false
		s.pending = gocv.Mat{}
	} else {
		s.pace.wait(func() { s.cap.Grab(1) })
		var err error
		m, err = readBGR(s.cap)
		if err != nil {
			return Frame{}, fmt.Errorf("%s: %w: %w", s.name, ErrCameraLost, err)
		}
	}
	now := time.Now()
	s.pace.delivered(now)
	f := Frame{Mat: m, Time: now, Offset: now.Sub(s.opened), Index: s.index, Source: s.name}
	s.index++
	return f, nil
}

// Settle drops the next n frames as the camera sends them (at the rate it
// was asked for, 5 fps: a second for 5), grabbed but never decoded, and
// makes the next Next deliver at once. Paced reads would take n sampling
// periods (2.5 s for 5 at 2 fps) and decode each: the camera would be on
// for most of a 3 s rest cycle.
func (s *cameraSource) Settle(n int) error {
	if s.cap == nil {
		return io.EOF
	}
	if s.hasPend {
		s.pending.Close()
		s.hasPend = false
	}
	if n > 0 {
		s.cap.Grab(n)
	}
	s.pace.due = time.Time{}
	return nil
}

// Close releases the device.
func (s *cameraSource) Close() error {
	if s.hasPend {
		s.pending.Close()
		s.hasPend = false
	}
	if s.cap == nil {
		return nil
	}
	err := s.cap.Close()
	s.cap = nil
	if err != nil {
		return fmt.Errorf("%s: close: %w", s.name, err)
	}
	return nil
}

// pacer spaces deliveries one period apart on the wall clock without
// bursting to catch up after a slow consumer.
type pacer struct {
	period time.Duration
	due    time.Time // zero: deliver at once
}

// wait blocks until the next delivery is due, calling idle meanwhile (the
// camera grabs and discards frames so the one it then reads is fresh). An
// idle that returns at once is backed by short sleeps, never a busy loop.
func (p *pacer) wait(idle func()) {
	for time.Now().Before(p.due) {
		t0 := time.Now()
		if idle != nil {
			idle()
		}
		if time.Since(t0) < 2*time.Millisecond {
			time.Sleep(max(0, min(time.Until(p.due), 10*time.Millisecond)))
		}
	}
}

// delivered records a delivery at now and schedules the next one.
func (p *pacer) delivered(now time.Time) {
	if p.due.IsZero() {
		p.due = now
	}
	p.due = p.due.Add(p.period)
	if p.due.Before(now) {
		p.due = now.Add(p.period)
	}
}
