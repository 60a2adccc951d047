package exercise

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"posturewatch/coach/domain"
)

// catalogueLevelProblems are the problems about the file or the catalogue as
// a whole; every other problem is about one entry and must name it.
var catalogueLevelProblems = []string{
	"file is empty",
	"not valid catalogue JSON: ",
	"unexpected data after the catalogue object",
	"missing version",
	"unsupported version ",
	"no exercises",
	"safety line ",
}

// FuzzCatalogueParse: Parse (and Load, on the same bytes in a file) never
// panics and gives either a *CatalogueError naming the source, whose every
// problem is about the file or names its entry, or a catalogue that
// Validates, has safety text, writes back and parses again unchanged, and
// builds a routine without panicking.
func FuzzCatalogueParse(f *testing.F) {
	def, err := LoadDefault()
	if err != nil {
		f.Fatal(err)
	}
	small := &Catalogue{Version: FormatVersion, Safety: def.Safety[:1], Exercises: def.Exercises[:2]}
	smallJSON, err := json.Marshal(small)
	if err != nil {
		f.Fatal(err)
	}
	one, err := json.Marshal(def.Exercises[0])
	if err != nil {
		f.Fatal(err)
	}
	entry := string(one)
	// Not the whole embedded catalogue (24 KB): large seeds make the
	// fuzzer's minimising stall for many seconds (TestEmbeddedCatalogueValidates
	// covers it).
	f.Add(smallJSON)
	f.Add(smallJSON[:len(smallJSON)/2])
	for _, s := range []string{
		`{"version":1,"exercises":[` + entry + `]}`,
		`{"version":1,"safety":[],"exercises":[` + entry + `]}`,
		`{"version":1,"safety":[" "],"exercises":[` + entry + `]}`,
		`{"version":2,"exercises":[` + entry + `]}`,
		`{"exercises":[` + entry + `]}`,
		`{"version":1,"exercises":[` + entry + `,` + entry + `]}`,
		`{"version":1,"exercises":[]}`,
		`{"version":1,"exercises":null}`,
		`{"version":1,"exercises":[null]}`,
		`{"version":1,"exercises":[{}]}`,
		`{"version":1,"exercises":[1, "x", []]}`,
		`{"version":1,"exercises":[{"id":"a","nam":"typo"}]}`,
		`{"version":1,"exercises":[{"id":7}]}`,
		`{"version":1,"exercises":[{"id":"Bad ID","name":"x","kind":"yoga","muscles":[""],"faults":["forward_head","forward_head","nope"],"steps":[""],"dose":{"hold_seconds":-1,"reps":51,"sets":0,"rest_seconds":301},"equipment":["none","wall","trampoline"],"cautions":[""],"checkable":"nope","group":"G"}]}`,
		`{"version":1,"exercises":[{"id":"a","name":"A","kind":"stretch","muscles":["m"],"faults":["slouch"],"steps":["s"],"dose":{"hold_seconds":30,"sets":1},"equipment":[],"seated":true}]}`,
		`{"version":1,"exercises":[{"id":"a","name":"A","kind":"stretch","muscles":["m"],"faults":["slouch"],"steps":["s"],"dose":{"reps":50,"hold_seconds":120,"sets":5,"rest_seconds":300,"per_side":true}}]}`,
		`{"version":1,"exercises":[{"id":"a","name":"A","kind":"stretch","muscles":["m"],"faults":["slouch"],"steps":["s"],"dose":{}}]}`,
		`{"version":1,"exercises":[{"id":"a","name":"A","kind":"stretch","muscles":["m"],"faults":["slouch"],"steps":["s"],"dose":{"sets":1e9}}]}`,
		`{"version":1,"extra":true,"exercises":[]}`,
		`{"version":1,"exercises":[` + entry + `]} {}`,
		`{"version":1,"exercises":[` + entry + `]}` + "\n\n",
		"{\n\"version\": 1,\n\"exercises\": [\n{\"id\": \"a\",\n\"name\": \n",
		`[]`, `null`, `""`, ``, "   \n", "\xef\xbb\xbf{}",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		const source = "fuzz.json"
		c, err := Parse(data, source)
		path := filepath.Join(dir, source)
		if werr := os.WriteFile(path, data, 0o600); werr != nil {
			t.Fatal(werr)
		}
		lc, lerr := Load(path)
		if (err == nil) != (lerr == nil) {
			t.Fatalf("Parse: %v; Load: %v", err, lerr)
		}
		if err != nil {
			if c != nil {
				t.Fatalf("a catalogue and an error: %v", err)
			}
			var ce *CatalogueError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v (%T) is not a *CatalogueError", err, err)
			}
			if ce.Source != source || !strings.Contains(err.Error(), source) || len(ce.Problems) == 0 {
				t.Fatalf("error %+v does not name the file or has no problem", ce)
			}
			for _, p := range ce.Problems {
				if strings.HasPrefix(p, "exercise ") {
					continue
				}
				known := false
				for _, q := range catalogueLevelProblems {
					known = known || strings.HasPrefix(p, q)
				}
				if !known {
					t.Fatalf("problem %q names no entry", p)
				}
			}
			return
		}
		if verr := c.Validate(); verr != nil {
			t.Fatalf("Parse returned a catalogue that does not validate: %v", verr)
		}
		if len(c.Safety) == 0 {
			t.Fatal("a catalogue without safety text")
		}
		if !reflect.DeepEqual(c, lc) {
			t.Fatal("Load and Parse disagree")
		}
		out, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("marshal a valid catalogue: %v", err)
		}
		back, err := Parse(out, "written back")
		if err != nil {
			t.Fatalf("a valid catalogue, written back, does not parse: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(c, back) {
			t.Fatalf("write and parse changed the catalogue:\n%+v\n%+v", c, back)
		}
		r, err := c.Routine(RoutineRequest{Equipment: domain.AllEquipment, MaxDuration: 30 * time.Minute})
		if err == nil && len(r.Items) == 0 {
			t.Fatalf("an empty routine without an error: %+v", r)
		}
	})
}
