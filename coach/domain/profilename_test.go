package domain

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

var profileNameRE = regexp.MustCompile(ProfileNamePattern)

// patternAccepts is what the dashboard checks as a name is typed: the
// pattern and the two lengths.
func patternAccepts(name string) bool {
	return profileNameRE.MatchString(name) && utf8.RuneCountInString(name) <= MaxProfileNameChars && len(name) <= MaxProfileNameBytes
}

// The pattern the dashboard checks names with as they are typed says what
// ValidateProfileName says.
func TestProfileNamePatternMatchesValidate(t *testing.T) {
	names := []string{"desk", "desk monitor", "Büro 2.0", "home_office-left", "a", "1", "x_", "x-", "ノート",
		"", " desk", "desk ", "desk.", "a b.", ".hidden", "-x", "_x", "a/b", "../x", "a\tb", "a\nb", "desk!", "d€sk",
		strings.Repeat("x", MaxProfileNameChars), strings.Repeat("x", MaxProfileNameChars+1), "٣", "Ⅻ"}
	for _, n := range names {
		if got, want := patternAccepts(n), ValidateProfileName(n) == nil; got != want {
			t.Errorf("%q: pattern says %v, ValidateProfileName %v", n, got, want)
		}
	}
}

func FuzzProfileNamePattern(f *testing.F) {
	for _, s := range []string{"desk", "desk monitor", " x", "x.", "a/b", "Büro 2.0", "Ⅻ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if !utf8.ValidString(name) {
			return // a browser's input field holds valid text only
		}
		if got, want := patternAccepts(name), ValidateProfileName(name) == nil; got != want {
			t.Errorf("%q: pattern says %v, ValidateProfileName %v", name, got, want)
		}
	})
}
