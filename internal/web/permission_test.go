package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/permission"
	"healthcode/internal/service"
)

// matrixRequest is how the permission matrix calls one route: the
// permission it must need, pinned here by hand and not read from the
// route table, so that a route whose permission is widened by mistake
// fails the matrix instead of moving its expectation with it; its body;
// and the region the request is about ("" when none), which the expected
// answer is computed with.
type matrixRequest struct {
	want   permission.Permission
	body   any
	region string
}

// matrixRequests gives every route of the table a request; a route
// missing here fails the matrix.
var matrixRequests = map[string]matrixRequest{
	"GET /healthz":                       {want: anyone},
	"GET /readyz":                        {want: anyone},
	"GET /api/openapi.yaml":              {want: anyone},
	"POST /api/v1/auth/otp":              {want: anyone},
	"POST /api/v1/auth/login":            {want: anyone},
	"POST /api/v1/auth/logout":           {want: permission.EndSession},
	"GET /api/v1/keys":                   {want: anyone},
	"POST /api/v1/verify":                {want: anyone},
	"GET /api/v1/persons":                {want: permission.ManagePersons},
	"POST /api/v1/persons":               {want: permission.ManagePersons},
	"POST /api/v1/persons/consent":       {want: permission.ManagePersons},
	"GET /api/v1/persons/{id}":           {want: permission.ManagePersons},
	"PATCH /api/v1/persons/{id}":         {want: permission.ManagePersons},
	"POST /api/v1/persons/{id}/reapply":  {want: permission.ManagePersons},
	"GET /api/v1/persons/{id}/status":    {want: permission.ManagePersons},
	"GET /api/v1/persons/{id}/history":   {want: permission.ManagePersons},
	"POST /api/v1/persons/{id}/checkins": {want: permission.CheckIn},
	"POST /api/v1/persons/{id}/visits":   {want: permission.RecordVisits},
	"GET /api/v1/venues/{code}":          {want: anyone},
	"GET /api/v1/log/head":               {want: anyone},
	"GET /api/v1/log/checkpoint":         {want: anyone},
	"GET /api/v1/log/key":                {want: anyone},
	"GET /api/v1/log/entries/{index}":    {want: anyone},
	"GET /api/v1/log/proof/inclusion":    {want: anyone},
	"GET /api/v1/log/proof/consistency":  {want: anyone},
	"GET /api/v1/log/tile/{path...}":     {want: anyone},
	"GET /api/v1/persons/{id}/code":      {want: permission.ManagePersons},
	"GET /api/v1/persons/{id}/code.png":  {want: permission.ManagePersons},
	"GET /api/v1/persons/{id}/code.svg":  {want: permission.ManagePersons},
	"POST /api/v1/admin/policy/simulate": {permission.SimulatePolicy, map[string]any{"pack": "zhejiang-hangzhou-2020"}, "330100"},
	"POST /api/v1/admin/policy/evaluate": {permission.SimulatePolicy, map[string]any{"pack": "zhejiang-hangzhou-2020",
		"facts": []any{}, "at": "2026-03-01 10:00"}, "330100"},
	"POST /api/v1/admin/venues": {permission.CreateVenues, map[string]any{"name": "西湖景区3号门", "region": "330106"}, "330106"},
	"POST /api/v1/feeds/{kind}": {want: permission.SendFeeds},

	"POST /api/v1/officials/login":  {want: anyone},
	"POST /api/v1/officials/logout": {want: anyone},
	"POST /api/v1/admin/officials": {permission.ManageOfficials, map[string]any{"login": "matrix.street", "role": "street",
		"scope": "330106001", "password": officialPassword}, "330106001"},
	"GET /api/v1/admin/officials":                {want: permission.ManageOfficials},
	"POST /api/v1/admin/officials/{id}/disable":  {permission.ManageOfficials, nil, "330106"}, // the matrix's target
	"GET /api/v1/officials/persons":              {want: permission.ViewPersons},
	"GET /api/v1/officials/persons/{id}":         {permission.ViewPersons, nil, "110105"}, // the fixture's person
	"POST /api/v1/officials/persons/{id}/unmask": {permission.UnmaskPersons, map[string]any{"reason": "流调需要核实联系方式", "category": "investigation"}, "110105"},
	"POST /api/v1/officials/release-lists": {permission.UploadReleaseLists, map[string]any{"point": "西湖隔离点", "division": "330100",
		"rows": []any{map[string]any{"doc_number": "11010519491231002X", "released_at": "2026-03-01 10:00"}}}, "330100"},
	"GET /api/v1/officials/release-lists":          {want: permission.UploadReleaseLists}, // the caller's own scope's
	"POST /api/v1/officials/persons/{id}/findings": {permission.RecordFindings, map[string]any{"finding": "declared no travel; trips show otherwise"}, "110105"},
	"GET /api/v1/persons/{id}/credit":              {want: permission.ManagePersons},
	"POST /api/v1/officials/persons/{id}/passes": {permission.IssuePasses, map[string]any{"id_number": "11010519491231002X",
		"temperature": 36.5}, "110105"},
	"GET /api/v1/officials/persons/{id}/passes":   {permission.ViewPersons, nil, "110105"},
	"GET /api/v1/officials/passes/{pass}":         {want: permission.IssuePasses}, // no such pass: not found, to those who may ask
	"POST /api/v1/officials/passes/{pass}/revoke": {want: permission.IssuePasses},
	"POST /api/v1/lookup":                         {permission.VerifyDetails, map[string]any{"number": "11010519491231002X"}, ""},

	"POST /api/v1/persons/{id}/appeals":               {want: permission.FileAppeals},
	"GET /api/v1/persons/{id}/appeals":                {want: permission.FileAppeals},
	"PATCH /api/v1/persons/{id}/appeals/{appeal}":     {want: permission.FileAppeals},
	"PUT /api/v1/persons/{id}/appeals/{appeal}":       {want: permission.FileAppeals},
	"POST /api/v1/persons/{id}/corrections":           {want: permission.FileAppeals},
	"POST /api/v1/officials/workflows":                {want: permission.StartWorkflows},
	"GET /api/v1/officials/queue":                     {want: permission.ViewPersons},
	"GET /api/v1/officials/workflows/{id}":            {want: permission.ViewPersons},
	"POST /api/v1/officials/workflows/{id}/steps":     {want: permission.ViewPersons},
	"GET /api/v1/officials/workflows/{id}/attachment": {want: permission.ViewPersons},

	// Between regions (docs/federation.md).
	"GET /api/v1/trust":                       {want: anyone},
	"GET /api/v1/trust/keys":                  {want: anyone},
	"POST /api/v1/persons/{id}/foreign-codes": {want: permission.ManagePersons},
}

// matrixCaller is one caller of the matrix: a role, in or out of the
// region the requests are about.
type matrixCaller struct {
	name  string
	token string
	who   *healthcode.Principal // nil: anonymous
	acct  official              // an official's account
}

// matrixCallers are anonymous, and every role of a request (citizen,
// checkpoint, admin, feed, and the officials, by officialToken) once in
// region (330100, covering the requests' regions) and once out of it
// (440100); a citizen has no region, so the two citizens are the same.
func matrixCallers(t *testing.T, f *fixture) []matrixCaller {
	t.Helper()
	ctx := context.Background()
	callers := []matrixCaller{{name: "anonymous"}}
	for _, scope := range []struct{ name, region string }{{"in region", "330100"}, {"out of region", "440100"}} {
		for _, role := range []healthcode.Role{healthcode.RoleCitizen, healthcode.RoleCheckpoint, healthcode.RoleAdmin, healthcode.RoleFeed} {
			token := f.citizen
			if role != healthcode.RoleCitizen {
				spec := service.KeySpec{Name: string(role) + " " + scope.region, Role: role, Region: scope.region}
				if role == healthcode.RoleFeed {
					spec.Kinds = []string{"lab"}
				}
				var err error
				if token, _, err = f.svc.CreateKey(ctx, permission.Operator(), spec); err != nil {
					t.Fatal(err)
				}
			}
			who, err := f.svc.Authenticate(ctx, token)
			if err != nil {
				t.Fatal(err)
			}
			callers = append(callers, matrixCaller{name: string(role) + " " + scope.name, token: token, who: who})
		}
		for i, role := range []healthcode.Role{healthcode.RoleCommunity, healthcode.RoleStreet, healthcode.RoleDistrict,
			healthcode.RoleAuditor, healthcode.RoleIsolation, healthcode.RoleAdministrator} {
			token := f.officialToken(t, role, int64(100+i+len(callers)), scope.region)
			callers = append(callers, matrixCaller{name: string(role) + " official " + scope.name, token: token,
				who: f.officials[token], acct: f.officialAccounts[token]})
		}
	}
	return append(callers, officialCallers(t, f)...)
}

// officialCallers are every official's role with a real account, logged
// in with password and code, in 110000, which covers the fixture's
// person (110105): the routes about that person are allowed to someone.
func officialCallers(t *testing.T, f *fixture) []matrixCaller {
	t.Helper()
	var callers []matrixCaller
	for _, scope := range []struct{ name, region string }{{"of the person", "110000"}} {
		for _, role := range []healthcode.Role{healthcode.RoleCommunity, healthcode.RoleStreet, healthcode.RoleDistrict,
			healthcode.RoleIsolation, healthcode.RoleAuditor, healthcode.RoleAdministrator} {
			o := f.appoint(t, string(role)+"."+scope.region, role, scope.region)
			token := f.officialLogin(t, o, time.Now())
			who, err := f.svc.Authenticate(context.Background(), token)
			if err != nil {
				t.Fatal(err)
			}
			callers = append(callers, matrixCaller{name: string(role) + " " + scope.name, token: token, who: who, acct: o})
		}
	}
	return callers
}

// TestPermissionMatrix calls every route of the table as every caller of
// matrixCallers, and checks the answer against permission.Can for the
// permission the matrix pins for the route and the request's region: a deny answers 401 to
// strangers and 403 to others, an allow neither.
func TestPermissionMatrix(t *testing.T) {
	f := newFixture(t, time.Minute)
	callers := matrixCallers(t, f)
	target := f.appoint(t, "matrix.target", healthcode.RoleStreet, "330106") // disabled by the allowed
	unexpectedAllows, cases := 0, 0
	for _, rt := range table {
		req, ok := matrixRequests[rt.pattern]
		if !ok {
			t.Errorf("route %s has no case in matrixRequests", rt.pattern)
			continue
		}
		if rt.perm != req.want {
			t.Errorf("route %s needs %s; the matrix pins %s", rt.pattern, rt.perm, req.want)
		}
		method, path, _ := strings.Cut(rt.pattern, " ")
		id := f.personID
		if strings.HasPrefix(path, "/api/v1/admin/officials/") {
			id = target.id
		}
		path = strings.NewReplacer("{id}", fmt.Sprint(id), "{kind}", "lab", "{code}", "x.y", "{appeal}", "1",
			"{pass}", strings.Repeat("0", 24)).Replace(path)
		for _, c := range callers {
			cases++
			allow := permission.Can(c.who, req.want, req.region)
			t.Run(rt.pattern+" as "+c.name, func(t *testing.T) {
				token := c.token
				if rt.pattern == "POST /api/v1/auth/logout" && c.who != nil && c.who.Role == healthcode.RoleCitizen {
					token = f.login(t, "13900000099") // logging out must not end the session the other routes use
				}
				if rt.pattern == "POST /api/v1/officials/logout" && c.acct.login != "" {
					token = f.officialLogin(t, c.acct, time.Now().Add(30*time.Second)) // the next step's code
				}
				got, body := f.do(t, method, path, token, req.body)
				refused := got == http.StatusUnauthorized || got == http.StatusForbidden
				switch {
				case allow && refused:
					t.Errorf("status %d for an allowed caller: %s", got, body)
				case !allow && !refused:
					unexpectedAllows++
					t.Errorf("status %d for a caller without %s: an unexpected allow: %s", got, rt.perm, body)
				case !allow && c.who == nil && got != http.StatusUnauthorized:
					t.Errorf("status %d to a stranger, want 401", got)
				case !allow && c.who != nil && got != http.StatusForbidden:
					t.Errorf("status %d to a caller without %s, want 403", got, rt.perm)
				}
			})
		}
	}
	if len(matrixRequests) != len(table) {
		t.Errorf("matrixRequests has %d cases for %d routes: a case for a route that is gone", len(matrixRequests), len(table))
	}
	t.Logf("%d routes × %d callers = %d cases; %d unexpected allows", len(table), len(callers), cases, unexpectedAllows)
	if unexpectedAllows > 0 {
		t.Fail()
	}
}
