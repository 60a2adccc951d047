package webui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"posturewatch/coach/domain"
	"posturewatch/coach/exercise"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/websocket"
)

// Backend is what the dashboard needs from the running service
// (coach/live.Service). Methods are called from HTTP handler goroutines,
// concurrently.
//
// Errors: return a *domain.Error whose kind (domain.EINVALID, ENOTFOUND,
// ECONFLICT, EUNAVAILABLE) says what went wrong; its message is shown to the
// user, so make it a clear sentence. Any other error is internal: logged, and
// the user sees a generic sentence.
type Backend interface {
	// Status is the current state snapshot.
	Status() domain.LiveStatus
	// Stats are the in-memory per-hour and per-day aggregates of the coach.
	Stats() domain.StatsSnapshot
	// Pause stops monitoring and nudges until the given time (already
	// validated: in the future, at most MaxPause ahead) and releases the camera.
	Pause(until time.Time) error
	// Resume ends a pause.
	Resume() error
	// Config returns the current coach settings.
	Config() domain.Config
	// SetConfig applies validated settings (the server has merged the PATCH
	// and called Validate) and persists them.
	SetConfig(cfg domain.Config) error
	// StartCalibration begins capturing good-posture frames.
	StartCalibration() error
	// FinishCalibration computes the baseline from the frames captured since
	// StartCalibration, saves it under the profile name (already checked with
	// domain.ValidateProfileName) and makes it active.
	FinishCalibration(profile string) (*domain.Baseline, error)
	// CancelCalibration ends a calibration without changing the baseline
	// (ECONFLICT when none is running).
	CancelCalibration() error
	// DismissRecalibrate clears a suggestion to recalibrate: baseline-based
	// nudges resume and it is not repeated for this baseline.
	DismissRecalibrate() error
	// Profiles lists the stored calibration profiles.
	Profiles() ([]domain.ProfileInfo, error)
	// UseProfile activates a stored profile (ENOTFOUND when it does not exist).
	UseProfile(name string) error
	// DeleteProfile removes a stored profile (ENOTFOUND when it does not exist).
	DeleteProfile(name string) error
	// Catalogue is the stretch catalogue in use.
	Catalogue() *exercise.Catalogue
	// StartRoutine starts a stretch routine: the one with req.ID if set (a
	// suggested routine), else one built for req.Faults (or for the faults of
	// the day when empty). It returns the routine to play.
	StartRoutine(req domain.RoutineStart) (*domain.Routine, error)
	// ExerciseDone records that an exercise of a routine was done (or
	// skipped); an empty exerciseID means the whole routine is finished.
	ExerciseDone(routineID, exerciseID string, skipped bool) error
	// StopRoutine ends the routine being played without finishing it (the
	// player was closed): camera rep counting stops with it. No routine
	// running is not an error.
	StopRoutine() error
	// History sums the kept minutes into hours or days between from and to
	// (EUNAVAILABLE when no history is kept in this run).
	History(ctx context.Context, from, to time.Time, by domain.Period, loc *time.Location) ([]domain.Bucket, error)
	// HistoryKept reports whether minutes and events are kept in this run.
	HistoryKept() bool
	// Notifications says whether desktop notifications are available and on.
	Notifications() domain.NotificationSettings
	// SetNotifications turns desktop notifications on or off (ECONFLICT when
	// this run cannot show them).
	SetNotifications(desktop bool) error
	// Cameras lists the cameras that can be chosen (the choice itself is
	// the "camera" setting), the one chosen and the one in use.
	Cameras() (domain.Cameras, error)
	// TestNudge sends a harmless nudge through the path real nudges take
	// (the dashboards, the desktop notifier), marked Test and never
	// counted or kept, so the user can see one on first run.
	TestNudge() error
	// SetPreview is called with true when the first dashboard asks for the
	// camera preview and with false when the last one stops. It must not
	// block (it is called from the hub goroutine).
	SetPreview(on bool)
}

// ExerciseDoneRequest is the body of POST /api/routine/exercise-done.
type ExerciseDoneRequest struct {
	RoutineID  string `json:"routine_id"`
	ExerciseID string `json:"exercise_id"` // empty: the whole routine is done
	Skipped    bool   `json:"skipped,omitempty"`
}

// PauseRequest is the body of POST /api/pause: exactly one of the fields.
type PauseRequest struct {
	Minutes *float64 `json:"minutes,omitempty"`
	Until   *string  `json:"until,omitempty"` // RFC 3339
}

// MaxPause bounds a pause.
const MaxPause = 48 * time.Hour

// decodeJSON reads the body into v strictly: one JSON object, no unknown
// fields, within the size limit.
func (s *Server) decodeJSON(c *gin.Context, v any) bool {
	if ct := c.ContentType(); ct != "" && ct != "application/json" {
		abortJSON(c, http.StatusUnsupportedMediaType, fmt.Sprintf("content type %q: send application/json", ct))
		return false
	}
	data, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			abortJSON(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body too large: the limit is %d bytes", s.maxBody))
			return false
		}
		abortJSON(c, http.StatusBadRequest, "cannot read request body: "+err.Error())
		return false
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		abortJSON(c, http.StatusBadRequest, "empty request body: send a JSON object")
		return false
	}
	if data[0] != '{' {
		abortJSON(c, http.StatusBadRequest, "malformed JSON: the body must be a JSON object")
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		abortJSON(c, http.StatusBadRequest, "malformed JSON: "+strings.TrimPrefix(err.Error(), "json: "))
		return false
	}
	if dec.More() {
		abortJSON(c, http.StatusBadRequest, "malformed JSON: unexpected data after the object")
		return false
	}
	return true
}

// readObject reads the body as one raw JSON object (for PATCH).
func (s *Server) readObject(c *gin.Context) (json.RawMessage, bool) {
	var raw map[string]json.RawMessage
	if !s.decodeJSON(c, &raw) {
		return nil, false
	}
	b, _ := json.Marshal(raw)
	return b, true
}

func (s *Server) apiStatus(c *gin.Context) { c.JSON(http.StatusOK, s.backend.Status()) }

func (s *Server) apiStats(c *gin.Context) { c.JSON(http.StatusOK, s.backend.Stats()) }

// pauseUntil validates a pause request against now.
func pauseUntil(req PauseRequest, now time.Time) (time.Time, error) {
	switch {
	case req.Minutes != nil && req.Until != nil:
		return time.Time{}, domain.Errorf(domain.EINVALID, "pause: %s", `give either "minutes" or "until", not both`)
	case req.Minutes != nil:
		m := *req.Minutes
		if !(m > 0) {
			return time.Time{}, domain.Errorf(domain.EINVALID, "pause: minutes must be positive, got %g", m)
		}
		if m < 1.0/60 {
			return time.Time{}, domain.Errorf(domain.EINVALID, "pause: minutes must be at least one second's worth (1/60), got %g", m)
		}
		if m > MaxPause.Minutes() {
			return time.Time{}, domain.Errorf(domain.EINVALID, "pause: minutes must be at most %g (%s), got %g", MaxPause.Minutes(), MaxPause, m)
		}
		return now.Add(time.Duration(m * float64(time.Minute))), nil
	case req.Until != nil:
		t, err := time.Parse(time.RFC3339, *req.Until)
		if err != nil {
			return time.Time{}, domain.Errorf(domain.EINVALID, "pause: until %q is not an RFC 3339 time such as 2026-01-02T08:00:00+01:00", *req.Until)
		}
		if !t.After(now) {
			return time.Time{}, domain.Errorf(domain.EINVALID, "pause: until %s is in the past", t.Format(time.RFC3339))
		}
		if t.Sub(now) > MaxPause {
			return time.Time{}, domain.Errorf(domain.EINVALID, "pause: until %s is more than %s ahead", t.Format(time.RFC3339), MaxPause)
		}
		return t, nil
	default:
		return time.Time{}, domain.Errorf(domain.EINVALID, "pause: %s", `give "minutes" (e.g. {"minutes": 15}) or "until" (an RFC 3339 time)`)
	}
}

func (s *Server) apiPause(c *gin.Context) {
	var req PauseRequest
	if !s.decodeJSON(c, &req) {
		return
	}
	until, err := pauseUntil(req, time.Now())
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.backend.Pause(until); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.backend.Status())
}

func (s *Server) apiResume(c *gin.Context) {
	if !s.emptyOrObject(c) {
		return
	}
	if err := s.backend.Resume(); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.backend.Status())
}

// emptyOrObject accepts an empty body or an empty JSON object.
func (s *Server) emptyOrObject(c *gin.Context) bool {
	if c.Request.ContentLength == 0 {
		return true
	}
	var v struct{}
	return s.decodeJSON(c, &v)
}

func (s *Server) apiGetConfig(c *gin.Context) { c.JSON(http.StatusOK, s.backend.Config()) }

func (s *Server) apiPatchConfig(c *gin.Context) {
	patch, ok := s.readObject(c)
	if !ok {
		return
	}
	s.configMu.Lock()
	defer s.configMu.Unlock()
	cfg := s.backend.Config()
	if err := json.Unmarshal(patch, &cfg); err != nil {
		s.fail(c, err)
		return
	}
	if err := cfg.Validate(); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.backend.SetConfig(cfg); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.backend.Config())
}

func (s *Server) apiCalibrationStart(c *gin.Context) {
	if !s.emptyOrObject(c) {
		return
	}
	if err := s.backend.StartCalibration(); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.backend.Status())
}

func (s *Server) apiCalibrationCancel(c *gin.Context) {
	if !s.emptyOrObject(c) {
		return
	}
	if err := s.backend.CancelCalibration(); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.backend.Status())
}

func (s *Server) apiRecalibrateDismiss(c *gin.Context) {
	if !s.emptyOrObject(c) {
		return
	}
	if err := s.backend.DismissRecalibrate(); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.backend.Status())
}

// apiProfileCheck tells whether a name is a valid profile name, before a
// calibration is started for it (the server's rule is the only one).
func (s *Server) apiProfileCheck(c *gin.Context) {
	var req struct {
		Name string `json:"name"`
	}
	if !s.decodeJSON(c, &req) {
		return
	}
	if err := domain.ValidateProfileName(req.Name); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"name": req.Name, "ok": true})
}

func (s *Server) apiCalibrationFinish(c *gin.Context) {
	var req struct {
		Profile string `json:"profile"`
	}
	if !s.decodeJSON(c, &req) {
		return
	}
	if err := domain.ValidateProfileName(req.Profile); err != nil {
		s.fail(c, err)
		return
	}
	b, err := s.backend.FinishCalibration(req.Profile)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"baseline": b, "setup": domain.DescribeSetup(b), "status": s.backend.Status()})
}

func (s *Server) apiProfiles(c *gin.Context) {
	ps, err := s.backend.Profiles()
	if err != nil {
		s.fail(c, err)
		return
	}
	if ps == nil {
		ps = []domain.ProfileInfo{}
	}
	c.JSON(http.StatusOK, gin.H{"profiles": ps})
}

func (s *Server) profileName(c *gin.Context) (string, bool) {
	name := c.Param("name")
	if err := domain.ValidateProfileName(name); err != nil {
		s.fail(c, err)
		return "", false
	}
	return name, true
}

func (s *Server) apiProfileActivate(c *gin.Context) {
	name, ok := s.profileName(c)
	if !ok || !s.emptyOrObject(c) {
		return
	}
	if err := s.backend.UseProfile(name); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.backend.Status())
}

func (s *Server) apiProfileDelete(c *gin.Context) {
	name, ok := s.profileName(c)
	if !ok {
		return
	}
	if err := s.backend.DeleteProfile(name); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"deleted": name})
}

func (s *Server) apiCatalogue(c *gin.Context) {
	cat := s.backend.Catalogue()
	if cat == nil {
		abortJSON(c, http.StatusServiceUnavailable, "no stretch catalogue loaded")
		return
	}
	c.JSON(http.StatusOK, cat)
}

func (s *Server) apiRoutineStart(c *gin.Context) {
	var req domain.RoutineStart
	if c.Request.ContentLength != 0 && !s.decodeJSON(c, &req) {
		return
	}
	for _, f := range req.Faults {
		if !f.Valid() {
			abortJSON(c, http.StatusBadRequest, fmt.Sprintf("faults: unknown fault %q", f))
			return
		}
	}
	r, err := s.backend.StartRoutine(req)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"routine": r})
}

func (s *Server) apiExerciseDone(c *gin.Context) {
	var req ExerciseDoneRequest
	if !s.decodeJSON(c, &req) {
		return
	}
	if req.RoutineID == "" && req.ExerciseID == "" {
		abortJSON(c, http.StatusBadRequest, `give "routine_id" and/or "exercise_id"`)
		return
	}
	if err := s.backend.ExerciseDone(req.RoutineID, req.ExerciseID, req.Skipped); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ok": true})
}

func (s *Server) apiRoutineStop(c *gin.Context) {
	if !s.emptyOrObject(c) {
		return
	}
	if err := s.backend.StopRoutine(); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ok": true})
}

func (s *Server) apiTestNudge(c *gin.Context) {
	if !s.emptyOrObject(c) {
		return
	}
	if err := s.backend.TestNudge(); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ok": true})
}

// parseTimeParam accepts RFC 3339 or a local date YYYY-MM-DD.
// It refuses years outside 1900–9000: a bucket near year 0 or 9999 in
// another zone cannot be written as JSON.
func parseTimeParam(v string, loc *time.Location) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		if t, err = time.ParseInLocation("2006-01-02", v, loc); err != nil {
			return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time nor a date YYYY-MM-DD", v)
		}
	}
	if y := t.Year(); y < 1900 || y > 9000 {
		return time.Time{}, fmt.Errorf("%q: the year must be between 1900 and 9000", v)
	}
	return t, nil
}

func (s *Server) apiHistory(c *gin.Context) {
	loc := time.Local
	if tz := c.Query("tz"); tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil {
			abortJSON(c, http.StatusBadRequest, fmt.Sprintf("tz: unknown time zone %q", tz))
			return
		}
		loc = l
	}
	by := domain.Period(c.DefaultQuery("by", "hour"))
	if by != domain.ByMinute && by != domain.ByHour && by != domain.ByDay {
		abortJSON(c, http.StatusBadRequest, fmt.Sprintf("by: %q is not minute, hour or day", by))
		return
	}
	now := time.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	from, to := today, today.AddDate(0, 0, 1)
	if by == domain.ByDay {
		from = today.AddDate(0, 0, -13)
	}
	var err error
	if v := c.Query("from"); v != "" {
		if from, err = parseTimeParam(v, loc); err != nil {
			abortJSON(c, http.StatusBadRequest, "from: "+err.Error())
			return
		}
	}
	if v := c.Query("to"); v != "" {
		if to, err = parseTimeParam(v, loc); err != nil {
			abortJSON(c, http.StatusBadRequest, "to: "+err.Error())
			return
		}
	}
	if !to.After(from) {
		abortJSON(c, http.StatusBadRequest, "to must be after from")
		return
	}
	if to.Sub(from) > 400*24*time.Hour {
		abortJSON(c, http.StatusBadRequest, "range too long: at most 400 days")
		return
	}
	if by == domain.ByMinute && to.Sub(from) > 2*24*time.Hour {
		abortJSON(c, http.StatusBadRequest, "range too long for by=minute: at most 2 days")
		return
	}
	if by == domain.ByHour && to.Sub(from) > 31*24*time.Hour {
		abortJSON(c, http.StatusBadRequest, "range too long for by=hour: at most 31 days")
		return
	}
	buckets, err := s.backend.History(c.Request.Context(), from, to, by, loc)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"by": by, "from": from, "to": to, "tz": loc.String(), "buckets": buckets})
}

// serveWS upgrades GET /ws after checking the Origin. ?preview=1 asks for
// preview frames from the start.
func (s *Server) serveWS(c *gin.Context) {
	if ok, msg := s.originAllowed(c.Request); !ok {
		abortJSON(c, http.StatusForbidden, "websocket: "+msg)
		return
	}
	if !websocket.IsWebSocketUpgrade(c.Request) {
		abortJSON(c, http.StatusBadRequest, "websocket: this endpoint needs a WebSocket upgrade request")
		return
	}
	conn, err := upgrader.Upgrade(c.Writer, c.Request, nil)
	if err != nil {
		s.log.Warn("websocket upgrade failed", "err", err)
		return // the upgrader has answered
	}
	c.Abort()
	s.hub.serve(conn, c.Query("preview") == "1")
}

func (s *Server) helloFor(preview bool) []byte {
	st := s.backend.Status()
	stats := s.backend.Stats()
	h := &Hello{
		Version:    s.opts.Version,
		Status:     st,
		Stats:      &stats,
		SampleMS:   int(s.hub.opts.SampleInterval / time.Millisecond),
		Preview:    preview,
		ServerTime: time.Now().Format(time.RFC3339),
		LastSample: s.lastSample.Load(),
		History:    s.backend.HistoryKept(),
	}
	return marshalEnvelope(envelope{Type: MsgHello, Hello: h})
}

// PublishSample sends a live sample to every client, at most one per
// SampleInterval per client; unsent older samples are replaced (newest wins).
func (s *Server) PublishSample(smp domain.Sample) {
	s.lastSample.Store(&smp)
	s.hub.SetSample(marshalEnvelope(envelope{Type: MsgSample, Sample: &smp}))
}

// PublishEvent sends a coach event to every client; never dropped (a client
// that cannot keep up is disconnected instead).
func (s *Server) PublishEvent(e domain.Event) {
	s.hub.Broadcast(marshalEnvelope(envelope{Type: MsgEvent, Event: &e}))
}

// PublishStatus sends a new status snapshot; never dropped.
func (s *Server) PublishStatus(st domain.LiveStatus) {
	s.hub.Broadcast(marshalEnvelope(envelope{Type: MsgStatus, Status: &st}))
}

// PublishStats sends the statistics; never dropped.
func (s *Server) PublishStats(st domain.StatsSnapshot) {
	s.hub.Broadcast(marshalEnvelope(envelope{Type: MsgStats, Stats: &st}))
}

// PublishReps sends a live repetition count; never dropped.
func (s *Server) PublishReps(r domain.RepCount) {
	s.hub.Broadcast(marshalEnvelope(envelope{Type: MsgReps, Reps: &r}))
}

// PublishPreview sends a preview frame to the clients that asked for the
// preview (newest wins). It does nothing (not even encoding) when nobody
// asked; frames are never stored.
func (s *Server) PublishPreview(p domain.Preview) {
	if !s.hub.PreviewWanted() {
		return
	}
	s.hub.SetPreview(marshalEnvelope(envelope{Type: MsgPreview, Preview: &p}))
}

// PreviewWanted reports whether any dashboard currently shows the preview.
func (s *Server) PreviewWanted() bool { return s.hub.PreviewWanted() }

// Clients returns the number of connected dashboards.
func (s *Server) Clients() int { return s.hub.Clients() }

// apiCameras answers GET /api/cameras: the cameras the settings offer.
func (s *Server) apiCameras(c *gin.Context) {
	cams, err := s.backend.Cameras()
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, cams)
}

func (s *Server) apiGetNotifications(c *gin.Context) {
	c.JSON(http.StatusOK, s.backend.Notifications())
}

func (s *Server) apiSetNotifications(c *gin.Context) {
	var req struct {
		Desktop *bool `json:"desktop"`
	}
	if !s.decodeJSON(c, &req) {
		return
	}
	if req.Desktop == nil {
		abortJSON(c, http.StatusBadRequest, `give "desktop": true or false`)
		return
	}
	if err := s.backend.SetNotifications(*req.Desktop); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.backend.Notifications())
}
