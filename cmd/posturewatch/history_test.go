package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"posturewatch/coach/domain"
	"posturewatch/coach/history"
)

// history prints the days as a table, JSON or CSV; export writes
// everything (never over an existing file); delete asks first and deletes
// only what is older.
func TestHistoryCommand(t *testing.T) {
	dir := t.TempDir()
	db, err := history.Open(filepath.Join(dir, history.FileName))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	old := now.AddDate(0, 0, -40).Truncate(time.Minute)
	recent := now.Add(-2 * time.Hour).Truncate(time.Minute)
	if end := recent.Add(29 * time.Minute); end.Day() != recent.Day() {
		// The half hour would straddle midnight (the table counts it by
		// day): take the half hour before midnight, still within 6 h.
		y, mo, d := end.Date()
		recent = time.Date(y, mo, d, 0, 0, 0, 0, time.Local).Add(-30 * time.Minute)
	}
	var ms []domain.MinuteAggregate
	for i := range 30 {
		for _, base := range []time.Time{old, recent} {
			ms = append(ms, domain.MinuteAggregate{Start: base.Add(time.Duration(i) * time.Minute), PresentS: 60, GoodS: 45,
				FaultS: map[domain.FaultName]float64{domain.ForwardHead: 15}})
		}
	}
	if err := db.AddMinutes(ms...); err != nil {
		t.Fatal(err)
	}
	if err := db.AddEvents(domain.Event{Time: recent.Add(time.Minute), Type: domain.EventNudge, Fault: domain.ForwardHead},
		domain.Event{Time: old.Add(time.Minute), Type: domain.EventNudge, Fault: domain.ForwardHead}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	run := func(args ...string) (int, string, string) {
		var out, errb syncBuffer
		code := dispatch(append([]string{"history"}, append(args, "--data-dir", dir)...), &out, &errb)
		return code, out.String(), errb.String()
	}

	code, out, e := run()
	if code != 0 || !strings.Contains(out, "WHEN") || !strings.Contains(out, "30m") || !strings.Contains(out, "75%") || !strings.Contains(out, "forward head") {
		t.Errorf("table: exit %d %q %q", code, out, e)
	}
	code, out, _ = run("--json", "--since", "60d")
	var buckets []domain.Bucket
	if code != 0 || json.Unmarshal([]byte(out), &buckets) != nil {
		t.Fatalf("json: exit %d %q", code, out)
	}
	present := 0.0
	for _, b := range buckets {
		present += b.PresentS
	}
	if present != 3600 {
		t.Errorf("json: %v s present over 60 days, want 3600", present)
	}
	code, out, _ = run("--csv", "--by", "hour", "--since", "6h")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(rows) < 2 || rows[0][0] != "start" || !strings.Contains(strings.Join(rows[0], ","), "forward_head_s") {
		t.Errorf("csv: exit %d %v %q", code, err, out)
	}

	exp := filepath.Join(t.TempDir(), "export.json")
	if code, _, e := run("export", "--since", "60d", "--out", exp); code != 0 {
		t.Fatalf("export: %d %s", code, e)
	}
	var doc struct {
		Minutes []domain.MinuteAggregate `json:"minutes"`
		Events  []history.StoredEvent    `json:"events"`
	}
	if b, err := os.ReadFile(exp); err != nil || json.Unmarshal(b, &doc) != nil || len(doc.Minutes) != 60 || len(doc.Events) != 2 {
		t.Errorf("export: %d minutes, %d events (%v)", len(doc.Minutes), len(doc.Events), err)
	}
	if code, _, e := run("export", "--out", exp); code == 0 || !strings.Contains(e, "exists") {
		t.Errorf("export over an existing file: exit %d %q", code, e)
	}

	stdin = strings.NewReader("n\n")
	if code, out, _ := run("delete", "--before", "30d"); code != 1 || !strings.Contains(out, "30 minutes and 1 events") || !strings.Contains(out, "nothing deleted") {
		t.Errorf("delete answered no: exit %d %q", code, out)
	}
	stdin = strings.NewReader("y\n")
	if code, out, _ := run("delete", "--before", "30d"); code != 0 || !strings.Contains(out, "deleted 30 minutes and 1 events") {
		t.Errorf("delete answered yes: exit %d %q", code, out)
	}
	stdin = os.Stdin
	if code, out, _ = run("--json", "--since", "60d"); code != 0 {
		t.Fatalf("json after delete: exit %d", code)
	}
	present = 0
	_ = json.Unmarshal([]byte(out), &buckets)
	for _, b := range buckets {
		present += b.PresentS
	}
	if present != 1800 {
		t.Errorf("after deleting the old month: %v s present, want the recent 1800", present)
	}
	if code, _, e := run("delete"); code != 2 || !strings.Contains(e, "--before") {
		t.Errorf("delete without a span: exit %d %q", code, e)
	}
}
