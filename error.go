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
	Code string
	// Message is the message in English. It is also the message's id in
	// the catalogue (messages.go) unless Errorf made it from a format with
	// arguments; In renders it in another language.
	Message string
	Fields  []FieldError
	// RetryAfter is, for an ELIMIT or an EUNAVAILABLE, how long until the
	// request may be made again; zero when not known.
	RetryAfter time.Duration
	msg        *Msg // the format and arguments, when Message has arguments
}

// FieldError names one bad input field and why it is bad.
type FieldError struct {
	Field string `json:"field"`
	// Reason is the reason in English, and its catalogue id unless it was
	// made from a format with arguments (Problems.Addf).
	Reason string `json:"reason"`
	msg    *Msg
}

// String shows a field error as Error does, without its message's insides.
func (f FieldError) String() string { return "{" + f.Field + " " + f.Reason + "}" }

// In is the error's message in lang ("zh" or "en").
func (e *Error) In(lang string) string {
	if e.msg != nil {
		return e.msg.In(lang)
	}
	return Translate(lang, e.Message)
}

// In is the field's reason in lang ("zh" or "en").
func (f FieldError) In(lang string) string {
	if f.msg != nil {
		return f.msg.In(lang)
	}
	return Translate(lang, f.Reason)
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("healthcode error: code=%s message=%s", e.Code, e.Message)
	}
	return fmt.Sprintf("healthcode error: code=%s message=%s fields=%v", e.Code, e.Message, e.Fields)
}

// Errorf returns an *Error with the given code and formatted message.
// format is English and the message's id in the catalogue (messages.go),
// which must hold its Chinese; a test finds every call.
func Errorf(code, format string, args ...any) *Error {
	m := M(format, args...)
	e := &Error{Code: code, Message: m.Error()}
	if len(args) > 0 {
		e.msg = m
	}
	return e
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

// ErrorIn returns err's message in lang, as ErrorMessage does in English.
func ErrorIn(err error, lang string) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.In(lang)
	}
	return Translate(lang, "Internal error.")
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

// Add records that field is bad for reason, an English sentence that is
// its own id in the catalogue.
func (p *Problems) Add(field, reason string) {
	*p = append(*p, FieldError{Field: field, Reason: reason})
}

// Addf records that field is bad for a reason with arguments; format is
// the catalogue's id.
func (p *Problems) Addf(field, format string, args ...any) {
	p.AddErr(field, M(format, args...))
}

// AddErr records that field is bad for the reason err gives: a *Msg in
// err's chain keeps its words translatable.
func (p *Problems) AddErr(field string, err error) {
	f := FieldError{Field: field, Reason: err.Error()}
	var m *Msg
	if errors.As(err, &m) && len(m.args) > 0 {
		f.msg = m
	} else if m != nil {
		f.Reason = m.format
	}
	*p = append(*p, f)
}

// Err returns an EINVALID *Error listing every problem, or nil if none.
func (p Problems) Err() error {
	switch len(p) {
	case 0:
		return nil
	case 1:
		return Errorf(EINVALID, "%s: %s", p[0].Field, p[0].msgOf()).withFields(p)
	case 2:
		return Errorf(EINVALID, "%s: %s (and 1 more problem)", p[0].Field, p[0].msgOf()).withFields(p)
	}
	return Errorf(EINVALID, "%s: %s (and %d more problems)", p[0].Field, p[0].msgOf(), len(p)-1).withFields(p)
}

// msgOf is the field's reason as a message, to be an argument of another.
func (f FieldError) msgOf() *Msg {
	if f.msg != nil {
		return f.msg
	}
	return M(f.Reason)
}

func (e *Error) withFields(f []FieldError) *Error {
	e.Fields = f
	return e
}
