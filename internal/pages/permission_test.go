package pages

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/permission"
	"healthcode/internal/service"
)

// pagesMatrix is what the pages' permission matrix knows of the site: a
// citizen with a person and a code, and a checkpoint key anyone may log
// in with.
type pagesMatrix struct {
	s          *site
	personID   int64
	workflowID int64 // an appeal about the person, with an attachment
	codeToken  string
	checkpoint string // an in-region checkpoint key, for the staff login form
}

// matrixForms gives every route of the table the permission it must
// need, pinned here by hand and not read from the route table, so that a
// page whose permission is widened by mistake fails the matrix instead of
// moving its expectation with it; the form it posts (nil for a GET); and
// the region the request is about. A route missing here fails the matrix.
func (m *pagesMatrix) matrixForms() map[string]struct {
	want   permission.Permission
	form   url.Values
	region string
} {
	person := url.Values{"person": {fmt.Sprint(m.personID)}}
	type req = struct {
		want   permission.Permission
		form   url.Values
		region string
	}
	return map[string]req{
		"GET /{$}":                    {want: anyone},
		"GET /help":                   {want: anyone},
		"GET /login":                  {want: anyone},
		"POST /login/code":            {anyone, url.Values{"phone": {"13900000077"}}, ""},
		"POST /login":                 {anyone, url.Values{"phone": {"13900000077"}}, ""}, // the code is asked for per case
		"POST /logout":                {anyone, url.Values{}, ""},
		"GET /app":                    {want: permission.ManagePersons},
		"GET /app/apply":              {want: permission.ManagePersons},
		"POST /app/apply":             {permission.ManagePersons, url.Values{}, ""},
		"GET /app/persons":            {want: permission.ManagePersons},
		"GET /app/p/{id}":             {want: permission.ManagePersons},
		"GET /app/p/{id}/code.json":   {want: permission.ManagePersons},
		"GET /app/p/{id}/checkin":     {want: permission.CheckIn},
		"POST /app/p/{id}/checkin":    {permission.CheckIn, url.Values{}, ""},
		"GET /app/p/{id}/modify":      {want: permission.ManagePersons},
		"POST /app/p/{id}/modify":     {permission.ManagePersons, url.Values{}, ""},
		"GET /app/p/{id}/reapply":     {want: permission.ManagePersons},
		"POST /app/p/{id}/reapply":    {permission.ManagePersons, url.Values{}, ""},
		"GET /app/p/{id}/history":     {want: permission.ManagePersons},
		"GET /app/p/{id}/tests":       {want: permission.ManagePersons},
		"GET /app/family":             {want: permission.ManagePersons},
		"GET /app/p/{id}/appeal":      {want: permission.FileAppeals},
		"POST /app/p/{id}/appeal":     {permission.FileAppeals, url.Values{"reason": {"我一直在家，请核实码色。"}}, ""},
		"GET /app/p/{id}/correction":  {want: permission.FileAppeals},
		"POST /app/p/{id}/correction": {permission.FileAppeals, url.Values{"variant": {"wrong-colour"}, "reason": {"我一直在家，请核实码色。"}}, ""},

		// Between regions (docs/federation.md).
		"GET /app/p/{id}/foreign-code":  {want: permission.ManagePersons},
		"POST /app/p/{id}/foreign-code": {permission.ManagePersons, url.Values{"token": {"HCN1:x"}}, ""},

		"GET /checkpoint":         {want: anyone},
		"POST /checkpoint/verify": {anyone, url.Values{"token": {m.codeToken}}, ""},
		"POST /checkpoint/login":  {anyone, url.Values{"key": {m.checkpoint}}, ""},
		"GET /regions/{code}":     {want: anyone},
		"GET /venues/new":         {want: anyone},
		"POST /venues":            {permission.CreateVenues, url.Values{"name": {"西湖景区3号门"}, "region": {"330106"}}, "330106"},
		"GET /venues/{code}":      {want: anyone},
		"GET /v/{code}":           {want: permission.RecordVisits},
		"POST /v/{code}":          {permission.RecordVisits, person, ""},
		"GET /":                   {want: anyone},

		// Officials: a person's pages are about their division; a
		// workflow's answer 404 outside the caller's scope, as the API's.
		"GET /officials/login":   {want: anyone},
		"POST /officials/login":  {anyone, url.Values{}, ""}, // an account and its code are made per case
		"POST /officials/logout": {anyone, url.Values{}, ""},
		"GET /officials":         {want: permission.ViewPersons},
		"GET /officials/p/{id}":  {permission.ViewPersons, nil, "330106"},
		"POST /officials/p/{id}/unmask": {permission.UnmaskPersons, url.Values{"unmask.reason": {"居民来电求助，核实手机号码"},
			"unmask.category": {healthcode.UnmaskCitizenRequest}}, "330106"},
		"POST /officials/p/{id}/workflows": {permission.StartWorkflows, url.Values{"form": {"release"},
			"release.isolation_start": {"2026-03-01"}, "release.isolation_end": {"2026-03-07"}}, "330106"},
		"POST /officials/p/{id}/findings": {permission.RecordFindings, url.Values{"finding.finding": {"申报无旅居史，铁路记录显示曾去高风险地区"},
			"finding.evidence": {"DC-2026-0312"}}, "330106"},
		"GET /officials/w/{id}":            {want: permission.ViewPersons},
		"POST /officials/w/{id}/steps":     {permission.ViewPersons, url.Values{"seq": {"999"}, "action": {"uphold"}}, ""},
		"GET /officials/w/{id}/attachment": {want: permission.ViewPersons},
		"GET /officials/release-lists":     {want: permission.UploadReleaseLists},
		"POST /officials/release-lists":    {permission.UploadReleaseLists, url.Values{"point": {"西湖区第一隔离点"}}, ""},
		// Paper passes: about the person's division; a pass that is not
		// there answers 404 to those who may ask.
		"POST /officials/p/{id}/passes":        {permission.IssuePasses, url.Values{"pass.temperature": {"36.5"}}, "330106"},
		"GET /officials/passes/{pass}":         {want: permission.IssuePasses},
		"POST /officials/passes/{pass}/revoke": {permission.IssuePasses, url.Values{}, ""},
		"POST /checkpoint/lookup":              {permission.VerifyDetails, url.Values{"number": {"11010519491231002X"}}, ""},
	}
}

// pagesCaller is one caller: the principal the matrix expects with, and
// how to give a fresh browser its sessions.
type pagesCaller struct {
	name string
	who  *healthcode.Principal // nil: anonymous
	// citizen, staff and official are session tokens to plant ("" for
	// none); a feed key opens no staff session, so a feed caller has none.
	citizen, staff, official string
	key                      string  // the caller's API key, to open another staff session
	officer                  officer // the official's account, to open another session
}

func newPagesMatrix(t *testing.T) (*pagesMatrix, []pagesCaller) {
	t.Helper()
	ctx := context.Background()
	s := newSite(t)
	m := &pagesMatrix{s: s}
	citizenToken, citizen := citizenSession(t, s.svc, "13900000066")
	no := false
	p, err := s.svc.Apply(ctx, citizen, service.ApplyInput{Identity: healthcode.Identity{DocType: healthcode.DocPassport,
		Number: "E12345678", Name: "Li Lei", Phone: "13900000066"}, Region: "330106",
		Declaration: service.DeclarationInput{Fever: &no, Cough: &no, OtherSymptoms: &no, LeftRegion14d: &no,
			Abroad14d: &no, ContactCases: &no, Commitment: new(true)}})
	if err != nil {
		t.Fatal(err)
	}
	code, err := s.svc.Code(ctx, citizen, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	m.personID, m.codeToken = p.ID, code.Token
	w, err := s.svc.FileAppeal(ctx, citizen, p.ID, service.AppealInput{
		Reason: "我一直在家，请核实码色。", Attachment: &service.File{Filename: "a.png", Data: onePixelPNG}})
	if err != nil {
		t.Fatal(err)
	}
	m.workflowID = w.ID
	callers := []pagesCaller{{name: "anonymous"}}
	for _, scope := range []struct{ name, region string }{{"in region", "330100"}, {"out of region", "440100"}} {
		callers = append(callers, pagesCaller{name: "citizen " + scope.name, who: citizen, citizen: citizenToken})
		for _, role := range []healthcode.Role{healthcode.RoleCheckpoint, healthcode.RoleAdmin, healthcode.RoleFeed} {
			spec := service.KeySpec{Name: string(role) + " " + scope.region, Role: role, Region: scope.region}
			if role == healthcode.RoleFeed {
				spec.Kinds = []string{"lab"}
			}
			key, _, err := s.svc.CreateKey(ctx, permission.Operator(), spec)
			if err != nil {
				t.Fatal(err)
			}
			who, err := s.svc.Authenticate(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			c := pagesCaller{name: string(role) + " " + scope.name, who: who, key: key}
			if res, _, err := s.svc.StaffLogin(ctx, key); err == nil {
				c.staff = res.Token
			} else if healthcode.ErrorCode(err) != healthcode.EFORBIDDEN || permission.Can(who, permission.StaffLogin, "") {
				t.Fatalf("staff login of a %s key: %v", role, err)
			}
			if role == healthcode.RoleCheckpoint && scope.region == "330100" {
				m.checkpoint = key
			}
			callers = append(callers, c)
		}
		for _, role := range []healthcode.Role{healthcode.RoleCommunity, healthcode.RoleStreet, healthcode.RoleDistrict,
			healthcode.RoleIsolation, healthcode.RoleAuditor, healthcode.RoleAdministrator} {
			o := appoint(t, s, fmt.Sprintf("%s.%s", role, scope.region), role, scope.region)
			callers = append(callers, pagesCaller{name: "official " + string(role) + " " + scope.name, who: o.who,
				official: officialSession(t, s, o, 0), officer: o})
		}
	}
	return m, callers
}

func citizenSession(t *testing.T, svc *service.Service, phone string) (string, *healthcode.Principal) {
	t.Helper()
	ctx := context.Background()
	otp, err := svc.RequestOTP(ctx, phone)
	if err != nil {
		t.Fatal(err)
	}
	login, err := svc.Login(ctx, phone, otp.DevCode)
	if err != nil {
		t.Fatal(err)
	}
	who, err := svc.Authenticate(ctx, login.Token)
	if err != nil {
		t.Fatal(err)
	}
	return login.Token, who
}

// TestPagesPermissionMatrix opens every page of the table as every caller,
// each in a fresh browser holding only that caller's sessions, and checks
// the answer against permission.Can for the permission the matrix pins
// for the page and the request's region: a deny sends the browser to log in or answers 401 or
// 403, an allow does neither.
func TestPagesPermissionMatrix(t *testing.T) {
	m, callers := newPagesMatrix(t)
	forms := m.matrixForms()
	unexpectedAllows, cases := 0, 0
	for _, rt := range table {
		req, ok := forms[rt.pattern]
		if !ok {
			t.Errorf("route %s has no case in matrixForms", rt.pattern)
			continue
		}
		if rt.perm != req.want {
			t.Errorf("page %s needs %s; the matrix pins %s", rt.pattern, rt.perm, req.want)
		}
		method, path, _ := strings.Cut(rt.pattern, " ")
		id := m.personID
		if strings.HasPrefix(path, "/officials/w/") {
			id = m.workflowID
		}
		path = strings.NewReplacer("{id}", fmt.Sprint(id), "{code}", "x.y", "{$}", "", "{pass}", strings.Repeat("0", 24)).Replace(path)
		for _, c := range callers {
			cases++
			allow := permission.Can(c.who, req.want, req.region)
			t.Run(rt.pattern+" as "+c.name, func(t *testing.T) {
				b := m.s.browser(t)
				b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
				citizen, staff, official := c.citizen, c.staff, c.official
				if rt.pattern == "POST /officials/logout" && official != "" {
					official = officialSession(t, m.s, c.officer, 30*time.Second) // the next code: one is taken once
				}
				if rt.pattern == "POST /logout" { // logging out must not end the sessions the other cases use
					if citizen != "" {
						citizen, _ = citizenSession(t, m.s.svc, "13900000099")
					}
					if staff != "" {
						staff = m.freshStaff(t, c.key)
					}
				}
				if citizen != "" {
					b.plant(cookieSession, citizen)
				}
				if staff != "" {
					b.plant(cookieStaff, staff)
				}
				if official != "" {
					b.plant(cookieOfficial, official)
				}
				var res *http.Response
				var err error
				if method == http.MethodGet {
					res, err = b.c.Get(b.base + path)
				} else {
					b.get("/checkpoint") // a page with a form, for the form token
					form := cloneValues(req.form)
					form.Set("csrf", b.csrf)
					if strings.HasPrefix(rt.pattern, "POST /login") { // a phone per case: codes are not sent twice at once
						form.Set("phone", fmt.Sprintf("1390000%04d", cases))
					}
					if rt.pattern == "POST /officials/login" {
						o := appoint(t, m.s, fmt.Sprintf("login.%d", cases), healthcode.RoleCommunity, "330106")
						form.Set("login", o.login)
						form.Set("password", o.password)
						form.Set("code", o.code(t, 0))
					}
					if rt.pattern == "POST /login" {
						otp, err := m.s.svc.RequestOTP(context.Background(), form.Get("phone"))
						if err != nil {
							t.Fatal(err)
						}
						form.Set("code", otp.DevCode)
					}
					res, err = b.c.PostForm(b.base+path, form)
				}
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				loc := res.Header.Get("Location")
				// An official's refusal goes to their login bare or with next=;
				// logging out lands there with done=logout.
				toLogin := res.StatusCode == http.StatusSeeOther && (strings.HasPrefix(loc, "/login") || loc == "/officials/login" ||
					strings.HasPrefix(loc, "/officials/login?next="))
				refused := toLogin || res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden
				switch {
				case allow && refused:
					t.Errorf("status %d to %q for an allowed caller", res.StatusCode, res.Header.Get("Location"))
				case !allow && !refused:
					unexpectedAllows++
					t.Errorf("status %d for a caller without %s: an unexpected allow", res.StatusCode, rt.perm)
				}
			})
		}
	}
	if len(forms) != len(table) {
		t.Errorf("matrixForms has %d cases for %d routes: a case for a route that is gone", len(forms), len(table))
	}
	t.Logf("%d pages × %d callers = %d cases; %d unexpected allows", len(table), len(callers), cases, unexpectedAllows)
	if unexpectedAllows > 0 {
		t.Fail()
	}
}

// freshStaff opens another staff session with key, so that a logout ends
// only it.
func (m *pagesMatrix) freshStaff(t *testing.T, key string) string {
	t.Helper()
	res, _, err := m.s.svc.StaffLogin(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return res.Token
}

// TestARevokedKeysStaffSessionHoldsNothing: revoking a key ends the staff
// sessions opened with it at once, so its admin no longer makes venues.
func TestARevokedKeysStaffSessionHoldsNothing(t *testing.T) {
	m, callers := newPagesMatrix(t)
	var admin pagesCaller
	for _, c := range callers {
		if c.name == "admin in region" {
			admin = c
		}
	}
	if _, err := m.s.svc.RevokeAPIKey(context.Background(), admin.who.Name); err != nil {
		t.Fatal(err)
	}
	b := m.s.browser(t)
	b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	b.plant(cookieStaff, admin.staff)
	b.get("/checkpoint") // a page with a form, for the form token
	res, err := b.c.PostForm(b.base+"/venues", url.Values{"csrf": {b.csrf}, "name": {"西湖景区3号门"}, "region": {"330106"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("a venue by a revoked admin key's staff session: status %d, want 403", res.StatusCode)
	}
}
