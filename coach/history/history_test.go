package history

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"posturewatch/coach/domain"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func openTestHistory(t *testing.T) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sub", "history.db")
	h, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { h.Close() })
	return h, path
}

// A database from before profiles and settings had one home each loses
// its unread copies of them, and keeps everything else.
func TestHistoryMigrationDropsCopies(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`CREATE TABLE schema_version (version INTEGER NOT NULL)`, `INSERT INTO schema_version VALUES (1)`, migrations[0],
		`INSERT INTO profiles VALUES ('desk', '{}', 1, 1)`, `INSERT INTO settings VALUES ('config', '{}'), ('` + LegacyNotifySetting + `', 'false')`,
		`INSERT INTO events(at_ms, type) VALUES (1000, 'nudge')`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	h, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if v, _ := h.SchemaVersion(); v != len(migrations) {
		t.Errorf("version %d", v)
	}
	if _, ok, _ := h.Setting("config"); ok {
		t.Error("the settings copy is still there")
	}
	if v, ok, _ := h.Setting(LegacyNotifySetting); !ok || v != "false" {
		t.Errorf("the dashboard's own setting was lost: %q %v", v, ok)
	}
	var n int
	if err := h.db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'profiles'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("profiles table: %d %v", n, err)
	}
	if err := h.db.QueryRow(`SELECT count(*) FROM events`).Scan(&n); err != nil || n != 1 {
		t.Errorf("events kept: %d %v", n, err)
	}
}

func TestHistoryMigrationsAndWAL(t *testing.T) {
	h, path := openTestHistory(t)
	v, err := h.SchemaVersion()
	if err != nil || v != len(migrations) {
		t.Fatalf("schema version %d, %v; want %d", v, err, len(migrations))
	}
	mode, err := h.JournalMode()
	if err != nil || mode != "wal" {
		t.Fatalf("journal mode %q, %v; want wal", mode, err)
	}
	if err := h.SetSetting(LegacyNotifySetting, "true"); err != nil {
		t.Fatal(err)
	}
	h.Close()

	// Reopening does not re-run migrations and keeps the data.
	h2, err := Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	if v, _ := h2.SchemaVersion(); v != len(migrations) {
		t.Errorf("after reopen: version %d", v)
	}
	if val, ok, err := h2.Setting(LegacyNotifySetting); err != nil || !ok || val != "true" {
		t.Errorf("setting after reopen = %q %v %v", val, ok, err)
	}
	if _, ok, _ := h2.Setting("missing"); ok {
		t.Error("missing setting reported present")
	}
	h2.Close()

	// A database from a newer program is refused with a clear error.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE schema_version SET version = 99`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("newer schema: err = %v", err)
	}

	// A file that is not a database is a clear error, not a crash.
	bad := filepath.Join(t.TempDir(), "bad.db")
	os.WriteFile(bad, []byte(strings.Repeat("not a database ", 100)), 0o600)
	if _, err := Open(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("garbage file: err = %v", err)
	}
	if _, err := Open(""); err == nil {
		t.Error("empty path accepted")
	}
}

func TestDefaultHistoryPath(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/data/x")
	p, err := DefaultPath()
	if err != nil || p != "/data/x/posturewatch/history.db" {
		t.Errorf("with XDG_DATA_HOME: %q %v", p, err)
	}
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/home/u")
	p, err = DefaultPath()
	if err != nil || p != "/home/u/.local/share/posturewatch/history.db" {
		t.Errorf("without XDG_DATA_HOME: %q %v", p, err)
	}
}

func minute(base time.Time, i int, good, present float64, faults map[domain.FaultName]float64) domain.MinuteAggregate {
	return domain.MinuteAggregate{Start: base.Add(time.Duration(i) * time.Minute), PresentS: present, GoodS: good, FaultS: faults}
}

func TestHistoryMinutesAndRanges(t *testing.T) {
	h, _ := openTestHistory(t)
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no tzdata: ", err)
	}
	ctx := context.Background()
	day := time.Date(2026, 3, 10, 9, 0, 0, 0, loc)
	// 09:00–09:59: 60 minutes, 45 s good of 60 present, 15 s forward head each.
	var ms []domain.MinuteAggregate
	for i := 0; i < 60; i++ {
		ms = append(ms, minute(day, i, 45, 60, map[domain.FaultName]float64{domain.ForwardHead: 15}))
	}
	// 10:00–10:29: all good; a nudge at 10:05 and a routine done at 10:20.
	for i := 60; i < 90; i++ {
		m := minute(day, i, 60, 60, nil)
		m.LongestGoodS = float64(i-59) * 60
		if i == 65 {
			m.Nudges = 1
			m.BreaksSuggested = 1
		}
		if i == 80 {
			m.BreaksDone = 1
		}
		ms = append(ms, m)
	}
	// Next day, one minute of rounded shoulders.
	ms = append(ms, minute(day.AddDate(0, 0, 1), 0, 0, 60, map[domain.FaultName]float64{domain.RoundedShoulders: 60}))
	if err := h.AddMinutes(ms...); err != nil {
		t.Fatal(err)
	}
	// Adding to an existing minute sums it (restart within a minute).
	if err := h.AddMinutes(minute(day, 0, 10, 10, map[domain.FaultName]float64{domain.ForwardHead: 5, domain.Slouch: 2})); err != nil {
		t.Fatal(err)
	}
	got, err := h.Minutes(ctx, day, day.Add(time.Minute))
	if err != nil || len(got) != 1 {
		t.Fatalf("minutes = %v %v", got, err)
	}
	if got[0].GoodS != 55 || got[0].PresentS != 70 || got[0].FaultS[domain.ForwardHead] != 20 || got[0].FaultS[domain.Slouch] != 2 {
		t.Errorf("merged minute = %+v", got[0])
	}

	hours, err := h.Range(ctx, time.Date(2026, 3, 10, 0, 0, 0, 0, loc), time.Date(2026, 3, 11, 0, 0, 0, 0, loc), domain.ByHour, loc)
	if err != nil {
		t.Fatal(err)
	}
	if len(hours) != 24 {
		t.Fatalf("%d hour buckets, want 24", len(hours))
	}
	h9, h10, h11 := hours[9], hours[10], hours[11]
	if !h9.Start.Equal(day) || h9.PresentS != 3610 || h9.GoodS != 2710 || h9.FaultS[domain.ForwardHead] != 905 {
		t.Errorf("09:00 bucket = %+v", h9)
	}
	if h10.PresentS != 1800 || h10.GoodS != 1800 || h10.Nudges != 1 || h10.BreaksSuggested != 1 || h10.BreaksDone != 1 || h10.LongestGoodS != 1800 {
		t.Errorf("10:00 bucket = %+v", h10)
	}
	if h11.PresentS != 0 || h11.FaultS != nil {
		t.Errorf("11:00 bucket not empty: %+v", h11)
	}
	days, err := h.Range(ctx, time.Date(2026, 3, 9, 0, 0, 0, 0, loc), time.Date(2026, 3, 12, 0, 0, 0, 0, loc), domain.ByDay, loc)
	if err != nil || len(days) != 3 {
		t.Fatalf("days = %v %v", days, err)
	}
	if days[0].PresentS != 0 || days[1].PresentS != 5410 || days[1].Nudges != 1 || days[2].FaultS[domain.RoundedShoulders] != 60 {
		t.Errorf("day buckets = %+v", days)
	}
	// By minute: every minute of the range, empty ones included, for the
	// dashboard's timeline of the day.
	mins, err := h.Range(ctx, day, day.Add(2*time.Hour), domain.ByMinute, loc)
	if err != nil || len(mins) != 120 {
		t.Fatalf("minute buckets = %d %v", len(mins), err)
	}
	if m := mins[0]; !m.Start.Equal(day) || m.GoodS != 55 || m.PresentS != 70 || m.FaultS[domain.ForwardHead] != 20 {
		t.Errorf("09:00 minute = %+v", m)
	}
	if m := mins[65]; m.Nudges != 1 || m.GoodS != 60 {
		t.Errorf("10:05 minute = %+v", m)
	}
	if m := mins[100]; m.PresentS != 0 || !m.Start.Equal(day.Add(100*time.Minute)) {
		t.Errorf("10:40 minute not empty: %+v", m)
	}
	// The same instants bucketed in UTC move by the offset (Paris is UTC+1 in March).
	utcHours, err := h.Range(ctx, time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC), time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC), domain.ByHour, time.UTC)
	if err != nil || len(utcHours) != 1 || utcHours[0].PresentS != 3610 {
		t.Errorf("UTC hour 08:00 = %+v %v", utcHours, err)
	}
	if _, err := h.Range(ctx, day, day, domain.ByHour, loc); err == nil {
		t.Error("empty range accepted")
	}
	if _, err := h.Range(ctx, day, day.Add(time.Hour), "week", loc); err == nil {
		t.Error("unknown period accepted")
	}
	// Bad numbers do not poison the store.
	if err := h.AddMinutes(minute(day, 200, math.NaN(), math.Inf(1), nil)); err != nil {
		t.Fatal(err)
	}
	got, _ = h.Minutes(ctx, day.Add(200*time.Minute), day.Add(201*time.Minute))
	if len(got) != 1 || got[0].GoodS != 0 || got[0].PresentS != 0 {
		t.Errorf("NaN minute stored as %+v", got)
	}
}

func TestHistoryRangeAcrossDST(t *testing.T) {
	h, _ := openTestHistory(t)
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no tzdata: ", err)
	}
	// 2026-03-29 has 23 hours in Paris.
	from := time.Date(2026, 3, 29, 0, 0, 0, 0, loc)
	to := time.Date(2026, 3, 30, 0, 0, 0, 0, loc)
	hours, err := h.Range(context.Background(), from, to, domain.ByHour, loc)
	if err != nil || len(hours) != 23 {
		t.Errorf("DST day: %d hour buckets, %v; want 23", len(hours), err)
	}
}

func TestHistoryEvents(t *testing.T) {
	h, _ := openTestHistory(t)
	ctx := context.Background()
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	r := domain.Routine{ID: "r1", Title: "Neck break"}
	evs := []domain.Event{
		{Time: t0, Type: domain.EventState, State: domain.StateSlouching, Fault: domain.ForwardHead, Previous: domain.StateGood},
		{Time: t0.Add(20 * time.Second), Type: domain.EventNudge, Fault: domain.ForwardHead, Message: "Your head has drifted forward", Fix: "chin back"},
		{Time: t0.Add(time.Hour), Type: domain.EventSuggestion, Routine: &r, Duration: domain.Sec(3 * time.Minute)},
		{Time: t0.Add(2 * time.Hour), Type: domain.EventStretch, Exercise: "chin_tuck"},
	}
	if err := h.AddEvents(evs...); err != nil {
		t.Fatal(err)
	}
	all, err := h.Events(ctx, t0, t0.Add(3*time.Hour), 0)
	if err != nil || len(all) != 4 {
		t.Fatalf("events = %d %v", len(all), err)
	}
	if all[1].Type != "nudge" || all[1].Fault != "forward_head" || all[1].Event.Fix != "chin back" || !all[1].At.Equal(t0.Add(20*time.Second)) {
		t.Errorf("nudge read back as %+v", all[1])
	}
	if all[2].Event.Routine == nil || all[2].Event.Routine.ID != "r1" || all[2].Event.Duration.D() != 3*time.Minute {
		t.Errorf("suggestion read back as %+v", all[2].Event)
	}
	win, _ := h.Events(ctx, t0.Add(time.Second), t0.Add(90*time.Minute), 0)
	if len(win) != 2 || win[0].Type != "nudge" || win[1].Type != "suggestion" {
		t.Errorf("window = %+v", win)
	}
	nudges, _ := h.Events(ctx, t0, t0.Add(3*time.Hour), 0, "nudge", "stretch")
	if len(nudges) != 2 || nudges[1].Event.Exercise != "chin_tuck" {
		t.Errorf("filtered = %+v", nudges)
	}
	one, _ := h.Events(ctx, t0, t0.Add(3*time.Hour), 1)
	if len(one) != 1 {
		t.Errorf("limit 1 gave %d", len(one))
	}
}

// TestHistorySurvivesKill runs a writer in a child process that stores one
// finished minute after another like the service does, kills it with
// SIGKILL mid-stream, and checks that every minute it reported as written
// is in the database, which is intact.
func TestHistorySurvivesKill(t *testing.T) {
	if p := os.Getenv("POSTUREWATCH_HISTORY_CHILD"); p != "" {
		historyChild(p)
		return
	}
	path := filepath.Join(t.TempDir(), "history.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHistorySurvivesKill$", "-test.count=1")
	cmd.Env = append(os.Environ(), "POSTUREWATCH_HISTORY_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	lastWritten := -1
	for sc.Scan() {
		line := sc.Text()
		if n, ok := strings.CutPrefix(line, "wrote "); ok {
			lastWritten, _ = strconv.Atoi(n)
			if lastWritten >= 200 {
				break
			}
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if lastWritten < 200 {
		t.Fatalf("child wrote only %d minutes before dying", lastWritten)
	}

	h, err := Open(path)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer h.Close()
	var check string
	if err := h.db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity after kill: %q %v", check, err)
	}
	ms, err := h.Minutes(context.Background(), childBase, childBase.Add(100000*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < lastWritten+1 {
		t.Fatalf("%d minutes in the database, child had written %d", len(ms), lastWritten+1)
	}
	for i := 0; i <= lastWritten; i++ {
		m := ms[i]
		if !m.Start.Equal(childBase.Add(time.Duration(i)*time.Minute)) || m.GoodS != 50 || m.PresentS != 60 || m.FaultS[domain.ForwardHead] != 10 {
			t.Fatalf("minute %d after kill = %+v", i, m)
		}
	}
	evs, err := h.Events(context.Background(), childBase, childBase.Add(100000*time.Minute), 0)
	if err != nil || len(evs) < lastWritten+1 {
		t.Errorf("%d events after kill (%v), want ≥ %d", len(evs), err, lastWritten+1)
	}
	t.Logf("killed after %d reported minutes; %d minutes and %d events intact", lastWritten+1, len(ms), len(evs))
}

var childBase = time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)

func historyChild(path string) {
	h, err := Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	for i := 0; ; i++ {
		m := minute(childBase, i, 50, 60, map[domain.FaultName]float64{domain.ForwardHead: 10})
		if err := h.AddMinutes(m); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(3)
		}
		if err := h.AddEvents(domain.Event{Time: m.Start, Type: domain.EventNudge, Fault: domain.ForwardHead}); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(3)
		}
		fmt.Printf("wrote %d\n", i)
	}
}

// A data directory whose name holds URI punctuation still opens, and the
// database lands where it was asked to.
func TestHistoryPathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "odd?name#with%chars")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "history.db")
	h, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.AddEvents(domain.Event{Time: time.Now(), Type: domain.EventNudge, Fault: domain.ForwardHead, Message: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Size() == 0 {
		t.Fatalf("database not at %s: %v", path, err)
	}
}

// Count and Delete agree, and Delete leaves what is newer.
func TestHistoryDeleteBefore(t *testing.T) {
	h, _ := openTestHistory(t)
	ctx := context.Background()
	t0 := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	var ms []domain.MinuteAggregate
	for i := range 10 {
		ms = append(ms, domain.MinuteAggregate{Start: t0.Add(time.Duration(i) * time.Minute), PresentS: 60, GoodS: 30,
			FaultS: map[domain.FaultName]float64{domain.ForwardHead: 30}})
	}
	if err := h.AddMinutes(ms...); err != nil {
		t.Fatal(err)
	}
	if err := h.AddEvents(domain.Event{Time: t0.Add(2 * time.Minute), Type: domain.EventNudge}, domain.Event{Time: t0.Add(8 * time.Minute), Type: domain.EventNudge}); err != nil {
		t.Fatal(err)
	}
	cut := t0.Add(5 * time.Minute)
	m, e, err := h.Count(ctx, cut)
	if err != nil || m != 5 || e != 1 {
		t.Fatalf("count: %d minutes, %d events, %v", m, e, err)
	}
	m, e, err = h.Delete(ctx, cut)
	if err != nil || m != 5 || e != 1 {
		t.Fatalf("delete: %d minutes, %d events, %v", m, e, err)
	}
	left, err := h.Minutes(ctx, t0, t0.Add(time.Hour))
	if err != nil || len(left) != 5 || !left[0].Start.Equal(cut) || left[0].FaultS[domain.ForwardHead] != 30 {
		t.Errorf("left: %+v %v", left, err)
	}
}
