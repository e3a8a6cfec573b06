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
	"healthcode/identity"
	"healthcode/internal/service"
)

func validNumber(t *testing.T, first17 string) string {
	t.Helper()
	c, err := identity.ResidentIDCheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	return first17 + string(c)
}

// A resident of Lishui (331102), whose shipped pack issues passes after a
// temperature (seed 001 Q2), gets one over the API from their community's
// worker; gates verify it as a pass and look the resident up by number.
func TestPaperPassesOverTheAPI(t *testing.T) {
	f := newFixture(t, time.Minute)
	r := f.newResident(t, "13900000071", "33110219400101001", "331102")
	worker := f.officialLogin(t, f.appoint(t, "lishui.community", healthcode.RoleCommunity, "331102"), time.Now())
	other := f.officialLogin(t, f.appoint(t, "other.community", healthcode.RoleCommunity, "331121"), time.Now())
	issue := fmt.Sprintf("/api/v1/officials/persons/%d/passes", r.id)

	status, body := f.do(t, "POST", issue, worker, map[string]any{"id_number": validNumber(t, "33110219400101002"), "temperature": 36.4})
	if status != http.StatusBadRequest || !strings.Contains(string(body), "id_number") {
		t.Errorf("a wrong ID number: %d %s, want 400 naming id_number", status, body)
	}
	status, body = f.do(t, "POST", issue, worker, map[string]any{"id_number": r.number})
	if status != http.StatusBadRequest || !strings.Contains(string(body), "temperature") {
		t.Errorf("no temperature: %d %s, want 400 naming temperature", status, body)
	}
	if status, body = f.do(t, "POST", issue, other, map[string]any{"id_number": r.number, "temperature": 36.4}); status != http.StatusForbidden {
		t.Errorf("a worker of another county: %d %s, want 403", status, body)
	}
	status, body = f.do(t, "POST", issue, worker, map[string]any{"id_number": r.number, "temperature": 36.4})
	if status != http.StatusCreated {
		t.Fatalf("issue: %d %s", status, body)
	}
	var ps service.Pass
	if err := json.Unmarshal(body, &ps); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(body), r.number) {
		t.Errorf("the answer holds the ID number: %s", body)
	}
	var v service.Verification
	verify := func(token string) {
		t.Helper()
		v = service.Verification{}
		status, body := f.do(t, "POST", "/api/v1/verify", token, map[string]any{"token": ps.Token})
		if status != http.StatusOK || json.Unmarshal(body, &v) != nil {
			t.Fatalf("verify: %d %s", status, body)
		}
	}
	verify(f.checkpoint)
	if !v.Valid || !v.Pass || v.Kind != "pass" || v.PassID != ps.PassID || !v.ValidUntil.Equal(ps.ValidUntil) {
		t.Errorf("verified: %+v", v)
	}
	if time.Until(ps.ValidUntil) < 23*time.Hour || time.Until(ps.ValidUntil) > 24*time.Hour {
		t.Errorf("valid until %v, want a day from now (the Lishui pack)", ps.ValidUntil)
	}

	status, body = f.do(t, "POST", "/api/v1/lookup", f.checkpoint, map[string]any{"number": r.number})
	if status != http.StatusOK || json.Unmarshal(body, &v) != nil || !v.Valid || v.Kind != "id_number" || v.IDTail != r.number[14:] {
		t.Errorf("look-up: %d %s", status, body)
	}
	status, body = f.do(t, "POST", "/api/v1/lookup", f.checkpoint, map[string]any{"number": validNumber(t, "11010519491231003")})
	if status != http.StatusOK || !strings.Contains(string(body), `"no_such_person"`) || strings.Contains(string(body), "name") {
		t.Errorf("an unknown number: %d %s, want no_such_person and nothing more", status, body)
	}
	for _, token := range []string{"", f.citizen, worker} {
		if status, _ := f.do(t, "POST", "/api/v1/lookup", token, map[string]any{"number": r.number}); status != http.StatusUnauthorized && status != http.StatusForbidden {
			t.Errorf("look-up by %q: %d, want refused", token, status)
		}
	}

	status, body = f.do(t, "GET", issue, worker, nil)
	if status != http.StatusOK || !strings.Contains(string(body), ps.PassID) || strings.Contains(string(body), "HCN1:") {
		t.Errorf("list: %d %s, want the pass without its token", status, body)
	}
	if status, body = f.do(t, "POST", "/api/v1/officials/passes/"+ps.PassID+"/revoke", other, nil); status != http.StatusForbidden {
		t.Errorf("revoked by a worker of another county: %d %s", status, body)
	}
	if status, body = f.do(t, "POST", "/api/v1/officials/passes/"+ps.PassID+"/revoke", worker, nil); status != http.StatusOK {
		t.Fatalf("revoke: %d %s", status, body)
	}
	verify("")
	if v.Valid || v.Pass || v.Reason != "revoked" {
		t.Errorf("a revoked pass verified: %+v", v)
	}
	if status, _ := f.do(t, "GET", "/api/v1/officials/passes/"+ps.PassID, worker, nil); status != http.StatusConflict {
		t.Errorf("printing a revoked pass: %d, want 409", status)
	}
}

// BenchmarkVerifyPassAgainstCode verifies a paper pass and, as the
// baseline in the same run, a code: a pass costs a failed code lookup,
// the pass and its holder's person more than a code's one lookup.
func BenchmarkVerifyPassAgainstCode(b *testing.B) {
	f := newFixture(b, time.Hour)
	ctx := b.Context()
	check, err := identity.ResidentIDCheckChar("33110219400101001")
	if err != nil {
		b.Fatal(err)
	}
	number := "33110219400101001" + string(check)
	citizen, err := f.svc.Authenticate(ctx, f.login(b, "13900000072"))
	if err != nil {
		b.Fatal(err)
	}
	yes, no := true, false
	p, err := f.svc.Apply(ctx, citizen, service.ApplyInput{
		Identity: healthcode.Identity{DocType: healthcode.DocResidentID, Number: number, Name: "郑十", Phone: "13900000072"},
		Region:   "331102",
		Declaration: service.DeclarationInput{Fever: &no, Cough: &no, OtherSymptoms: &no, LeftRegion14d: &no,
			Abroad14d: &no, ContactCases: &no, Commitment: &yes}})
	if err != nil {
		b.Fatal(err)
	}
	worker, err := f.svc.Authenticate(ctx, f.officialLogin(b, f.appoint(b, "bench.community", healthcode.RoleCommunity, "331102"), time.Now()))
	if err != nil {
		b.Fatal(err)
	}
	celsius := 36.5
	ps, err := f.svc.IssuePass(ctx, worker, p.ID, service.PassInput{IDNumber: number, Temperature: &celsius})
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct{ name, token string }{{"code", f.codeToken}, {"pass", ps.Token}} {
		body, _ := json.Marshal(map[string]string{"token": tc.token})
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest("POST", "/api/v1/verify", bytes.NewReader(body))
				rec := httptest.NewRecorder()
				f.h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || !bytes.Contains(rec.Body.Bytes(), []byte(`"pass":true`)) {
					b.Fatalf("verify: %d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
