package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"posturewatch/coach/domain"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // pure-Go SQLite driver "sqlite"
)

// DB is the local SQLite history: minute aggregates, coach events and
// the dashboard's own settings (desktop notifications). Nothing but these
// is recorded (no frames). Profiles and the coach settings are files in the
// config directory (coach/store): one home for each kind of data.
//
// Durability: the database runs in WAL mode and every write is its own
// transaction, so a process killed with SIGKILL loses nothing that was
// written; the service writes each finished minute as soon as the coach
// hands it over (coach.TakeMinutes), so at most the current minute is lost.
// History is safe for concurrent use.
type DB struct {
	db   *sql.DB
	path string
	mu   sync.Mutex // serialises writes (SQLite has one writer anyway)
}

// FileName is the database file name inside the data directory.
const FileName = "history.db"

// DefaultPath returns $XDG_DATA_HOME/posturewatch/history.db, or
// ~/.local/share/posturewatch/history.db when XDG_DATA_HOME is unset.
func DefaultPath() (string, error) {
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("history: no data directory: set XDG_DATA_HOME or HOME: %w", err)
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "posturewatch", FileName), nil
}

// migrations are applied in order; schema_version holds how many ran.
// Append only: never edit a released migration.
var migrations = []string{
	// 1: the initial schema.
	`CREATE TABLE minutes (
		start            INTEGER PRIMARY KEY, -- unix seconds of the minute start (UTC)
		present_s        REAL NOT NULL DEFAULT 0,
		good_s           REAL NOT NULL DEFAULT 0,
		nudges           INTEGER NOT NULL DEFAULT 0,
		breaks_suggested INTEGER NOT NULL DEFAULT 0,
		breaks_done      INTEGER NOT NULL DEFAULT 0,
		longest_good_s   REAL NOT NULL DEFAULT 0
	);
	CREATE TABLE minute_faults (
		start   INTEGER NOT NULL,
		fault   TEXT NOT NULL,
		seconds REAL NOT NULL DEFAULT 0,
		PRIMARY KEY (start, fault)
	);
	CREATE TABLE events (
		id     INTEGER PRIMARY KEY AUTOINCREMENT,
		at_ms  INTEGER NOT NULL,       -- unix milliseconds
		type   TEXT NOT NULL,
		state  TEXT NOT NULL DEFAULT '',
		fault  TEXT NOT NULL DEFAULT '',
		detail TEXT NOT NULL DEFAULT '{}' -- the coach event as JSON
	);
	CREATE INDEX events_at ON events(at_ms);
	CREATE TABLE profiles (
		name     TEXT PRIMARY KEY,
		baseline TEXT NOT NULL,          -- domain.Baseline as JSON
		created  INTEGER NOT NULL,
		updated  INTEGER NOT NULL
	);
	CREATE TABLE settings (
		key   TEXT PRIMARY KEY,
		value TEXT NOT NULL
	);`,
	// 2: profiles live in their JSON files and the settings in config.json
	// only; the copies kept here were never read back.
	`DROP TABLE profiles;
	DELETE FROM settings WHERE key = 'config';`,
}

// Open opens (creating if needed) the database at path, switches it
// to WAL and applies pending migrations. Use DefaultPath for the
// user's data directory.
func Open(path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("history: empty database path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("history: create data directory: %w", err)
	}
	dsn := "file:" + uriPath(path) + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("history: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1) // one connection: pragmas hold, no writer contention
	h := &DB{db: db, path: path}
	if err := h.migrate(); err != nil {
		db.Close()
		return nil, fmt.Errorf("history: %s: %w", path, err)
	}
	return h, nil
}

// Path returns the database file path.
func (h *DB) Path() string { return h.path }

// Close closes the database.
func (h *DB) Close() error {
	if err := h.db.Close(); err != nil {
		return fmt.Errorf("history: close: %w", err)
	}
	return nil
}

// JournalMode returns SQLite's journal mode ("wal" when healthy).
func (h *DB) JournalMode() (string, error) {
	var m string
	if err := h.db.QueryRow("PRAGMA journal_mode").Scan(&m); err != nil {
		return "", fmt.Errorf("history: journal mode: %w", err)
	}
	return m, nil
}

// SchemaVersion returns the number of migrations applied.
func (h *DB) SchemaVersion() (int, error) {
	var v int
	if err := h.db.QueryRow("SELECT version FROM schema_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("history: schema version: %w", err)
	}
	return v, nil
}

func (h *DB) migrate() error {
	if _, err := h.db.Exec(`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_version: %w", err)
	}
	var v int
	err := h.db.QueryRow(`SELECT version FROM schema_version`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := h.db.Exec(`INSERT INTO schema_version(version) VALUES (0)`); err != nil {
			return fmt.Errorf("init schema_version: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("read schema_version: %w", err)
	}
	if v > len(migrations) {
		return fmt.Errorf("database schema version %d is newer than this program knows (%d): upgrade posturewatch", v, len(migrations))
	}
	for i := v; i < len(migrations); i++ {
		tx, err := h.db.Begin()
		if err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
		if _, err := tx.Exec(migrations[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
		if _, err := tx.Exec(`UPDATE schema_version SET version = ?`, i+1); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: record version: %w", i+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %d: commit: %w", i+1, err)
		}
	}
	return nil
}

func finite(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
		return 0
	}
	return x
}

// AddMinutes stores finished minute aggregates (coach.TakeMinutes) in one
// transaction. Adding to a minute already stored sums the times and counts
// (so the minute a restart happened in keeps both parts) and keeps the
// longer streak. Call it after every coach step that finished a minute, and
// once with coach.CurrentMinute on shutdown.
func (h *DB) AddMinutes(ms ...domain.MinuteAggregate) error {
	if len(ms) == 0 {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	tx, err := h.db.Begin()
	if err != nil {
		return fmt.Errorf("history: add minutes: %w", err)
	}
	defer tx.Rollback()
	for _, m := range ms {
		if m.Start.IsZero() {
			continue
		}
		start := m.Start.Truncate(time.Minute).Unix()
		_, err := tx.Exec(`INSERT INTO minutes(start, present_s, good_s, nudges, breaks_suggested, breaks_done, longest_good_s)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(start) DO UPDATE SET
				present_s = present_s + excluded.present_s,
				good_s = good_s + excluded.good_s,
				nudges = nudges + excluded.nudges,
				breaks_suggested = breaks_suggested + excluded.breaks_suggested,
				breaks_done = breaks_done + excluded.breaks_done,
				longest_good_s = max(longest_good_s, excluded.longest_good_s)`,
			start, finite(m.PresentS), finite(m.GoodS), m.Nudges, m.BreaksSuggested, m.BreaksDone, finite(m.LongestGoodS))
		if err != nil {
			return fmt.Errorf("history: add minute %s: %w", m.Start.Format(time.RFC3339), err)
		}
		for f, sec := range m.FaultS {
			if _, err := tx.Exec(`INSERT INTO minute_faults(start, fault, seconds) VALUES (?, ?, ?)
				ON CONFLICT(start, fault) DO UPDATE SET seconds = seconds + excluded.seconds`,
				start, string(f), finite(sec)); err != nil {
				return fmt.Errorf("history: add minute %s fault %s: %w", m.Start.Format(time.RFC3339), f, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("history: add minutes: commit: %w", err)
	}
	return nil
}

// AddEvents stores coach events (all types) in one transaction.
func (h *DB) AddEvents(evs ...domain.Event) error {
	if len(evs) == 0 {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	tx, err := h.db.Begin()
	if err != nil {
		return fmt.Errorf("history: add events: %w", err)
	}
	defer tx.Rollback()
	for _, e := range evs {
		detail, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("history: encode %s event: %w", e.Type, err)
		}
		at := e.Time
		if at.IsZero() {
			at = time.Now()
		}
		if _, err := tx.Exec(`INSERT INTO events(at_ms, type, state, fault, detail) VALUES (?, ?, ?, ?, ?)`,
			at.UnixMilli(), string(e.Type), string(e.State), string(e.Fault), string(detail)); err != nil {
			return fmt.Errorf("history: add %s event: %w", e.Type, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("history: add events: commit: %w", err)
	}
	return nil
}

// Minutes returns the stored minutes with from <= start < to, oldest first.
func (h *DB) Minutes(ctx context.Context, from, to time.Time) ([]domain.MinuteAggregate, error) {
	rows, err := h.db.QueryContext(ctx, `SELECT start, present_s, good_s, nudges, breaks_suggested, breaks_done, longest_good_s
		FROM minutes WHERE start >= ? AND start < ? ORDER BY start`, from.Unix(), to.Unix())
	if err != nil {
		return nil, fmt.Errorf("history: read minutes: %w", err)
	}
	var out []domain.MinuteAggregate
	idx := map[int64]int{}
	for rows.Next() {
		var start int64
		var m domain.MinuteAggregate
		if err := rows.Scan(&start, &m.PresentS, &m.GoodS, &m.Nudges, &m.BreaksSuggested, &m.BreaksDone, &m.LongestGoodS); err != nil {
			rows.Close()
			return nil, fmt.Errorf("history: read minutes: %w", err)
		}
		m.Start = time.Unix(start, 0)
		idx[start] = len(out)
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history: read minutes: %w", err)
	}
	frows, err := h.db.QueryContext(ctx, `SELECT start, fault, seconds FROM minute_faults WHERE start >= ? AND start < ?`, from.Unix(), to.Unix())
	if err != nil {
		return nil, fmt.Errorf("history: read minute faults: %w", err)
	}
	defer frows.Close()
	for frows.Next() {
		var start int64
		var f string
		var sec float64
		if err := frows.Scan(&start, &f, &sec); err != nil {
			return nil, fmt.Errorf("history: read minute faults: %w", err)
		}
		i, ok := idx[start]
		if !ok {
			continue
		}
		if out[i].FaultS == nil {
			out[i].FaultS = map[domain.FaultName]float64{}
		}
		out[i].FaultS[domain.FaultName(f)] += sec
	}
	if err := frows.Err(); err != nil {
		return nil, fmt.Errorf("history: read minute faults: %w", err)
	}
	return out, nil
}

// StoredEvent is one event read back from history.
type StoredEvent struct {
	ID    int64        `json:"id"`
	At    time.Time    `json:"at"`
	Type  string       `json:"type"`
	State string       `json:"state,omitempty"`
	Fault string       `json:"fault,omitempty"`
	Event domain.Event `json:"event"`
}

// Events returns the events with from <= time < to, oldest first; types, if
// given, restricts the event types. At most limit events (0 = 10000).
func (h *DB) Events(ctx context.Context, from, to time.Time, limit int, types ...string) ([]StoredEvent, error) {
	if limit <= 0 {
		limit = 10000
	}
	rows, err := h.db.QueryContext(ctx, `SELECT id, at_ms, type, state, fault, detail FROM events
		WHERE at_ms >= ? AND at_ms < ? ORDER BY at_ms, id`, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("history: read events: %w", err)
	}
	defer rows.Close()
	want := map[string]bool{}
	for _, t := range types {
		want[t] = true
	}
	var out []StoredEvent
	for rows.Next() {
		var e StoredEvent
		var ms int64
		var detail string
		if err := rows.Scan(&e.ID, &ms, &e.Type, &e.State, &e.Fault, &detail); err != nil {
			return nil, fmt.Errorf("history: read events: %w", err)
		}
		if len(want) > 0 && !want[e.Type] {
			continue
		}
		e.At = time.UnixMilli(ms)
		if err := json.Unmarshal([]byte(detail), &e.Event); err != nil {
			return nil, fmt.Errorf("history: event %d: bad detail: %w", e.ID, err)
		}
		out = append(out, e)
		if len(out) >= limit {
			break
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history: read events: %w", err)
	}
	return out, nil
}

func periodStart(t time.Time, by domain.Period, loc *time.Location) time.Time {
	t = t.In(loc)
	if by == domain.ByMinute {
		return t.Truncate(time.Minute)
	}
	if by == domain.ByDay {
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), 0, 0, 0, loc)
}

// nextPeriod is the start of the period after the one starting at t. The
// calendar's next day or hour does not always exist (Samoa skipped 30
// December 2011; Lord Howe Island's clocks go back half an hour, so 1:30
// comes twice): the search goes on until a start after t.
func nextPeriod(t time.Time, by domain.Period, loc *time.Location) time.Time {
	if by == domain.ByMinute {
		return t.Add(time.Minute)
	}
	if by == domain.ByDay {
		for k := 1; ; k++ {
			if n := time.Date(t.Year(), t.Month(), t.Day()+k, 0, 0, 0, 0, loc); n.After(t) {
				return n
			}
		}
	}
	for d := time.Hour; ; d += 30 * time.Minute {
		if n := periodStart(t.Add(d), domain.ByHour, loc); n.After(t) {
			return n
		}
	}
}

// Range sums the stored minutes of [from, to) into minute, hour or day buckets in
// loc (the local calendar; DST-safe). Every period in the range gets a
// bucket, empty ones included, oldest first. LongestGoodS is the longest
// streak seen in any minute of the bucket.
func (h *DB) Range(ctx context.Context, from, to time.Time, by domain.Period, loc *time.Location) ([]domain.Bucket, error) {
	if by != domain.ByMinute && by != domain.ByHour && by != domain.ByDay {
		return nil, fmt.Errorf("history: unknown period %q (want minute, hour or day)", by)
	}
	if loc == nil {
		loc = time.Local
	}
	if !to.After(from) {
		return nil, fmt.Errorf("history: empty range: to (%s) must be after from (%s)", to.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	first := periodStart(from, by, loc)
	var out []domain.Bucket
	index := map[int64]int{}
	for t := first; t.Before(to); t = nextPeriod(t, by, loc) {
		index[t.Unix()] = len(out)
		out = append(out, domain.Bucket{Start: t})
		if len(out) > 24*400 {
			return nil, fmt.Errorf("history: range too long: at most %d %ss", 24*400, by)
		}
	}
	ms, err := h.Minutes(ctx, first, to)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		i, ok := index[periodStart(m.Start, by, loc).Unix()]
		if !ok {
			continue
		}
		b := &out[i]
		b.PresentS += m.PresentS
		b.GoodS += m.GoodS
		b.Nudges += m.Nudges
		b.BreaksSuggested += m.BreaksSuggested
		b.BreaksDone += m.BreaksDone
		if m.LongestGoodS > b.LongestGoodS {
			b.LongestGoodS = m.LongestGoodS
		}
		for f, s := range m.FaultS {
			if b.FaultS == nil {
				b.FaultS = map[domain.FaultName]float64{}
			}
			b.FaultS[f] += s
		}
	}
	return out, nil
}

// LegacyNotifySetting is where version 2 of the database kept the desktop
// notification toggle, which now lives in the settings file: read once at
// start to carry it over, then deleted.
const LegacyNotifySetting = "desktop_notifications"

// SetSetting stores a setting.
func (h *DB) SetSetting(key, value string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, err := h.db.Exec(`INSERT INTO settings(key, value) VALUES (?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value); err != nil {
		return fmt.Errorf("history: save setting %q: %w", key, err)
	}
	return nil
}

// DeleteSetting removes a stored setting (none stored is not an error).
func (h *DB) DeleteSetting(key string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, err := h.db.Exec(`DELETE FROM settings WHERE key = ?`, key); err != nil {
		return fmt.Errorf("history: delete setting %q: %w", key, err)
	}
	return nil
}

// Setting returns a stored setting and whether it exists.
func (h *DB) Setting(key string) (string, bool, error) {
	var v string
	err := h.db.QueryRow(`SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("history: read setting %q: %w", key, err)
	}
	return v, true, nil
}

// uriPath escapes the characters that end or escape the path of an SQLite
// URI filename, so a data directory named "a?b#c%d" still works.
func uriPath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(p)
}

// Count is how many minutes and events are stored before the time given.
func (h *DB) Count(ctx context.Context, before time.Time) (minutes, events int64, err error) {
	if err := h.db.QueryRowContext(ctx, `SELECT count(*) FROM minutes WHERE start < ?`, before.Unix()).Scan(&minutes); err != nil {
		return 0, 0, fmt.Errorf("history: count minutes: %w", err)
	}
	if err := h.db.QueryRowContext(ctx, `SELECT count(*) FROM events WHERE at_ms < ?`, before.UnixMilli()).Scan(&events); err != nil {
		return 0, 0, fmt.Errorf("history: count events: %w", err)
	}
	return minutes, events, nil
}

// Delete removes the minutes and events before the time given, in one
// transaction, and reports how many went.
func (h *DB) Delete(ctx context.Context, before time.Time) (minutes, events int64, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	tx, err := h.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("history: delete: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM minute_faults WHERE start < ?`, before.Unix()); err != nil {
		return 0, 0, fmt.Errorf("history: delete: %w", err)
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM minutes WHERE start < ?`, before.Unix())
	if err != nil {
		return 0, 0, fmt.Errorf("history: delete: %w", err)
	}
	minutes, _ = res.RowsAffected()
	res, err = tx.ExecContext(ctx, `DELETE FROM events WHERE at_ms < ?`, before.UnixMilli())
	if err != nil {
		return 0, 0, fmt.Errorf("history: delete: %w", err)
	}
	events, _ = res.RowsAffected()
	if err := tx.Commit(); err != nil {
		return 0, 0, fmt.Errorf("history: delete: %w", err)
	}
	return minutes, events, nil
}
