package live

import (
	"context"
	"time"

	"posturewatch/coach/domain"
)

// The service talks to the world through these small interfaces, so it can
// be built and tested without OpenCV, a camera, a disk or a browser. The
// program wires the real ones: vision.Eye, the webui server, the history
// database, the profile store and the settings file.

// Camera is the frame side: analysed frames, at the pace the service asks
// for. Its methods are called from the service's goroutine, except
// SetPreview (from the dashboard's hub).
type Camera interface {
	// Sightings delivers analysed frames.
	Sightings() <-chan domain.Sighting
	// Changes receives a value when the camera's status changed (coalesced).
	Changes() <-chan struct{}
	// Status is the source's state, where and why.
	Status() domain.CameraStatus
	// SetInterval asks for the next frame this long after the last one.
	SetInterval(d time.Duration)
	// Release closes the camera (pause); the channel closes once it is closed.
	Release() <-chan struct{}
	// Resume opens the camera again after Release.
	Resume()
	// Now is the service clock: the camera's, which runs faster than the
	// wall clock when a demo video plays sped up.
	Now() time.Time
	// Speed is how much faster than the wall clock Now runs (1 for a camera).
	Speed() float64
	// SetBaseline makes later frames be judged against b (nil: the defaults).
	SetBaseline(b *domain.Baseline)
	// SetPreview turns preview pictures on or off. It must not block.
	SetPreview(on bool)
	// Cameras lists the cameras that can be chosen and the one in use.
	Cameras() (domain.Cameras, error)
	// UseCamera switches to the camera spec names ("" the first one) and
	// returns its device node: EINVALID when it can never be a camera,
	// ECONFLICT when the source cannot switch (a video file).
	UseCamera(spec string) (string, error)
}

// Publisher sends what the service decides to the dashboards. Its methods
// must not block for long: a nudge has to reach the browser within 100 ms.
type Publisher interface {
	PublishEvent(e domain.Event)
	PublishStatus(st domain.LiveStatus)
	PublishStats(st domain.StatsSnapshot)
	PublishSample(smp domain.Sample)
	PublishReps(r domain.RepCount)
	PublishPreview(p domain.Preview)
}

// History keeps finished minutes and events, and sums them for the
// dashboard's charts.
type History interface {
	AddEvents(evs ...domain.Event) error
	AddMinutes(ms ...domain.MinuteAggregate) error
	Minutes(ctx context.Context, from, to time.Time) ([]domain.MinuteAggregate, error)
	Range(ctx context.Context, from, to time.Time, by domain.Period, loc *time.Location) ([]domain.Bucket, error)
}

// Notifier shows events worth it (nudges, suggestions, break reminders) as
// desktop notifications while enabled. NotifyEvent must not block.
type Notifier interface {
	NotifyEvent(e domain.Event)
	SetEnabled(on bool)
}

// Profiles keeps the named calibration baselines and which one is active.
type Profiles interface {
	List() ([]domain.ProfileInfo, error)
	Load(name string) (*domain.Baseline, error)
	Save(b *domain.Baseline) error
	SetActive(name string) error
	Delete(name string) error
}

// Settings keeps the coach settings.
type Settings interface {
	SaveConfig(cfg domain.Config) error
}

// nobody is the Publisher before a dashboard is attached.
type nobody struct{}

func (nobody) PublishEvent(domain.Event)         {}
func (nobody) PublishStatus(domain.LiveStatus)   {}
func (nobody) PublishStats(domain.StatsSnapshot) {}
func (nobody) PublishSample(domain.Sample)       {}
func (nobody) PublishReps(domain.RepCount)       {}
func (nobody) PublishPreview(domain.Preview)     {}

// noHistory is the History when none is kept.
type noHistory struct{}

func (noHistory) AddEvents(...domain.Event) error            { return nil }
func (noHistory) AddMinutes(...domain.MinuteAggregate) error { return nil }
func (noHistory) Minutes(context.Context, time.Time, time.Time) ([]domain.MinuteAggregate, error) {
	return nil, nil
}
func (noHistory) Range(context.Context, time.Time, time.Time, domain.Period, *time.Location) ([]domain.Bucket, error) {
	return nil, domain.Errorf(domain.EUNAVAILABLE, "no history is kept in this run")
}
