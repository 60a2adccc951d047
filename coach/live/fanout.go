package live

import "posturewatch/coach/domain"

// Fanout publishes to several publishers in turn, in its order: put the
// dashboard first, so a nudge reaches the browser before anything else
// sees it. It adds no goroutine and no queue, so each publisher must keep
// the Publisher promise itself (not block): the metrics only count, the
// webhook only enqueues.
type Fanout []Publisher

var _ Publisher = Fanout(nil)

func (f Fanout) PublishEvent(e domain.Event) {
	for _, p := range f {
		p.PublishEvent(e)
	}
}

func (f Fanout) PublishStatus(st domain.LiveStatus) {
	for _, p := range f {
		p.PublishStatus(st)
	}
}

func (f Fanout) PublishStats(st domain.StatsSnapshot) {
	for _, p := range f {
		p.PublishStats(st)
	}
}

func (f Fanout) PublishSample(smp domain.Sample) {
	for _, p := range f {
		p.PublishSample(smp)
	}
}

func (f Fanout) PublishReps(r domain.RepCount) {
	for _, p := range f {
		p.PublishReps(r)
	}
}

func (f Fanout) PublishPreview(pv domain.Preview) {
	for _, p := range f {
		p.PublishPreview(pv)
	}
}
