package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/identity"
	"healthcode/internal/service"
)

// Attacks on officials' accounts and what they see, through the public
// API: logins told apart, lockouts dodged, scopes stretched by how a
// division code is written, masked views that say more than they should.

// Every failed login answers alike, whatever failed: a stranger cannot
// tell a login that exists from one that does not, nor a disabled
// account from a live one, nor log in by writing the login otherwise.
func TestFailedLoginsAnswerAlikeAndLoginVariantsDoNotLogIn(t *testing.T) {
	f := newFixture(t, time.Minute)
	o := f.appoint(t, "wang.district", healthcode.RoleDistrict, "110105")
	gone := f.appoint(t, "gone.district", healthcode.RoleDistrict, "110105")
	if _, err := f.svc.DisableOfficialByLogin(t.Context(), gone.login); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	code := o.totpCode(t, now)
	tests := []struct {
		name string
		body map[string]string
	}{
		{"an unknown login", loginBody(official{login: "nobody.here"}, officialPassword, code)},
		{"a wrong password", loginBody(o, "not the password at all", code)},
		{"a wrong code", loginBody(o, officialPassword, "000000")},
		{"an empty code", loginBody(o, officialPassword, "")},
		{"a disabled account's right password and code", loginBody(gone, officialPassword, gone.totpCode(t, now))},
		{"the login in capitals", loginBody(official{login: "WANG.DISTRICT"}, officialPassword, code)},
		{"the login with a space before", loginBody(official{login: " wang.district"}, officialPassword, code)},
		{"the login with a newline after", loginBody(official{login: "wang.district\n"}, officialPassword, code)},
		{"the login with a NUL after", loginBody(official{login: "wang.district\x00"}, officialPassword, code)},
		{"the login as a LIKE pattern", loginBody(official{login: "wang.%"}, officialPassword, code)},
	}
	var want string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.post(t, "/api/v1/officials/login", "", tt.body)
			if rec.Code != http.StatusUnauthorized {
				t.Fatalf("%d %s, want 401", rec.Code, rec.Body)
			}
			if want == "" {
				want = rec.Body.String()
			} else if rec.Body.String() != want {
				t.Errorf("answer %s, unlike the first %s", rec.Body, want)
			}
		})
	}
}

// Failures under variants of a login do not reach the account, and a
// locked account stays locked to every variant of its login too.
func TestALockedAccountIsNotOpenedByAVariantOfItsLogin(t *testing.T) {
	f := newFixture(t, time.Minute)
	o := f.appoint(t, "zhao.street", healthcode.RoleStreet, "110105")
	for range 5 {
		f.post(t, "/api/v1/officials/login", "", loginBody(o, "not the password at all", "000000"))
	}
	next := o.totpCode(t, time.Now().Add(30*time.Second))
	for _, login := range []string{"zhao.street", "ZHAO.STREET", " zhao.street ", "Zhao.Street"} {
		rec := f.post(t, "/api/v1/officials/login", "", loginBody(official{login: login}, officialPassword, next))
		if rec.Code == http.StatusOK {
			t.Errorf("login %q opened a locked account: %s", login, rec.Body)
		}
	}
}

// An official's token is taken from the Authorization header only: in
// the URL, where logs and referrers keep it, it is nothing.
func TestAnOfficialsTokenInTheURLIsNotAccepted(t *testing.T) {
	f := newFixture(t, time.Minute)
	token := f.officialToken(t, healthcode.RoleDistrict, 1, "110105")
	for _, q := range []string{"token", "access_token", "bearer", "auth"} {
		status, _ := f.do(t, "GET", "/api/v1/officials/persons?"+q+"="+token, "", nil)
		if status != http.StatusUnauthorized {
			t.Errorf("?%s=<token>: %d, want 401", q, status)
		}
	}
}

// An administrator appoints only within their own scope, however the
// scope is written: a shorter prefix, a town code padded to 12 digits, a
// code of a neighbour sharing the first digits, SQL wildcards.
func TestAppointingCannotStretchTheScopeByHowACodeIsWritten(t *testing.T) {
	f := newFixture(t, time.Minute)
	district := f.officialToken(t, healthcode.RoleAdministrator, 1, "330106")
	town := f.officialToken(t, healthcode.RoleAdministrator, 2, "330106001")
	tests := []struct {
		name, token, role, scope string
		want                     int
	}{
		{"a province's prefix", district, "district", "33", http.StatusBadRequest},
		{"a city's prefix", district, "district", "3301", http.StatusBadRequest},
		{"the city itself", district, "district", "330100", http.StatusForbidden},
		{"the province itself", district, "district", "330000", http.StatusForbidden},
		{"a neighbouring district", district, "district", "330105", http.StatusForbidden},
		{"a district of another province", district, "district", "110106", http.StatusForbidden},
		{"a town padded with 000", district, "street", "330106001000", http.StatusBadRequest},
		{"a town of 000", district, "street", "330106000", http.StatusBadRequest},
		{"a percent wildcard", district, "street", "330106%", http.StatusBadRequest},
		{"an underscore wildcard", district, "street", "33010_", http.StatusBadRequest},
		{"a scope with a space", district, "street", "330106 ", http.StatusBadRequest},
		{"no scope at all", district, "street", "", http.StatusBadRequest},
		{"the operator's role", district, "operator", "330106", http.StatusBadRequest},
		{"a key's role", district, "admin", "330106", http.StatusBadRequest},
		{"a town above the town", town, "street", "330106", http.StatusForbidden},
		{"a sibling town", town, "street", "330106002", http.StatusForbidden},
		{"a village of a sibling town", town, "community", "330106002001", http.StatusForbidden},
		{"a village of one's town", town, "community", "330106001001", http.StatusCreated},
		{"a town of one's district", district, "street", "330106001", http.StatusCreated},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.post(t, "/api/v1/admin/officials", tt.token, map[string]string{"login": fmt.Sprintf("appointee%d", i),
				"role": tt.role, "scope": tt.scope, "password": officialPassword})
			if rec.Code != tt.want {
				t.Errorf("%d %s, want %d", rec.Code, rec.Body, tt.want)
			}
		})
	}
}

// An official sees a person only where their scope covers the person's
// division, in the list and by id: not a neighbouring district, not
// another province sharing the first digits, not a town of the person's
// district when the person named no community.
func TestOfficialsSeeOnlyPersonsOfTheirScope(t *testing.T) {
	f := newFixture(t, time.Minute) // its citizen's person lives in 110105
	tests := []struct {
		scope string
		sees  bool
	}{
		{"110105", true},
		{"110000", true},
		{"110106", false},
		{"120000", false},
		{"110105001", false},
		{"110105001001", false},
		{"330100", false},
	}
	for i, tt := range tests {
		t.Run(tt.scope, func(t *testing.T) {
			token := f.officialToken(t, healthcode.RoleAuditor, int64(i), tt.scope)
			status, body := f.do(t, "GET", "/api/v1/officials/persons", token, nil)
			listed := strings.Contains(string(body), fmt.Sprintf(`"id":%d,`, f.personID))
			if status != http.StatusOK || listed != tt.sees {
				t.Errorf("list: %d %s, want the person listed: %v", status, body, tt.sees)
			}
			want := http.StatusForbidden
			if tt.sees {
				want = http.StatusOK
			}
			if status, body := f.do(t, "GET", fmt.Sprintf("/api/v1/officials/persons/%d", f.personID), token, nil); status != want {
				t.Errorf("file: %d %s, want %d", status, body, want)
			}
		})
	}
}

// What officials read without unmasking — the list, the file, the work
// queue and the workflow — holds neither the name, nor the ID number,
// nor the phone in clear.
func TestMaskedViewsHoldNoIdentityInClear(t *testing.T) {
	f := newFixture(t, time.Minute)
	citizen, id, number := workflowPerson(t, f, "13900094001", "33010619850101401", "330106")
	var w wf
	call(t, f, "POST", fmt.Sprintf("/api/v1/persons/%d/appeals", id), citizen,
		map[string]any{"reason": "我没有接触过病例，请复核。"}, http.StatusCreated, &w)
	district := f.officialToken(t, healthcode.RoleDistrict, 1, "330106")
	for _, path := range []string{"/api/v1/officials/persons", fmt.Sprintf("/api/v1/officials/persons/%d", id),
		"/api/v1/officials/queue", fmt.Sprintf("/api/v1/officials/workflows/%d", w.ID)} {
		status, body := f.do(t, "GET", path, district, nil)
		for _, clear := range []string{"李四", number, number[:14], "13900094001"} {
			if status != http.StatusOK || strings.Contains(string(body), clear) {
				t.Errorf("GET %s: %d, holds %q: %s", path, status, clear, body)
			}
		}
	}
}

// Unmasking needs a reason someone can read: blanks, invisible
// characters and control characters do not make one.
func TestUnmaskingNeedsAReasonThatSaysSomething(t *testing.T) {
	f := newFixture(t, time.Minute)
	district := f.officialToken(t, healthcode.RoleDistrict, 1, "110105")
	path := fmt.Sprintf("/api/v1/officials/persons/%d/unmask", f.personID)
	tests := []struct {
		name, reason, category string
		want                   int
	}{
		{"no reason", "", "investigation", http.StatusBadRequest},
		{"blanks", "              ", "investigation", http.StatusBadRequest},
		{"ideographic spaces", strings.Repeat("\u3000", 12), "investigation", http.StatusBadRequest},
		{"zero-width spaces", strings.Repeat("\u200b", 12), "investigation", http.StatusBadRequest},
		{"control characters", strings.Repeat("\x01", 12), "investigation", http.StatusBadRequest},
		{"a short reason padded with zero-width spaces", "流调" + strings.Repeat("\u200b", 10), "investigation", http.StatusBadRequest},
		{"no category", "流调需要核实联系方式", "", http.StatusBadRequest},
		{"a made-up category", "流调需要核实联系方式", "curiosity", http.StatusBadRequest},
		{"a category in capitals", "流调需要核实联系方式", "INVESTIGATION", http.StatusBadRequest},
		{"a reason and a category", "流调需要核实联系方式，电话回访", "investigation", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.post(t, path, district, map[string]string{"reason": tt.reason, "category": tt.category})
			if rec.Code != tt.want {
				t.Errorf("%d %s, want %d", rec.Code, rec.Body, tt.want)
			}
		})
	}
}

// An official cannot read a whole district's identities: unmasking is
// limited per official account (unmask.account, 30 an hour by default),
// on a server with the default limits; each one is also logged.
func TestUnmaskingIsRateLimitedPerOfficial(t *testing.T) {
	site := newLimitSite(t, storeKinds[0].open(t)(t), stopped, healthcode.DefaultLimits())
	token := site.session(t, "13900099501")
	who, err := site.svc.Authenticate(t.Context(), token)
	if err != nil {
		t.Fatal(err)
	}
	check, _ := identity.ResidentIDCheckChar("33010619850101501")
	yes, no := true, false
	p, err := site.svc.Apply(t.Context(), who, service.ApplyInput{
		Identity: healthcode.Identity{DocType: healthcode.DocResidentID, Number: "33010619850101501" + string(check), Name: "王五",
			Phone: "13900099501"},
		Region: "330106",
		Declaration: service.DeclarationInput{Fever: &no, Cough: &no, OtherSymptoms: &no, LeftRegion14d: &no,
			Abroad14d: &no, ContactCases: &no, Commitment: &yes},
	})
	if err != nil {
		t.Fatal(err)
	}
	official := site.official(t, "zhao.community", healthcode.RoleCommunity, "330106")
	url := fmt.Sprintf("%s/api/v1/officials/persons/%d/unmask", site.url, p.ID)
	body := map[string]string{"reason": "核实居家隔离人员身份信息", "category": "investigation"}
	for i := range 31 {
		// Each from an address of its own: the limit is the official's.
		r := send(t, from(t, fmt.Sprintf("127.0.3.%d", i+1)), "POST", url, official, body)
		if i < 30 && r.status != http.StatusOK {
			t.Fatalf("unmasking %d: %d %s", i+1, r.status, r.code)
		}
		if i == 30 {
			r.wantRefused(t, "the official's 31st unmasking in an hour")
		}
	}
}
