package fit

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"posturewatch/coach/domain"
	"posturewatch/vision/posture"
)

// GoodErrorCost is how much worse calling good posture bad is than missing
// bad posture: a false alarm costs the user's trust, and the coach's onset
// delay forgives a missed frame. Cross-validated by person (each judged by
// a fit without them), 3 left 38 of the 81 upright frames of the two people
// with cameras of their own good and 156 of blue-cardigan's 181; 5 leaves
// 43 and 174, and the desk people's accuracy rises too (86.6 % → 86.7 %).
const GoodErrorCost = 5.0

// param is one fitted ramp: its threshold (the midpoint, where the severity
// reaches the bad line) is fitted, its width follows from the data (widen).
type param struct {
	name    string
	ramp    func(p *posture.Params) *posture.Ramp
	feature featureFunc // the value the ramp reads
	lo, hi  float64     // the threshold stays within these (both 0: anywhere)
	why     string      // what it is, for the generated file
}

// bounded: the threshold must stay within lo and hi.
func (pr param) bounded() bool { return pr.lo != pr.hi }

// outside reports whether p's threshold for pr lies outside its bounds.
func (pr param) outside(p posture.Params) bool {
	m := pr.ramp(&p).Mid()
	return pr.bounded() && (m < pr.lo || m > pr.hi)
}

type featureFunc = func(*Sample, *domain.Baseline, posture.Params) (float64, bool)

func metric(k string) featureFunc {
	return func(s *Sample, _ *domain.Baseline, _ posture.Params) (float64, bool) {
		v, ok := s.m.Metrics[k]
		return v, ok
	}
}

func absMetric(k string) featureFunc {
	return func(s *Sample, _ *domain.Baseline, _ posture.Params) (float64, bool) {
		v, ok := s.m.Metrics[k]
		return math.Abs(v), ok
	}
}

// uncalibrated lists the fitted parameters of the judgement without a
// baseline, in the order coordinate descent visits them.
func uncalibrated() []param {
	noseNoMesh := func(s *Sample, _ *domain.Baseline, _ posture.Params) (float64, bool) {
		if _, ok := s.m.Metrics[domain.MetricHeadPitch]; ok {
			return 0, false
		}
		v, ok := s.m.Metrics[domain.MetricFaceHeight]
		return v, ok
	}
	// Down's bound: the mesh's pitch is the head's against the camera's
	// axis, so a camera above the eyes adds its own angle to an upright
	// head looking at the screen. slouch-or-not's camera reads his upright
	// face up to 24° down; fitted without him (cross-validated), the
	// threshold fell to about 10°, and 19 of his 32 upright frames were
	// called "looking down".
	return []param{
		{name: "Down", ramp: func(p *posture.Params) *posture.Ramp { return &p.Down }, feature: metric(domain.MetricHeadPitch), lo: -90, hi: -30,
			why: "head pitch in degrees (mesh), looking down, kept beyond 30° (a camera above the eyes reads upright faces up to 24° down)"},
		{name: "DownNose", ramp: func(p *posture.Params) *posture.Ramp { return &p.DownNose }, feature: noseNoMesh, lo: 0.75, hi: 1.5,
			why: "nose below the eye line in eye widths, without a mesh, kept above 0.75 (level heads show 0.35–0.7)"},
		{name: "Tilt", ramp: func(p *posture.Params) *posture.Ramp { return &p.Tilt }, feature: absMetric(domain.MetricHeadRoll),
			why: "|head roll| in degrees"},
		{name: "ShoulderUneven", ramp: func(p *posture.Params) *posture.Ramp { return &p.ShoulderUneven }, feature: absMetric(domain.MetricShoulderTilt),
			why: "|shoulder line tilt| in degrees"},
	}
}

// weights gives every sample the weight that makes each (person, class,
// augmentation kind) group count the same, whatever its size, so that one
// person with many frames does not decide the fit; good frames count
// GoodErrorCost times.
func weights(ss []*Sample) []float64 {
	key := func(s *Sample) string { return s.Person + "|" + s.Class + "|" + augKind(s.Aug) }
	n := map[string]int{}
	for _, s := range ss {
		n[key(s)]++
	}
	w := make([]float64, len(ss))
	for i, s := range ss {
		w[i] = 1 / float64(n[key(s)])
		if s.Class == ClassGood {
			w[i] *= GoodErrorCost
		}
		if s.Aug != "" {
			w[i] *= 0.5 // the frames as they are come first
		}
	}
	return w
}

// augKind groups augmentations: rot+30 and rot-45 are both "rot-big",
// tilt-head+30 and tilt-head-45 both "tilt-head".
func augKind(a string) string {
	if strings.HasPrefix(a, "tilt-head") {
		return "tilt-head"
	}
	if strings.HasPrefix(a, "rot") {
		if a == "rot+8" || a == "rot-8" {
			return "rot-small"
		}
		return "rot-big"
	}
	return a
}

// labelled keeps the samples the fit learns from: good, sit up straight and
// straighten head frames that were analysed.
func labelled(ss []Sample, keep func(*Sample) bool) []*Sample {
	var out []*Sample
	for i := range ss {
		s := &ss[i]
		if s.Error != "" || (s.Class != ClassGood && s.Class != ClassSitUp && s.Class != ClassStraighten) {
			continue
		}
		if keep == nil || keep(s) {
			out = append(out, s)
		}
	}
	return out
}

// candidates are the thresholds worth trying for a feature: its quantiles
// over the samples, and the current value.
func candidates(ss []*Sample, bs []*domain.Baseline, f featureFunc, p posture.Params, cur float64) []float64 {
	var v []float64
	for i, s := range ss {
		var b *domain.Baseline
		if bs != nil {
			b = bs[i]
		}
		if x, ok := f(s, b, p); ok && !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return []float64{cur}
	}
	sort.Float64s(v)
	out := []float64{cur}
	for q := 0; q <= 100; q++ {
		// Three significant digits: a threshold needs no more, and the
		// fit then does not move with the last bits of a model's output
		// (another CPU's vector code).
		out = append(out, round3sig(v[min(len(v)-1, q*len(v)/100)]))
	}
	// beyond the data: the fault never fires on these samples
	out = append(out, v[0]-(v[len(v)-1]-v[0])*0.5-1, v[len(v)-1]+(v[len(v)-1]-v[0])*0.5+1)
	slices.Sort(out)
	return slices.Compact(out)
}

// setMid moves a ramp so it reaches 0.5 at mid, keeping its direction and
// width.
func setMid(r *posture.Ramp, mid float64) {
	half := (r.Full - r.Onset) / 2
	r.Onset, r.Full = mid-half, mid+half
}

// descend runs coordinate descent over ps from p and returns the best params.
// A parameter can change the outcome only of samples on which its feature is
// measured, so each step scores just those: the rest add the same to every
// candidate.
func descend(ss []*Sample, bs []*domain.Baseline, ps []param, p posture.Params, rounds int) posture.Params {
	w := weights(ss)
	for range rounds {
		improved := false
		for _, pr := range ps {
			idx := affected(ss, bs, pr.feature, p)
			before := partial(ss, w, bs, idx, p)
			q := bestMid(ss, w, bs, idx, pr, p)
			if partial(ss, w, bs, idx, q) > before+1e-12 || pr.outside(p) {
				p, improved = q, true
			}
		}
		if !improved {
			break
		}
	}
	return p
}

// affected lists the samples on which a feature is measured.
func affected(ss []*Sample, bs []*domain.Baseline, f featureFunc, p posture.Params) []int {
	var idx []int
	for i, s := range ss {
		var b *domain.Baseline
		if bs != nil {
			b = bs[i]
		}
		if _, ok := f(s, b, p); ok {
			idx = append(idx, i)
		}
	}
	return idx
}

// partial is the weight of the correctly judged samples among idx.
func partial(ss []*Sample, w []float64, bs []*domain.Baseline, idx []int, p posture.Params) float64 {
	var sum float64
	for _, i := range idx {
		var b *domain.Baseline
		if bs != nil {
			b = bs[i]
		}
		if Correct(ss[i].Class, Outcome(ss[i], b, p)) {
			sum += w[i]
		}
	}
	return sum
}

// bestMid tries every candidate threshold of one ramp on the samples idx.
func bestMid(ss []*Sample, w []float64, bs []*domain.Baseline, idx []int, pr param, p posture.Params) posture.Params {
	sub := make([]*Sample, len(idx))
	var subB []*domain.Baseline
	if bs != nil {
		subB = make([]*domain.Baseline, len(idx))
	}
	for k, i := range idx {
		sub[k] = ss[i]
		if bs != nil {
			subB[k] = bs[i]
		}
	}
	best, bestV := p, partial(ss, w, bs, idx, p)
	cur := pr.ramp(&p).Mid()
	if pr.outside(p) {
		// A start outside the bounds is no answer: the threshold moves
		// inside them, to the nearest bound if nothing inside does better.
		cur = math.Min(math.Max(cur, pr.lo), pr.hi)
		best = p
		setMid(pr.ramp(&best), cur)
		bestV = partial(ss, w, bs, idx, best)
	}
	for _, c := range candidates(sub, subB, pr.feature, p, cur) {
		if pr.bounded() && (c < pr.lo || c > pr.hi) {
			continue
		}
		q := p
		setMid(pr.ramp(&q), c)
		if v := partial(ss, w, bs, idx, q); v > bestV+1e-12 {
			best, bestV = q, v
		}
	}
	return best
}

// Result is a fit: the parameters, where each came from, and how it did.
type Result struct {
	Params  posture.Params
	Origins map[string]string
	Samples int
	Took    time.Duration
}

// Options tune a fit.
type Options struct {
	Rounds int // coordinate descent rounds (default 4)
	// Draws and Seed: baselines per person for the calibrated ramps (8 good
	// frames drawn at random each time).
	Draws int
	Seed  uint64
}

func (o Options) withDefaults() Options {
	if o.Rounds <= 0 {
		o.Rounds = 4
	}
	if o.Draws <= 0 {
		o.Draws = 5
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	return o
}

// EvalOnly tells the augmentations make eval reports but the fit does not
// learn from: another camera's shape cut from a wide frame (shape-4:3,
// shape-square) or from a square one (shape-3:4, a phone standing
// upright) or widened from a square one (wide-4:3, wide-16:9, a laptop's
// camera), the sitter nearer or farther (near-N, far-N), and a head bent
// towards a shoulder (tilt-head±N). The shapes and the nearer and farther
// sitters test what the body model makes of a sitter filling more or less
// of its input, or cut nearer at the sides and the bottom; to the fit they
// would be the same people's frames again, more groups of theirs weighed
// as much as another person's (weights). The bent heads are a warp, not a
// photograph: they check what the judgement names a tilt, and fitting the
// tilt's ramp to their stretched necks would fit the warp.
func EvalOnly(aug string) bool {
	return strings.HasPrefix(aug, "shape-") || strings.HasPrefix(aug, "wide-") || strings.HasPrefix(aug, "near-") || strings.HasPrefix(aug, "far-") || strings.HasPrefix(aug, "tilt-head")
}

// Fit fits the parameters on the samples that keep accepts (nil: all), from
// start, never on EvalOnly ones.
func Fit(ss []Sample, start posture.Params, keep func(*Sample) bool, opt Options) Result {
	opt = opt.withDefaults()
	t0 := time.Now()
	train := labelled(ss, func(s *Sample) bool { return !EvalOnly(s.Aug) && (keep == nil || keep(s)) })
	ps := uncalibrated()
	p := start
	p.SitUp = fitLinear(train)
	p = descend(train, nil, ps, p, opt.Rounds)
	origins := map[string]string{}
	for _, pr := range ps {
		widen(train, pr, &p)
		origins[pr.name] = fmt.Sprintf("fitted: %s", pr.why)
	}
	origins["SitUp"] = "fitted: logistic regression of sit up straight vs upright on the frames as they are"
	// The calibrated score, on baselines drawn from each person's good frames.
	ssB, bs := withBaselines(train, opt.Draws, opt.Seed)
	p.SitUpDelta, p.SitUpDeltaAbs = fitDelta(ssB, bs, p)
	origins["SitUpDeltaAbs"] = "fitted with SitUpDelta: the weight of the frame's own sit-up score"
	origins["SitUpDelta"] = fmt.Sprintf("fitted: logistic regression on the changes since baselines of 8 good frames drawn at random, %d per person", opt.Draws)
	return Result{Params: p, Origins: origins, Samples: len(train), Took: time.Since(t0)}
}

// widen sets a fitted ramp's width from the data: the onset (severity 0) sits
// where 95 % of the good frames are better, and the full severity as far
// beyond the threshold; never narrower than a tenth of the threshold's
// distance from zero, so noise does not flip a frame from 0 to 1.
func widen(ss []*Sample, pr param, p *posture.Params) {
	r := pr.ramp(p)
	mid := r.Mid()
	dir := 1.0
	if r.Full < r.Onset {
		dir = -1
	}
	var good []float64
	for _, s := range ss {
		if s.Class != ClassGood {
			continue
		}
		if v, ok := pr.feature(s, nil, *p); ok {
			good = append(good, dir*v)
		}
	}
	half := 0.1 * math.Max(math.Abs(mid), 1e-3)
	if len(good) >= 20 {
		sort.Float64s(good)
		q95 := good[len(good)*95/100]
		if d := dir*mid - q95; d > half {
			half = d
		}
	}
	half = math.Min(half, 0.5*math.Max(math.Abs(mid), 1)) // keep it a ramp, not a plateau
	r.Onset, r.Full = mid-dir*half, mid+dir*half
}

// withBaselines pairs every non-augmented labelled frame of each person with
// baselines made of 8 of that person's good frames drawn at random (never
// the frame itself), draws times per person.
func withBaselines(ss []*Sample, draws int, seed uint64) ([]*Sample, []*domain.Baseline) {
	byPerson := map[string][]*Sample{}
	var people []string
	for _, s := range ss {
		if s.Aug != "" {
			continue
		}
		if _, ok := byPerson[s.Person]; !ok {
			people = append(people, s.Person)
		}
		byPerson[s.Person] = append(byPerson[s.Person], s)
	}
	sort.Strings(people)
	rng := rand.New(rand.NewPCG(seed, 0x706f7374757265))
	var outS []*Sample
	var outB []*domain.Baseline
	for _, person := range people {
		all := byPerson[person]
		good := goodOf(all)
		if len(good) < domain.MinCalibrationFrames+1 {
			continue
		}
		for d := range draws {
			b, used, err := drawBaseline(rng, good, fmt.Sprintf("%s-%d", person, d))
			if err != nil {
				continue
			}
			for _, s := range all {
				if !used[s] {
					outS, outB = append(outS, s), append(outB, b)
				}
			}
		}
	}
	return outS, outB
}

// goodOf is the upright frames among frames.
func goodOf(frames []*Sample) []*Sample {
	var good []*Sample
	for _, s := range frames {
		if s.Class == ClassGood {
			good = append(good, s)
		}
	}
	return good
}

// drawBaseline makes a calibration of domain.MinCalibrationFrames of the
// good frames drawn at random, as a user's would be, and says which it used.
func drawBaseline(rng *rand.Rand, good []*Sample, name string) (*domain.Baseline, map[*Sample]bool, error) {
	used := map[*Sample]bool{}
	var obs []domain.Observation
	for _, i := range rng.Perm(len(good))[:domain.MinCalibrationFrames] {
		used[good[i]] = true
		obs = append(obs, domain.Observation{Posture: domain.PostureGood, Confidence: 1, Metrics: good[i].m.Metrics})
	}
	b, err := domain.ComputeBaseline(name, obs, 0, time.Unix(0, 0))
	return b, used, err
}

// learntFromSession is the view a learner takes from the frames in the
// order given, as the live judge feeds it the frames with someone present;
// nil when it learnt nothing.
func learntFromSession(p posture.Params, frames []*Sample, order []int) *domain.Baseline {
	l := posture.NewLearner(p)
	for _, i := range order {
		if pres, _ := posture.Presence(frames[i].m, p); pres == domain.PostureGood {
			l.Add(frames[i].m)
		}
	}
	return l.Baseline()
}

// round3sig rounds to three significant digits.
func round3sig(x float64) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	e := math.Pow(10, 2-math.Floor(math.Log10(math.Abs(x))))
	return math.Round(x*e) / e
}
