package history

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"time"

	"posturewatch/coach/domain"
)

// Export is every minute and event of a span: what the user keeps of
// their own data, readable elsewhere (`history export`, the dashboard's
// JSON download).
type Export struct {
	From    time.Time                `json:"from"`
	To      time.Time                `json:"to"`
	Minutes []domain.MinuteAggregate `json:"minutes"`
	Events  []StoredEvent            `json:"events"`
}

// WriteExport writes the Export of [from, to) as indented JSON and says
// how many minutes and events it held.
func (h *DB) WriteExport(ctx context.Context, w io.Writer, from, to time.Time) (minutes, events int, err error) {
	doc := Export{From: from, To: to}
	if doc.Minutes, err = h.Minutes(ctx, from, to); err != nil {
		return 0, 0, err
	}
	if doc.Events, err = h.Events(ctx, from, to, 1<<30); err != nil {
		return 0, 0, err
	}
	if doc.Minutes == nil {
		doc.Minutes = []domain.MinuteAggregate{}
	}
	if doc.Events == nil {
		doc.Events = []StoredEvent{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return 0, 0, err
	}
	return len(doc.Minutes), len(doc.Events), nil
}

// CSVHeader is the first row of WriteCSV: the bucket's sums, then the
// seconds of each fault in vocabulary order.
func CSVHeader() []string {
	head := []string{"start", "present_s", "good_s", "nudges", "breaks_suggested", "breaks_done", "longest_good_s"}
	for _, f := range domain.AllFaults {
		head = append(head, string(f)+"_s")
	}
	return head
}

// WriteCSV writes buckets (days or hours) as CSV, one row each.
func WriteCSV(w io.Writer, buckets []domain.Bucket) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(CSVHeader())
	num := func(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }
	for _, b := range buckets {
		row := []string{b.Start.Format(time.RFC3339), num(b.PresentS), num(b.GoodS), strconv.Itoa(b.Nudges),
			strconv.Itoa(b.BreaksSuggested), strconv.Itoa(b.BreaksDone), num(b.LongestGoodS)}
		for _, f := range domain.AllFaults {
			row = append(row, num(b.FaultS[f]))
		}
		_ = cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// First is the start of the oldest minute kept; ok is false when none is.
func (h *DB) First(ctx context.Context) (first time.Time, ok bool, err error) {
	var start *int64
	if err := h.db.QueryRowContext(ctx, `SELECT min(start) FROM minutes`).Scan(&start); err != nil {
		return time.Time{}, false, err
	}
	if start == nil {
		return time.Time{}, false, nil
	}
	return time.Unix(*start, 0), true, nil
}
