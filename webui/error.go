package webui

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"posturewatch/coach/domain"
)

// errorStatus is the HTTP status for an error kind: the one place where the
// domain's error kinds meet HTTP.
func errorStatus(code string) int {
	switch code {
	case domain.EINVALID:
		return http.StatusBadRequest
	case domain.ENOTFOUND:
		return http.StatusNotFound
	case domain.ECONFLICT:
		return http.StatusConflict
	case domain.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// fail answers with the error's status and the message meant for the user.
// Errors of no known kind are logged with their details, which the user does
// not see (they may hold paths or internals).
func (s *Server) fail(c *gin.Context, err error) {
	code := domain.ErrorCode(err)
	if code == domain.EINTERNAL {
		s.log.Error("api error", "path", c.Request.URL.Path, "err", err)
	}
	abortJSON(c, errorStatus(code), domain.ErrorMessage(err))
}
