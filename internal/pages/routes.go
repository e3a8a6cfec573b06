package pages

import (
	"net/http"

	"healthcode"
)

// Who may open a page.
type access int

const (
	anyone  access = iota // logged in or not
	citizen               // a citizen's session cookie
)

// route is one entry of the pages' routing table.
type route struct {
	pattern string
	access  access
	handler func(p *Pages, w http.ResponseWriter, r *http.Request, c *ctx)
}

// table lists every page. POST routes all check the form's CSRF token.
var table = []route{
	{"GET /{$}", anyone, (*Pages).home},
	{"GET /help", anyone, (*Pages).help},
	{"GET /login", anyone, (*Pages).loginForm},
	{"POST /login/code", anyone, (*Pages).loginCode},
	{"POST /login", anyone, (*Pages).login},
	{"POST /logout", anyone, (*Pages).logout},

	{"GET /app", citizen, (*Pages).app},
	{"GET /app/apply", citizen, (*Pages).applyForm},
	{"POST /app/apply", citizen, (*Pages).apply},
	{"GET /app/persons", citizen, (*Pages).persons},
	{"GET /app/p/{id}", citizen, (*Pages).code},
	{"GET /app/p/{id}/code.json", citizen, (*Pages).codeJSON},
	{"GET /app/p/{id}/checkin", citizen, (*Pages).checkInForm},
	{"POST /app/p/{id}/checkin", citizen, (*Pages).checkIn},
	{"GET /app/p/{id}/modify", citizen, (*Pages).modifyForm},
	{"POST /app/p/{id}/modify", citizen, (*Pages).modify},
	{"GET /app/p/{id}/reapply", citizen, (*Pages).reapplyForm},
	{"POST /app/p/{id}/reapply", citizen, (*Pages).reapply},
	{"GET /app/p/{id}/history", citizen, (*Pages).history},

	{"GET /checkpoint", anyone, (*Pages).checkpoint},
	{"POST /checkpoint/verify", anyone, (*Pages).verify},
	{"POST /checkpoint/login", anyone, (*Pages).staffLogin},

	{"GET /venues/new", anyone, (*Pages).venueForm},
	{"POST /venues", anyone, (*Pages).createVenue},
	{"GET /venues/{code}", anyone, (*Pages).venuePoster},
	{"GET /v/{code}", citizen, (*Pages).visitForm},
	{"POST /v/{code}", citizen, (*Pages).visit},
}

// limited gives the forms that rate limits apply to the class of their
// API route (internal/web's limited): the same limits, counted in the
// same buckets, whichever way a request comes.
var limited = map[string]healthcode.LimitClass{
	"POST /login/code":         healthcode.LimitOTP,
	"POST /login":              healthcode.LimitLogin,
	"POST /app/apply":          healthcode.LimitApply,
	"POST /app/p/{id}/reapply": healthcode.LimitApply,
	"POST /app/p/{id}/modify":  healthcode.LimitApply, // a changed relative is checked again
	"POST /app/p/{id}/checkin": healthcode.LimitCheckIn,
	"POST /v/{code}":           healthcode.LimitVisit,
}

func (p *Pages) routes() {
	for _, rt := range table {
		p.mux.Handle(rt.pattern, p.handle(rt))
	}
}
