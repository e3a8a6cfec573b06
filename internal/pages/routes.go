package pages

import (
	"net/http"

	"healthcode"
	"healthcode/internal/permission"
)

// anyone is the permission of an open page: none.
const anyone = permission.None

// route is one entry of the pages' routing table.
type route struct {
	pattern string
	// perm is what the citizen's or the staff session needs (anyone:
	// nothing), checked before the handler runs without a region; the
	// service checks the region once the form names one. Without it, a
	// citizen's page sends the browser to log in and a staff page answers
	// 403 (its form, a staff page with no session, offers the key login).
	perm    permission.Permission
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

	{"GET /app", permission.ManagePersons, (*Pages).app},
	{"GET /app/apply", permission.ManagePersons, (*Pages).applyForm},
	{"POST /app/apply", permission.ManagePersons, (*Pages).apply},
	{"GET /app/persons", permission.ManagePersons, (*Pages).persons},
	{"GET /app/p/{id}", permission.ManagePersons, (*Pages).code},
	{"GET /app/p/{id}/code.json", permission.ManagePersons, (*Pages).codeJSON},
	{"GET /app/p/{id}/checkin", permission.CheckIn, (*Pages).checkInForm},
	{"POST /app/p/{id}/checkin", permission.CheckIn, (*Pages).checkIn},
	{"GET /app/p/{id}/modify", permission.ManagePersons, (*Pages).modifyForm},
	{"POST /app/p/{id}/modify", permission.ManagePersons, (*Pages).modify},
	{"GET /app/p/{id}/reapply", permission.ManagePersons, (*Pages).reapplyForm},
	{"POST /app/p/{id}/reapply", permission.ManagePersons, (*Pages).reapply},
	{"GET /app/p/{id}/history", permission.ManagePersons, (*Pages).history},
	{"GET /app/p/{id}/tests", permission.ManagePersons, (*Pages).tests},
	{"GET /app/family", permission.ManagePersons, (*Pages).family},
	{"GET /app/p/{id}/appeal", permission.FileAppeals, (*Pages).appealForm},
	{"POST /app/p/{id}/appeal", permission.FileAppeals, (*Pages).appeal},
	{"GET /app/p/{id}/correction", permission.FileAppeals, (*Pages).correctionForm},
	{"POST /app/p/{id}/correction", permission.FileAppeals, (*Pages).correction},
	{"GET /app/p/{id}/foreign-code", permission.ManagePersons, (*Pages).foreignCodeForm},
	{"POST /app/p/{id}/foreign-code", permission.ManagePersons, (*Pages).linkForeignCode},

	{"GET /checkpoint", anyone, (*Pages).checkpoint},
	{"POST /checkpoint/verify", anyone, (*Pages).verify},
	{"POST /checkpoint/login", anyone, (*Pages).staffLogin},
	{"POST /checkpoint/lookup", permission.VerifyDetails, (*Pages).lookup},

	{"GET /regions/{code}", anyone, (*Pages).regions},

	// Officials (docs/officials.md). The pages need what the API's routes
	// do; the service checks each step's role and the person's division.
	{"GET /officials/login", anyone, (*Pages).officialLoginForm},
	{"POST /officials/login", anyone, (*Pages).officialLogin},
	{"POST /officials/logout", anyone, (*Pages).officialLogout},
	{"GET /officials", permission.ViewPersons, (*Pages).officialHome},
	{"GET /officials/p/{id}", permission.ViewPersons, (*Pages).officialPerson},
	{"POST /officials/p/{id}/unmask", permission.UnmaskPersons, (*Pages).unmask},
	{"POST /officials/p/{id}/workflows", permission.StartWorkflows, (*Pages).startWorkflow},
	{"POST /officials/p/{id}/findings", permission.RecordFindings, (*Pages).recordFinding},
	{"POST /officials/p/{id}/passes", permission.IssuePasses, (*Pages).issuePass},
	{"GET /officials/passes/{pass}", permission.IssuePasses, (*Pages).passSheet},
	{"POST /officials/passes/{pass}/revoke", permission.IssuePasses, (*Pages).revokePass},
	{"GET /officials/w/{id}", permission.ViewPersons, (*Pages).officialWorkflow},
	{"POST /officials/w/{id}/steps", permission.ViewPersons, (*Pages).step},
	{"GET /officials/w/{id}/attachment", permission.ViewPersons, (*Pages).attachment},
	{"GET /officials/release-lists", permission.UploadReleaseLists, (*Pages).releaseListsForm},
	{"POST /officials/release-lists", permission.UploadReleaseLists, (*Pages).uploadReleaseList},

	{"GET /venues/new", anyone, (*Pages).venueForm},
	{"POST /venues", permission.CreateVenues, (*Pages).createVenue},
	{"GET /venues/{code}", anyone, (*Pages).venuePoster},
	{"GET /v/{code}", permission.RecordVisits, (*Pages).visitForm},
	{"POST /v/{code}", permission.RecordVisits, (*Pages).visit},

	// Any other path: a page saying so, in the site's language.
	{"GET /", anyone, (*Pages).notFound},
}

// limited gives the forms that rate limits apply to the class of their
// API route (internal/web's limited): the same limits, counted in the
// same buckets, whichever way a request comes.
var limited = map[string]healthcode.LimitClass{
	"POST /login/code":              healthcode.LimitOTP,
	"POST /login":                   healthcode.LimitLogin,
	"POST /app/apply":               healthcode.LimitApply,
	"POST /app/p/{id}/reapply":      healthcode.LimitApply,
	"POST /app/p/{id}/modify":       healthcode.LimitApply, // a changed relative is checked again
	"POST /app/p/{id}/checkin":      healthcode.LimitCheckIn,
	"POST /v/{code}":                healthcode.LimitVisit,
	"POST /app/p/{id}/appeal":       healthcode.LimitApply, // up to 2 MiB each, as the API's
	"POST /app/p/{id}/correction":   healthcode.LimitApply, // each lands in a community's queue, as the API's
	"POST /officials/login":         healthcode.LimitLogin,
	"POST /officials/p/{id}/unmask": healthcode.LimitUnmask,
	"POST /checkpoint/lookup":       healthcode.LimitLookup,
}

func (p *Pages) routes() {
	for _, rt := range table {
		p.mux.Handle(rt.pattern, p.handle(rt))
	}
}
