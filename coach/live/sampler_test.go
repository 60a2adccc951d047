package live

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"posturewatch/coach/domain"
)

// Adaptive sampling: fast while things change, slower when steady, slow
// when away, fast again for calibration and counting.
func TestSamplerIntervals(t *testing.T) {
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	var p sampler
	good := domain.Observation{Posture: domain.PostureGood}
	away := domain.Observation{Posture: domain.PostureAway}
	st := domain.Status{State: domain.StateGood}
	onset := domain.Status{State: domain.StateGood, Faults: []domain.FaultStatus{{Name: domain.ForwardHead, Active: true}}}
	slouching := domain.Status{State: domain.StateSlouching, Fault: domain.ForwardHead, Faults: []domain.FaultStatus{{Name: domain.ForwardHead, Active: true, Confirmed: true}}}
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	steps := []struct {
		name string
		obs  domain.Observation
		st   domain.Status
		busy bool
		t    float64
		want time.Duration
	}{
		{"start", good, st, false, 0, SampleFast},
		{"steady 7 s", good, st, false, 7, SampleSteady},
		{"steady 2 min", good, st, false, 120, SampleVerySteady},
		{"calibrating or counting", good, st, true, 121, SampleFast},
		{"a fault becomes active", good, onset, false, 122, SampleFast},
		{"onset going on, steady", good, onset, false, 130, SampleSteady},
		{"confirmed slouching", good, slouching, false, 142, SampleFast},
		{"slouching steady", good, slouching, false, 150, SampleSteady},
		{"just left", away, domain.Status{State: domain.StateAway}, false, 200, SampleFast},
		{"away 6 s", away, domain.Status{State: domain.StateAway}, false, 206, SampleAway},
		{"away a minute", away, domain.Status{State: domain.StateAway}, false, 261, SampleAwayLong},
		{"back", good, st, false, 262, SampleFast},
	}
	for _, s := range steps {
		if d := p.interval(s.obs, s.st, s.busy, at(s.t)); d != s.want {
			t.Errorf("%s (t=%g s): interval %v, want %v", s.name, s.t, d, s.want)
		}
	}
}

// While vision learns how the camera sees the sitter (frames judged by the
// defaults), the service samples fast, for at most learnFastFrames frames;
// once the frames are judged against the learnt view, at the usual rate.
func TestSamplesFastWhileLearningTheView(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := startFixture(t, nil)
		defer f.shutdown()
		byDefaults := func() domain.Observation { o := good(); o.Against = domain.AgainstDefaults; return o }
		f.feed(10*time.Second, time.Second, byDefaults)
		synctest.Wait()
		if d := f.cam.lastInterval(); d != SampleFast {
			t.Errorf("interval %v while learning, want %v", d, SampleFast)
		}
		f.feed(time.Duration(learnFastFrames)*time.Second, time.Second, byDefaults)
		synctest.Wait()
		if d := f.cam.lastInterval(); d == SampleFast {
			t.Errorf("still fast after %d frames judged by the defaults: a framing that never shows a shoulder would keep the camera busy", learnFastFrames+10)
		}
		learnt := func() domain.Observation { o := good(); o.Against = domain.AgainstLearnt; return o }
		f.feed(10*time.Second, time.Second, learnt)
		synctest.Wait()
		if d := f.cam.lastInterval(); d == SampleFast {
			t.Errorf("fast although the view is learnt")
		}
		// Frames judged by the defaults beside it, no view forgotten (a
		// frame that shows a shoulder where the view is of the face
		// alone): the usual rate, and the dashboard still says the view.
		i := 0
		mixed := func() domain.Observation {
			i++
			if i%3 == 0 {
				return byDefaults()
			}
			return learnt()
		}
		f.feed(30*time.Second, time.Second, mixed)
		synctest.Wait()
		if d := f.cam.lastInterval(); d == SampleFast {
			t.Errorf("fast again on frames judged by the defaults beside the learnt view: a framing that shows a shoulder now and then would keep the camera busy")
		}
		if m := f.svc.Status().Message; !strings.Contains(m, "how you sat best") {
			t.Errorf("status %q: the view learnt is still there", m)
		}
		// Vision forgot the view (another camera, a long absence): fast
		// again while it learns afresh.
		forgotten := true
		f.feed(3*time.Second, time.Second, func() domain.Observation {
			o := byDefaults()
			o.ViewForgotten, forgotten = forgotten, false
			return o
		})
		synctest.Wait()
		if d := f.cam.lastInterval(); d != SampleFast {
			t.Errorf("interval %v while learning afresh, want %v", d, SampleFast)
		}
	})
}
