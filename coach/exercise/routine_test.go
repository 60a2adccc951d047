package exercise

import (
	"encoding/json"
	"errors"
	"math"
	"posturewatch/coach/domain"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func ids(r domain.Routine) []string {
	var out []string
	for _, it := range r.Items {
		out = append(out, it.Exercise.ID)
	}
	return out
}

// checkRoutine asserts what must hold for every routine.
func checkRoutine(t *testing.T, c *Catalogue, req RoutineRequest, r domain.Routine) {
	t.Helper()
	maxD, minD := req.MaxDuration, req.MinDuration
	if maxD == 0 {
		maxD = DefaultRoutineMax
	}
	if minD == 0 {
		minD = min(DefaultRoutineMin, maxD)
	}
	if r.Duration.D() < minD || r.Duration.D() > maxD {
		t.Errorf("routine %v lasts %v, want %v–%v", ids(r), r.Duration, minD, maxD)
	}
	var sum time.Duration
	groups := map[string]bool{}
	for _, it := range r.Items {
		ex := it.Exercise
		sum += it.Duration.D()
		if it.Duration.D() != ex.Duration() || it.Duration <= 0 {
			t.Errorf("%s: item duration %v, exercise at its dose %v", ex.ID, it.Duration, ex.Duration())
		}
		full, ok := c.Exercise(ex.ID)
		if !ok {
			t.Errorf("%s: not in the catalogue", ex.ID)
			continue
		}
		if ex.Dose.Sets < 1 || ex.Dose.Sets > full.Dose.Sets {
			t.Errorf("%s: %d sets, catalogue dose %d", ex.ID, ex.Dose.Sets, full.Dose.Sets)
		}
		if d := ex.Dose; d.HoldSeconds != full.Dose.HoldSeconds || d.Reps != full.Dose.Reps || d.PerSide != full.Dose.PerSide {
			t.Errorf("%s: dose %+v changed more than the sets of %+v", ex.ID, d, full.Dose)
		}
		if !ex.NeedsOnly(req.Equipment) {
			t.Errorf("%s needs %v; available %v", ex.ID, ex.Equipment, req.Equipment)
		}
		if req.DeskOnly && !ex.Seated {
			t.Errorf("%s cannot be done seated but the request is desk-only", ex.ID)
		}
		if ex.Group != "" {
			if groups[ex.Group] {
				t.Errorf("two exercises of group %q", ex.Group)
			}
			groups[ex.Group] = true
		}
		if it.Fault != "" && !ex.Addresses(it.Fault) {
			t.Errorf("%s picked for %s, which it does not address", ex.ID, it.Fault)
		}
		if it.Fault != "" && !strings.Contains(it.Why, routineFaultWords(it.Fault)) {
			t.Errorf("%s: why %q does not name %s", ex.ID, it.Why, it.Fault)
		}
		if it.Why == "" {
			t.Errorf("%s: no why", ex.ID)
		}
	}
	if sum != r.Duration.D() {
		t.Errorf("items add up to %v, routine says %v", sum, r.Duration)
	}
	if len(r.Safety) == 0 || !slices.Equal(r.Safety, c.Safety) {
		t.Errorf("routine safety %q, want the catalogue's", r.Safety)
	}
	if r.ID == "" || r.Title == "" || r.Reason == "" {
		t.Errorf("routine id %q title %q reason %q", r.ID, r.Title, r.Reason)
	}
}

func TestRoutineForEachFault(t *testing.T) {
	c := Default()
	// For each fault: sets of ids of which the routine must contain at least one.
	want := map[domain.FaultName][][]string{
		domain.ForwardHead:      {{"chin_tuck"}, {"upper_trap_stretch"}},
		domain.RoundedShoulders: {{"doorway_pec_stretch", "seated_chest_opener"}, {"wall_angels", "y_raises", "face_pulls", "band_row", "dumbbell_row", "scapular_squeeze"}},
		domain.Slouch:           {{"thoracic_extension_roller", "thoracic_extension_chair"}, {"cat_cow", "seated_cat_cow"}, {"seated_thoracic_rotation"}},
		domain.TooClose:         {{"chin_tuck"}, {"thoracic_extension_roller", "thoracic_extension_chair"}},
		domain.HeadDown:         {{"chin_tuck"}, {"levator_scapulae_stretch"}},
		domain.HeadTilt:         {{"upper_trap_stretch", "levator_scapulae_stretch"}, {"lat_side_stretch"}},
		domain.HeadTurn:         {{"levator_scapulae_stretch"}, {"seated_thoracic_rotation"}},
		domain.HeadBack:         {{"chin_tuck"}},
		domain.ShouldersRaised:  {{"shoulder_shrugs", "shoulder_rolls"}, {"upper_trap_stretch"}},
		domain.UnevenShoulders:  {{"upper_trap_stretch", "levator_scapulae_stretch"}, {"lat_side_stretch"}},
	}
	for _, f := range domain.AllFaults {
		for _, eq := range [][]domain.Equipment{nil, domain.AllEquipment} {
			req := RoutineRequest{Faults: map[domain.FaultName]float64{f: 12}, Equipment: eq}
			r, err := c.Routine(req)
			if err != nil {
				t.Errorf("%s (equipment %v): %v", f, eq, err)
				continue
			}
			checkRoutine(t, c, req, r)
			got := ids(r)
			for _, anyOf := range want[f] {
				if !slices.ContainsFunc(anyOf, func(id string) bool { return slices.Contains(got, id) }) {
					t.Errorf("%s (equipment %v): routine %v lacks one of %v", f, eq, got, anyOf)
				}
			}
			if len(r.Faults) != 1 || r.Faults[0] != f {
				t.Errorf("%s: routine faults %v", f, r.Faults)
			}
			for _, it := range r.Items {
				if it.Fault != f {
					t.Errorf("%s: item %s picked for %q", f, it.Exercise.ID, it.Fault)
				}
			}
			if !strings.Contains(r.Title, routineFaultWords(f)) || !strings.Contains(r.Reason, routineFaultWords(f)) {
				t.Errorf("%s: title %q / reason %q do not name the fault", f, r.Title, r.Reason)
			}
		}
	}
}

func TestRoutineChinTucksFirst(t *testing.T) {
	c := Default()
	for _, req := range []RoutineRequest{
		{Faults: map[domain.FaultName]float64{domain.ForwardHead: 1}},
		{Faults: map[domain.FaultName]float64{domain.ForwardHead: 3, domain.RoundedShoulders: 5}, Equipment: domain.AllEquipment},
		{Faults: map[domain.FaultName]float64{domain.HeadBack: 2}, DeskOnly: true},
		{Faults: map[domain.FaultName]float64{domain.ForwardHead: 1}, MaxDuration: 2 * time.Minute, MinDuration: time.Minute},
	} {
		r, err := c.Routine(req)
		if err != nil {
			t.Fatalf("%v: %v", req.Faults, err)
		}
		checkRoutine(t, c, req, r)
		if r.Items[0].Exercise.ID != "chin_tuck" {
			t.Errorf("%v: routine starts with %s, want chin tucks: %v", req.Faults, r.Items[0].Exercise.ID, ids(r))
		}
	}
}

func TestRoutineMixesStretchAndStrength(t *testing.T) {
	c := Default()
	for _, f := range []domain.FaultName{domain.RoundedShoulders, domain.ForwardHead} {
		for _, req := range []RoutineRequest{
			{Faults: map[domain.FaultName]float64{f: 1}},
			{Faults: map[domain.FaultName]float64{f: 1}, DeskOnly: true},
			{Faults: map[domain.FaultName]float64{f: 1}, Equipment: domain.AllEquipment},
			{Faults: map[domain.FaultName]float64{f: 1}, MaxDuration: 3 * time.Minute},
		} {
			r, err := c.Routine(req)
			if err != nil {
				t.Fatal(err)
			}
			kinds := map[string]bool{}
			for _, it := range r.Items {
				kinds[routineCategory(it.Exercise.Kind)] = true
			}
			if !kinds[domain.KindStrength] || !kinds["loosen"] {
				t.Errorf("%s %+v: routine %v does not mix stretching and strengthening", f, req, ids(r))
			}
		}
	}
	// Rounded shoulders with a doorway: the chest stretch is the doorway one.
	r, err := c.Routine(RoutineRequest{Faults: map[domain.FaultName]float64{domain.RoundedShoulders: 1}, Equipment: []domain.Equipment{domain.EquipDoorway}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(ids(r), "doorway_pec_stretch") {
		t.Errorf("rounded shoulders with a doorway: %v", ids(r))
	}
}

func TestRoutineEquipmentFiltering(t *testing.T) {
	c := Default()
	needing := map[string]domain.Equipment{"doorway_pec_stretch": domain.EquipDoorway, "thoracic_extension_roller": domain.EquipFoamRoller,
		"face_pulls": domain.EquipBand, "band_row": domain.EquipBand, "dumbbell_row": domain.EquipWeights, "wall_angels": domain.EquipWall}
	// Every single piece of equipment, none, and all: no exercise needing
	// something unavailable is ever picked, for any fault.
	sets := [][]domain.Equipment{nil, domain.AllEquipment}
	for _, q := range domain.AllEquipment {
		sets = append(sets, []domain.Equipment{q})
	}
	for _, eq := range sets {
		for _, f := range domain.AllFaults {
			req := RoutineRequest{Faults: map[domain.FaultName]float64{f: 1, domain.Slouch: 0.5}, Equipment: eq}
			r, err := c.Routine(req)
			if err != nil {
				t.Errorf("%v %s: %v", eq, f, err)
				continue
			}
			checkRoutine(t, c, req, r)
			for _, id := range ids(r) {
				if need, ok := needing[id]; ok && !slices.Contains(eq, need) {
					t.Errorf("equipment %v, fault %s: picked %s which needs %s", eq, f, id, need)
				}
			}
		}
	}
	// Equipment that is there is used where it is the best fit.
	cases := []struct {
		eq   domain.Equipment
		f    domain.FaultName
		want string
	}{
		{domain.EquipFoamRoller, domain.Slouch, "thoracic_extension_roller"},
		{domain.EquipDoorway, domain.RoundedShoulders, "doorway_pec_stretch"},
		{domain.EquipWall, domain.RoundedShoulders, "wall_angels"},
	}
	for _, c2 := range cases {
		r, err := c.Routine(RoutineRequest{Faults: map[domain.FaultName]float64{c2.f: 1}, Equipment: []domain.Equipment{c2.eq}})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(ids(r), c2.want) {
			t.Errorf("%s with %s: %v lacks %s", c2.f, c2.eq, ids(r), c2.want)
		}
	}
	// Slouch without a foam roller: the chair variant of thoracic extension.
	r, _ := c.Routine(RoutineRequest{Faults: map[domain.FaultName]float64{domain.Slouch: 1}})
	if got := ids(r); !slices.Contains(got, "thoracic_extension_chair") || slices.Contains(got, "thoracic_extension_roller") {
		t.Errorf("slouch without a roller: %v", got)
	}
}

func TestRoutineDeskOnly(t *testing.T) {
	c := Default()
	for _, f := range domain.AllFaults {
		req := RoutineRequest{Faults: map[domain.FaultName]float64{f: 1}, DeskOnly: true, Equipment: domain.AllEquipment}
		r, err := c.Routine(req)
		if err != nil {
			t.Errorf("%s desk-only: %v", f, err)
			continue
		}
		checkRoutine(t, c, req, r) // asserts every item is seated
		if len(r.Items) == 0 {
			t.Errorf("%s desk-only: empty routine", f)
		}
	}
}

func TestRoutineDurationBounds(t *testing.T) {
	c := Default()
	faults := map[domain.FaultName]float64{domain.ForwardHead: 4, domain.RoundedShoulders: 3, domain.Slouch: 2}
	for _, b := range []struct{ min, max time.Duration }{
		{0, 0}, {2 * time.Minute, 3 * time.Minute}, {time.Minute, 90 * time.Second},
		{4 * time.Minute, 5 * time.Minute}, {3 * time.Minute, 10 * time.Minute}, {0, 4 * time.Minute},
	} {
		for _, desk := range []bool{false, true} {
			req := RoutineRequest{Faults: faults, MinDuration: b.min, MaxDuration: b.max, DeskOnly: desk}
			r, err := c.Routine(req)
			if err != nil {
				t.Errorf("bounds %v–%v desk %v: %v", b.min, b.max, desk, err)
				continue
			}
			checkRoutine(t, c, req, r)
		}
	}
	// A longer break gets more exercise than a short one.
	short, _ := c.Routine(RoutineRequest{Faults: faults, MaxDuration: 2 * time.Minute, MinDuration: time.Minute})
	long, _ := c.Routine(RoutineRequest{Faults: faults, MaxDuration: 5 * time.Minute})
	if short.Duration >= long.Duration {
		t.Errorf("2-min routine %v is not shorter than the 5-min one %v", short.Duration, long.Duration)
	}
}

func TestRoutineDeterministic(t *testing.T) {
	c := Default()
	req := RoutineRequest{Faults: map[domain.FaultName]float64{domain.ForwardHead: 3, domain.RoundedShoulders: 3, domain.Slouch: 3, domain.HeadDown: 3},
		Equipment: []domain.Equipment{domain.EquipBand, domain.EquipWall}}
	first, err := c.Routine(req)
	if err != nil {
		t.Fatal(err)
	}
	for range 50 { // map iteration order differs from run to run
		r, err := c.Routine(req)
		if err != nil || !reflect.DeepEqual(r, first) {
			t.Fatalf("routine changed between identical requests:\n%v\n%v", ids(first), ids(r))
		}
		if r2, _ := Default().Routine(req); r2.ID != first.ID {
			t.Fatalf("id differs on a fresh catalogue: %s vs %s", r2.ID, first.ID)
		}
	}
	// Ties between equal weights go to the fixed fault order.
	if first.Faults[0] != domain.ForwardHead || len(first.Faults) != routineMaxFaults {
		t.Errorf("faults %v, want the 3 first in vocabulary order on a tie", first.Faults)
	}
	other, _ := c.Routine(RoutineRequest{Faults: map[domain.FaultName]float64{domain.Slouch: 1}})
	if other.ID == first.ID {
		t.Error("different routines share an id")
	}
}

func TestRoutineFollowsWeights(t *testing.T) {
	c := Default()
	r, err := c.Routine(RoutineRequest{Faults: map[domain.FaultName]float64{domain.ForwardHead: 2, domain.RoundedShoulders: 20, domain.Slouch: 1}})
	if err != nil {
		t.Fatal(err)
	}
	count := map[domain.FaultName]int{}
	for _, it := range r.Items {
		count[it.Fault]++
	}
	if count[domain.RoundedShoulders] <= count[domain.ForwardHead] {
		t.Errorf("rounded shoulders (weight 20) got %d items, forward head (weight 2) %d: %v", count[domain.RoundedShoulders], count[domain.ForwardHead], ids(r))
	}
	// Slouch is 5% of the heaviest: not addressed on its own.
	if count[domain.Slouch] != 0 || slices.Contains(r.Faults, domain.Slouch) {
		t.Errorf("slouch (5%% of the weight) got items: %v, faults %v", count, r.Faults)
	}
	if !strings.Contains(r.Reason, "rounded shoulders (87%)") {
		t.Errorf("reason %q", r.Reason)
	}
	// Zero weights count as absent: a general break.
	g, err := c.Routine(RoutineRequest{Faults: map[domain.FaultName]float64{domain.HeadTilt: 0}})
	if err != nil {
		t.Fatal(err)
	}
	checkRoutine(t, c, RoutineRequest{}, g)
	if !strings.Contains(g.Title, "desk break") || len(g.Faults) != 3 {
		t.Errorf("general routine: title %q faults %v", g.Title, g.Faults)
	}
}

func TestRoutineErrors(t *testing.T) {
	c := Default()
	cases := []struct {
		req  RoutineRequest
		want string
	}{
		{RoutineRequest{Faults: map[domain.FaultName]float64{"neck_ache": 1}}, `unknown fault "neck_ache"`},
		{RoutineRequest{Equipment: []domain.Equipment{"trampoline"}}, `unknown equipment "trampoline"`},
		{RoutineRequest{Faults: map[domain.FaultName]float64{domain.Slouch: -1}}, "invalid weight"},
		{RoutineRequest{Faults: map[domain.FaultName]float64{domain.Slouch: math.NaN()}}, "invalid weight"},
		{RoutineRequest{MinDuration: 6 * time.Minute, MaxDuration: 5 * time.Minute}, "longer than the maximum"},
		{RoutineRequest{MaxDuration: -time.Minute}, "negative"},
		{RoutineRequest{Faults: map[domain.FaultName]float64{domain.Slouch: 1}, MaxDuration: 10 * time.Second}, "no exercise"},
	}
	for _, k := range cases {
		_, err := c.Routine(k.req)
		if err == nil || !strings.Contains(err.Error(), k.want) {
			t.Errorf("%+v: error %v, want %q", k.req, err, k.want)
		}
	}
	// A catalogue with nothing doable seated: a clear error wrapping ErrNoRoutine.
	only, _ := c.Exercise("doorway_pec_stretch")
	small := &Catalogue{Version: 1, Safety: c.Safety, Exercises: []domain.Exercise{only}}
	_, err := small.Routine(RoutineRequest{Faults: map[domain.FaultName]float64{domain.RoundedShoulders: 1}, Equipment: []domain.Equipment{domain.EquipDoorway}, DeskOnly: true})
	if !errors.Is(err, ErrNoRoutine) || !strings.Contains(err.Error(), "seated at the desk") || !strings.Contains(err.Error(), "rounded shoulders") {
		t.Errorf("desk-only with only a doorway stretch: %v", err)
	}
	// Too little to fill the minimum.
	_, err = small.Routine(RoutineRequest{Faults: map[domain.FaultName]float64{domain.RoundedShoulders: 1}, Equipment: []domain.Equipment{domain.EquipDoorway}, MinDuration: 3 * time.Minute})
	if !errors.Is(err, ErrNoRoutine) || !strings.Contains(err.Error(), "less than the minimum") {
		t.Errorf("too short: %v", err)
	}
	// The broken-embedded fallback (safety only) errors rather than panics.
	empty := &Catalogue{Version: 1, Safety: fallbackSafety}
	if _, err := empty.Routine(RoutineRequest{}); !errors.Is(err, ErrNoRoutine) {
		t.Errorf("empty catalogue: %v", err)
	}
	var none *Catalogue
	if _, err := none.Routine(RoutineRequest{}); !errors.Is(err, ErrNoRoutine) {
		t.Errorf("nil catalogue: %v", err)
	}
}

func TestRoutineSafetyAlwaysPresent(t *testing.T) {
	c := Default()
	c.Safety = nil // even a catalogue built in code without safety text
	r, err := c.Routine(RoutineRequest{Faults: map[domain.FaultName]float64{domain.HeadTurn: 1}})
	if err != nil {
		t.Fatal(err)
	}
	all := strings.ToLower(strings.Join(r.Safety, " "))
	for _, w := range []string{"sharp pain", "ice", "doctor", "persists", "numbness", "tingling", "not a diagnosis"} {
		if !strings.Contains(all, w) {
			t.Errorf("fallback safety lacks %q: %q", w, r.Safety)
		}
	}
}

func TestRoutineFillerReachesMinimum(t *testing.T) {
	// Head back alone has only short exercises at the desk; with a 4-minute
	// minimum the routine is topped up with general exercises.
	c := Default()
	req := RoutineRequest{Faults: map[domain.FaultName]float64{domain.HeadBack: 1}, DeskOnly: true, MinDuration: 4 * time.Minute}
	r, err := c.Routine(req)
	if err != nil {
		t.Fatal(err)
	}
	checkRoutine(t, c, req, r)
	filler := 0
	for _, it := range r.Items {
		if it.Fault == "" {
			filler++
			if it.Why == "" {
				t.Errorf("filler %s has no why", it.Exercise.ID)
			}
		}
	}
	if filler == 0 {
		t.Errorf("no filler in %v (%v)", ids(r), r.Duration)
	}
}

func TestRoutineJSON(t *testing.T) {
	r, err := Default().Routine(RoutineRequest{Faults: map[domain.FaultName]float64{domain.ForwardHead: 2, domain.Slouch: 1}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	if raw["duration_s"] != r.Duration.Seconds() {
		t.Errorf("duration_s %v, want %v", raw["duration_s"], r.Duration.Seconds())
	}
	item := raw["items"].([]any)[0].(map[string]any)
	if item["duration_s"] != r.Items[0].Duration.Seconds() || item["why"] != r.Items[0].Why {
		t.Errorf("first item JSON %v", item)
	}
	if ex := item["exercise"].(map[string]any); ex["id"] != "chin_tuck" || ex["dose"].(map[string]any)["reps"] != 10.0 {
		t.Errorf("exercise JSON %v", ex)
	}
	var back domain.Routine
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, r) {
		t.Errorf("round trip changed the routine:\n%+v\n%+v", back, r)
	}
}

// At the desk nobody is sent to the floor: for every fault and every kit,
// a routine for someone at the desk has no floor exercise, while away from
// the desk the same requests do use them (so the rule is what removes them).
func TestRoutineAtDeskKeepsOffTheFloor(t *testing.T) {
	c := Default()
	for _, id := range []string{"cat_cow", "childs_pose", "thoracic_extension_roller", "y_raises"} {
		if e, ok := c.Exercise(id); !ok || !e.Floor || e.Seated {
			t.Errorf("%s: floor %v seated %v, want a floor exercise", id, e.Floor, e.Seated)
		}
	}
	floorAway := 0
	for _, f := range domain.AllFaults {
		for _, eq := range [][]domain.Equipment{nil, domain.AllEquipment} {
			req := RoutineRequest{Faults: map[domain.FaultName]float64{f: 1}, Equipment: eq}
			away, err := c.Routine(req)
			if err != nil {
				t.Fatalf("%s away: %v", f, err)
			}
			for _, it := range away.Items {
				if it.Exercise.Floor {
					floorAway++
				}
			}
			req.AtDesk = true
			r, err := c.Routine(req)
			if err != nil {
				t.Errorf("%s at the desk (equipment %v): %v", f, eq, err)
				continue
			}
			checkRoutine(t, c, req, r)
			for _, it := range r.Items {
				if it.Exercise.Floor {
					t.Errorf("%s at the desk (equipment %v): %s is done on the floor", f, eq, it.Exercise.ID)
				}
			}
		}
	}
	if floorAway == 0 {
		t.Error("no routine away from the desk used a floor exercise: the test proves nothing")
	}
	// Standing up is still fair at the desk: with a doorway, rounded
	// shoulders get the doorway stretch.
	r, err := c.Routine(RoutineRequest{Faults: map[domain.FaultName]float64{domain.RoundedShoulders: 1}, Equipment: []domain.Equipment{domain.EquipDoorway}, AtDesk: true})
	if err != nil || !slices.Contains(ids(r), "doorway_pec_stretch") {
		t.Errorf("at the desk with a doorway: %v, %v", ids(r), err)
	}
}

// A floor exercise marked seated is a contradiction the catalogue refuses.
func TestCatalogueFloorNotSeated(t *testing.T) {
	c := Default().Clone()
	for i := range c.Exercises {
		if c.Exercises[i].ID == "cat_cow" {
			c.Exercises[i].Seated = true
		}
	}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "floor") {
		t.Errorf("a seated floor exercise: %v", err)
	}
}
