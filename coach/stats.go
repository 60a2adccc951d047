package coach

import (
	"maps"
	"sort"
	"time"
)

// Bucket is the aggregate of one period (a minute, an hour or a day). Times
// are in seconds.
type Bucket struct {
	Start           time.Time             `json:"start"`
	PresentS        float64               `json:"present_s"`
	GoodS           float64               `json:"good_s"`
	FaultS          map[FaultName]float64 `json:"fault_s,omitempty"` // time counted as slouching, per fault
	Nudges          int                   `json:"nudges"`
	BreaksSuggested int                   `json:"breaks_suggested"` // stretch suggestions and sitting reminders
	BreaksDone      int                   `json:"breaks_done"`      // routines reported done
	LongestGoodS    float64               `json:"longest_good_s"`   // longest good streak reaching into this period
}

// MinuteAggregate is one finished minute, for the history store.
type MinuteAggregate = Bucket

// StatsSnapshot is the recent history kept in memory, oldest first.
type StatsSnapshot struct {
	Days  []Bucket `json:"days"`
	Hours []Bucket `json:"hours"`
}

const (
	keepDays       = 31
	keepHours      = 7 * 24
	keepMinutes    = 24 * 60 // pending minutes kept when nobody takes them
	maxStatsStepDt = 5 * time.Second
)

// stats accumulates the buckets.
type stats struct {
	days    map[time.Time]*Bucket
	hours   map[time.Time]*Bucket
	minute  *Bucket
	pending []Bucket
}

func newStats() *stats {
	return &stats{days: map[time.Time]*Bucket{}, hours: map[time.Time]*Bucket{}}
}

func dayStart(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

func (s *stats) buckets(t time.Time) []*Bucket {
	ms := t.Truncate(time.Minute)
	if s.minute == nil || !s.minute.Start.Equal(ms) {
		if s.minute != nil && s.minute.Start.Before(ms) {
			s.pending = append(s.pending, *s.minute)
			if len(s.pending) > keepMinutes {
				s.pending = s.pending[len(s.pending)-keepMinutes:]
			}
		}
		if s.minute == nil || s.minute.Start.Before(ms) {
			s.minute = &Bucket{Start: ms}
		}
	}
	ds := dayStart(t)
	d := s.days[ds]
	if d == nil {
		d = &Bucket{Start: ds}
		s.days[ds] = d
		prune(s.days, keepDays)
	}
	hs := time.Date(ds.Year(), ds.Month(), ds.Day(), t.Hour(), 0, 0, 0, t.Location())
	h := s.hours[hs]
	if h == nil {
		h = &Bucket{Start: hs}
		s.hours[hs] = h
		prune(s.hours, keepHours)
	}
	return []*Bucket{s.minute, h, d}
}

func prune(m map[time.Time]*Bucket, keep int) {
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
func (s *stats) addTime(t time.Time, dt time.Duration, present, good bool, faults []FaultName, streak time.Duration) {
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
				b.FaultS = map[FaultName]float64{}
			}
			b.FaultS[f] += sec
		}
		if streak.Seconds() > b.LongestGoodS {
			b.LongestGoodS = streak.Seconds()
		}
	}
}

func (s *stats) count(t time.Time, fn func(b *Bucket)) {
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

func copyBucket(b Bucket) Bucket {
	b.FaultS = maps.Clone(b.FaultS)
	return b
}

func (s *stats) snapshot() StatsSnapshot {
	var out StatsSnapshot
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
func (c *Coach) Stats() StatsSnapshot { return c.stats.snapshot() }

// TakeMinutes returns the minute buckets finished since the last call
// (oldest first) and forgets them. A minute is finished once an observation
// or command of a later minute has been seen. At most a day of minutes is
// kept when nobody takes them.
func (c *Coach) TakeMinutes() []MinuteAggregate {
	out := c.stats.pending
	c.stats.pending = nil
	return out
}

// CurrentMinute returns the unfinished minute bucket (zero Start if none), so
// a store can save it on shutdown.
func (c *Coach) CurrentMinute() MinuteAggregate {
	if c.stats.minute == nil {
		return MinuteAggregate{}
	}
	return copyBucket(*c.stats.minute)
}
