package healthcode

import (
	"errors"
	"fmt"
	"time"
)

// Error codes, the one vocabulary every layer speaks. internal/httpstatus
// maps each to an HTTP status for the API and the pages; stores translate
// driver errors into them.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ELIMIT        = "limit"
	EINTERNAL     = "internal"
	// EUNAVAILABLE says a dependency cannot be reached for now: the same
	// request may succeed shortly, so callers answer "try again", not a
	// fault. Stores return it for refused connections, a pool that cannot
	// hand out a connection in time, and a database too busy to answer;
	// the real-name check and the SMS gateway when they do not answer.
	EUNAVAILABLE = "unavailable"
)

// Error is an error a user may see: a code, a safe message and, for invalid
// input, the fields at fault.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
	// RetryAfter is, for an ELIMIT or an EUNAVAILABLE, how long until the
	// request may be made again; zero when not known.
	RetryAfter time.Duration
}

// FieldError names one bad input field and why it is bad.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("healthcode error: code=%s message=%s", e.Code, e.Message)
	}
	return fmt.Sprintf("healthcode error: code=%s message=%s fields=%v", e.Code, e.Message, e.Fields)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Unavailable marks cause, a store's error that means the database cannot
// be reached for now, as EUNAVAILABLE; cause stays in the chain for the
// log, and the message tells the user to try again shortly.
func Unavailable(cause error) error {
	return fmt.Errorf("%w (%w)", Errorf(EUNAVAILABLE, "The database is unavailable; try again in a few seconds."), cause)
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic message for internal errors so that nothing internal leaks.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorFields returns the field errors of the first *Error in err's chain.
func ErrorFields(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// UnavailableRetryAfter is how long clients wait after an EUNAVAILABLE
// that says nothing better: about what a database restart or failover
// takes, short enough not to lose a queue.
const UnavailableRetryAfter = 5 * time.Second

// ErrorRetryAfter returns the RetryAfter of the first *Error in err's
// chain rounded up to a whole second, as clients are told it, or zero;
// UnavailableRetryAfter for an EUNAVAILABLE without one.
func ErrorRetryAfter(err error) time.Duration {
	var e *Error
	if !errors.As(err, &e) {
		return 0
	}
	if e.RetryAfter == 0 && e.Code == EUNAVAILABLE {
		return UnavailableRetryAfter
	}
	return (e.RetryAfter + time.Second - 1).Truncate(time.Second)
}

// Problems collects field errors so that a form reports every bad field at
// once instead of one per round trip.
type Problems []FieldError

// Add records that field is bad for reason.
func (p *Problems) Add(field, reason string) {
	*p = append(*p, FieldError{Field: field, Reason: reason})
}

// Err returns an EINVALID *Error listing every problem, or nil if none.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	msg := p[0].Field + ": " + p[0].Reason
	if len(p) > 1 {
		msg = fmt.Sprintf("%s (and %d more problems)", msg, len(p)-1)
	}
	return &Error{Code: EINVALID, Message: msg, Fields: p}
}
