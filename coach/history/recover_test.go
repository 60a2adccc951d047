package history

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"posturewatch/coach/domain"
)

var t0 = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

func minutes(n int) []domain.MinuteAggregate {
	var ms []domain.MinuteAggregate
	for i := range n {
		ms = append(ms, domain.MinuteAggregate{Start: t0.Add(time.Duration(i) * time.Minute), PresentS: 60, GoodS: 50})
	}
	return ms
}

// A file that is not a database is moved aside, a fresh database starts,
// and the notice names where the old file went.
func TestOpenCheckedGarbageFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	if err := os.WriteFile(path, []byte(strings.Repeat("not sqlite at all ", 400)), 0o600); err != nil {
		t.Fatal(err)
	}
	db, notice, err := OpenChecked(path, t0)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	kept := path + ".damaged-20261203-090000"
	if !strings.Contains(notice, kept) || !strings.Contains(notice, "new one started") {
		t.Errorf("notice %q does not name %s", notice, kept)
	}
	if b, err := os.ReadFile(kept); err != nil || !strings.HasPrefix(string(b), "not sqlite") {
		t.Errorf("the damaged file was not kept: %v", err)
	}
	if err := db.AddMinutes(minutes(2)...); err != nil {
		t.Errorf("the fresh database does not work: %v", err)
	}
	// damaged again the same second: a second name, the first kept
	db.Close()
	if err := os.WriteFile(path, []byte(strings.Repeat("x", 5000)), 0o600); err != nil {
		t.Fatal(err)
	}
	db2, _, err := OpenChecked(path, t0)
	if err != nil {
		t.Fatal(err)
	}
	db2.Close()
	if _, err := os.Stat(kept + "-2"); err != nil {
		t.Errorf("second damaged file: %v", err)
	}
}

// Damage in the middle of a real database (pages overwritten) is found by
// the check at start, not read back as zeros.
func TestOpenCheckedDamageInTheMiddle(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.AddMinutes(minutes(3000)...); err != nil {
		t.Fatal(err)
	}
	if _, err := db.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := f.Stat()
	junk := []byte(strings.Repeat("\xa5", 4096*3))
	if _, err := f.WriteAt(junk, st.Size()/2/4096*4096); err != nil { // three pages in the middle
		t.Fatal(err)
	}
	f.Close()

	db2, notice, err := OpenChecked(path, t0)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if notice == "" {
		t.Fatal("damage in the middle went unnoticed")
	}
	if ms, err := db2.Minutes(context.Background(), t0, t0.Add(48*time.Hour)); err != nil || len(ms) != 0 {
		t.Errorf("the new database holds %d minutes (%v), want a fresh one", len(ms), err)
	}
}

// A database that cannot be opened at all (a directory in its place, a
// read-only data directory) is an error, and nothing is moved.
func TestOpenCheckedCannotOpen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, _, err := OpenChecked(path, t0); err == nil {
		t.Error("history.db a directory: no error")
	}
	if st, err := os.Stat(path); err != nil || !st.IsDir() {
		t.Errorf("the directory was moved: %v", err)
	}
	if os.Geteuid() == 0 {
		return // root writes anywhere: the read-only case cannot be made here
	}
	ro := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(ro, 0o500); err != nil {
		t.Fatal(err)
	}
	if _, _, err := OpenChecked(filepath.Join(ro, FileName), t0); err == nil {
		t.Error("read-only data directory: no error")
	}
}

// A healthy database passes the check untouched.
func TestOpenCheckedHealthy(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.AddMinutes(minutes(10)...); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db2, notice, err := OpenChecked(path, t0)
	if err != nil || notice != "" {
		t.Fatalf("healthy database: %q %v", notice, err)
	}
	defer db2.Close()
	if ms, _ := db2.Minutes(context.Background(), t0, t0.Add(time.Hour)); len(ms) != 10 {
		t.Errorf("%d minutes read back", len(ms))
	}
}
