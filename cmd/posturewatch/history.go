package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"posturewatch/coach/domain"
	"posturewatch/coach/history"
)

func init() {
	register("history", "your posture history: a table, --json or --csv; export; delete (asks first)", runHistory)
}

// stdin is what delete reads its confirmation from (tests replace it).
var stdin io.Reader = os.Stdin

func runHistory(args []string, stdout, stderr io.Writer) int {
	action := "show"
	if len(args) > 0 && (args[0] == "export" || args[0] == "delete") {
		action, args = args[0], args[1:]
	}
	fs := newFlagSet("history", stderr)
	since := fs.String("since", "14d", "from when: a date (2026-11-01) or a span back from now (7d, 12h)")
	by := fs.String("by", "day", "day or hour")
	asJSON := fs.Bool("json", false, "print JSON")
	asCSV := fs.Bool("csv", false, "print CSV")
	out := fs.String("out", "", "export: write to this file (never over an existing one) instead of stdout")
	before := fs.String("before", "", "delete: what is older than this date or span (30d); required unless --all")
	all := fs.Bool("all", false, "delete: everything")
	yes := fs.Bool("yes", false, "delete: do not ask")
	dataDir := fs.String("data-dir", "", "where the history database lives (default: $XDG_DATA_HOME/posturewatch)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: posturewatch history [--since 14d] [--by day|hour] [--json|--csv]")
		fmt.Fprintln(stderr, "       posturewatch history export [--since 2026-01-01] [--out FILE]")
		fmt.Fprintln(stderr, "       posturewatch history delete (--before 30d | --all) [--yes]")
	}
	if code, done := parseFlags(fs, args); done {
		return code
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "posturewatch history: "+format+"\n", a...)
		return code
	}
	path := filepath.Join(*dataDir, history.FileName)
	if *dataDir == "" {
		p, err := history.DefaultPath()
		if err != nil {
			return fail(1, "%v", err)
		}
		path = p
	}
	if _, err := os.Stat(path); err != nil {
		return fail(1, "no history at %s (posturewatch run keeps it): %v", path, err)
	}
	db, err := history.Open(path)
	if err != nil {
		return fail(1, "%v", err)
	}
	defer db.Close()
	ctx := context.Background()
	now := time.Now()

	switch action {
	case "delete":
		cut := now
		switch {
		case *all && *before != "":
			return fail(2, "give --before or --all, not both")
		case *before != "":
			if cut, err = parseSince(*before, now); err != nil {
				return fail(2, "--before: %v", err)
			}
		case !*all:
			return fail(2, "say what to delete: --before 30d (or a date), or --all")
		}
		m, e, err := db.Count(ctx, cut)
		if err != nil {
			return fail(1, "%v", err)
		}
		if m == 0 && e == 0 {
			fmt.Fprintln(stdout, "nothing to delete")
			return 0
		}
		what := fmt.Sprintf("%d minutes and %d events from before %s", m, e, cut.Format("2006-01-02 15:04"))
		if !*yes {
			fmt.Fprintf(stdout, "Delete %s from %s? This cannot be undone. [y/N] ", what, path)
			answer, _ := bufio.NewReader(stdin).ReadString('\n')
			if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
				fmt.Fprintln(stdout, "nothing deleted")
				return 1
			}
		}
		if m, e, err = db.Delete(ctx, cut); err != nil {
			return fail(1, "%v", err)
		}
		fmt.Fprintf(stdout, "deleted %d minutes and %d events\n", m, e)
		return 0
	}

	from, err := parseSince(*since, now)
	if err != nil {
		return fail(2, "--since: %v", err)
	}
	if action == "export" {
		return exportHistory(ctx, db, from, now, *out, stdout, stderr)
	}
	period := domain.Period(*by)
	if period != domain.ByDay && period != domain.ByHour {
		return fail(2, "--by %q: day or hour", *by)
	}
	if period == domain.ByDay {
		from = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.Local)
	}
	buckets, err := db.Range(ctx, from, now, period, time.Local)
	if err != nil {
		return fail(1, "%v", err)
	}
	switch {
	case *asJSON:
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(buckets); err != nil {
			return fail(1, "%v", err)
		}
	case *asCSV:
		if err := history.WriteCSV(stdout, buckets); err != nil {
			return fail(1, "%v", err)
		}
	default:
		printHistoryTable(stdout, buckets, period)
	}
	return 0
}

// printHistoryTable prints the periods someone was present in.
func printHistoryTable(w io.Writer, buckets []domain.Bucket, by domain.Period) {
	layout := "Mon 2006-01-02"
	if by == domain.ByHour {
		layout = "Mon 01-02 15:04"
	}
	fmt.Fprintf(w, "%-16s %9s %6s %7s %7s  %s\n", "WHEN", "PRESENT", "GOOD", "NUDGES", "BREAKS", "MOST TIME SLOUCHING AS")
	shown := 0
	for _, b := range buckets {
		if b.PresentS < 1 {
			continue
		}
		shown++
		worst := ""
		type fs struct {
			f domain.FaultName
			s float64
		}
		var list []fs
		for f, s := range b.FaultS {
			list = append(list, fs{f, s})
		}
		sort.Slice(list, func(i, j int) bool { return list[i].s > list[j].s })
		if len(list) > 0 && list[0].s >= 60 {
			worst = fmt.Sprintf("%s (%s)", domain.FaultLabel(list[0].f), humanSpan(list[0].s))
		}
		fmt.Fprintf(w, "%-16s %9s %5.0f%% %7d %7d  %s\n", b.Start.Format(layout), humanSpan(b.PresentS),
			100*b.GoodS/b.PresentS, b.Nudges, b.BreaksDone, worst)
	}
	if shown == 0 {
		fmt.Fprintln(w, "(nobody was at the desk in this span)")
	}
}

func humanSpan(s float64) string {
	d := time.Duration(s) * time.Second
	if d >= time.Hour {
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dm", int(d.Minutes()))
}

// parseSince reads a date (YYYY-MM-DD, local) or a span back from now
// ("7d", "12h", "90m").
func parseSince(v string, now time.Time) (time.Time, error) {
	v = strings.TrimSpace(v)
	if t, err := time.ParseInLocation("2006-01-02", v, time.Local); err == nil {
		return t, nil
	}
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 || days > 36500 {
			return time.Time{}, fmt.Errorf("%q: want a number of days such as 7d", v)
		}
		return now.AddDate(0, 0, -days), nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return time.Time{}, errors.New("want a date (2026-11-01) or a span back from now (7d, 12h)")
	}
	return now.Add(-d), nil
}

// exportHistory writes every minute and event since from as one JSON
// document: what the user keeps of their own data, readable elsewhere.
func exportHistory(ctx context.Context, db *history.DB, from, to time.Time, out string, stdout, stderr io.Writer) int {
	w := stdout
	if out != "" {
		f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // never over an existing file
		if err != nil {
			fmt.Fprintf(stderr, "posturewatch history export: %v\n", err)
			return 1
		}
		defer f.Close()
		w = f
	}
	minutes, events, err := db.WriteExport(ctx, w, from, to)
	if err != nil {
		fmt.Fprintf(stderr, "posturewatch history export: %v\n", err)
		return 1
	}
	if out != "" {
		fmt.Fprintf(stdout, "wrote %d minutes and %d events to %s\n", minutes, events, out)
	}
	return 0
}
