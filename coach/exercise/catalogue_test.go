package exercise

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"posturewatch/coach/domain"
	"posturewatch/coach/reps"
	"strings"
	"testing"
	"time"
)

func TestEmbeddedCatalogueValidates(t *testing.T) {
	c, err := LoadDefault()
	if err != nil {
		t.Fatalf("embedded catalogue: %v", err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if c.Version != FormatVersion {
		t.Errorf("version %d, want %d", c.Version, FormatVersion)
	}
	if d := Default(); len(d.Exercises) != len(c.Exercises) {
		t.Errorf("Default has %d exercises, LoadDefault %d", len(d.Exercises), len(c.Exercises))
	}
}

func TestDefaultCatalogueIsACopy(t *testing.T) {
	a := Default()
	a.Exercises[0].Steps[0] = "changed"
	a.Exercises = a.Exercises[:1]
	b := Default()
	if len(b.Exercises) < 2 || b.Exercises[0].Steps[0] == "changed" {
		t.Fatal("changing one DefaultCatalogue result changed the next one")
	}
	ex, _ := b.Exercise(b.Exercises[0].ID)
	ex.Muscles[0] = "changed"
	if again, _ := b.Exercise(ex.ID); again.Muscles[0] == "changed" {
		t.Fatal("Exercise returned shared slices")
	}
}

func TestRequiredExercisesPresent(t *testing.T) {
	c := Default()
	required := map[string]struct {
		kind   string
		faults []domain.FaultName
	}{
		"chin_tuck":                 {domain.KindStrength, []domain.FaultName{domain.ForwardHead, domain.HeadBack, domain.HeadDown, domain.TooClose}},
		"levator_scapulae_stretch":  {domain.KindStretch, []domain.FaultName{domain.HeadDown, domain.HeadTurn, domain.HeadTilt}},
		"upper_trap_stretch":        {domain.KindStretch, []domain.FaultName{domain.ForwardHead, domain.ShouldersRaised, domain.HeadTilt}},
		"doorway_pec_stretch":       {domain.KindStretch, []domain.FaultName{domain.RoundedShoulders}},
		"thoracic_extension_roller": {domain.KindStretch, []domain.FaultName{domain.Slouch, domain.TooClose}},
		"thoracic_extension_chair":  {domain.KindStretch, []domain.FaultName{domain.Slouch, domain.TooClose}},
		"childs_pose":               {domain.KindStretch, []domain.FaultName{domain.Slouch}},
		"cat_cow":                   {domain.KindMobility, []domain.FaultName{domain.Slouch}},
		"wall_angels":               {domain.KindStrength, []domain.FaultName{domain.RoundedShoulders}},
		"y_raises":                  {domain.KindStrength, []domain.FaultName{domain.RoundedShoulders}},
		"face_pulls":                {domain.KindStrength, []domain.FaultName{domain.RoundedShoulders}},
		"band_row":                  {domain.KindStrength, []domain.FaultName{domain.RoundedShoulders}},
		"dumbbell_row":              {domain.KindStrength, []domain.FaultName{domain.RoundedShoulders}},
		"shoulder_shrugs":           {domain.KindStrength, []domain.FaultName{domain.ShouldersRaised}},
		"shoulder_rolls":            {domain.KindMobility, []domain.FaultName{domain.ShouldersRaised}},
		"lat_side_stretch":          {domain.KindStretch, []domain.FaultName{domain.UnevenShoulders, domain.HeadTilt}},
		"seated_thoracic_rotation":  {domain.KindStretch, []domain.FaultName{domain.Slouch, domain.HeadTurn}},
	}
	for id, want := range required {
		e, ok := c.Exercise(id)
		if !ok {
			t.Errorf("required exercise %q missing", id)
			continue
		}
		if e.Kind != want.kind {
			t.Errorf("%s: kind %q, want %q", id, e.Kind, want.kind)
		}
		for _, f := range want.faults {
			if !e.Addresses(f) {
				t.Errorf("%s: does not address %s", id, f)
			}
		}
	}
	// Equipment of the variants the issue names.
	needs := map[string]domain.Equipment{"doorway_pec_stretch": domain.EquipDoorway, "thoracic_extension_roller": domain.EquipFoamRoller,
		"thoracic_extension_chair": domain.EquipChair, "face_pulls": domain.EquipBand, "band_row": domain.EquipBand,
		"dumbbell_row": domain.EquipWeights, "wall_angels": domain.EquipWall}
	for id, q := range needs {
		if e, ok := c.Exercise(id); ok && (len(e.Equipment) != 1 || e.Equipment[0] != q) {
			t.Errorf("%s: equipment %v, want [%s]", id, e.Equipment, q)
		}
	}
	if _, ok := c.Exercise("no_such_exercise"); ok {
		t.Error("Exercise found an id that does not exist")
	}
	if e, _ := c.Exercise("chin_tuck"); e.Checkable != reps.ChinTuck || !e.Seated {
		t.Errorf("chin_tuck: checkable %q seated %v, want %q and seated", e.Checkable, e.Seated, reps.ChinTuck)
	}
	// Every fault has at least one exercise, and one that can be done at the desk.
	for _, f := range domain.AllFaults {
		any, seated := false, false
		for _, e := range c.Exercises {
			if e.Addresses(f) {
				any = true
				seated = seated || e.Seated
			}
		}
		if !any || !seated {
			t.Errorf("fault %s: exercises %v, seated ones %v", f, any, seated)
		}
	}
}

// The doses follow the source material: stretches held 20–30 s, strengthening
// about 10 reps (8–15) in 2–3 sets.
func TestDosesInRange(t *testing.T) {
	for _, e := range Default().Exercises {
		d := e.Dose
		switch e.Kind {
		case domain.KindStretch:
			if d.HoldSeconds < 20 || d.HoldSeconds > 30 {
				t.Errorf("%s: stretch held %d s, want 20–30", e.ID, d.HoldSeconds)
			}
			if d.Sets < 1 || d.Sets > 3 {
				t.Errorf("%s: %d sets, want 1–3", e.ID, d.Sets)
			}
		case domain.KindStrength:
			if d.Reps < 8 || d.Reps > 15 {
				t.Errorf("%s: %d reps, want 8–15", e.ID, d.Reps)
			}
			if d.Sets < 2 || d.Sets > 3 {
				t.Errorf("%s: %d sets, want 2–3", e.ID, d.Sets)
			}
			if d.HoldSeconds > 5 {
				t.Errorf("%s: holds %d s per rep, want ≤ 5", e.ID, d.HoldSeconds)
			}
		case domain.KindMobility:
			if d.Reps < 5 || d.Reps > 15 || d.Sets < 1 || d.Sets > 3 {
				t.Errorf("%s: mobility dose %+v, want 5–15 reps in 1–3 sets", e.ID, d)
			}
		}
		if dur := e.Duration(); dur < 20*time.Second || dur > 4*time.Minute {
			t.Errorf("%s: takes %v at full dose, want 20 s–4 min", e.ID, dur)
		}
		if len(e.Steps) < 3 {
			t.Errorf("%s: only %d steps", e.ID, len(e.Steps))
		}
		if e.Purpose == "" {
			t.Errorf("%s: no purpose (used for the routine's why)", e.ID)
		}
	}
}

func TestEmbeddedSafetyText(t *testing.T) {
	all := strings.ToLower(strings.Join(Default().Safety, " "))
	for _, want := range []string{"sharp", "ice", "doctor", "persists", "numbness", "tingling", "not a diagnosis"} {
		if !strings.Contains(all, want) {
			t.Errorf("safety text lacks %q", want)
		}
	}
}

func TestDoseDuration(t *testing.T) {
	cases := []struct {
		d    domain.Dose
		want time.Duration
	}{
		{domain.Dose{HoldSeconds: 30, Sets: 1}, 30 * time.Second},
		{domain.Dose{HoldSeconds: 30, Sets: 2, PerSide: true, RestSeconds: 5}, 4*30*time.Second + 3*5*time.Second},
		{domain.Dose{Reps: 10, Sets: 2, RestSeconds: 30}, 2*10*3*time.Second + 30*time.Second},
		{domain.Dose{Reps: 10, HoldSeconds: 3, Sets: 2, RestSeconds: 15}, 2*10*6*time.Second + 15*time.Second},
		{domain.Dose{Reps: 10, HoldSeconds: 1, Sets: 2, PerSide: true, RestSeconds: 20}, 4*10*4*time.Second + 3*20*time.Second},
		{domain.Dose{}, 0},
		{domain.Dose{HoldSeconds: 20}, 0}, // no sets: not a dose
	}
	for _, c := range cases {
		if got := c.d.Duration(); got != c.want {
			t.Errorf("%+v: Duration %v, want %v", c.d, got, c.want)
		}
	}
	e, _ := Default().Exercise("chin_tuck")
	if e.Duration() != e.Dose.Duration() {
		t.Error("Exercise.Duration differs from its dose's")
	}
	if s := (domain.Dose{Reps: 10, HoldSeconds: 3, Sets: 2}).String(); s != "10 reps, hold 3 s, 2 sets" {
		t.Errorf("Dose.String = %q", s)
	}
}

// userCatalogue builds a catalogue file from the embedded one with one entry
// changed by edit.
func userCatalogue(t *testing.T, edit func(c map[string]any, exs []map[string]any) []map[string]any) []byte {
	t.Helper()
	var c map[string]any
	if err := json.Unmarshal(embeddedCatalogue, &c); err != nil {
		t.Fatal(err)
	}
	var exs []map[string]any
	for _, e := range c["exercises"].([]any) {
		exs = append(exs, e.(map[string]any))
	}
	c["exercises"] = edit(c, exs)
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func find(exs []map[string]any, id string) map[string]any {
	for _, e := range exs {
		if e["id"] == id {
			return e
		}
	}
	panic("no exercise " + id)
}

func TestUserCatalogueErrorsNameTheEntry(t *testing.T) {
	cases := []struct {
		name string
		edit func(c map[string]any, exs []map[string]any) []map[string]any
		want []string // all must appear in the error
	}{
		{"unknown fault", func(_ map[string]any, exs []map[string]any) []map[string]any {
			find(exs, "cat_cow")["faults"] = []any{"slouch", "neck_pain"}
			return exs
		}, []string{`exercise "cat_cow"`, `unknown fault "neck_pain"`}},
		{"missing dose", func(_ map[string]any, exs []map[string]any) []map[string]any {
			delete(find(exs, "wall_angels"), "dose")
			return exs
		}, []string{`exercise "wall_angels"`, "missing dose"}},
		{"zero sets", func(_ map[string]any, exs []map[string]any) []map[string]any {
			find(exs, "y_raises")["dose"] = map[string]any{"reps": 10}
			return exs
		}, []string{`exercise "y_raises"`, "sets 0 out of range"}},
		{"duplicate id", func(_ map[string]any, exs []map[string]any) []map[string]any {
			dup := map[string]any{}
			for k, v := range find(exs, "childs_pose") {
				dup[k] = v
			}
			return append(exs, dup)
		}, []string{`exercise "childs_pose"`, "duplicate id"}},
		{"empty steps", func(_ map[string]any, exs []map[string]any) []map[string]any {
			find(exs, "lat_side_stretch")["steps"] = []any{}
			return exs
		}, []string{`exercise "lat_side_stretch"`, "no steps"}},
		{"unknown equipment", func(_ map[string]any, exs []map[string]any) []map[string]any {
			find(exs, "face_pulls")["equipment"] = []any{"kettlebell"}
			return exs
		}, []string{`exercise "face_pulls"`, `unknown equipment "kettlebell"`}},
		{"missing id", func(_ map[string]any, exs []map[string]any) []map[string]any {
			delete(exs[2], "id")
			return exs
		}, []string{"exercise #3 (no id)", "missing id"}},
		{"unknown kind", func(_ map[string]any, exs []map[string]any) []map[string]any {
			find(exs, "shoulder_rolls")["kind"] = "cardio"
			return exs
		}, []string{`exercise "shoulder_rolls"`, `unknown kind "cardio"`}},
		{"typo in a field name", func(_ map[string]any, exs []map[string]any) []map[string]any {
			find(exs, "childs_pose")["hold_secs"] = 30
			return exs
		}, []string{`exercise "childs_pose"`, `unknown field "hold_secs"`}},
		{"wrong type", func(_ map[string]any, exs []map[string]any) []map[string]any {
			find(exs, "childs_pose")["seated"] = "yes"
			return exs
		}, []string{`exercise "childs_pose"`, "seated"}},
		{"unknown checkable", func(_ map[string]any, exs []map[string]any) []map[string]any {
			find(exs, "chin_tuck")["checkable"] = "squat"
			return exs
		}, []string{`exercise "chin_tuck"`, `unknown checkable "squat"`}},
		{"none with other equipment", func(_ map[string]any, exs []map[string]any) []map[string]any {
			find(exs, "band_row")["equipment"] = []any{"none", "band"}
			return exs
		}, []string{`exercise "band_row"`, `"none" together`}},
		{"unsupported version", func(c map[string]any, exs []map[string]any) []map[string]any {
			c["version"] = 7
			return exs
		}, []string{"unsupported version 7"}},
		{"missing version", func(c map[string]any, exs []map[string]any) []map[string]any {
			delete(c, "version")
			return exs
		}, []string{"missing version"}},
		{"no exercises", func(_ map[string]any, _ []map[string]any) []map[string]any {
			return []map[string]any{}
		}, []string{"no exercises"}},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".json")
			if err := os.WriteFile(path, userCatalogue(t, c.edit), 0o644); err != nil {
				t.Fatal(err)
			}
			cat, err := Load(path)
			if err == nil {
				t.Fatalf("no error; loaded %d exercises", len(cat.Exercises))
			}
			var ce *CatalogueError
			if !errors.As(err, &ce) {
				t.Errorf("error %T is not a *CatalogueError", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, path) {
				t.Errorf("error does not name the file: %s", msg)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error lacks %q:\n%s", w, msg)
				}
			}
		})
	}
}

func TestUserCatalogueAllProblemsReported(t *testing.T) {
	data := userCatalogue(t, func(_ map[string]any, exs []map[string]any) []map[string]any {
		find(exs, "cat_cow")["faults"] = []any{"bad_fault"}
		delete(find(exs, "wall_angels"), "dose")
		return exs
	})
	_, err := Parse(data, "mine.json")
	var ce *CatalogueError
	if !errors.As(err, &ce) || len(ce.Problems) != 2 {
		t.Fatalf("want 2 problems, got %v", err)
	}
}

func TestUserCatalogueLoads(t *testing.T) {
	// A user's own small catalogue: valid, without safety text (gets the built-in).
	data := []byte(`{"version": 1, "exercises": [
	 {"id": "neck_glide", "name": "Neck glide", "kind": "strength", "muscles": ["deep neck flexors"],
	  "faults": ["forward_head"], "steps": ["Glide the chin back.", "Return."],
	  "dose": {"reps": 10, "sets": 2}, "equipment": ["none"], "seated": true}]}`)
	path := filepath.Join(t.TempDir(), "mine.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatalf("LoadCatalogue: %v", err)
	}
	if len(c.Exercises) != 1 || c.Exercises[0].ID != "neck_glide" {
		t.Fatalf("exercises %+v", c.Exercises)
	}
	if len(c.Safety) == 0 {
		t.Error("a catalogue without safety text must get the built-in one")
	}
	r, err := c.Routine(RoutineRequest{Faults: map[domain.FaultName]float64{domain.ForwardHead: 1}, MinDuration: time.Minute})
	if err != nil {
		t.Fatalf("Routine from the user catalogue: %v", err)
	}
	if len(r.Items) != 1 || r.Items[0].Exercise.ID != "neck_glide" || len(r.Safety) == 0 {
		t.Errorf("routine %+v", r)
	}
}

func TestLoadCatalogueBadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := map[string]struct{ path, want string }{
		"missing":  {filepath.Join(dir, "nope.json"), "no such file"},
		"empty":    {write("empty.json", "  \n"), "file is empty"},
		"syntax":   {write("syntax.json", "{\n\"version\": 1,\n\"exercises\": [ {\"id\": }\n]}"), "line 3"},
		"not json": {write("text.json", "hello"), "not valid catalogue JSON"},
		"trailing": {write("two.json", `{"version":1,"exercises":[]} {}`), "unexpected data"},
		"array":    {write("array.json", `[1,2]`), "not valid catalogue JSON"},
		"toplevel": {write("top.json", `{"version":1,"exercises":[],"colour":"red"}`), `unknown field "colour"`},
	}
	for name, c := range cases {
		_, err := Load(c.path)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, c.want)
		}
	}
	big := write("big.json", `{"version":1,"safety":["`+strings.Repeat("a", maxCatalogueBytes)+`"]}`)
	if _, err := Load(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversize file: %v", err)
	}
}

func TestValidateInMemory(t *testing.T) {
	c := Default()
	c.Exercises[1].Dose.HoldSeconds = -5
	c.Exercises[4].Faults = nil
	err := c.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, w := range []string{c.Exercises[1].ID, "hold_seconds -5", c.Exercises[4].ID, "no faults"} {
		if !strings.Contains(msg, w) {
			t.Errorf("error lacks %q: %s", w, msg)
		}
	}
	var nilCat *Catalogue
	if nilCat.Validate() == nil {
		t.Error("nil catalogue validated")
	}
}

func TestCatalogueJSONRoundTrip(t *testing.T) {
	c := Default()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(b, "round-trip")
	if err != nil {
		t.Fatalf("re-parsing the marshalled catalogue: %v", err)
	}
	if len(back.Exercises) != len(c.Exercises) {
		t.Fatalf("%d exercises after round trip, want %d", len(back.Exercises), len(c.Exercises))
	}
	for i := range c.Exercises {
		a, b := c.Exercises[i], back.Exercises[i]
		if a.ID != b.ID || a.Dose != b.Dose || a.Seated != b.Seated || len(a.Steps) != len(b.Steps) {
			t.Errorf("exercise %d differs after round trip: %+v vs %+v", i, a, b)
		}
	}
}
