package web

import (
	"net/http"

	"healthcode"
)

// Who may call a route. Every route names its allow-list here and nowhere
// else; the permission matrix test reads the same table.
var (
	anyone   = []healthcode.Role(nil)
	citizens = []healthcode.Role{healthcode.RoleCitizen}
	admins   = []healthcode.Role{healthcode.RoleAdmin}
	feeds    = []healthcode.Role{healthcode.RoleFeed}
)

// route is one entry of the routing table.
type route struct {
	pattern string
	roles   []healthcode.Role // nil: anyone, logged in or not
	handler func(s *Server, w http.ResponseWriter, r *http.Request)
}

// table lists every route of the server.
var table = []route{
	{"GET /healthz", anyone, (*Server).handleHealth},
	{"GET /readyz", anyone, (*Server).handleReady},
	{"GET /api/openapi.yaml", anyone, (*Server).handleOpenAPI},

	{"POST /api/v1/auth/otp", anyone, (*Server).handleRequestOTP},
	{"POST /api/v1/auth/login", anyone, (*Server).handleLogin},
	{"POST /api/v1/auth/logout", citizens, (*Server).handleLogout},
	{"GET /api/v1/keys", anyone, (*Server).handleKeys},
	{"POST /api/v1/verify", anyone, (*Server).handleVerify},

	{"GET /api/v1/persons", citizens, (*Server).handlePersons},
	{"POST /api/v1/persons", citizens, (*Server).handleApply},
	{"POST /api/v1/persons/consent", citizens, (*Server).handleConsent},
	{"GET /api/v1/persons/{id}", citizens, (*Server).handlePerson},
	{"PATCH /api/v1/persons/{id}", citizens, (*Server).handleModify},
	{"POST /api/v1/persons/{id}/reapply", citizens, (*Server).handleReapply},
	{"GET /api/v1/persons/{id}/status", citizens, (*Server).handleStatus},
	{"GET /api/v1/persons/{id}/history", citizens, (*Server).handleHistory},
	{"POST /api/v1/persons/{id}/checkins", citizens, (*Server).handleCheckIn},
	{"POST /api/v1/persons/{id}/visits", citizens, (*Server).handleVisit},
	{"GET /api/v1/venues/{code}", anyone, (*Server).handleVenue},
	{"GET /api/v1/persons/{id}/code", citizens, (*Server).handleCode},
	{"GET /api/v1/persons/{id}/code.png", citizens, (*Server).handleCodePNG},
	{"GET /api/v1/persons/{id}/code.svg", citizens, (*Server).handleCodeSVG},

	{"POST /api/v1/admin/policy/simulate", admins, (*Server).handleSimulate},
	{"POST /api/v1/admin/venues", admins, (*Server).handleCreateVenue},

	{"POST /api/v1/feeds/{kind}", feeds, (*Server).handleFeed},
}

// limited gives the routes that rate limits apply to their class: the
// limits of the class for the client's address and for the caller's
// account or key (healthcode.Limits) are taken before the handler runs.
// The pages' equivalent forms name the same classes.
var limited = map[string]healthcode.LimitClass{
	"POST /api/v1/auth/otp":              healthcode.LimitOTP,
	"POST /api/v1/auth/login":            healthcode.LimitLogin,
	"POST /api/v1/persons":               healthcode.LimitApply,
	"POST /api/v1/persons/consent":       healthcode.LimitOTP, // it texts a phone
	"POST /api/v1/persons/{id}/reapply":  healthcode.LimitApply,
	"PATCH /api/v1/persons/{id}":         healthcode.LimitApply, // a changed relative is checked again
	"POST /api/v1/persons/{id}/checkins": healthcode.LimitCheckIn,
	"POST /api/v1/persons/{id}/visits":   healthcode.LimitVisit,
	"POST /api/v1/feeds/{kind}":          healthcode.LimitFeed,
}

func (s *Server) routes() {
	for _, rt := range table {
		s.mux.Handle(rt.pattern, s.authorize(rt, limited[rt.pattern]))
	}
}
