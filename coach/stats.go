package coach

import (
	"maps"
	"posturewatch/coach/domain"
	"sort"
	"time"
)

const (
	keepDays       = 31
	keepHours      = 7 * 24
	keepMinutes    = 24 * 60 // pending minutes kept when nobody takes them
	maxStatsStepDt = 5 * time.Second
)

// stats accumulates the buckets.
type stats struct {
	days    map[time.Time]*domain.Bucket
	hours   map[time.Time]*domain.Bucket
	minute  *domain.Bucket
	pending []domain.Bucket
}

func newStats() *stats {
	return &stats{days: map[time.Time]*domain.Bucket{}, hours: map[time.Time]*domain.Bucket{}}
}

func dayStart(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

func (s *stats) buckets(t time.Time) []*domain.Bucket {
	ms := t.Truncate(time.Minute)
	if s.minute == nil || !s.minute.Start.Equal(ms) {
		if s.minute != nil && s.minute.Start.Before(ms) {
			s.pending = append(s.pending, *s.minute)
			if len(s.pending) > keepMinutes {
				s.pending = s.pending[len(s.pending)-keepMinutes:]
			}
		}
		if s.minute == nil || s.minute.Start.Before(ms) {
			s.minute = &domain.Bucket{Start: ms}
		}
	}
	ds := dayStart(t)
	d := s.days[ds]
	if d == nil {
		d = &domain.Bucket{Start: ds}
		s.days[ds] = d
		prune(s.days, keepDays)
	}
	hs := time.Date(ds.Year(), ds.Month(), ds.Day(), t.Hour(), 0, 0, 0, t.Location())
	h := s.hours[hs]
	if h == nil {
		h = &domain.Bucket{Start: hs}
		s.hours[hs] = h
		prune(s.hours, keepHours)
	}
	return []*domain.Bucket{s.minute, h, d}
}

func prune(m map[time.Time]*domain.Bucket, keep int) {
	if len(m) <= keep {
		return
	}
	keys := make([]time.Time, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].Before(keys[j]) })
	for _, k := range keys[:len(keys)-keep] {
		delete(m, k)
	}
}

// addTime attributes dt (starting at t) to the buckets.
func (s *stats) addTime(t time.Time, dt time.Duration, present, good bool, faults []domain.FaultName, streak time.Duration) {
	if dt <= 0 {
		return
	}
	sec := dt.Seconds()
	for _, b := range s.buckets(t) {
		if present {
			b.PresentS += sec
		}
		if good {
			b.GoodS += sec
		}
		for _, f := range faults {
			if b.FaultS == nil {
				b.FaultS = map[domain.FaultName]float64{}
			}
			b.FaultS[f] += sec
		}
		if streak.Seconds() > b.LongestGoodS {
			b.LongestGoodS = streak.Seconds()
		}
	}
}

func (s *stats) count(t time.Time, fn func(b *domain.Bucket)) {
	for _, b := range s.buckets(t) {
		fn(b)
	}
}

func (s *stats) goodToday(now time.Time) time.Duration {
	if d := s.days[dayStart(now)]; d != nil {
		return time.Duration(d.GoodS * float64(time.Second))
	}
	return 0
}

// Today returns the day bucket of now (zero totals when nothing was counted
// that day), without copying the whole snapshot as Stats does.
func (c *Coach) Today(now time.Time) domain.Bucket {
	if d := c.stats.days[dayStart(now)]; d != nil {
		return copyBucket(*d)
	}
	return domain.Bucket{Start: dayStart(now)}
}

func copyBucket(b domain.Bucket) domain.Bucket {
	b.FaultS = maps.Clone(b.FaultS)
	return b
}

func (s *stats) snapshot() domain.StatsSnapshot {
	var out domain.StatsSnapshot
	for _, b := range s.days {
		out.Days = append(out.Days, copyBucket(*b))
	}
	for _, b := range s.hours {
		out.Hours = append(out.Hours, copyBucket(*b))
	}
	sort.Slice(out.Days, func(i, j int) bool { return out.Days[i].Start.Before(out.Days[j].Start) })
	sort.Slice(out.Hours, func(i, j int) bool { return out.Hours[i].Start.Before(out.Hours[j].Start) })
	return out
}

// Stats returns the per-day and per-hour aggregates kept in memory (the last
// 31 days and 7 days of hours).
func (c *Coach) Stats() domain.StatsSnapshot { return c.stats.snapshot() }

// TakeMinutes returns the minute buckets finished since the last call
// (oldest first) and forgets them. A minute is finished once an observation
// or command of a later minute has been seen. At most a day of minutes is
// kept when nobody takes them.
func (c *Coach) TakeMinutes() []domain.MinuteAggregate {
	out := c.stats.pending
	c.stats.pending = nil
	return out
}

// CurrentMinute returns the unfinished minute bucket (zero Start if none), so
// a store can save it on shutdown.
func (c *Coach) CurrentMinute() domain.MinuteAggregate {
	if c.stats.minute == nil {
		return domain.MinuteAggregate{}
	}
	return copyBucket(*c.stats.minute)
}
