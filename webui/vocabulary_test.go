package webui

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"posturewatch/coach/domain"
)

// GET /api/vocabulary gives the domain's words, and its profile-name rule is
// the one POST /api/profiles/check applies.
func TestAPIVocabulary(t *testing.T) {
	ts := newTS(t)
	resp, err := http.Get(ts.base + "/api/vocabulary")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/vocabulary = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var v Vocabulary
	dec := json.NewDecoder(resp.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode: %v", err)
	}

	if len(v.Faults) != len(domain.AllFaults) {
		t.Fatalf("%d faults, want %d", len(v.Faults), len(domain.AllFaults))
	}
	for i, f := range domain.AllFaults {
		msg, fix := domain.NudgeText(f)
		want := FaultWords{Name: f, Label: domain.FaultLabel(f), Nudge: msg, Fix: fix, Region: domain.FaultRegion(f)}
		if v.Faults[i] != want {
			t.Errorf("fault %d = %+v, want %+v", i, v.Faults[i], want)
		}
	}
	if !slices.Equal(v.States, domain.AllStates) || !slices.Contains(v.States, domain.StateSlouching) {
		t.Errorf("states %v, want %v", v.States, domain.AllStates)
	}
	if !slices.Equal(v.Postures, domain.AllPostures) {
		t.Errorf("postures %v, want %v", v.Postures, domain.AllPostures)
	}

	if v.Framing.ShouldersLow != domain.ShouldersLowInPicture || v.Framing.LowAdvice != domain.ShouldersLowAdvice || v.Framing.BacklitAdvice != domain.BacklitAdvice {
		t.Errorf("framing = %+v", v.Framing)
	}

	r := v.ProfileName
	if r.MaxChars != domain.MaxProfileNameChars || r.MaxBytes != domain.MaxProfileNameBytes || r.Rule == "" || r.Check != "POST /api/profiles/check" {
		t.Errorf("profile_name = %+v", r)
	}
	check := func(name string) int {
		code, _, _ := ts.do("POST", "/api/profiles/check", map[string]string{"name": name})
		return code
	}
	// The README's example, with a space, is a valid name (the old page refused it).
	for _, ok := range []string{"desk monitor", strings.Repeat("a", r.MaxChars)} {
		if code := check(ok); code != 200 {
			t.Errorf("check %q = %d, want 200", ok, code)
		}
	}
	for _, bad := range []string{"", strings.Repeat("a", r.MaxChars+1), "../etc", "desk "} {
		if code := check(bad); code != 400 {
			t.Errorf("check %q = %d, want 400", bad, code)
		}
	}
}
