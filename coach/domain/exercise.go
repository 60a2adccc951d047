package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

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
	// Floor: done on the floor (kneeling, on hands and knees, lying): never
	// offered to someone at the desk (see exercise.RoutineRequest.AtDesk).
	Floor     bool     `json:"floor,omitempty"`
	Cautions  []string `json:"cautions,omitempty"`
	Checkable string   `json:"checkable,omitempty"` // a RepCounter kind when the camera can count it, else ""
}

// Duration estimates how long the exercise takes at its dose.
func (e Exercise) Duration() time.Duration { return e.Dose.Duration() }

// Addresses reports whether the exercise is meant for fault f.
func (e Exercise) Addresses(f FaultName) bool { return slices.Contains(e.Faults, f) }

// FaultRank is the position of f in the exercise's fault list (0 = the most
// direct), or -1.
func (e Exercise) FaultRank(f FaultName) int { return slices.Index(e.Faults, f) }

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

// Clone returns a deep copy, so callers cannot modify shared slices.
func (e Exercise) Clone() Exercise {
	e.Muscles = slices.Clone(e.Muscles)
	e.Faults = slices.Clone(e.Faults)
	e.Steps = slices.Clone(e.Steps)
	e.Equipment = slices.Clone(e.Equipment)
	e.Cautions = slices.Clone(e.Cautions)
	return e
}

// RoutineItem is one exercise of a routine, at the dose fitted to the break
// (Exercise.Dose.Sets may be fewer than the catalogue's full dose).
type RoutineItem struct {
	Exercise Exercise  `json:"exercise"`
	Duration Seconds   `json:"duration_s"`
	Why      string    `json:"why"`             // the fault(s) it addresses and what it does
	Fault    FaultName `json:"fault,omitempty"` // the fault it was picked for ("" for general filler)
}

// Routine is a short, dosed sequence of exercises with its safety text.
type Routine struct {
	ID       string        `json:"id"` // stable for the same exercises and doses
	Title    string        `json:"title"`
	Reason   string        `json:"reason"`
	Faults   []FaultName   `json:"faults"` // the faults addressed, heaviest first
	Items    []RoutineItem `json:"items"`
	Duration Seconds       `json:"duration_s"`
	Safety   []string      `json:"safety"`
}
