package domain

import (
	"strings"
	"unicode"
)

// ValidateProfileName accepts 1–64 letters, digits, spaces, '-', '_' and '.',
// starting with a letter or digit (so no path separators, no "..", no hidden files).
func ValidateProfileName(name string) error {
	if name == "" {
		return Errorf(EINVALID, "profile name is empty")
	}
	if len([]rune(name)) > MaxProfileNameChars {
		return Errorf(EINVALID, "profile name %q is longer than %d characters", name, MaxProfileNameChars)
	}
	// Each profile is a file NAME.json: keep clear of the 255-byte name limit
	// of Linux file systems, which 64 non-Latin characters can exceed.
	if len(name) > MaxProfileNameBytes {
		return Errorf(EINVALID, "profile name %q is too long for a file name (%d bytes; at most %d)", name, len(name), MaxProfileNameBytes)
	}
	for i, r := range name {
		ok := unicode.IsLetter(r) || unicode.IsDigit(r)
		if i > 0 {
			ok = ok || r == ' ' || r == '-' || r == '_' || r == '.'
		}
		if !ok {
			return Errorf(EINVALID, "profile name %q: character %q not allowed (use letters, digits, space, - _ . and start with a letter or digit)", name, r)
		}
	}
	if strings.HasSuffix(name, " ") || strings.HasSuffix(name, ".") {
		return Errorf(EINVALID, "profile name %q must not end with a space or a dot", name)
	}
	return nil
}

// ProfileInfo describes one stored profile.
type ProfileInfo struct {
	Name    string `json:"name"`
	Frames  int    `json:"frames"`
	Created string `json:"created"`
	Active  bool   `json:"active"`
	// Problem, when set, says why the profile cannot be used (a damaged
	// file): it is listed so the user can see it and delete it.
	Problem string `json:"problem,omitempty"`
}
