package live

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"posturewatch/coach/domain"
)

// status is the dashboard's snapshot: the coach's status, the camera in
// plain words, the profile, the routine, and the day's totals including
// earlier runs.
func (s *Service) status() domain.LiveStatus {
	now := s.cam.Now()
	st := domain.LiveStatus{Status: s.coach.Status(now), Profile: s.profile, Camera: describeCamera(s.cam.Status()),
		FirstRun: s.firstRun}
	if (s.held() || s.onBreak) && s.pausedUntil.IsZero() {
		// the coach's pause for a hold or a break has no end the user set:
		// the page must not show its far-off placeholder as "until"
		st.PausedUntil = time.Time{}
	}
	if s.held() {
		st.Waiting = s.waiting()
		st.Camera.Error, st.Camera.Hint = "off while "+st.Waiting, "monitoring resumes by itself"
	}
	if b := s.coach.Baseline(); b != nil && s.profile != "" {
		st.Setup = domain.DescribeSetup(b)
	}
	switch {
	case s.routine != nil:
		r := *s.routine
		st.Routine = &r
		st.RoutineRunning, st.RoutineExercise = true, s.exIdx
	case s.suggested != nil:
		r := *s.suggested
		st.Routine = &r
	}
	st.GoodTodayS, st.PresentTodayS = s.today(now)
	switch cam := st.Camera; {
	case st.Waiting != "":
		st.Message = "Monitoring waits: " + st.Waiting + ". It resumes by itself."
	case cam.State == domain.CameraRetrying:
		st.Message = "No picture from " + cam.Source + ": " + cam.Error + ". " + sentence(cam.Hint)
	case s.onBreak && s.routine != nil:
		st.Message = "Stretch break: posture nudges wait until it ends."
	case s.picture != "" && cam.OK:
		st.Message = sentence(s.picture.Advice())
	case cam.State == domain.CameraEnded:
		st.Message = "The video ended: start posturewatch with --loop to play it again."
	case st.Profile == "" && s.against == domain.AgainstLearnt:
		st.Message = "No profile: judged against how you sat best in the last minutes, which shows how this camera sees you upright. Calibrate for the most accurate alerts."
	case st.Profile == "":
		st.Message = "No profile: using the default thresholds until the camera's view of you is learnt from a minute or two of sitting with a shoulder in view. Calibrate for better accuracy."
	}
	if u := s.unsaved; u.err != nil {
		st.Message = strings.TrimSpace(fmt.Sprintf("The history cannot be written (%v): %d minutes and %d events are kept and written as soon as it works again. %s",
			u.err, len(u.minutes), len(u.events), st.Message))
	}
	if s.notice != "" { // what happened at the start stays said, beside the rest
		st.Message = strings.TrimSpace(s.notice + " " + st.Message)
	}
	return st
}

// describeCamera words the camera's state for the dashboard.
func describeCamera(c domain.CameraStatus) domain.CameraStatus {
	c.OK = c.State == domain.CameraOK
	c.Released = c.State == domain.CameraReleased
	switch c.State {
	case domain.CameraStarting:
		c.Error = "opening " + c.Source
	case domain.CameraReleased:
		c.Error, c.Hint = "paused: the camera is off", "resume to turn it back on"
	case domain.CameraStopped:
		c.Error = "stopped"
	}
	return c
}

// sentence capitalises s and ends it with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
