package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"healthcode"
)

// post sends a JSON body and returns the recorder, headers and all.
func (f *fixture) post(t *testing.T, path, token string, body any) *httptest.ResponseRecorder {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(b))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

func loginBody(o official, password, code string) map[string]string {
	return map[string]string{"login": o.login, "password": password, "code": code}
}

func TestAnOfficialLogsInAndOutOverTheAPI(t *testing.T) {
	f := newFixture(t, time.Minute)
	o := f.appoint(t, "li.district", healthcode.RoleDistrict, "110105")
	rec := f.post(t, "/api/v1/officials/login", "", loginBody(o, officialPassword, o.totpCode(t, time.Now())))
	var sess struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
		Role      string    `json:"role"`
		Scope     string    `json:"scope"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &sess); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	if !strings.HasPrefix(sess.Token, "hco_") || sess.Role != "district" || sess.Scope != "110105" || sess.ExpiresAt.IsZero() {
		t.Errorf("session = %+v", sess)
	}
	status, body := f.do(t, "GET", "/api/v1/officials/persons", sess.Token, nil)
	if status != http.StatusOK || !strings.Contains(string(body), fmt.Sprintf(`"id":%d`, f.personID)) {
		t.Errorf("persons in scope: %d %s", status, body)
	}
	if rec := f.post(t, "/api/v1/officials/logout", sess.Token, nil); rec.Code != http.StatusNoContent {
		t.Errorf("logout: %d %s", rec.Code, rec.Body)
	}
	if status, _ := f.do(t, "GET", "/api/v1/officials/persons", sess.Token, nil); status != http.StatusUnauthorized {
		t.Errorf("after logout: %d, want 401", status)
	}
}

func TestOfficialLoginRefusalsOverTheAPI(t *testing.T) {
	f := newFixture(t, time.Minute)
	o := f.appoint(t, "li.district", healthcode.RoleDistrict, "110105")
	used := o.totpCode(t, time.Now())
	if rec := f.post(t, "/api/v1/officials/login", "", loginBody(o, officialPassword, used)); rec.Code != http.StatusOK {
		t.Fatalf("first login: %d %s", rec.Code, rec.Body)
	}
	tests := []struct {
		name string
		body map[string]string
	}{
		{"a reused TOTP code", loginBody(o, officialPassword, used)},
		{"a wrong password", loginBody(o, "not the password", o.totpCode(t, time.Now().Add(30*time.Second)))},
		{"an unknown login", loginBody(official{login: "nobody"}, officialPassword, used)},
	}
	for _, tt := range tests {
		rec := f.post(t, "/api/v1/officials/login", "", tt.body)
		if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "Wrong login, password or code.") {
			t.Errorf("%s: %d %s, want 401 with the one answer", tt.name, rec.Code, rec.Body)
		}
	}
	// Two failures so far; three more lock the account, the right
	// password and a fresh code included.
	for range 2 {
		f.post(t, "/api/v1/officials/login", "", loginBody(o, "not the password", used))
	}
	for i, pw := range []string{"not the password", officialPassword} {
		rec := f.post(t, "/api/v1/officials/login", "", loginBody(o, pw, o.totpCode(t, time.Now().Add(30*time.Second))))
		if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
			t.Errorf("attempt %d after the lock: %d Retry-After %q, want 429 with Retry-After", i, rec.Code, rec.Header().Get("Retry-After"))
		}
	}
}

func TestADisabledOfficialIsLoggedOutAndCannotLogIn(t *testing.T) {
	f := newFixture(t, time.Minute)
	admin := f.appoint(t, "admin.dongcheng", healthcode.RoleAdministrator, "110101")
	o := f.appoint(t, "street.dongcheng", healthcode.RoleStreet, "110101001")
	adminToken := f.officialLogin(t, admin, time.Now())
	token := f.officialLogin(t, o, time.Now())
	rec := f.post(t, fmt.Sprintf("/api/v1/admin/officials/%d/disable", o.id), adminToken, nil)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"disabled_at"`) {
		t.Fatalf("disable: %d %s", rec.Code, rec.Body)
	}
	if status, _ := f.do(t, "GET", "/api/v1/officials/persons", token, nil); status != http.StatusUnauthorized {
		t.Errorf("a disabled official's session: %d, want 401", status)
	}
	rec = f.post(t, "/api/v1/officials/login", "", loginBody(o, officialPassword, o.totpCode(t, time.Now().Add(30*time.Second))))
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("a disabled official's login: %d %s, want 401", rec.Code, rec.Body)
	}
	if rec := f.post(t, fmt.Sprintf("/api/v1/admin/officials/%d/disable", admin.id), adminToken, nil); rec.Code != http.StatusForbidden {
		t.Errorf("disabling oneself: %d %s, want 403", rec.Code, rec.Body)
	}
}

func TestAdministratorsAppointWithinTheirScopeOverTheAPI(t *testing.T) {
	f := newFixture(t, time.Minute)
	admin := f.appoint(t, "admin.dongcheng", healthcode.RoleAdministrator, "110101")
	elsewhere := f.appoint(t, "street.xicheng", healthcode.RoleStreet, "110102001")
	token := f.officialLogin(t, admin, time.Now())
	spec := func(login, role, scope string) map[string]string {
		return map[string]string{"login": login, "role": role, "scope": scope, "password": officialPassword}
	}
	rec := f.post(t, "/api/v1/admin/officials", token, spec("wang.community", "community", "110101001002"))
	if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"totp_uri":"otpauth://totp/`) ||
		strings.Contains(rec.Body.String(), "argon2") {
		t.Errorf("appoint: %d %s", rec.Code, rec.Body)
	}
	tests := []struct {
		name string
		body map[string]string
		want int
	}{
		{"an administrator of the city above", spec("admin.beijing", "administrator", "110100"), http.StatusForbidden},
		{"a street of another district", spec("street.other", "street", "110102002"), http.StatusForbidden},
		{"a login taken", spec("wang.community", "community", "110101001002"), http.StatusConflict},
		{"a short password", map[string]string{"login": "zhao", "role": "street", "scope": "110101001", "password": "short"}, http.StatusBadRequest},
	}
	for _, tt := range tests {
		if rec := f.post(t, "/api/v1/admin/officials", token, tt.body); rec.Code != tt.want {
			t.Errorf("%s: %d %s, want %d", tt.name, rec.Code, rec.Body, tt.want)
		}
	}
	status, body := f.do(t, "GET", "/api/v1/admin/officials", token, nil)
	if status != http.StatusOK || !strings.Contains(string(body), "wang.community") || strings.Contains(string(body), "street.xicheng") ||
		strings.Contains(string(body), "argon2") {
		t.Errorf("list: %d %s, want only the accounts of 110101", status, body)
	}
	if rec := f.post(t, fmt.Sprintf("/api/v1/admin/officials/%d/disable", elsewhere.id), token, nil); rec.Code != http.StatusForbidden {
		t.Errorf("disabling out of scope: %d %s, want 403", rec.Code, rec.Body)
	}
	// A district officer is no administrator.
	district := f.officialLogin(t, f.appoint(t, "officer", healthcode.RoleDistrict, "110101"), time.Now())
	if rec := f.post(t, "/api/v1/admin/officials", district, spec("x.street", "street", "110101001")); rec.Code != http.StatusForbidden {
		t.Errorf("a district officer appointing: %d %s, want 403", rec.Code, rec.Body)
	}
}

func TestOfficialsSeeAndUnmaskPersonsOfTheirScopeOverTheAPI(t *testing.T) {
	f := newFixture(t, time.Minute)
	district := f.officialLogin(t, f.appoint(t, "chaoyang", healthcode.RoleDistrict, "110105"), time.Now())
	other := f.officialLogin(t, f.appoint(t, "haidian", healthcode.RoleDistrict, "110108"), time.Now())
	isolation := f.officialLogin(t, f.appoint(t, "hotel", healthcode.RoleIsolation, "110105"), time.Now())
	person := fmt.Sprintf("/api/v1/officials/persons/%d", f.personID)
	unmask := map[string]string{"reason": "流调需要核实联系方式", "category": "investigation"}

	status, body := f.do(t, "GET", person, district, nil)
	if status != http.StatusOK || !strings.Contains(string(body), `"name":"*三"`) || strings.Contains(string(body), "张三") ||
		!strings.Contains(string(body), `"history"`) {
		t.Errorf("file: %d %s, want it masked with its history", status, body)
	}
	if status, body := f.do(t, "GET", person, other, nil); status != http.StatusForbidden || !strings.Contains(string(body), "110108") {
		t.Errorf("out of scope: %d %s, want 403 naming the scope", status, body)
	}
	if rec := f.post(t, person+"/unmask", isolation, unmask); rec.Code != http.StatusForbidden {
		t.Errorf("an isolation point unmasking: %d %s, want 403", rec.Code, rec.Body)
	}
	if rec := f.post(t, person+"/unmask", other, unmask); rec.Code != http.StatusForbidden {
		t.Errorf("unmasking out of scope: %d %s, want 403", rec.Code, rec.Body)
	}
	if rec := f.post(t, person+"/unmask", district, map[string]string{"reason": "why", "category": "investigation"}); rec.Code != http.StatusBadRequest ||
		!strings.Contains(rec.Body.String(), `"field":"reason"`) {
		t.Errorf("a short reason: %d %s, want 400 on reason", rec.Code, rec.Body)
	}
	rec := f.post(t, person+"/unmask", district, unmask)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"name":"张三"`) || !strings.Contains(rec.Body.String(), `"phone":"13900000001"`) {
		t.Errorf("unmask: %d %s", rec.Code, rec.Body)
	}
	if status, _ := f.do(t, "GET", "/api/v1/officials/persons?after=x", district, nil); status != http.StatusBadRequest {
		t.Errorf("a bad after: %d, want 400", status)
	}
	if status, _ := f.do(t, "GET", "/api/v1/officials/persons", f.citizen, nil); status != http.StatusForbidden {
		t.Errorf("a citizen listing: %d, want 403", status)
	}
}

func TestApplyingTakesACommunityWithinTheRegion(t *testing.T) {
	f := newFixture(t, time.Minute)
	token := f.login(t, "13900000002")
	status, body := f.do(t, "POST", "/api/v1/persons", token, map[string]any{
		"identity":  map[string]string{"doc_type": "resident_id", "number": "110105194912310029", "name": "李四", "phone": "13900000002"},
		"region":    "110105",
		"community": "110106001",
		"declaration": map[string]bool{"fever": false, "cough": false, "other_symptoms": false, "left_region_14d": false,
			"abroad_14d": false, "contact_cases": false, "commitment": true},
	})
	if status != http.StatusBadRequest || !strings.Contains(string(body), `"field":"community"`) {
		t.Errorf("a community of another district: %d %s, want 400 on community", status, body)
	}
}
