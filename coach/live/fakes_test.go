package live

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"posturewatch/coach/domain"
)

// fakeCamera is the camera side as the service sees it: the test hands it
// sightings and reads back what the service asked of it.
type fakeCamera struct {
	sightings chan domain.Sighting
	changes   chan struct{}

	mu        sync.Mutex
	state     domain.CameraState
	intervals []time.Duration
	releases  int
	resumes   int
	baseline  *domain.Baseline
	baselines int
	preview   bool
	camera    string  // the device in use; "" plays a file
	speed     float64 // how much faster than real time it plays (0: 1)
	switches  []string
}

func newFakeCamera() *fakeCamera {
	return &fakeCamera{sightings: make(chan domain.Sighting), changes: make(chan struct{}, 1), state: domain.CameraOK, camera: "/dev/video0"}
}

func (c *fakeCamera) Sightings() <-chan domain.Sighting { return c.sightings }
func (c *fakeCamera) Changes() <-chan struct{}          { return c.changes }
func (c *fakeCamera) Status() domain.CameraStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := domain.CameraStatus{State: c.state, Source: "fake camera"}
	if c.state == domain.CameraRetrying {
		st.Error, st.Hint = "the device is busy", "close the video call"
	}
	return st
}
func (c *fakeCamera) setState(s domain.CameraState) {
	c.mu.Lock()
	c.state = s
	c.mu.Unlock()
	select {
	case c.changes <- struct{}{}:
	default:
	}
}
func (c *fakeCamera) SetInterval(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.intervals = append(c.intervals, d)
}
func (c *fakeCamera) lastInterval() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.intervals) == 0 {
		return 0
	}
	return c.intervals[len(c.intervals)-1]
}
func (c *fakeCamera) Release() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.releases++
	c.state = domain.CameraReleased
	ch := make(chan struct{})
	close(ch)
	return ch
}
func (c *fakeCamera) Resume() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.resumes++
	c.state = domain.CameraOK
}
func (c *fakeCamera) Now() time.Time { return time.Now() }

// Cameras offers /dev/video0 and /dev/video2.
func (c *fakeCamera) Cameras() (domain.Cameras, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return domain.Cameras{InUse: c.camera, Devices: []domain.CameraDevice{
		{Path: "/dev/video0", Index: 0, Name: "Integrated Camera"},
		{Path: "/dev/video2", Index: 2, Name: "USB Webcam"},
	}}, nil
}

// UseCamera accepts indexes and /dev/video paths, as the real one resolves
// them, and refuses anything else.
func (c *fakeCamera) UseCamera(spec string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.camera == "" {
		return "", domain.Errorf(domain.ECONFLICT, "a video file plays instead of a camera")
	}
	dev := spec
	switch {
	case spec == "":
		dev = "/dev/video0"
	case spec == "0" || spec == "2":
		dev = "/dev/video" + spec
	case !strings.HasPrefix(spec, "/dev/video"):
		return "", domain.Errorf(domain.EINVALID, "camera %q: no camera has that name", spec)
	}
	c.camera = dev
	c.switches = append(c.switches, dev)
	return dev, nil
}
func (c *fakeCamera) Speed() float64 {
	if c.speed == 0 {
		return 1
	}
	return c.speed
}
func (c *fakeCamera) SetPreview(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.preview = on
}
func (c *fakeCamera) SetBaseline(b *domain.Baseline) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.baseline = b
	c.baselines++
}
func (c *fakeCamera) currentBaseline() *domain.Baseline {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.baseline
}

// recorder is a dashboard that keeps everything published to it.
type recorder struct {
	mu       sync.Mutex
	events   []domain.Event
	statuses []domain.LiveStatus
	samples  []domain.Sample
	reps     []domain.RepCount
	previews int
	stats    int
}

func (r *recorder) PublishEvent(e domain.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}
func (r *recorder) PublishStatus(st domain.LiveStatus) {
	r.mu.Lock()
	r.statuses = append(r.statuses, st)
	r.mu.Unlock()
}
func (r *recorder) PublishStats(domain.StatsSnapshot) { r.mu.Lock(); r.stats++; r.mu.Unlock() }
func (r *recorder) PublishSample(s domain.Sample) {
	r.mu.Lock()
	r.samples = append(r.samples, s)
	r.mu.Unlock()
}
func (r *recorder) PublishReps(c domain.RepCount) {
	r.mu.Lock()
	r.reps = append(r.reps, c)
	r.mu.Unlock()
}
func (r *recorder) PublishPreview(domain.Preview) { r.mu.Lock(); r.previews++; r.mu.Unlock() }

func (r *recorder) ofType(typ domain.EventType) []domain.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []domain.Event
	for _, e := range r.events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func (r *recorder) lastStatus() domain.LiveStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.statuses) == 0 {
		return domain.LiveStatus{}
	}
	return r.statuses[len(r.statuses)-1]
}

// fakeHistory keeps minutes and events in memory; fail makes writes fail.
type fakeHistory struct {
	mu      sync.Mutex
	minutes []domain.MinuteAggregate
	events  []domain.Event
	fail    error
}

func (h *fakeHistory) AddEvents(evs ...domain.Event) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fail != nil {
		return h.fail
	}
	h.events = append(h.events, evs...)
	return nil
}
func (h *fakeHistory) AddMinutes(ms ...domain.MinuteAggregate) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fail != nil {
		return h.fail
	}
	h.minutes = append(h.minutes, ms...)
	return nil
}
func (h *fakeHistory) Minutes(_ context.Context, from, to time.Time) ([]domain.MinuteAggregate, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []domain.MinuteAggregate
	for _, m := range h.minutes {
		if !m.Start.Before(from) && m.Start.Before(to) {
			out = append(out, m)
		}
	}
	return out, nil
}

// fakeProfiles keeps baselines in memory; failSave makes Save fail.
type fakeProfiles struct {
	mu       sync.Mutex
	byName   map[string]domain.Baseline
	active   string
	failSave error
}

func newFakeProfiles() *fakeProfiles { return &fakeProfiles{byName: map[string]domain.Baseline{}} }

func (p *fakeProfiles) List() ([]domain.ProfileInfo, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []domain.ProfileInfo
	for n, b := range p.byName {
		out = append(out, domain.ProfileInfo{Name: n, Frames: b.Frames, Active: n == p.active})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
func (p *fakeProfiles) Load(name string) (*domain.Baseline, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b, ok := p.byName[name]
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "no profile %q", name)
	}
	return &b, nil
}
func (p *fakeProfiles) Save(b *domain.Baseline) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failSave != nil {
		return p.failSave
	}
	p.byName[b.Name] = *b
	return nil
}
func (p *fakeProfiles) SetActive(name string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.active = name
	return nil
}
func (p *fakeProfiles) Delete(name string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.byName[name]; !ok {
		return domain.Errorf(domain.ENOTFOUND, "no profile %q", name)
	}
	delete(p.byName, name)
	if p.active == name {
		p.active = ""
	}
	return nil
}

// fakeSettings keeps the last saved settings; fail makes saving fail.
type fakeSettings struct {
	mu    sync.Mutex
	saved []domain.Config
	fail  error
}

func (s *fakeSettings) SaveConfig(cfg domain.Config) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	s.saved = append(s.saved, cfg)
	return nil
}

var errDiskFull = errors.New("no space left on device")

// fixture is a running service over fakes, inside a synctest bubble.
type fixture struct {
	t        *testing.T
	cam      *fakeCamera
	pub      *recorder
	hist     *fakeHistory
	profiles *fakeProfiles
	settings *fakeSettings
	svc      *Service
	stop     context.CancelFunc
	done     chan struct{}
}

func startFixture(t *testing.T, edit func(*Options)) *fixture {
	t.Helper()
	f := &fixture{t: t, cam: newFakeCamera(), pub: &recorder{}, hist: &fakeHistory{},
		profiles: newFakeProfiles(), settings: &fakeSettings{}, done: make(chan struct{})}
	o := Options{Camera: f.cam, Profiles: f.profiles, Settings: f.settings, History: f.hist,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if edit != nil {
		edit(&o)
	}
	svc, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	svc.Attach(f.pub)
	f.svc = svc
	ctx, cancel := context.WithCancel(context.Background())
	f.stop = cancel
	go func() { svc.Run(ctx); close(f.done) }()
	return f
}

// shutdown stops the service and waits for it.
func (f *fixture) shutdown() {
	f.stop()
	<-f.done
}

// feed hands the service one sighting every step for d, each made by obs.
func (f *fixture) feed(d, step time.Duration, obs func() domain.Observation) {
	for end := time.Now().Add(d); time.Now().Before(end); {
		time.Sleep(step)
		o := obs()
		o.Time = time.Now()
		f.cam.sightings <- domain.Sighting{Observation: o}
	}
}

func good() domain.Observation {
	return domain.Observation{Posture: domain.PostureGood, Confidence: 0.9,
		Metrics: domain.Metrics{domain.MetricNeckShoulders: 0.5, domain.MetricFaceFrame: 0.1}}
}

func forwardHead() domain.Observation {
	return domain.Observation{Posture: domain.PostureBad, Confidence: 0.9,
		Faults:  []domain.Fault{{Name: domain.ForwardHead, Severity: 0.8}},
		Metrics: domain.Metrics{domain.MetricNeckShoulders: 0.3, domain.MetricFaceFrame: 0.12}}
}

func away() domain.Observation { return domain.Observation{Posture: domain.PostureAway} }

// Range sums the kept minutes by day (enough for the service's pass-through).
func (h *fakeHistory) Range(ctx context.Context, from, to time.Time, by domain.Period, loc *time.Location) ([]domain.Bucket, error) {
	ms, err := h.Minutes(ctx, from, to)
	if err != nil {
		return nil, err
	}
	b := domain.Bucket{Start: from}
	for _, m := range ms {
		b.PresentS += m.PresentS
		b.GoodS += m.GoodS
	}
	return []domain.Bucket{b}, nil
}

// fakeNotifier records what would have been shown on the desktop.
type fakeNotifier struct {
	mu      sync.Mutex
	enabled bool
	shown   []domain.Event
}

func (n *fakeNotifier) NotifyEvent(e domain.Event) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.enabled && e.Type == domain.EventNudge {
		n.shown = append(n.shown, e)
	}
}
func (n *fakeNotifier) SetEnabled(on bool) { n.mu.Lock(); n.enabled = on; n.mu.Unlock() }
