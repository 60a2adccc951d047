package domain

import (
	"strings"
	"testing"
)

// The limits published with the vocabulary are the ones ValidateProfileName
// applies, and the README's example name is valid.
func TestProfileNameLimitsMatchValidate(t *testing.T) {
	ok := []string{"desk monitor", "laptop", "a", strings.Repeat("x", MaxProfileNameChars), "Büro 2.0", "home_office-left"}
	for _, n := range ok {
		if err := ValidateProfileName(n); err != nil {
			t.Errorf("ValidateProfileName(%q) = %v, want ok", n, err)
		}
	}
	bad := []string{"", strings.Repeat("x", MaxProfileNameChars+1),
		strings.Repeat("𝐀", MaxProfileNameBytes/4+1), // letters of 4 bytes: within 64 characters, over 200 bytes
		" desk", "desk ", "desk.", "../desk", "a/b", ".hidden"}
	for _, n := range bad {
		if err := ValidateProfileName(n); err == nil {
			t.Errorf("ValidateProfileName(%q) = nil, want an error", n)
		}
	}
}

func TestVocabularyListsAreComplete(t *testing.T) {
	seen := map[FaultName]bool{}
	for _, f := range AllFaults {
		if seen[f] {
			t.Errorf("fault %q listed twice", f)
		}
		seen[f] = true
		if msg, fix := NudgeText(f); msg == "Your posture has changed" || fix == "" {
			t.Errorf("fault %q has no nudge wording of its own", f)
		}
	}
	for f, want := range map[FaultName]string{ForwardHead: "forward head", HeadBack: "chin up", HeadTurn: "head turned", UnevenShoulders: "uneven shoulders"} {
		if got := FaultLabel(f); got != want {
			t.Errorf("FaultLabel(%q) = %q, want %q", f, got, want)
		}
	}
	if len(AllStates) != 5 || len(AllPostures) != 4 {
		t.Errorf("AllStates %v, AllPostures %v: a state or posture was added without listing it", AllStates, AllPostures)
	}
}

// Every fault is placed on the body, so the preview can circle it.
func TestEveryFaultHasARegion(t *testing.T) {
	for _, f := range AllFaults {
		if _, ok := faultRegions[f]; !ok {
			t.Errorf("fault %s has no region", f)
		}
	}
}
