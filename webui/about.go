package webui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"posturewatch/coach/domain"
)

// AboutService answers the About panel (coach/about.Service): where the
// data lives, its export and deletion, and the self-checks.
type AboutService interface {
	// About gathers the panel's facts.
	About(ctx context.Context) (domain.About, error)
	// ExportHistory writes the whole history as "json" or "csv" (EINVALID
	// for another format, EUNAVAILABLE when no history is kept).
	ExportHistory(ctx context.Context, w io.Writer, format string) error
	// DeleteHistory deletes every minute and event kept so far.
	DeleteHistory(ctx context.Context) (minutes, events int64, err error)
}

var errNoAbout = domain.Errorf(domain.EUNAVAILABLE, "this dashboard has no About service")

// apiAbout answers the panel; without a service it still says the
// version (and that no history is kept), so the page has nothing to fail on.
func (s *Server) apiAbout(c *gin.Context) {
	if s.opts.About == nil {
		c.JSON(http.StatusOK, domain.About{Version: s.opts.Version, Places: []domain.Place{},
			Environment: []domain.EnvSetting{}, Checks: []domain.Check{}})
		return
	}
	a, err := s.opts.About.About(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	if a.Version == "" {
		a.Version = s.opts.Version
	}
	c.JSON(http.StatusOK, a)
}

// apiHistoryExport sends the history as a download. It is made whole
// before the first byte goes out, so a failure is still a JSON error.
func (s *Server) apiHistoryExport(c *gin.Context) {
	if s.opts.About == nil {
		s.fail(c, errNoAbout)
		return
	}
	format := c.DefaultQuery("format", "json")
	var buf bytes.Buffer
	if err := s.opts.About.ExportHistory(c.Request.Context(), &buf, format); err != nil {
		s.fail(c, err)
		return
	}
	ct := "application/json"
	if format == "csv" {
		ct = "text/csv; charset=utf-8"
	}
	name := fmt.Sprintf("posturewatch-history-%s.%s", time.Now().Format("2006-01-02"), format)
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, ct, buf.Bytes())
}

// apiHistoryDelete deletes the whole history (the page asks first; the
// CSRF check guards it like every change).
func (s *Server) apiHistoryDelete(c *gin.Context) {
	if s.opts.About == nil {
		s.fail(c, errNoAbout)
		return
	}
	m, e, err := s.opts.About.DeleteHistory(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	s.log.Info("history deleted from the dashboard", "minutes", m, "events", e)
	c.JSON(http.StatusOK, gin.H{"minutes": m, "events": e})
}
