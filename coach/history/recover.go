package history

import (
	"errors"
	"fmt"
	"os"
	"posturewatch/coach/store"
	"strings"
	"time"
)

// SQLite's primary result codes for a damaged file.
const (
	sqliteCorrupt = 11 // SQLITE_CORRUPT: "database disk image is malformed"
	sqliteNotADB  = 26 // SQLITE_NOTADB: "file is not a database"
)

// ErrDamaged marks a database whose file is damaged (as opposed to one that
// cannot be opened at all: a read-only directory, a directory in its place).
var ErrDamaged = errors.New("the history database is damaged")

// isDamage reports whether err is SQLite saying the file is damaged.
func isDamage(err error) bool {
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		switch coded.Code() & 0xff {
		case sqliteCorrupt, sqliteNotADB:
			return true
		}
	}
	return errors.Is(err, ErrDamaged)
}

// Check runs SQLite's quick integrity check: damage in the middle of the
// file (which would read back as zeros, shrinking the day's totals) is
// found at start rather than months later.
func (h *DB) Check() error {
	rows, err := h.db.Query(`PRAGMA quick_check`)
	if err != nil {
		return fmt.Errorf("history: integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("history: integrity check: %w", err)
		}
		if line != "ok" && len(problems) < 3 {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("history: integrity check: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrDamaged, strings.Join(problems, "; "))
	}
	return nil
}

// OpenChecked opens the database at path and checks it. A damaged file
// (and its -wal and -shm companions) is moved aside under a name with the
// time, never overwriting an earlier one, and a fresh database is started;
// notice then says so in plain words and where the old file is. A database
// that cannot be opened at all is an error (the caller runs without
// history and says why); nothing is moved then.
func OpenChecked(path string, now time.Time) (db *DB, notice string, err error) {
	db, err = Open(path)
	if err == nil {
		if err = db.Check(); err == nil {
			return db, "", nil
		}
		db.Close()
	}
	if !isDamage(err) {
		return nil, "", err
	}
	kept, merr := moveAside(path, now)
	if merr != nil {
		return nil, "", fmt.Errorf("%w; it could not be moved aside: %v", err, merr)
	}
	db, oerr := Open(path)
	if oerr != nil {
		return nil, "", fmt.Errorf("history: the damaged database was moved to %s, but a new one could not be started: %w", kept, oerr)
	}
	return db, fmt.Sprintf("The history database was damaged (%v); it was moved to %s and a new one started, so earlier days are missing from the charts.", err, kept), nil
}

// moveAside keeps the damaged database as path.damaged-<time> (see
// store.KeepAside), and its -wal and -shm files with it.
func moveAside(path string, now time.Time) (string, error) {
	name, err := store.KeepAside(path, "damaged", now)
	if err != nil {
		return "", err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Rename(path+suffix, name+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return name, fmt.Errorf("moved %s, but not its %s file: %w", name, suffix, err)
		}
	}
	return name, nil
}
