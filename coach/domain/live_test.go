package domain

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// A sample scores the worst fault, drops what JSON cannot carry, and takes
// the coach's view at the same instant.
func TestSampleOf(t *testing.T) {
	obs := Observation{Posture: PostureBad, Confidence: 0.8,
		Faults:  []Fault{{Name: ForwardHead, Severity: 0.62}, {Name: HeadTilt, Severity: 0.2}},
		Metrics: Metrics{MetricNeckShoulders: 0.5, MetricHeadYaw: math.NaN()}}
	s := SampleOf(obs)
	if s.Score == nil || *s.Score != 38 {
		t.Errorf("score = %v, want 38 (100 − worst severity 62%%)", s.Score)
	}
	if _, ok := s.Metrics[MetricHeadYaw]; ok || s.Metrics[MetricNeckShoulders] != 0.5 {
		t.Errorf("metrics = %v: NaN must be dropped, others kept", s.Metrics)
	}
	if _, err := json.Marshal(s); err != nil {
		t.Errorf("sample does not encode: %v", err)
	}
	// What the picture showed reaches the page (the first-run check, the
	// live hints): a backlit face says so; an ordinary one says nothing.
	obs.Backlit, obs.Picture, obs.People = true, "", 1
	if b, _ := json.Marshal(SampleOf(obs)); !strings.Contains(string(b), `"backlit":true`) {
		t.Errorf("a backlit observation's sample: %s", b)
	}
	obs.Backlit = false
	if b, _ := json.Marshal(SampleOf(obs)); strings.Contains(string(b), `"backlit"`) {
		t.Errorf("an ordinary observation's sample mentions backlight: %s", b)
	}
	for _, p := range []Posture{PostureAway, PostureUnknown} {
		if sc := Score(Observation{Posture: p}); sc != nil {
			t.Errorf("score for %s = %v, want none", p, *sc)
		}
	}
	if sc := Score(Observation{Posture: PostureGood}); sc == nil || *sc != 100 {
		t.Errorf("score with no fault = %v", sc)
	}
	st := Status{State: StateSlouching, Fault: ForwardHead, StreakS: 0, GoodTodayS: 600}
	if w := s.WithStatus(st); w.State != StateSlouching || w.Fault != ForwardHead || w.GoodTodayS != 600 {
		t.Errorf("WithStatus = %+v", w)
	}
}
