package posture

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"posturewatch/coach/domain"
)

// Learning where the camera sits. A camera above the eyes shows an upright
// sitter with the head pitched down, the nose low against the eyes and the
// neck short; one below the eyes the opposite (on the development data the
// upright head's pitch runs from −14° to +16° across five people and four
// cameras). From one frame that is indistinguishable from posture. Over a
// session it is not: the camera stays where it is while the posture comes
// and goes, so the sitter's own most upright-looking frames show what
// upright looks like through this camera. Until someone calibrates, the
// judge uses them as a baseline.
//
// Cross-validated by person on the development data (each person judged by
// a fit without them, the learnt baseline from their own unlabelled frames)
// this took desk-three-people from 86.6 % to 98.2 %, and the two people with
// cameras of their own from 79 % and 68 % to 92 % and 86 % (make eval). It
// rests on the
// sitter spending some of the window upright: someone who slumps all the
// time teaches it a slump (frames the defaults call a full-blown slump are
// not learnt from, which keeps the deepest slumps out, unless the camera
// frames the shoulders at the picture's bottom edge: compute).
const (
	// LearnWindow is how many recent frames with someone present the
	// learner keeps: 5 minutes at one frame a second, 25 at one in 5 s.
	LearnWindow = 300
	// LearnMin is how many it needs before it says anything.
	LearnMin = 30
	// LearnShare is the share of the window, the most upright-looking by
	// the default sit-up score, that makes the baseline (0.2–0.4 gave
	// 97–98 % on the desk people; a larger share lets slumps in).
	LearnShare = 0.25
	// learnEvery is how many frames pass between recomputations.
	learnEvery = 10
)

// LearntName is the name of a learnt baseline.
const LearntName = "learnt from this session"

// Learner keeps the sitter's recent frames and makes a baseline of the most
// upright-looking of them. It is safe for concurrent use.
type Learner struct {
	mu     sync.Mutex
	p      Params
	frames []learntFrame // a ring of the last LearnWindow
	next   int
	added  int
	base   *domain.Baseline
}

type learntFrame struct {
	metrics domain.Metrics
	score   float64 // the default sit-up score: lower is more upright
}

// NewLearner makes a learner that ranks frames by p's sit-up score.
func NewLearner(p Params) *Learner { return &Learner{p: p} }

// learnsFrom reports whether the learner takes m into its window: without
// a shoulder the frame says little about sitting.
func learnsFrom(m Measurement) bool {
	_, ok := m.Metrics[domain.MetricNeckEyes]
	return ok
}

// Gathering reports whether m is a frame the learner learns from while it
// still holds fewer than the LearnMin it needs: a verdict on it by the
// defaults is provisional.
func (l *Learner) Gathering(m Measurement) bool {
	return learnsFrom(m) && l.Frames() < LearnMin
}

// Add records a frame in which someone is present and judged.
func (l *Learner) Add(m Measurement) {
	if !learnsFrom(m) {
		return
	}
	f := learntFrame{metrics: m.Metrics, score: l.p.SitUp.Score(m.Metrics)}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.frames) < LearnWindow {
		l.frames = append(l.frames, f)
	} else {
		l.frames[l.next] = f
		l.next = (l.next + 1) % LearnWindow
	}
	l.added++
	if len(l.frames) >= LearnMin && (l.base == nil || l.added%learnEvery == 0) {
		l.base = l.compute()
	}
}

// compute makes the baseline of the most upright-looking share of the
// window, leaving out frames the default judgement calls a full-blown slump
// (severity 1); nil when too few are left. Frames the defaults call merely
// bad stay in: through a camera well above the eyes every upright frame
// looks somewhat bad, and that is what there is to learn. Where those are
// too few for a view in a session that frames the shoulders at the
// picture's bottom edge (framedLow), full-blown ones with the shoulders
// there make up the share: through that framing upright frames look so.
// The cost, on the development data: a session spent wholly in the masked
// person's worst forward head from its first frame (her camera frames every
// shoulder at the edge) teaches that posture, and 12 of its 18 frames are
// caught instead of all (16 with one upright frame in ten, all with one in
// five); the desk people's sessions of slumps alone and every make eval row
// are as before.
func (l *Learner) compute() *domain.Baseline {
	idx := make([]int, len(l.frames))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(l.frames[a].score, l.frames[b].score) })
	n := max(domain.MinCalibrationFrames, int(LearnShare*float64(len(idx))))
	var obs []domain.Observation
	var scores []float64
	take := func(f learntFrame) {
		obs = append(obs, domain.Observation{Posture: domain.PostureGood, Confidence: 1, Metrics: f.metrics})
		scores = append(scores, f.score)
	}
	top := idx[:min(n, len(idx))]
	k := 0 // top[k:] are full-blown (sorted: each looks worse than the one before)
	for ; k < len(top) && l.p.SitUpRamp.Sev(l.frames[top[k]].score) < 1; k++ {
		take(l.frames[top[k]])
	}
	if k < domain.MinCalibrationFrames && l.framedLow() {
		for _, i := range top[k:] {
			if shouldersAtBottom(l.frames[i].metrics) {
				take(l.frames[i])
			}
		}
	}
	b, err := domain.ComputeBaseline(LearntName, obs, 0, time.Time{})
	if err != nil {
		return nil // too few upright-looking frames yet
	}
	b.Learnt, b.LearntScore = true, domain.Median(scores)
	return b
}

// Baseline is the learnt baseline, nil until enough frames came.
func (l *Learner) Baseline() *domain.Baseline {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.base
}

// Frames is how many frames the learner holds.
func (l *Learner) Frames() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.frames)
}

// Reset forgets everything: another camera, or another place for it.
func (l *Learner) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.frames, l.next, l.added, l.base = nil, 0, 0, nil
}

// framedLow reports whether the window's frames show the shoulders at the
// picture's bottom edge (the median shoulder line lower than
// domain.ShouldersLowInPicture): a camera framing the sitter so tight, as
// webcams often do, that the body model places the shoulders on what shows
// of them at the edge, a neck's length higher than they are. Every frame
// then reads as a head forward at full severity, upright or not; the
// framing check asks for more of the shoulders, and until the sitter gives
// it what there is to learn is that framing.
func (l *Learner) framedLow() bool {
	var hs []float64
	for _, f := range l.frames {
		if h, ok := f.metrics[domain.MetricShoulderHeight]; ok {
			hs = append(hs, h)
		}
	}
	return len(hs) > 0 && domain.Median(hs) > domain.ShouldersLowInPicture
}

// shouldersAtBottom reports whether a frame's shoulder line is at the
// picture's bottom edge.
func shouldersAtBottom(M domain.Metrics) bool {
	h, ok := M[domain.MetricShoulderHeight]
	return ok && h > domain.ShouldersLowInPicture
}
