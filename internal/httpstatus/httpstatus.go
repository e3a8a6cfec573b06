// Package httpstatus is the one table from the domain's error codes to
// HTTP statuses, shared by the API (internal/web) and the pages
// (internal/pages), with the Retry-After a refusal that knows when to
// try again sends.
package httpstatus

import (
	"net/http"
	"strconv"
	"time"

	"healthcode"
)

// status is one code's answer: to the API, and to a form, where bad input
// answers 422 with the form shown again (STYLE 7).
type status struct{ api, form int }

// table maps every error code; a code missing here is a fault, 500.
var table = map[string]status{
	healthcode.EINVALID:      {http.StatusBadRequest, http.StatusUnprocessableEntity},
	healthcode.ENOTFOUND:     {http.StatusNotFound, http.StatusNotFound},
	healthcode.ECONFLICT:     {http.StatusConflict, http.StatusConflict},
	healthcode.EUNAUTHORIZED: {http.StatusUnauthorized, http.StatusUnauthorized},
	healthcode.EFORBIDDEN:    {http.StatusForbidden, http.StatusForbidden},
	healthcode.ELIMIT:        {http.StatusTooManyRequests, http.StatusTooManyRequests},
	healthcode.EUNAVAILABLE:  {http.StatusServiceUnavailable, http.StatusServiceUnavailable},
	healthcode.EINTERNAL:     {http.StatusInternalServerError, http.StatusInternalServerError},
}

// Of is the API's status for an error code.
func Of(code string) int {
	if s, ok := table[code]; ok {
		return s.api
	}
	return http.StatusInternalServerError
}

// OfForm is the pages' status for an error code: as Of, but bad input is
// 422, the form answered with its field errors.
func OfForm(code string) int {
	if s, ok := table[code]; ok {
		return s.form
	}
	return http.StatusInternalServerError
}

// SetRetryAfter sets Retry-After to d in whole seconds, when d is positive.
func SetRetryAfter(h http.Header, d time.Duration) {
	if d > 0 {
		h.Set("Retry-After", strconv.Itoa(int(d.Seconds())))
	}
}

// RetryAfter tells the client refused by err when to come back: a rate
// limit's wait, or a few seconds for a database or provider that is down
// (healthcode.ErrorRetryAfter); nothing for other errors.
func RetryAfter(w http.ResponseWriter, err error) {
	SetRetryAfter(w.Header(), healthcode.ErrorRetryAfter(err))
}
