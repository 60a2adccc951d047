package main

import (
	"bytes"
	"strings"
	"testing"

	"posturewatch/vision/posture/fit"
)

// The new-people line pools every person left out, good and bad frames apart.
func TestNewPeopleLine(t *testing.T) {
	row := func(person, class string, frames, correct int) fit.CVRow {
		return fit.CVRow{Person: person, Row: fit.Row{Name: person, Expected: class, Frames: frames, Correct: correct}}
	}
	var b bytes.Buffer
	writeNewPeople(&b, []fit.CVRow{
		row("a", fit.ClassGood, 100, 97), row("a", fit.ClassSitUp, 50, 40),
		row("b", fit.ClassGood, 20, 20), row("b", fit.ClassSitUp, 30, 15),
	})
	want := "all 2 people, each judged by a fit made without them, no baseline: good frames called bad 3 of 120 (2.5 %), bad frames caught 55 of 80 (68.8 %)\n"
	if b.String() != want {
		t.Errorf("got  %q\nwant %q", b.String(), want)
	}
	b.Reset()
	writeNewPeople(&b, []fit.CVRow{row("a", fit.ClassGood, 10, 10)})
	if strings.TrimSpace(b.String()) != "" {
		t.Errorf("without bad frames: %q, want nothing", b.String())
	}
}
