// Package about answers the dashboard's About panel: where the user's data
// lives and its size, the history's export and deletion, what the
// environment overrides, and the self-checks that make sense while running.
package about

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"posturewatch/coach/domain"
	"posturewatch/coach/history"
	"posturewatch/coach/store"
)

// Options configure a Service.
type Options struct {
	Version    string
	DataDir    string
	ConfigDir  string
	History    *history.DB // nil: no history is kept in this run
	Env        store.Env
	Run        domain.RunSettings
	ConfigFile string // the settings file's path
	// Checks runs the in-process self-checks (nil: none).
	Checks func() []domain.Check
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Service answers the About panel.
type Service struct{ o Options }

// New makes the service; it does nothing until asked.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{o: o}
}

// About gathers the panel's facts, measuring the sizes on disk now.
func (s *Service) About(ctx context.Context) (domain.About, error) {
	a := domain.About{Version: s.o.Version, Metrics: s.o.Run.Metrics, HistoryKept: s.o.History != nil,
		Environment: []domain.EnvSetting{}, Checks: []domain.Check{}}
	if s.o.Run.Webhook != "" {
		a.Webhook = domain.RedactURL(s.o.Run.Webhook)
	}
	hist := filepath.Join(s.o.DataDir, history.FileName)
	if s.o.History != nil {
		hist = s.o.History.Path()
	}
	a.Places = []domain.Place{
		place("data directory", s.o.DataDir),
		place("history database", hist, hist+"-wal", hist+"-shm"),
		place("config directory", s.o.ConfigDir),
		place("settings file", s.o.ConfigFile),
		place("calibration profiles", filepath.Join(s.o.ConfigDir, "profiles")),
	}
	for _, ov := range s.o.Env.Overrides {
		a.Environment = append(a.Environment, domain.EnvSetting{Var: ov.Var, Setting: ov.Key})
	}
	if s.o.Checks != nil {
		a.Checks = append(a.Checks, s.o.Checks()...)
	}
	return a, ctx.Err()
}

// place measures a path (and its companions, like a database's WAL file).
func place(what, path string, more ...string) domain.Place {
	p := domain.Place{What: what, Path: path}
	for i, q := range append([]string{path}, more...) {
		n, ok := size(q)
		if i == 0 {
			p.Exists = ok
		}
		p.Bytes += n
	}
	return p
}

// size is the bytes of a file, or of every file under a directory; links
// are not followed (a profile linked from elsewhere is not ours to count).
func size(path string) (int64, bool) {
	st, err := os.Lstat(path)
	if err != nil {
		return 0, false
	}
	if !st.IsDir() {
		return st.Size(), true
	}
	var n int64
	_ = filepath.WalkDir(path, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n, true
}

// errNoHistory is the answer when this run keeps no history.
var errNoHistory = domain.Errorf(domain.EUNAVAILABLE, "no history is kept in this run")

// ExportHistory writes the whole history: "json" is every minute and
// event (as `posturewatch history export`), "csv" one row per day (as
// `posturewatch history --csv`).
func (s *Service) ExportHistory(ctx context.Context, w io.Writer, format string) error {
	if s.o.History == nil {
		return errNoHistory
	}
	now := s.o.Now()
	switch format {
	case "json":
		_, _, err := s.o.History.WriteExport(ctx, w, time.Time{}, now.Add(time.Minute))
		return err
	case "csv":
		first, ok, err := s.o.History.First(ctx)
		if err != nil {
			return err
		}
		if !ok {
			return history.WriteCSV(w, nil)
		}
		days, err := s.o.History.Range(ctx, first, now.Add(time.Minute), domain.ByDay, time.Local)
		if err != nil {
			return err
		}
		return history.WriteCSV(w, days)
	}
	return domain.Errorf(domain.EINVALID, "export format %q: want json or csv", format)
}

// DeleteHistory deletes every minute and event kept so far.
func (s *Service) DeleteHistory(ctx context.Context) (minutes, events int64, err error) {
	if s.o.History == nil {
		return 0, 0, errNoHistory
	}
	return s.o.History.Delete(ctx, s.o.Now().Add(time.Minute))
}
