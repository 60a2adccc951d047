package exercise

import (
	"fmt"
	"hash/fnv"
	"math"
	"posturewatch/coach/domain"
	"posturewatch/coach/reps"
	"slices"
	"sort"
	"strings"
	"time"
)

// Routine defaults: a stretch break lasts 2 to 5 minutes.
const (
	DefaultRoutineMax = 5 * time.Minute
	DefaultRoutineMin = 2 * time.Minute
)

// routineMaxItems caps the number of exercises in one break.
const routineMaxItems = 6

// routineMinShare: a fault weighing less than this share of the heaviest one
// is not worth an exercise of its own.
const routineMinShare = 0.15

// routineMaxFaults is how many of the heaviest faults a routine addresses.
const routineMaxFaults = 3

// RoutineRequest says what a stretch break should address.
type RoutineRequest struct {
	// Faults weighs the faults to address, e.g. minutes spent in each. Empty:
	// a general desk break (neck, shoulders, upper back).
	Faults map[domain.FaultName]float64
	// Equipment available besides none (and the chair, always assumed).
	Equipment []domain.Equipment
	// DeskOnly picks only exercises that can be done seated at the desk.
	DeskOnly bool
	// AtDesk says the user is at the desk now (the coach suggests a break,
	// or the camera sees them): standing up for a doorway or a wall is a
	// fair break, getting down on the floor in an office is not, so floor
	// exercises are left out. DeskOnly is stricter still.
	AtDesk bool
	// MaxDuration and MinDuration bound the routine (defaults 5 and 2 min).
	MaxDuration time.Duration
	MinDuration time.Duration
}

// ErrNoRoutine is wrapped by Routine's error when no exercises fit the request.
var ErrNoRoutine = &domain.Error{Code: domain.ECONFLICT, Message: "no routine fits"}

// exFaultWords names faults in plain words for routine texts.
var exFaultWords = map[domain.FaultName]string{
	domain.ForwardHead:      "forward head",
	domain.RoundedShoulders: "rounded shoulders",
	domain.Slouch:           "slouching",
	domain.TooClose:         "leaning in to the screen",
	domain.HeadDown:         "looking down",
	domain.HeadTilt:         "head tilt",
	domain.HeadTurn:         "head turned",
	domain.HeadBack:         "chin up",
	domain.ShouldersRaised:  "raised shoulders",
	domain.UnevenShoulders:  "uneven shoulders",
}

func routineFaultWords(f domain.FaultName) string {
	if w, ok := exFaultWords[f]; ok {
		return w
	}
	return strings.ReplaceAll(string(f), "_", " ")
}

// mixKinds are the faults whose fix pairs loosening (stretch, mobility) with
// strengthening: a tight front and a weak back.
var mixKinds = map[domain.FaultName]bool{domain.ForwardHead: true, domain.RoundedShoulders: true}

// generalFaults is what a request without faults addresses.
var generalFaults = map[domain.FaultName]float64{domain.ForwardHead: 1, domain.RoundedShoulders: 1, domain.Slouch: 1}

type routineWeight struct {
	fault  domain.FaultName
	weight float64
	share  float64 // of all the requested weight
}

// normalise checks the request and applies the defaults.
func (req RoutineRequest) normalise() (RoutineRequest, []routineWeight, error) {
	if req.MaxDuration == 0 {
		req.MaxDuration = DefaultRoutineMax
	}
	if req.MinDuration == 0 {
		req.MinDuration = min(DefaultRoutineMin, req.MaxDuration)
	}
	if req.MaxDuration < 0 || req.MinDuration < 0 {
		return req, nil, domain.Errorf(domain.EINVALID, "routine: negative duration bounds (min %v, max %v)", req.MinDuration, req.MaxDuration)
	}
	if req.MinDuration > req.MaxDuration {
		return req, nil, domain.Errorf(domain.EINVALID, "routine: minimum duration %v is longer than the maximum %v", req.MinDuration, req.MaxDuration)
	}
	for _, q := range req.Equipment {
		if !q.Valid() {
			return req, nil, domain.Errorf(domain.EINVALID, "routine: unknown equipment %q (known: %s)", q, equipmentList())
		}
	}
	var ws []routineWeight
	for f, w := range req.Faults {
		if !f.Valid() {
			return req, nil, domain.Errorf(domain.EINVALID, "routine: unknown fault %q (known: %s)", f, faultList())
		}
		if math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
			return req, nil, domain.Errorf(domain.EINVALID, "routine: fault %q has an invalid weight %v", f, w)
		}
		if w > 0 {
			ws = append(ws, routineWeight{fault: f, weight: w})
		}
	}
	sort.Slice(ws, func(i, j int) bool {
		if ws[i].weight != ws[j].weight {
			return ws[i].weight > ws[j].weight
		}
		return slices.Index(domain.AllFaults, ws[i].fault) < slices.Index(domain.AllFaults, ws[j].fault)
	})
	total := 0.0
	for _, w := range ws {
		total += w.weight
	}
	for i := range ws {
		ws[i].share = ws[i].weight / total
	}
	var keep []routineWeight
	for _, w := range ws {
		if len(keep) == routineMaxFaults || w.weight < routineMinShare*ws[0].weight {
			break
		}
		keep = append(keep, w)
	}
	return req, keep, nil
}

// category groups kinds into loosening and strengthening.
func routineCategory(kind string) string {
	if kind == domain.KindStrength {
		return domain.KindStrength
	}
	return "loosen"
}

// oneSet is the shortest dose of an exercise a routine may use: one set.
func oneSet(e domain.Exercise) domain.Exercise {
	e.Dose.Sets = 1
	return e
}

type routinePick struct {
	ex    domain.Exercise // with the fitted dose
	full  int             // the catalogue's sets
	fault domain.FaultName
	order int
}

// Routine picks a short stretch break for the request. It is deterministic:
// the same catalogue and request give the same routine. Exercises are chosen
// for the heaviest faults, one movement group each, within the available
// equipment (seated when DeskOnly, off the floor when AtDesk); each first gets one set, then sets are
// added back while the time allows. Chin tucks, when picked, come first, then
// mobility, stretches and strengthening. The catalogue's safety text always
// comes along.
func (c *Catalogue) Routine(req RoutineRequest) (domain.Routine, error) {
	if c == nil {
		return domain.Routine{}, fmt.Errorf("routine: %w: no catalogue", ErrNoRoutine)
	}
	req, faults, err := req.normalise()
	if err != nil {
		return domain.Routine{}, err
	}
	general := len(faults) == 0
	if general {
		for _, f := range domain.AllFaults {
			if w, ok := generalFaults[f]; ok {
				faults = append(faults, routineWeight{fault: f, weight: w})
			}
		}
	}

	var cands []domain.Exercise
	for _, e := range c.Exercises {
		if !e.NeedsOnly(req.Equipment) || (req.DeskOnly && !e.Seated) || (req.AtDesk && e.Floor) || e.Dose.Duration() <= 0 {
			continue
		}
		cands = append(cands, e)
	}

	var picks []routinePick
	var used time.Duration
	usedID := map[string]bool{}
	usedGroup := map[string]bool{}
	count := map[domain.FaultName]int{}
	cats := map[domain.FaultName]map[string]bool{}
	available := func(e domain.Exercise) bool {
		return !usedID[e.ID] && (e.Group == "" || !usedGroup[e.Group])
	}
	take := func(e domain.Exercise, full int, f domain.FaultName) {
		picks = append(picks, routinePick{ex: e, full: full, fault: f, order: len(picks)})
		used += e.Duration()
		usedID[e.ID] = true
		if e.Group != "" {
			usedGroup[e.Group] = true
		}
		for _, w := range faults {
			if e.Addresses(w.fault) {
				count[w.fault]++
				if cats[w.fault] == nil {
					cats[w.fault] = map[string]bool{}
				}
				cats[w.fault][routineCategory(e.Kind)] = true
			}
		}
	}
	// bestFor returns the exercise to add next for fault f, if one fits.
	bestFor := func(f domain.FaultName) (domain.Exercise, bool) {
		var list []domain.Exercise
		for _, e := range cands {
			if e.Addresses(f) && available(e) && used+oneSet(e).Duration() <= req.MaxDuration {
				list = append(list, e)
			}
		}
		if len(list) == 0 {
			return domain.Exercise{}, false
		}
		sort.SliceStable(list, func(i, j int) bool { return list[i].FaultRank(f) < list[j].FaultRank(f) })
		if mixKinds[f] && count[f] > 0 {
			for _, e := range list {
				if !cats[f][routineCategory(e.Kind)] {
					return e, true
				}
			}
		}
		return list[0], true
	}

	// Phase 1: one set of each pick, spreading picks over the faults by weight.
	for len(picks) < routineMaxItems {
		bestI, bestScore := -1, 0.0
		var bestEx domain.Exercise
		for i, w := range faults {
			score := w.weight / float64(1+count[w.fault])
			if bestI >= 0 && score <= bestScore {
				continue
			}
			if e, ok := bestFor(w.fault); ok {
				bestI, bestScore, bestEx = i, score, e
			}
		}
		if bestI < 0 {
			break
		}
		take(oneSet(bestEx), bestEx.Dose.Sets, faults[bestI].fault)
	}
	if len(picks) == 0 {
		return domain.Routine{}, fmt.Errorf("routine for %s: %w: no exercise in the catalogue %s", faultsText(faults), ErrNoRoutine, describeLimits(req))
	}

	// Phase 2: add sets back, one at a time round the picks, while they fit.
	for grown := true; grown; {
		grown = false
		for i := range picks {
			p := &picks[i]
			if p.ex.Dose.Sets >= p.full {
				continue
			}
			bigger := p.ex
			bigger.Dose.Sets++
			if used-p.ex.Duration()+bigger.Duration() <= req.MaxDuration {
				used += bigger.Duration() - p.ex.Duration()
				p.ex = bigger
				grown = true
			}
		}
	}

	// Phase 3: still shorter than the minimum: general exercises as filler.
	if used < req.MinDuration {
		for _, e := range cands {
			if len(picks) >= routineMaxItems+2 || used >= req.MinDuration {
				break
			}
			if !available(e) {
				continue
			}
			fit := e
			for fit.Dose.Sets > 1 && used+fit.Duration() > req.MaxDuration {
				fit.Dose.Sets--
			}
			if used+fit.Duration() <= req.MaxDuration {
				take(fit, e.Dose.Sets, "")
			}
		}
	}
	if used < req.MinDuration {
		return domain.Routine{}, fmt.Errorf("routine for %s: %w: only %v of exercises in the catalogue %s, less than the minimum %v",
			faultsText(faults), ErrNoRoutine, used.Round(time.Second), describeLimits(req), req.MinDuration)
	}

	sort.SliceStable(picks, func(i, j int) bool { return pickRank(picks[i]) < pickRank(picks[j]) })

	r := domain.Routine{Safety: slices.Clone(c.Safety)}
	if len(r.Safety) == 0 {
		r.Safety = slices.Clone(fallbackSafety)
	}
	for _, w := range faults {
		r.Faults = append(r.Faults, w.fault)
	}
	h := fnv.New64a()
	for _, p := range picks {
		ex := p.ex.Clone()
		item := domain.RoutineItem{Exercise: ex, Duration: domain.Sec(ex.Duration()), Fault: p.fault, Why: whyText(ex, p.fault, faults)}
		r.Items = append(r.Items, item)
		r.Duration += item.Duration
		fmt.Fprintf(h, "%s:%d;", ex.ID, ex.Dose.Sets)
	}
	r.ID = fmt.Sprintf("routine-%016x", h.Sum64())
	minutes := max(1, int(math.Round(r.Duration.D().Minutes())))
	if general {
		r.Title = fmt.Sprintf("%d-minute desk break", minutes)
		r.Reason = "A general break for the neck, shoulders and upper back after a long sit."
	} else {
		r.Title = fmt.Sprintf("%d-minute break for %s", minutes, faultsText(faults))
		r.Reason = reasonText(faults)
	}
	return r, nil
}

// pickRank orders a routine: chin tucks first, then mobility, stretches and
// strengthening, each in the order picked.
func pickRank(p routinePick) int {
	base := 3
	switch {
	case p.ex.Checkable == reps.ChinTuck || p.ex.ID == "chin_tuck":
		base = 0
	case p.ex.Kind == domain.KindMobility:
		base = 1
	case p.ex.Kind == domain.KindStretch:
		base = 2
	}
	return base*100 + p.order
}

func faultsText(ws []routineWeight) string {
	names := make([]string, len(ws))
	for i, w := range ws {
		names[i] = routineFaultWords(w.fault)
	}
	if len(names) == 0 {
		return "a general break"
	}
	return joinWords(names)
}

// joinWords joins "a", "b" and "c" as "a, b and c".
func joinWords(names []string) string {
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func reasonText(ws []routineWeight) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = fmt.Sprintf("%s (%.0f%%)", routineFaultWords(w.fault), 100*w.share)
	}
	return "Picked for the posture problems seen most: " + strings.Join(parts, ", ") + "."
}

func whyText(e domain.Exercise, picked domain.FaultName, ws []routineWeight) string {
	var names []string
	if picked != "" {
		names = append(names, routineFaultWords(picked))
	}
	for _, w := range ws {
		if w.fault != picked && e.Addresses(w.fault) {
			names = append(names, routineFaultWords(w.fault))
		}
	}
	what := e.Purpose
	if what == "" {
		what = "works the " + strings.Join(e.Muscles, ", ")
	}
	if len(names) == 0 {
		return "General desk break: " + what + "."
	}
	return "For " + joinWords(names) + ": " + what + "."
}

func describeLimits(req RoutineRequest) string {
	have := []string{"none", "chair"}
	for _, q := range req.Equipment {
		if !slices.Contains(have, string(q)) {
			have = append(have, string(q))
		}
	}
	s := "fits within " + req.MaxDuration.String() + " with equipment " + strings.Join(have, ", ")
	switch {
	case req.DeskOnly:
		s += ", seated at the desk"
	case req.AtDesk:
		s += ", off the floor (you are at the desk)"
	}
	return s
}
