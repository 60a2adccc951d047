package exercise

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"posturewatch/coach/domain"
	"posturewatch/coach/reps"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// The stretch catalogue: exercises for the muscles that desk posture faults
// tighten or weaken, with their doses, equipment and cautions. The default
// catalogue is embedded (catalogue.json); a user may replace it with a file of
// the same format (Load), which is validated entry by entry.

//go:embed catalogue.json
var embeddedCatalogue []byte

// CatalogueVersion is the catalogue file format version this code reads.
const FormatVersion = 1

// Catalogue is a versioned list of exercises plus the safety text that goes
// with every routine.
type Catalogue struct {
	Version   int               `json:"version"`
	Safety    []string          `json:"safety"`
	Exercises []domain.Exercise `json:"exercises"`
}

// Clone returns a deep copy of the catalogue.
func (c *Catalogue) Clone() *Catalogue {
	out := &Catalogue{Version: c.Version, Safety: slices.Clone(c.Safety)}
	out.Exercises = make([]domain.Exercise, len(c.Exercises))
	for i, e := range c.Exercises {
		out.Exercises[i] = e.Clone()
	}
	return out
}

// Exercise looks an exercise up by id.
func (c *Catalogue) Exercise(id string) (domain.Exercise, bool) {
	for _, e := range c.Exercises {
		if e.ID == id {
			return e.Clone(), true
		}
	}
	return domain.Exercise{}, false
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
		embeddedCat, embeddedErr = Parse(embeddedCatalogue, "embedded catalogue.json")
	})
	return embeddedCat, embeddedErr
}

// LoadDefault returns a copy of the embedded catalogue, or the error
// that makes it unusable (the tests make sure there is none).
func LoadDefault() (*Catalogue, error) {
	c, err := loadEmbedded()
	if err != nil {
		return nil, err
	}
	return c.Clone(), nil
}

// Default returns a copy of the embedded catalogue. It never panics:
// should the embedded file be broken it logs the error and returns a catalogue
// with the safety text only, for which Routine reports that nothing fits.
func Default() *Catalogue {
	c, err := LoadDefault()
	if err != nil {
		slog.Error("embedded stretch catalogue is invalid", "err", err)
		return &Catalogue{Version: FormatVersion, Safety: slices.Clone(fallbackSafety)}
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

// Load reads and validates a user's catalogue file (JSON, same format
// as the embedded one; it replaces the default catalogue).
func Load(path string) (*Catalogue, error) {
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
	return Parse(data, path)
}

// rawCatalogue defers decoding of the exercises so that a decoding error can
// name the entry it is in.
type rawCatalogue struct {
	Version   int               `json:"version"`
	Safety    []string          `json:"safety"`
	Exercises []json.RawMessage `json:"exercises"`
}

// Parse decodes and validates catalogue JSON; name is used in error
// messages (a file name). Unknown fields are errors, so typos are caught.
// A catalogue without safety text gets the built-in safety text.
func Parse(data []byte, name string) (*Catalogue, error) {
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
		var e domain.Exercise
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
		add("missing version (use %d)", FormatVersion)
	case c.Version != FormatVersion:
		add("unsupported version %d (this program reads version %d)", c.Version, FormatVersion)
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
		case domain.KindStretch, domain.KindStrength, domain.KindMobility:
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
		fseen := map[domain.FaultName]bool{}
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
			if q == domain.EquipNone {
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
		if e.Floor && e.Seated {
			bad("an exercise done on the floor cannot also be done seated at the desk")
		}
		if e.Checkable != "" {
			if !slices.Contains(reps.Kinds(), e.Checkable) {
				bad("unknown checkable %q (known: %s)", e.Checkable, strings.Join(reps.Kinds(), ", "))
			}
		}
	}
	if len(problems) > 0 {
		return &CatalogueError{Source: source, Problems: problems}
	}
	return nil
}

func doseProblems(label string, d domain.Dose) []string {
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
	s := make([]string, len(domain.AllFaults))
	for i, f := range domain.AllFaults {
		s[i] = string(f)
	}
	return strings.Join(s, ", ")
}

func equipmentList() string {
	s := make([]string, len(domain.AllEquipment))
	for i, e := range domain.AllEquipment {
		s[i] = string(e)
	}
	return strings.Join(s, ", ")
}
