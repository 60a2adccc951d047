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
	frames recent[learntFrame]
	base   *domain.Baseline
	// shown says of the recent frames with someone present whether a
	// shoulder was in view: the learner waits longer where they seldom are.
	shown recent[bool]
	// faces are the recent frames that show the face and no shoulder, of
	// which faceView is made (FaceView).
	faces    recent[domain.Metrics]
	faceView *domain.Baseline
}

// recent keeps the last LearnWindow values added: vs in the order of a
// ring whose oldest is at next once it is full; added counts them all.
type recent[T any] struct {
	vs    []T
	next  int
	added int
}

func (r *recent[T]) add(v T) {
	r.added++
	if len(r.vs) < LearnWindow {
		r.vs = append(r.vs, v)
		return
	}
	r.vs[r.next] = v
	r.next = (r.next + 1) % LearnWindow
}

// viewDue reports whether a view is to be made of the values now: there are
// LearnMin of them and no view yet, or learnEvery more came since the last.
func (r *recent[T]) viewDue(have bool) bool {
	return len(r.vs) >= LearnMin && (!have || r.added%learnEvery == 0)
}

type learntFrame struct {
	metrics domain.Metrics
	score   float64 // the default sit-up score: lower is more upright
	line    float64 // Measurement.ShoulderLine
	// slumped: judged a sit-up fault against the view it came to
	// (slumpedAgainst); such frames make no view while enough others do.
	slumped bool
}

// NewLearner makes a learner that ranks frames by p's sit-up score.
func NewLearner(p Params) *Learner { return &Learner{p: p} }

// learnsFrom reports whether the learner takes m into its window: without
// a shoulder the frame says little about sitting.
func learnsFrom(m Measurement) bool { return m.NeckMeasured() }

// Gathering reports whether m is a frame the learner learns from while it
// still gathers what it needs: a verdict on it by the defaults is
// provisional. That is until it holds LearnMin frames, and, while no view
// has come of them, for as long as the shoulders show in fewer than half
// of the recent frames with the sitter present (up to a window's worth).
// Once it holds enough and learnt nothing (every frame looked like a
// full-blown slump), the defaults' verdicts stand: someone who slumps from
// the first frame is told so. But a camera that frames the shoulders at
// the picture's bottom edge shows them now and then, and the body model
// then places them on what little shows, the hair or the collar, up to a
// neck's length too high: every frame that shows them reads as a head
// forward at full severity, and 30 of them came before one frame read
// otherwise. The masked person's upright grades seen 1.3 times as near,
// each held ten seconds, showed a shoulder in a third of the frames of the
// first two minutes, every one placed 1.6–1.9 eye widths under the eyes
// (2.3–2.5 where they sit); the learner gave up after 30 of them, and the
// coach nudged a head forward at 121.5 s (cmd/posturewatch's
// TestReplayNoNudgeSittingNearer).
// Frames that seldom show the shoulders are judged on the face; those that
// do wait for the view (the coach's ProvisionalHold bounds a run of them).
func (l *Learner) Gathering(m Measurement) bool {
	if !learnsFrom(m) {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.frames.vs)
	if n < LearnMin {
		return true
	}
	if l.base != nil || n >= LearnWindow {
		return false
	}
	in := 0
	for _, s := range l.shown.vs {
		if s {
			in++
		}
	}
	return 2*in < len(l.shown.vs)
}

// Add records a frame in which someone is present and judged.
func (l *Learner) Add(m Measurement) {
	learns := learnsFrom(m)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.shown.add(learns)
	if !learns {
		l.addFace(m)
		return
	}
	f := learntFrame{metrics: m.Metrics, score: l.p.SitUp.Score(m.Metrics), line: m.ShoulderLine}
	if l.base != nil {
		f.slumped = slumpedAgainst(m, l.base, l.p)
	}
	l.frames.add(f)
	if l.frames.viewDue(l.base != nil) {
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
// shoulder at the edge) teaches that posture, and 10 of its 18 frames are
// caught instead of all (13 with one upright frame in ten, all with one in
// five; 12 and 16 before viewBiasSev); the desk people's sessions of
// slumps alone and every make eval row were as before.
func (l *Learner) compute() *domain.Baseline {
	idx := ranked(len(l.frames.vs), func(i int) float64 { return l.frames.vs[i].score })
	if free := l.notSlumped(idx); len(free) >= domain.MinCalibrationFrames {
		idx = free
	}
	n := viewShare(len(l.frames.vs))
	var obs []domain.Observation
	var scores []float64
	take := func(f learntFrame) {
		obs = append(obs, domain.Observation{Posture: domain.PostureGood, Confidence: 1, Metrics: f.metrics})
		scores = append(scores, f.score)
	}
	top := idx[:min(n, len(idx))]
	k := 0 // top[k:] are full-blown (sorted: each looks worse than the one before)
	for ; k < len(top) && l.p.SitUpRamp.Sev(l.frames.vs[top[k]].score) < 1; k++ {
		take(l.frames.vs[top[k]])
	}
	if k < domain.MinCalibrationFrames && l.framedLow() {
		for _, i := range top[k:] {
			if l.frames.vs[i].line > viewLowInPicture {
				take(l.frames.vs[i])
			}
		}
	}
	b, err := domain.ComputeBaseline(LearntName, obs, 0, time.Time{})
	if err != nil {
		return nil // too few upright-looking frames yet
	}
	b.Learnt, b.LearntScore = true, domain.Median(scores)
	b.LearntKind, b.LearntKindScore = l.kindView(idx, obs)
	return b
}

// A slump held long should not teach the view. The view is the most
// upright-looking quarter of the window by the default score, and a
// sitter's slump can look more upright by it than their sitting well:
// slouch-or-not sunk in his chair in his high sitting keeps the neck the
// body model reads while his eyes drop 1.3 eye widths. Played as sessions
// (two minutes upright, then five slumped, two frames a second), the view
// came to be made of slumped frames 60–90 s into the slump, and from then
// on most of them were judged good; in live use, at a frame every 5 s
// while the posture holds, that is 10–15 minutes into a slump, about when
// the coach's third nudge would bring a stretch break. So frames the view
// in force judges a sit-up fault (slumpedAgainst) make no view while the
// window holds a calibration's worth of others, and a slump judged so is
// judged against the upright view until it fills the window (300 frames:
// 2.5 minutes at two frames a second, about 25 at one every 5 s): in those
// sessions his middle sitting, as taken and through 4:3 and 16:9 cameras,
// was judged bad in every frame 30 s longer, until the window filled, and
// his high sitting as taken in 55 of 60 a minute longer. A slump whose
// frames the view judges good now and then still teaches it through those:
// through a 16:9 camera his high sitting's first slumped minute was judged
// bad 85 times in 120, and its view drifted 60–90 s in, as before. A camera
// moved unnoticed or a chair set lower is learnt once it fills the window.
// make eval's sessions (the development people's frames in random orders)
// learnt the same views.

// slumpedAgainst reports whether the judgement against the view b calls m a
// sit-up fault (forward head, rounded shoulders, sinking, leaning in, head
// down) at the verdict's line or beyond. Not from a fault worth listing
// (ReportMin): that kept out of the view the frames of sitting well that
// differ from it a little, the view narrowed to the most upright-looking of
// the rest, and slouch-or-not's middle sitting cut at the shoulder line,
// sitting well, was nudged for a head forward at 98 s
// (cmd/posturewatch's TestReplayNoNudgeFramedAtTheShoulderLine).
func slumpedAgainst(m Measurement, b *domain.Baseline, p Params) bool {
	var sc Scores
	Score(&sc, m, b, p)
	for i, sev := range sc.Sev {
		if sev >= p.BadAt && domain.AllFaults[i].SitUp() {
			return true
		}
	}
	return false
}

// notSlumped is idx without the frames judged slumped against the view they
// came to.
func (l *Learner) notSlumped(idx []int) []int {
	var out []int
	for _, i := range idx {
		if !l.frames.vs[i].slumped {
			out = append(out, i)
		}
	}
	return out
}

// widthKind names how a frame's shoulders' width enters the sit-up score:
// measured between both shoulders, or estimated from the neck
// (Linear.ShoulderFill) with one in view.
func widthKind(M domain.Metrics) string {
	if _, measured := SitUpValue(M, iSitUpShoulders); measured {
		return "both shoulders"
	}
	return "one shoulder"
}

// kindView is the kind of frame (widthKind) that most of the window holds
// and the median sit-up score of its own most upright-looking share
// (LearnShare of it, at least a calibration's worth, less the full-blown
// frames); empty when no kind holds most of the window, when most of the
// view is of that kind already (its score speaks for it), or when fewer
// than a calibration's worth of its frames look better than full-blown.
// idx is the window sorted by score.
//
// The view is made of the window's most upright-looking frames by a score
// that does not read both kinds alike: in a session whose shoulders sit at
// the picture's bottom edge the width the body model measures there is
// narrow (it places them on what shows of them), while frames that show
// one shoulder get it estimated from the neck. Grace Hopper's portrait
// mirrored and cut to its top 80 %, moving, showed both shoulders in 3 of
// 4 frames, which the defaults scored 1.3–2.4 (log-odds, bad) and one in 4
// at −0.7–−0.1 with the same neck; the view came from the one-shoulder
// frames, its score said upright, and every two-shoulder frame was judged
// a head forward against it (nudged at 31.5 s). Only the kind most of the
// window holds gets its own: a kind seen less often is more likely a
// departure from how the camera sees the sitter, and the masked person's
// slumps that sank a shoulder out of the picture (15 of her 84 frames, all
// slumps) were excused by their own kind's score (4 of 15, each judged by
// a fit without her).
func (l *Learner) kindView(idx []int, view []domain.Observation) (string, float64) {
	byKind := map[string][]float64{}
	for _, i := range idx {
		k := widthKind(l.frames.vs[i].metrics)
		byKind[k] = append(byKind[k], l.frames.vs[i].score)
	}
	for kind, zs := range byKind {
		if 2*len(zs) <= len(idx) {
			continue
		}
		inView := 0
		for _, o := range view {
			if widthKind(o.Metrics) == kind {
				inView++
			}
		}
		if 2*inView >= len(view) {
			return "", 0 // the view speaks for its own kind
		}
		top := zs[:min(len(zs), viewShare(len(zs)))]
		k := 0 // top[k:] are full-blown, as in compute
		for ; k < len(top) && l.p.SitUpRamp.Sev(top[k]) < 1; k++ {
		}
		if k < domain.MinCalibrationFrames {
			return "", 0
		}
		return kind, domain.Median(top[:k])
	}
	return "", 0
}

// ranked is 0…n−1 in ascending order of key, ties in their own order.
func ranked(n int, key func(i int) float64) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(key(a), key(b)) })
	return idx
}

// viewShare is how many of n frames, the most upright-looking, a view is
// made of.
func viewShare(n int) int { return max(domain.MinCalibrationFrames, int(LearnShare*float64(n))) }

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
	return len(l.frames.vs)
}

// Reset forgets everything: another camera, or another place for it.
func (l *Learner) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.frames, l.base = recent[learntFrame]{}, nil
	l.shown = recent[bool]{}
	l.faces, l.faceView = recent[domain.Metrics]{}, nil
}

// A view of the face alone. A webcam that frames head and shoulders often
// cuts the shoulders off altogether, and then no view comes of its frames
// (learnsFrom), and the defaults judge them on the face alone: a body
// sinking in the chair, the eyes going down the picture, goes unseen, as
// the sit-up score without a shoulder is its upright bias whatever the
// posture. slouch-or-not's high sitting cut at his shoulder line (the
// frame's top 63 % and 66 %), two minutes upright and two slumped, each
// photo held 1, 2 or 5 s: no view was learnt in four of the six sessions,
// and none of the six was nudged (all six are now, 21.5–25.5 s into the
// slump; cmd/posturewatch's TestReplaySlumpAfterSittingWellIsNudged). The
// sitter's own frames say where the eyes sit upright through this camera
// just as they say it of the neck: the frames whose eyes sit highest are the upright ones, and eyes
// that sink well below them, with no shoulder left in view, are a body
// sunk in the chair (the DSink ramp, as against a calibration: sunk 0.75
// eye widths, about 5 cm, is half severity; upright frames of one sitting
// vary by 0.15).

// FaceView is the view of the face alone, learnt from the frames that
// showed no shoulder, the quarter whose eyes sit highest in the picture
// (LearnShare): nil until LearnMin of them came, and while a view of the
// shoulders exists (Baseline), which says more.
func (l *Learner) FaceView() *domain.Baseline {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.base != nil {
		return nil
	}
	return l.faceView
}

// facesAlone reports whether m is a frame for the view of the face alone:
// the eyes placed in the picture and sized, and no shoulder in view.
func facesAlone(m Measurement) bool {
	_, eyes := m.Metrics[domain.MetricEyeHeight]
	_, size := m.Metrics[domain.MetricFaceFrame]
	return eyes && size && !m.Shoulders && !m.OneShoulder
}

// addFace records a frame without a shoulder (l.mu held).
func (l *Learner) addFace(m Measurement) {
	if !facesAlone(m) {
		return
	}
	l.faces.add(m.Metrics)
	if l.faces.viewDue(l.faceView != nil) {
		l.faceView = l.computeFaceView()
	}
}

// computeFaceView makes the view of the face alone from the share of the
// window whose eyes sit highest in the picture.
func (l *Learner) computeFaceView() *domain.Baseline {
	idx := ranked(len(l.faces.vs), func(i int) float64 { return l.faces.vs[i][domain.MetricEyeHeight] })
	var obs []domain.Observation
	for _, i := range idx[:min(viewShare(len(idx)), len(idx))] {
		obs = append(obs, domain.Observation{Posture: domain.PostureGood, Confidence: 1, Metrics: l.faces.vs[i]})
	}
	b, err := domain.ComputeBaseline(LearntName, obs, 0, time.Time{})
	if err != nil {
		return nil
	}
	b.Learnt = true
	return b
}

// framedLow reports whether the window's frames show the shoulders at the
// picture's bottom edge (the median shoulder line lower than
// viewLowInPicture): a camera framing the sitter so tight, as
// webcams often do, that the body model places the shoulders on what shows
// of them at the edge, a neck's length higher than they are. Every frame
// then reads as a head forward at full severity, upright or not; the
// framing check asks for more of the shoulders, and until the sitter gives
// it what there is to learn is that framing. A lone shoulder's line counts
// as a pair's (Measurement.ShoulderLine): grey-sweatshirt's upright frames
// cut to their top 80 % showed one, placed on her chair's back at 0.88 of
// the height, and while only pairs counted the learner gave up on them
// and the coach nudged a head forward 20 s in (cmd/posturewatch's
// TestReplayNoNudgeOneShoulderAtTheEdge).
func (l *Learner) framedLow() bool {
	var hs []float64
	for _, f := range l.frames.vs {
		hs = append(hs, f.line) // every frame in the window measured a neck
	}
	return len(hs) > 0 && domain.Median(hs) > viewLowInPicture
}

// viewLowInPicture is the shoulder line's height in the picture
// (Measurement.ShoulderLine) from which the learner takes the framing for what
// makes a frame look like a full-blown slump (framedLow, shouldersAtBottom).
// It is lower than the framing advice's domain.ShouldersLowInPicture: the
// body model places shoulders the frame's bottom edge cuts up to about an
// eye width above it, and the larger the face in the picture, the higher
// that is. slouch-or-not's upright frames of one sitting cut at his
// shoulder line (the eye width 0.18 of the height) had them placed at
// 0.83–0.87; from 0.85, the view was learnt late or not at all, and played
// as sessions (each frame held 2 s or 10 s, the cut at 0.60, 0.63 or 0.66
// of the height) 5 of 6 were nudged for a head forward 20–29.5 s in; from
// 0.80, 1 (held 10 s, cut at 0.66). His slumps cut so were nudged as often
// as before (held 10 s: 4 of 6, held 2 s: none), the desk people's
// sessions of slumps alone caught what they caught, and every make eval
// row is as it was.
const viewLowInPicture = 0.80

// shouldersAtBottom reports whether a frame's pair of shoulders is at the
// picture's bottom edge.
func shouldersAtBottom(M domain.Metrics) bool {
	h, ok := M[domain.MetricShoulderHeight]
	return ok && h > viewLowInPicture
}
