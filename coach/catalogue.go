package coach

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// The stretch catalogue: exercises for the muscles that desk posture faults
// tighten or weaken, with their doses, equipment and cautions. The default
// catalogue is embedded (catalogue.json); a user may replace it with a file of
// the same format (LoadCatalogue), which is validated entry by entry.

//go:embed catalogue.json
var embeddedCatalogue []byte

// CatalogueVersion is the catalogue file format version this code reads.
const CatalogueVersion = 1

// Equipment is one thing an exercise needs. An exercise's Equipment lists
// alternatives: any one of them is enough (empty or ["none"] means nothing).
type Equipment string

const (
	EquipNone       Equipment = "none"
	EquipWall       Equipment = "wall"
	EquipDoorway    Equipment = "doorway"
	EquipFoamRoller Equipment = "foam_roller"
	EquipBand       Equipment = "band"
	EquipWeights    Equipment = "weights"
	EquipChair      Equipment = "chair"
)

// AllEquipment lists the equipment vocabulary in a stable order.
var AllEquipment = []Equipment{EquipNone, EquipWall, EquipDoorway, EquipFoamRoller, EquipBand, EquipWeights, EquipChair}

// ImplicitEquipment is always assumed available: nothing at all, and the chair
// the user sits on at the desk the camera watches.
var ImplicitEquipment = []Equipment{EquipNone, EquipChair}

// Valid reports whether e is in the equipment vocabulary.
func (e Equipment) Valid() bool { return slices.Contains(AllEquipment, e) }

// Exercise kinds.
const (
	KindStretch  = "stretch"
	KindStrength = "strength"
	KindMobility = "mobility"
)

// Dose is how much of an exercise to do: a hold, repetitions, or both
// (e.g. 10 repetitions each held 3 s), in sets, optionally on each side.
type Dose struct {
	HoldSeconds int  `json:"hold_seconds,omitempty"`
	Reps        int  `json:"reps,omitempty"`
	Sets        int  `json:"sets"`
	PerSide     bool `json:"per_side,omitempty"`
	RestSeconds int  `json:"rest_seconds,omitempty"`
}

// repMove is the time estimated for the movement of one repetition, on top of
// any hold.
const repMove = 3 * time.Second

// Duration estimates how long the dose takes: every set (on each side when
// PerSide) is either a hold, or Reps repetitions of about 3 s plus the hold,
// with RestSeconds between consecutive sets and sides.
func (d Dose) Duration() time.Duration {
	if d.Sets <= 0 || (d.HoldSeconds <= 0 && d.Reps <= 0) {
		return 0
	}
	hold := time.Duration(max(d.HoldSeconds, 0)) * time.Second
	perSet := hold
	if d.Reps > 0 {
		perSet = time.Duration(d.Reps) * (repMove + hold)
	}
	blocks := d.Sets
	if d.PerSide {
		blocks *= 2
	}
	rest := time.Duration(max(d.RestSeconds, 0)) * time.Second
	return time.Duration(blocks)*perSet + time.Duration(blocks-1)*rest
}

// String describes the dose in plain words, e.g. "10 reps, hold 3 s, 2 sets".
func (d Dose) String() string {
	var parts []string
	if d.Reps > 0 {
		parts = append(parts, fmt.Sprintf("%d reps", d.Reps))
	}
	if d.HoldSeconds > 0 {
		parts = append(parts, fmt.Sprintf("hold %d s", d.HoldSeconds))
	}
	if d.Sets == 1 {
		parts = append(parts, "1 set")
	} else {
		parts = append(parts, fmt.Sprintf("%d sets", d.Sets))
	}
	if d.PerSide {
		parts = append(parts, "each side")
	}
	return strings.Join(parts, ", ")
}

// Exercise is one catalogue entry.
type Exercise struct {
	ID        string      `json:"id"`
	Name      string      `json:"name"`
	Kind      string      `json:"kind"`            // "stretch" | "strength" | "mobility"
	Group     string      `json:"group,omitempty"` // variants of one movement share a group; a routine takes one
	Muscles   []string    `json:"muscles"`
	Faults    []FaultName `json:"faults"`            // the faults it addresses, the most direct first
	Purpose   string      `json:"purpose,omitempty"` // what it does, in a phrase ("opens the chest…")
	Steps     []string    `json:"steps"`
	Dose      Dose        `json:"dose"`
	Equipment []Equipment `json:"equipment"` // alternatives; any one is enough
	Seated    bool        `json:"seated"`    // can be done seated at the desk
	Cautions  []string    `json:"cautions,omitempty"`
	Checkable string      `json:"checkable,omitempty"` // a RepCounter kind when the camera can count it, else ""
}

// Duration estimates how long the exercise takes at its dose.
func (e Exercise) Duration() time.Duration { return e.Dose.Duration() }

// Addresses reports whether the exercise is meant for fault f.
func (e Exercise) Addresses(f FaultName) bool { return slices.Contains(e.Faults, f) }

// faultRank is the position of f in the exercise's fault list (0 = the most
// direct), or -1.
func (e Exercise) faultRank(f FaultName) int { return slices.Index(e.Faults, f) }

// NeedsOnly reports whether the exercise can be done with the given equipment
// available (none and the chair are always available).
func (e Exercise) NeedsOnly(have []Equipment) bool {
	if len(e.Equipment) == 0 {
		return true
	}
	for _, q := range e.Equipment {
		if slices.Contains(ImplicitEquipment, q) || slices.Contains(have, q) {
			return true
		}
	}
	return false
}

// clone returns a deep copy, so callers cannot modify shared slices.
func (e Exercise) clone() Exercise {
	e.Muscles = slices.Clone(e.Muscles)
	e.Faults = slices.Clone(e.Faults)
	e.Steps = slices.Clone(e.Steps)
	e.Equipment = slices.Clone(e.Equipment)
	e.Cautions = slices.Clone(e.Cautions)
	return e
}

// Catalogue is a versioned list of exercises plus the safety text that goes
// with every routine.
type Catalogue struct {
	Version   int        `json:"version"`
	Safety    []string   `json:"safety"`
	Exercises []Exercise `json:"exercises"`
}

// Clone returns a deep copy of the catalogue.
func (c *Catalogue) Clone() *Catalogue {
	out := &Catalogue{Version: c.Version, Safety: slices.Clone(c.Safety)}
	out.Exercises = make([]Exercise, len(c.Exercises))
	for i, e := range c.Exercises {
		out.Exercises[i] = e.clone()
	}
	return out
}

// Exercise looks an exercise up by id.
func (c *Catalogue) Exercise(id string) (Exercise, bool) {
	for _, e := range c.Exercises {
		if e.ID == id {
			return e.clone(), true
		}
	}
	return Exercise{}, false
}

// CatalogueError lists every problem found in a catalogue. Each problem names
// the entry (exercise id, or its position when the id is missing).
type CatalogueError struct {
	Source   string   // file name or "embedded"
	Problems []string // "exercise \"chin_tuck\": dose: sets must be at least 1"
}

func (e *CatalogueError) Error() string {
	if e.Source == "" {
		return "invalid stretch catalogue: " + strings.Join(e.Problems, "; ")
	}
	return fmt.Sprintf("invalid stretch catalogue %s: %s", e.Source, strings.Join(e.Problems, "; "))
}

var (
	embeddedOnce sync.Once
	embeddedCat  *Catalogue
	embeddedErr  error
)

func loadEmbedded() (*Catalogue, error) {
	embeddedOnce.Do(func() {
		embeddedCat, embeddedErr = ParseCatalogue(embeddedCatalogue, "embedded catalogue.json")
	})
	return embeddedCat, embeddedErr
}

// LoadDefaultCatalogue returns a copy of the embedded catalogue, or the error
// that makes it unusable (the tests make sure there is none).
func LoadDefaultCatalogue() (*Catalogue, error) {
	c, err := loadEmbedded()
	if err != nil {
		return nil, err
	}
	return c.Clone(), nil
}

// DefaultCatalogue returns a copy of the embedded catalogue. It never panics:
// should the embedded file be broken it logs the error and returns a catalogue
// with the safety text only, for which Routine reports that nothing fits.
func DefaultCatalogue() *Catalogue {
	c, err := LoadDefaultCatalogue()
	if err != nil {
		slog.Error("embedded stretch catalogue is invalid", "err", err)
		return &Catalogue{Version: CatalogueVersion, Safety: slices.Clone(fallbackSafety)}
	}
	return c
}

// fallbackSafety is used when a catalogue carries no safety text of its own,
// so that the safety advice always travels with a routine.
var fallbackSafety = []string{
	"Move gently and stop at once if you feel sharp pain.",
	"For fresh (acute) pain, ice or a cold pack for 15 to 20 minutes at a time eases pain and swelling.",
	"See a doctor if pain persists, or if you notice numbness or tingling in your arms or hands.",
	"This is general advice, not a diagnosis.",
}

// maxCatalogueBytes bounds a user catalogue file.
const maxCatalogueBytes = 1 << 20

// LoadCatalogue reads and validates a user's catalogue file (JSON, same format
// as the embedded one; it replaces the default catalogue).
func LoadCatalogue(path string) (*Catalogue, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("stretch catalogue: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCatalogueBytes+1))
	if err != nil {
		return nil, fmt.Errorf("stretch catalogue %s: read: %w", path, err)
	}
	if len(data) > maxCatalogueBytes {
		return nil, fmt.Errorf("stretch catalogue %s: file larger than %d bytes", path, maxCatalogueBytes)
	}
	return ParseCatalogue(data, path)
}

// rawCatalogue defers decoding of the exercises so that a decoding error can
// name the entry it is in.
type rawCatalogue struct {
	Version   int               `json:"version"`
	Safety    []string          `json:"safety"`
	Exercises []json.RawMessage `json:"exercises"`
}

// ParseCatalogue decodes and validates catalogue JSON; name is used in error
// messages (a file name). Unknown fields are errors, so typos are caught.
// A catalogue without safety text gets the built-in safety text.
func ParseCatalogue(data []byte, name string) (*Catalogue, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &CatalogueError{Source: name, Problems: []string{"file is empty"}}
	}
	var raw rawCatalogue
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, &CatalogueError{Source: name, Problems: []string{"not valid catalogue JSON: " + jsonErrorText(data, err)}}
	}
	if dec.More() {
		return nil, &CatalogueError{Source: name, Problems: []string{"unexpected data after the catalogue object"}}
	}
	c := &Catalogue{Version: raw.Version, Safety: raw.Safety}
	var problems []string
	for i, msg := range raw.Exercises {
		var e Exercise
		d := json.NewDecoder(bytes.NewReader(msg))
		d.DisallowUnknownFields()
		if err := d.Decode(&e); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %s", entryLabel(i, peekID(msg)), jsonErrorText(msg, err)))
			continue
		}
		c.Exercises = append(c.Exercises, e)
	}
	if len(problems) > 0 {
		return nil, &CatalogueError{Source: name, Problems: problems}
	}
	if len(c.Safety) == 0 {
		c.Safety = slices.Clone(fallbackSafety)
	}
	if err := c.validate(name); err != nil {
		return nil, err
	}
	return c, nil
}

// peekID extracts an entry's id for error messages, if it has one.
func peekID(msg json.RawMessage) string {
	var v struct {
		ID any `json:"id"`
	}
	if json.Unmarshal(msg, &v) != nil {
		return ""
	}
	if s, ok := v.ID.(string); ok {
		return s
	}
	return ""
}

// jsonErrorText describes a JSON decoding error with a line number when the
// decoder reports an offset.
func jsonErrorText(data []byte, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("%v (line %d)", se, lineOf(data, se.Offset))
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "value"
		}
		return fmt.Sprintf("%s: expected %s, got JSON %s", field, te.Type, te.Value)
	case errors.Is(err, io.EOF):
		return "no JSON object"
	}
	return err.Error()
}

func lineOf(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}

func entryLabel(i int, id string) string {
	if id == "" {
		return fmt.Sprintf("exercise #%d (no id)", i+1)
	}
	return fmt.Sprintf("exercise %q", id)
}

// Validate checks the catalogue and reports every problem found, each naming
// its entry.
func (c *Catalogue) Validate() error { return c.validate("") }

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// Plausible dose bounds for any catalogue (the embedded one keeps to the
// tighter ranges of the source material, checked by its tests).
const (
	maxHoldSeconds = 120
	maxReps        = 50
	maxSets        = 5
	maxRestSeconds = 300
)

func (c *Catalogue) validate(source string) error {
	if c == nil {
		return &CatalogueError{Source: source, Problems: []string{"no catalogue"}}
	}
	var problems []string
	add := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	switch {
	case c.Version == 0:
		add("missing version (use %d)", CatalogueVersion)
	case c.Version != CatalogueVersion:
		add("unsupported version %d (this program reads version %d)", c.Version, CatalogueVersion)
	}
	if len(c.Exercises) == 0 {
		add("no exercises")
	}
	for i, s := range c.Safety {
		if strings.TrimSpace(s) == "" {
			add("safety line %d is empty", i+1)
		}
	}
	seen := map[string]int{}
	for i, e := range c.Exercises {
		label := entryLabel(i, e.ID)
		bad := func(format string, a ...any) { add("%s: %s", label, fmt.Sprintf(format, a...)) }
		if e.ID != "" {
			if first, dup := seen[e.ID]; dup {
				bad("duplicate id (also exercise #%d)", first+1)
			} else {
				seen[e.ID] = i
			}
			if !idPattern.MatchString(e.ID) {
				bad("id must be lower-case letters, digits, '_' or '-'")
			}
		} else {
			bad("missing id")
		}
		if strings.TrimSpace(e.Name) == "" {
			bad("missing name")
		}
		if e.Group != "" && !idPattern.MatchString(e.Group) {
			bad("group must be lower-case letters, digits, '_' or '-'")
		}
		switch e.Kind {
		case KindStretch, KindStrength, KindMobility:
		case "":
			bad("missing kind (stretch, strength or mobility)")
		default:
			bad("unknown kind %q (stretch, strength or mobility)", e.Kind)
		}
		if len(e.Muscles) == 0 {
			bad("no muscles listed")
		}
		for _, m := range e.Muscles {
			if strings.TrimSpace(m) == "" {
				bad("empty muscle name")
			}
		}
		if len(e.Faults) == 0 {
			bad("no faults listed (it would never be picked)")
		}
		fseen := map[FaultName]bool{}
		for _, f := range e.Faults {
			if !f.Valid() {
				bad("unknown fault %q (known: %s)", f, faultList())
			} else if fseen[f] {
				bad("fault %q listed twice", f)
			}
			fseen[f] = true
		}
		if len(e.Steps) == 0 {
			bad("no steps")
		}
		for j, s := range e.Steps {
			if strings.TrimSpace(s) == "" {
				bad("step %d is empty", j+1)
			}
		}
		problems = append(problems, doseProblems(label, e.Dose)...)
		hasNone := false
		for _, q := range e.Equipment {
			if !q.Valid() {
				bad("unknown equipment %q (known: %s)", q, equipmentList())
			}
			if q == EquipNone {
				hasNone = true
			}
		}
		if hasNone && len(e.Equipment) > 1 {
			bad("equipment lists \"none\" together with other items; use one or the other")
		}
		for j, s := range e.Cautions {
			if strings.TrimSpace(s) == "" {
				bad("caution %d is empty", j+1)
			}
		}
		if e.Checkable != "" {
			if _, ok := repKinds[e.Checkable]; !ok {
				bad("unknown checkable %q (known: %s)", e.Checkable, strings.Join(RepKinds(), ", "))
			}
		}
	}
	if len(problems) > 0 {
		return &CatalogueError{Source: source, Problems: problems}
	}
	return nil
}

func doseProblems(label string, d Dose) []string {
	var p []string
	bad := func(format string, a ...any) { p = append(p, label+": dose: "+fmt.Sprintf(format, a...)) }
	if d.HoldSeconds == 0 && d.Reps == 0 && d.Sets == 0 {
		return []string{label + ": missing dose (needs hold_seconds or reps, and sets)"}
	}
	if d.HoldSeconds <= 0 && d.Reps <= 0 {
		bad("needs hold_seconds or reps")
	}
	if d.HoldSeconds < 0 || d.HoldSeconds > maxHoldSeconds {
		bad("hold_seconds %d out of range 0–%d", d.HoldSeconds, maxHoldSeconds)
	}
	if d.Reps < 0 || d.Reps > maxReps {
		bad("reps %d out of range 0–%d", d.Reps, maxReps)
	}
	if d.Sets < 1 || d.Sets > maxSets {
		bad("sets %d out of range 1–%d", d.Sets, maxSets)
	}
	if d.RestSeconds < 0 || d.RestSeconds > maxRestSeconds {
		bad("rest_seconds %d out of range 0–%d", d.RestSeconds, maxRestSeconds)
	}
	return p
}

func faultList() string {
	s := make([]string, len(AllFaults))
	for i, f := range AllFaults {
		s[i] = string(f)
	}
	return strings.Join(s, ", ")
}

func equipmentList() string {
	s := make([]string, len(AllEquipment))
	for i, e := range AllEquipment {
		s[i] = string(e)
	}
	return strings.Join(s, ", ")
}
