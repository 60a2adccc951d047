package domain

import (
	"errors"
	"fmt"
)

// Error codes: what kind of failure an error is, so that callers decide by
// kind (errors.As / ErrorCode), never by matching text. Only the HTTP layer
// turns them into statuses (webui), and only the command line into exit codes.
const (
	EINVALID     = "invalid"     // the request or input is wrong: fix it and retry
	ENOTFOUND    = "not_found"   // no such thing (profile, routine, exercise)
	ECONFLICT    = "conflict"    // not now: the state does not allow it (not paused, no calibration running)
	EUNAVAILABLE = "unavailable" // the camera gives no picture, or a store cannot be written right now
	EINTERNAL    = "internal"    // a bug or an unexpected failure
)

// Error is an error with a kind and a message meant for the user. Err is the
// cause, kept for errors.Is/As and the log; it is never shown as the message.
type Error struct {
	Code    string
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Message == "" && e.Err != nil {
		return e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf makes an error of the given kind with a formatted message for the
// user. A %w verb wraps the cause as usual (and the cause's text becomes part
// of the message, as fmt.Errorf would make it).
func Errorf(code, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Code: code, Message: err.Error(), Err: errors.Unwrap(err)}
}

// WrapError gives err a kind, keeping its text as the message and err as the
// cause. A nil err gives nil; an err that already has a kind keeps it.
func WrapError(code string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Code: code, Message: err.Error(), Err: err}
}

// ErrorCode is the kind of the first *Error in err's chain; EINTERNAL for
// any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != "" {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage is the text to show the user. For an error with a kind it is
// the whole chain's text: the kind's message with whatever context callers
// wrapped around it ("profile \"desk\": no such profile"). An error of no
// kind (or EINTERNAL) gets a generic sentence; its details belong in the log.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return err.Error()
	}
	return "Internal error: see the posturewatch log for details."
}
