package domain

import (
	"slices"
	"testing"
)

// The more severe fault is named first; between equally severe ones a fault
// the camera's place cannot fake leads one it can (a head rolled to full
// severity beside a neck that reads short); then by name.
func TestSortFaultsNamesTheSureFaultOnATie(t *testing.T) {
	fs := []Fault{
		{Name: ForwardHead, Severity: 1},
		{Name: UnevenShoulders, Severity: 1},
		{Name: HeadTilt, Severity: 1},
		{Name: TooClose, Severity: 0.6},
		{Name: HeadBack, Severity: 0.6},
		{Name: HeadTurn, Severity: 0.4},
	}
	SortFaults(fs)
	var got []FaultName
	for _, f := range fs {
		got = append(got, f.Name)
	}
	want := []FaultName{HeadTilt, UnevenShoulders, ForwardHead, HeadBack, TooClose, HeadTurn}
	if !slices.Equal(got, want) {
		t.Errorf("sorted %v, want %v", got, want)
	}
	if !Leads(ForwardHead, 1, HeadTilt, 0.99) || Leads(ForwardHead, 1, HeadTilt, 1) {
		t.Error("Leads: severity first, then the fault the camera cannot fake")
	}
}
