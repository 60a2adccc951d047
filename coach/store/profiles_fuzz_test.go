package store

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"posturewatch/coach/domain"
)

// baselineSeeds are baseline files as SaveBaseline writes them, as older
// versions wrote them, and damaged in the ways files get damaged.
func baselineSeeds(f *testing.F) [][]byte {
	f.Helper()
	good, err := json.MarshalIndent(testBaseline("laptop"), "", "  ")
	if err != nil {
		f.Fatal(err)
	}
	seeds := [][]byte{
		append(good, '\n'),
		good[:len(good)/2], // cut short by a crash
		append(append([]byte{}, good...), good...),
		append(append([]byte{0xef, 0xbb, 0xbf}, good...), '\n'), // a BOM from an editor
		[]byte(`{"name":"old","created":"2025-01-02T03:04:05Z","frames":12,"metrics":{"neck_eyes":{"median":0.5,"mad":0.01,"n":12}}}`),
		[]byte(`{"name":"v2","version":2,"created":"2026-11-24T09:00:00+01:00","frames":20,"metrics":{"a":{"median":-1e308,"mad":0,"n":1}}}`),
		[]byte(`{"metrics":{"a":{"median":0.5,"mad":-0.01}}}`),
		[]byte(`{"metrics":{"":{"median":0.5,"mad":0.01}}}`),
		[]byte(`{"metrics":{"a":{"median":1e309,"mad":0.01}}}`),
		[]byte(`{"metrics":{"a":{"median":"NaN","mad":0.01}}}`),
		[]byte(`{"frames":-1,"metrics":{"a":{"median":0.5,"mad":0.01}}}`),
		[]byte(`{"frames":1.5,"metrics":{"a":{"median":0.5,"mad":0.01}}}`),
		[]byte(`{"created":"yesterday","metrics":{"a":{"median":0.5,"mad":0.01}}}`),
		[]byte(`{"metrics":{}}`),
		[]byte(`{"metrics":null}`),
		[]byte(`{"metrics":{"a":null}}`),
		[]byte(`{}`), []byte(`null`), []byte(`[]`), []byte(`"x"`), []byte(``), []byte("\x00\x00\x00\x00"),
		[]byte(`{"metrics":{"a":{"median":0.5,"mad":0.01}}} trailing`),
	}
	return seeds
}

// FuzzLoadBaseline: LoadBaseline never panics and gives either an error
// naming the file or a baseline that Validates, which saves and loads back
// unchanged.
func FuzzLoadBaseline(f *testing.F) {
	for _, s := range baselineSeeds(f) {
		f.Add(s)
	}
	dir := f.TempDir() // iterations run one at a time: reuse one directory
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "fuzz.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		b, err := LoadBaseline(path)
		if err != nil {
			if b != nil {
				t.Fatalf("a baseline and an error: %v", err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("the error does not name the file: %v", err)
			}
			return
		}
		if verr := b.Validate(); verr != nil {
			t.Fatalf("LoadBaseline returned an invalid baseline: %v", verr)
		}
		// What SaveBaseline writes, without its fsyncs (they would make
		// the fuzzing a hundred times slower).
		enc, err := json.MarshalIndent(b, "", "  ")
		if err != nil {
			t.Fatalf("a baseline that loads does not encode: %v", err)
		}
		again := filepath.Join(dir, "again.json")
		if err := os.WriteFile(again, append(enc, '\n'), 0o600); err != nil {
			t.Fatal(err)
		}
		b2, err := LoadBaseline(again)
		if err != nil {
			t.Fatalf("a saved baseline does not load: %v", err)
		}
		if !b2.Created.Equal(b.Created) {
			t.Fatalf("created %v came back as %v", b.Created, b2.Created)
		}
		b2.Created = b.Created
		if !reflect.DeepEqual(b, b2) {
			t.Fatalf("save and load changed the baseline:\n%+v\n%+v", b, b2)
		}
	})
}

// FuzzProfileStore: with one profile file of arbitrary bytes beside a good
// one, and an arbitrary "active" file, ProfileStore.Load agrees with
// LoadBaseline, and List never fails: it lists both profiles, the bad one
// with its Problem set, and marks at most one active.
func FuzzProfileStore(f *testing.F) {
	for i, s := range baselineSeeds(f) {
		active := [][]byte{[]byte("fuzz\n"), []byte("good\n"), nil, []byte("../etc/passwd\n"), []byte("\xff\n")}[i%5]
		f.Add(s, active)
	}
	f.Add([]byte(`{"metrics":{"a":{"median":0.5,"mad":0.01}}}`), []byte("  fuzz  \n\n"))
	f.Add([]byte(`{"metrics":{"a":{"median":0.5,"mad":0.01}}}`), []byte("missing"))
	dir := f.TempDir()
	s, err := NewProfileStore(dir)
	if err != nil {
		f.Fatal(err)
	}
	if err := s.Save(testBaseline("good")); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data, active []byte) {
		if err := os.WriteFile(filepath.Join(dir, "fuzz.json"), data, 0o600); err != nil {
			t.Fatal(err)
		}
		if active != nil {
			if err := os.WriteFile(filepath.Join(dir, "active"), active, 0o600); err != nil {
				t.Fatal(err)
			}
		} else if err := os.Remove(filepath.Join(dir, "active")); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		want, werr := LoadBaseline(filepath.Join(dir, "fuzz.json"))
		got, gerr := s.Load("fuzz")
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("Load: %v; LoadBaseline: %v", gerr, werr)
		}
		if gerr != nil && errors.Is(gerr, ErrNoProfile) {
			t.Fatalf("a damaged profile is reported missing: %v", gerr)
		}
		if gerr == nil {
			if got.Name != "fuzz" {
				t.Fatalf("Load named the baseline %q", got.Name)
			}
			if err := got.Validate(); err != nil {
				t.Fatalf("Load returned an invalid baseline: %v", err)
			}
		}
		list, err := s.List()
		if err != nil {
			t.Fatalf("List failed because of one file: %v", err)
		}
		if len(list) != 2 || list[0].Name != "fuzz" || list[1].Name != "good" {
			t.Fatalf("List = %+v, want fuzz and good", list)
		}
		bad, ok := list[0], list[1]
		if ok.Problem != "" || ok.Frames != 20 {
			t.Fatalf("the good profile is listed as %+v", ok)
		}
		if (bad.Problem != "") != (werr != nil) {
			t.Fatalf("fuzz listed as %+v; LoadBaseline: %v", bad, werr)
		}
		if werr == nil && bad.Frames != want.Frames {
			t.Fatalf("fuzz listed with %d frames, the file has %d", bad.Frames, want.Frames)
		}
		if bad.Active && ok.Active {
			t.Fatalf("two active profiles: %+v", list)
		}
		name, aerr := s.Active()
		for _, p := range list {
			if p.Active != (aerr == nil && p.Name == name) {
				t.Fatalf("%s listed active=%v; Active() = %q, %v", p.Name, p.Active, name, aerr)
			}
		}
		if aerr == nil && name != "" {
			if err := domain.ValidateProfileName(name); err != nil {
				t.Fatalf("Active() = %q, not a profile name: %v", name, err)
			}
		}
	})
}
