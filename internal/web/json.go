package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"healthcode"
	"healthcode/internal/httpstatus"
)

// maxBody bounds request bodies; no form of ours comes near it.
const maxBody = 64 << 10

var errInternal = errors.New("internal error")

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string                  `json:"code"`
	Message string                  `json:"message"`
	Fields  []healthcode.FieldError `json:"fields,omitempty"`
}

// writeError answers with the error's code and safe message; internal
// errors are logged and reach the user only as "Internal error."
func writeError(w http.ResponseWriter, log *slog.Logger, r *http.Request, err error) {
	if clientGone(r, err) {
		w.WriteHeader(statusClientGone) // nobody reads the body
		return
	}
	code := noteError(w, log, r, "internal error", err)
	writeJSON(w, httpstatus.Of(code), errorBody{errorOf(r, code, err)})
}

// errorOf is err as the API shows it: its message and its fields' reasons
// in the language the client asks for (lang, or Accept-Language; English
// by default), the code unchanged.
func errorOf(r *http.Request, code string, err error) errorDetail {
	lang := requestLang(r)
	d := errorDetail{Code: code, Message: healthcode.ErrorIn(err, lang)}
	for _, f := range healthcode.ErrorFields(err) {
		d.Fields = append(d.Fields, healthcode.FieldError{Field: f.Field, Reason: f.In(lang)})
	}
	return d
}

// requestLang is the language a client asks its errors in: the query's
// lang=zh|en, else its Accept-Language.
func requestLang(r *http.Request) string {
	return healthcode.Lang(r.URL.Query().Get("lang"), r.Header.Get("Accept-Language"))
}

// noteError returns err's code, before its answer is written: internal
// errors are logged as msg, an unavailable database or provider is logged,
// and a refusal that knows when to try again (a rate limit, an outage)
// says so in Retry-After.
func noteError(w http.ResponseWriter, log *slog.Logger, r *http.Request, msg string, err error, attrs ...any) string {
	code := healthcode.ErrorCode(err)
	switch {
	case clientGone(r, err):
		// Under load clients give up by the thousand: an ERROR line each
		// would make the log itself the work (issue 16).
		log.DebugContext(r.Context(), "client gone before the answer", append(attrs, "pattern", r.Pattern)...)
	case code == healthcode.EINTERNAL:
		log.ErrorContext(r.Context(), msg, append(attrs, "pattern", r.Pattern, "err", err)...)
	case code == healthcode.EUNAVAILABLE:
		log.WarnContext(r.Context(), "unavailable, try again later", append(attrs, "pattern", r.Pattern, "err", err)...)
	}
	httpstatus.RetryAfter(w, err)
	return code
}

// statusClientGone is nginx's 499, "client closed request": what a
// request whose client gave up before its answer is logged with.
const statusClientGone = 499

// clientGone reports whether err is the request's own context cancelled,
// which net/http does when the client closes the connection: no fault of
// ours. A deadline passing is not: that is a database too slow (503).
func clientGone(r *http.Request, err error) bool {
	return errors.Is(r.Context().Err(), context.Canceled) && errors.Is(err, context.Canceled)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client has gone if this fails; nothing to do
}

// decode reads a JSON body into v, strictly: unknown fields and wrong
// types are field errors the caller can act on.
func decode(r *http.Request, v any) error { return decodeUpTo(r, v, maxBody) }

// decodeUpTo is decode for a body of up to limit bytes.
func decodeUpTo(r *http.Request, v any, limit int64) error {
	return decodeFrom(io.LimitReader(r.Body, limit), v)
}

// decodeFrom is decode for a body read already, or bounded otherwise.
func decodeFrom(body io.Reader, v any) error {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, io.EOF):
		return healthcode.Errorf(healthcode.EINVALID, "The request body is empty; send a JSON object.")
	case errors.As(err, &typeErr):
		return fieldError(typeErr.Field, healthcode.M("must be a JSON %s", typeErr.Type.Kind().String()))
	case errors.As(err, &syntaxErr):
		return healthcode.Errorf(healthcode.EINVALID, "The body is not valid JSON (at byte %d).", syntaxErr.Offset)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return fieldError(name, healthcode.M("is not a known field"))
	}
	return healthcode.Errorf(healthcode.EINVALID, "The body could not be read as JSON.")
}

func fieldError(field string, reason *healthcode.Msg) error {
	var p healthcode.Problems
	p.AddErr(field, reason)
	return p.Err()
}
