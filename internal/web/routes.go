package web

import (
	"net/http"

	"healthcode"
	"healthcode/internal/permission"
)

// anyone is the permission of an open route: none.
const anyone = permission.None

// route is one entry of the routing table.
type route struct {
	pattern string
	// perm is what the caller needs (anyone: nothing, logged in or not),
	// checked before the handler runs without a region; the service
	// checks the region once the request names one. The permission
	// matrix test reads the same table.
	perm    permission.Permission
	handler func(s *Server, w http.ResponseWriter, r *http.Request)
}

// table lists every route of the server.
var table = []route{
	{"GET /healthz", anyone, (*Server).handleHealth},
	{"GET /readyz", anyone, (*Server).handleReady},
	{"GET /api/openapi.yaml", anyone, (*Server).handleOpenAPI},

	{"POST /api/v1/auth/otp", anyone, (*Server).handleRequestOTP},
	{"POST /api/v1/auth/login", anyone, (*Server).handleLogin},
	{"POST /api/v1/auth/logout", permission.EndSession, (*Server).handleLogout},
	{"GET /api/v1/keys", anyone, (*Server).handleKeys},
	{"POST /api/v1/verify", anyone, (*Server).handleVerify},
	{"GET /api/v1/trust", anyone, (*Server).handleTrust},
	{"GET /api/v1/trust/keys", anyone, (*Server).handleTrustKeys},

	{"GET /api/v1/persons", permission.ManagePersons, (*Server).handlePersons},
	{"POST /api/v1/persons", permission.ManagePersons, (*Server).handleApply},
	{"POST /api/v1/persons/consent", permission.ManagePersons, (*Server).handleConsent},
	{"GET /api/v1/persons/{id}", permission.ManagePersons, (*Server).handlePerson},
	{"PATCH /api/v1/persons/{id}", permission.ManagePersons, (*Server).handleModify},
	{"POST /api/v1/persons/{id}/reapply", permission.ManagePersons, (*Server).handleReapply},
	{"GET /api/v1/persons/{id}/status", permission.ManagePersons, (*Server).handleStatus},
	{"GET /api/v1/persons/{id}/history", permission.ManagePersons, (*Server).handleHistory},
	{"POST /api/v1/persons/{id}/checkins", permission.CheckIn, (*Server).handleCheckIn},
	{"POST /api/v1/persons/{id}/visits", permission.RecordVisits, (*Server).handleVisit},
	{"POST /api/v1/persons/{id}/foreign-codes", permission.ManagePersons, (*Server).handleLinkForeignCode},
	{"GET /api/v1/venues/{code}", anyone, (*Server).handleVenue},

	// Workflows (docs/officials.md). The officials' routes need what
	// every official who takes steps holds, seeing persons; the service
	// checks the step's own role and permission in the person's division.
	{"POST /api/v1/persons/{id}/appeals", permission.FileAppeals, (*Server).handleFileAppeal},
	{"GET /api/v1/persons/{id}/appeals", permission.FileAppeals, (*Server).handleAppeals},
	{"PATCH /api/v1/persons/{id}/appeals/{appeal}", permission.FileAppeals, (*Server).handleEditAppeal},
	{"PUT /api/v1/persons/{id}/appeals/{appeal}", permission.FileAppeals, (*Server).handleEditAppeal},
	{"POST /api/v1/persons/{id}/corrections", permission.FileAppeals, (*Server).handleFileCorrection},
	{"POST /api/v1/officials/workflows", permission.StartWorkflows, (*Server).handleStartWorkflow},
	{"GET /api/v1/officials/queue", permission.ViewPersons, (*Server).handleQueue},
	{"GET /api/v1/officials/workflows/{id}", permission.ViewPersons, (*Server).handleWorkflow},
	{"POST /api/v1/officials/workflows/{id}/steps", permission.ViewPersons, (*Server).handleStep},
	{"GET /api/v1/officials/workflows/{id}/attachment", permission.ViewPersons, (*Server).handleAttachment},

	{"GET /api/v1/log/head", anyone, (*Server).handleLogHead},
	{"GET /api/v1/log/checkpoint", anyone, (*Server).handleLogHead}, // the head where C2SP tlog-tiles clients look
	{"GET /api/v1/log/key", anyone, (*Server).handleLogKey},
	{"GET /api/v1/log/entries/{index}", anyone, (*Server).handleLogEntry},
	{"GET /api/v1/log/proof/inclusion", anyone, (*Server).handleLogInclusion},
	{"GET /api/v1/log/proof/consistency", anyone, (*Server).handleLogConsistency},
	{"GET /api/v1/log/tile/{path...}", anyone, (*Server).handleLogTile},
	{"GET /api/v1/persons/{id}/code", permission.ManagePersons, (*Server).handleCode},
	{"GET /api/v1/persons/{id}/code.png", permission.ManagePersons, (*Server).handleCodePNG},
	{"GET /api/v1/persons/{id}/code.svg", permission.ManagePersons, (*Server).handleCodeSVG},

	{"POST /api/v1/admin/policy/simulate", permission.SimulatePolicy, (*Server).handleSimulate},
	{"POST /api/v1/admin/policy/evaluate", permission.SimulatePolicy, (*Server).handleEvaluatePolicy},
	{"POST /api/v1/admin/venues", permission.CreateVenues, (*Server).handleCreateVenue},

	{"POST /api/v1/feeds/{kind}", permission.SendFeeds, (*Server).handleFeed},

	// Officials (docs/officials.md). Logging out needs no permission of
	// the role's: any official may end their own session.
	{"POST /api/v1/officials/login", anyone, (*Server).handleOfficialLogin},
	{"POST /api/v1/officials/logout", anyone, (*Server).handleOfficialLogout},
	{"POST /api/v1/admin/officials", permission.ManageOfficials, (*Server).handleCreateOfficial},
	{"GET /api/v1/admin/officials", permission.ManageOfficials, (*Server).handleOfficials},
	{"POST /api/v1/admin/officials/{id}/disable", permission.ManageOfficials, (*Server).handleDisableOfficial},
	{"GET /api/v1/officials/persons", permission.ViewPersons, (*Server).handleOfficialPersons},
	{"GET /api/v1/officials/persons/{id}", permission.ViewPersons, (*Server).handleOfficialPerson},
	{"POST /api/v1/officials/persons/{id}/unmask", permission.UnmaskPersons, (*Server).handleUnmask},
	{"POST /api/v1/officials/release-lists", permission.UploadReleaseLists, (*Server).handleUploadReleaseList},
	{"GET /api/v1/officials/release-lists", permission.UploadReleaseLists, (*Server).handleReleaseLists},
	{"POST /api/v1/officials/persons/{id}/findings", permission.RecordFindings, (*Server).handleRecordFinding},
	{"GET /api/v1/persons/{id}/credit", permission.ManagePersons, (*Server).handleCredit},

	// Paper passes (docs/federation.md#paper-passes): community workers
	// issue, print and revoke them for persons of their scope; checkpoints
	// verify them at /api/v1/verify and look persons up by ID number.
	{"POST /api/v1/officials/persons/{id}/passes", permission.IssuePasses, (*Server).handleIssuePass},
	{"GET /api/v1/officials/persons/{id}/passes", permission.ViewPersons, (*Server).handlePersonPasses},
	{"GET /api/v1/officials/passes/{pass}", permission.IssuePasses, (*Server).handlePass},
	{"POST /api/v1/officials/passes/{pass}/revoke", permission.IssuePasses, (*Server).handleRevokePass},
	{"POST /api/v1/lookup", permission.VerifyDetails, (*Server).handleLookup},
}

// limited gives the routes that rate limits apply to their class: the
// limits of the class for the client's address and for the caller's
// account or key (healthcode.Limits) are taken before the handler runs.
// The pages' equivalent forms name the same classes.
var limited = map[string]healthcode.LimitClass{
	"POST /api/v1/auth/otp":                      healthcode.LimitOTP,
	"POST /api/v1/auth/login":                    healthcode.LimitLogin,
	"POST /api/v1/persons":                       healthcode.LimitApply,
	"POST /api/v1/persons/consent":               healthcode.LimitOTP, // it texts a phone
	"POST /api/v1/persons/{id}/reapply":          healthcode.LimitApply,
	"PATCH /api/v1/persons/{id}":                 healthcode.LimitApply, // a changed relative is checked again
	"POST /api/v1/persons/{id}/checkins":         healthcode.LimitCheckIn,
	"POST /api/v1/persons/{id}/visits":           healthcode.LimitVisit,
	"POST /api/v1/feeds/{kind}":                  healthcode.LimitFeed,
	"POST /api/v1/officials/persons/{id}/unmask": healthcode.LimitUnmask,
	"POST /api/v1/officials/login":               healthcode.LimitLogin,
	"POST /api/v1/persons/{id}/appeals":          healthcode.LimitApply, // up to 2 MiB each
	// Each correction lands in the community's queue: a script filing them
	// without end would bury the ones that matter.
	"POST /api/v1/persons/{id}/corrections": healthcode.LimitApply,
	// Each look-up names a person from a typed number: a key may not walk
	// the numbers.
	"POST /api/v1/lookup": healthcode.LimitLookup,
}

func (s *Server) routes() {
	for _, rt := range table {
		s.mux.Handle(rt.pattern, s.authorize(rt, limited[rt.pattern]))
	}
}
