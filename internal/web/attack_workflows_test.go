package web

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"healthcode"
)

// Attacks on the workflows through the public API: an official acting on
// a person who moved out of their scope, the four eyes taken by one pair,
// a citizen reaching another account's person.

// movePerson declares the person, as their citizen, in region.
func movePerson(t *testing.T, f *fixture, citizen string, id int64, region string) {
	t.Helper()
	yes, no := true, false
	call(t, f, "PATCH", fmt.Sprintf("/api/v1/persons/%d", id), citizen, map[string]any{"region": region,
		"declaration": map[string]*bool{"fever": &no, "cough": &no, "other_symptoms": &no, "left_region_14d": &no,
			"abroad_14d": &no, "contact_cases": &yes, "commitment": &yes}}, http.StatusOK, nil)
}

// A workflow keeps the division its person lived in when it was filed;
// a person who moved away since is no longer in that scope, so its
// officials may not propose or approve a colour for them.
func TestAColourIsNotTransferredForAPersonWhoMovedOutOfScope(t *testing.T) {
	tests := []struct {
		name        string
		upholdFirst bool // the proposal came before the move
	}{
		{"a proposal after the move", false},
		{"an approval after the move", true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, time.Minute)
			citizen, id, _ := workflowPerson(t, f, fmt.Sprintf("1390009000%d", i), fmt.Sprintf("3301061985010110%d", i), "330106")
			district := f.officialToken(t, healthcode.RoleDistrict, 1, "330106")
			second := f.officialToken(t, healthcode.RoleDistrict, 2, "330106")
			var w wf
			call(t, f, "POST", fmt.Sprintf("/api/v1/persons/%d/appeals", id), citizen,
				map[string]any{"reason": "我没有接触过病例，请复核。"}, http.StatusCreated, &w)
			step := map[string]any{"seq": 1, "action": "uphold", "colour": "green", "note": "核实无接触史"}
			token := district
			if tt.upholdFirst {
				w = act(t, f, district, w, "uphold", "green", "核实无接触史")
				step, token = map[string]any{"seq": w.Seq + 1, "action": "approve"}, second
			}
			movePerson(t, f, citizen, id, "110105")
			body := call(t, f, "POST", fmt.Sprintf("/api/v1/officials/workflows/%d/steps", w.ID), token, step,
				http.StatusForbidden, nil)
			if !strings.Contains(body, "outside your scope") {
				t.Errorf("the refusal does not say why: %s", body)
			}
			if c, _ := colourOf(t, f, citizen, id); c != "red" {
				t.Errorf("the old district turned the moved person %s", c)
			}
		})
	}
}

// The second pair of eyes is never the proposer's: not by a second
// request, not after a send-back, not by replaying a step.
func TestFourEyesAreNotOnePairByAnyRoute(t *testing.T) {
	type move struct {
		by             int // 0: district A, 1: district B
		action, colour string
		seq            int // 0: the next
		want           int
	}
	tests := []struct {
		name  string
		moves []move
	}{
		{"the proposer approves", []move{{0, "uphold", "green", 0, 200}, {0, "approve", "", 0, 403}}},
		{"the proposer sends back", []move{{0, "uphold", "green", 0, 200}, {0, "send_back", "", 0, 403}}},
		{"the proposer approves after a send-back and a new proposal", []move{{0, "uphold", "green", 0, 200},
			{1, "send_back", "", 0, 200}, {0, "uphold", "green", 0, 200}, {0, "approve", "", 0, 403}}},
		{"the approver proposes anew and approves their own", []move{{0, "uphold", "green", 0, 200},
			{1, "send_back", "", 0, 200}, {1, "uphold", "yellow", 0, 200}, {1, "approve", "", 0, 403}}},
		{"an approval after a send-back, with no new proposal", []move{{0, "uphold", "green", 0, 200},
			{1, "send_back", "", 0, 200}, {1, "approve", "", 0, 409}}},
		{"the approver changes the proposed colour", []move{{0, "uphold", "yellow", 0, 200}, {1, "approve", "green", 0, 400}}},
		{"an approval replayed", []move{{0, "uphold", "green", 0, 200}, {1, "approve", "", 0, 200}, {1, "approve", "", 2, 409}}},
		{"an approval taken with the proposal's seq", []move{{0, "uphold", "green", 0, 200}, {1, "approve", "", 1, 409}}},
		{"a step skipping ahead", []move{{0, "uphold", "green", 3, 409}}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, time.Minute)
			citizen, id, _ := workflowPerson(t, f, fmt.Sprintf("139000910%02d", i), fmt.Sprintf("330106198501011%02d", i), "330106")
			tokens := []string{f.officialToken(t, healthcode.RoleDistrict, 1, "330106"), f.officialToken(t, healthcode.RoleDistrict, 2, "330106")}
			var w wf
			call(t, f, "POST", fmt.Sprintf("/api/v1/persons/%d/appeals", id), citizen,
				map[string]any{"reason": "我没有接触过病例，请复核。"}, http.StatusCreated, &w)
			for _, m := range tt.moves {
				seq := w.Seq + 1
				if m.seq != 0 {
					seq = m.seq
				}
				var out wf
				call(t, f, "POST", fmt.Sprintf("/api/v1/officials/workflows/%d/steps", w.ID), tokens[m.by],
					map[string]any{"seq": seq, "action": m.action, "colour": m.colour, "note": "经核查"}, m.want, &out)
				if m.want == http.StatusOK {
					w = out
				}
			}
			want := "red"
			for _, m := range tt.moves {
				if m.action == "approve" && m.want == http.StatusOK {
					want = "green"
				}
			}
			if c, _ := colourOf(t, f, citizen, id); c != want {
				t.Errorf("after the moves the code is %s, want %s", c, want)
			}
		})
	}
}

// A citizen reaches only the persons their own account manages: filing,
// reading workflows, files and credit records of another account's
// person are all 404, as for a person that does not exist.
func TestACitizenCannotReachAnotherAccountsPersonsWorkflows(t *testing.T) {
	f := newFixture(t, time.Minute)
	owner, id, _ := workflowPerson(t, f, "13900092001", "33010619850101201", "330106")
	stranger := f.login(t, "13900092002")
	png := base64.StdEncoding.EncodeToString([]byte("\x89PNG\r\n\x1a\n image"))
	var w wf
	call(t, f, "POST", fmt.Sprintf("/api/v1/persons/%d/appeals", id), owner,
		map[string]any{"reason": "我没有接触过病例，请复核。", "attachment": map[string]string{"filename": "a.png", "content_base64": png}},
		http.StatusCreated, &w)
	tests := []struct {
		name, method, path string
		body               any
		want               int
	}{
		{"an appeal for another's person", "POST", fmt.Sprintf("/api/v1/persons/%d/appeals", id),
			map[string]any{"reason": "替别人申请复核，看看行不行。"}, http.StatusNotFound},
		{"a correction for another's person", "POST", fmt.Sprintf("/api/v1/persons/%d/corrections", id),
			map[string]any{"variant": "wrong-colour", "reason": "替别人申请纠错，看看行不行。"}, http.StatusNotFound},
		{"another's appeals", "GET", fmt.Sprintf("/api/v1/persons/%d/appeals", id), nil, http.StatusNotFound},
		{"another's credit records", "GET", fmt.Sprintf("/api/v1/persons/%d/credit", id), nil, http.StatusNotFound},
		{"a home release by a citizen", "POST", "/api/v1/officials/workflows",
			map[string]any{"kind": "home_release", "person_id": id, "isolation_start": "2026-03-01", "isolation_end": "2026-03-14"},
			http.StatusForbidden},
		{"another's workflow", "GET", fmt.Sprintf("/api/v1/officials/workflows/%d", w.ID), nil, http.StatusForbidden},
		{"another's attachment", "GET", fmt.Sprintf("/api/v1/officials/workflows/%d/attachment", w.ID), nil, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := f.do(t, tt.method, tt.path, stranger, tt.body)
			if status != tt.want || strings.Contains(string(body), "PNG") {
				t.Errorf("%d %s, want %d", status, body, tt.want)
			}
		})
	}
}

// What a citizen reads of their appeal names officials by role and id,
// never by their login.
func TestTheCitizensAppealViewNamesNoOfficialsLogin(t *testing.T) {
	f := newFixture(t, time.Minute)
	citizen, id, _ := workflowPerson(t, f, "13900093001", "33010619850101301", "330106")
	district := f.officialToken(t, healthcode.RoleDistrict, 1, "330106")
	var w wf
	call(t, f, "POST", fmt.Sprintf("/api/v1/persons/%d/appeals", id), citizen,
		map[string]any{"reason": "我没有接触过病例，请复核。"}, http.StatusCreated, &w)
	act(t, f, district, w, "reject", "", "经核查确有接触史")
	login := fmt.Sprintf("t1.%s.330106", healthcode.RoleDistrict)
	for _, path := range []string{fmt.Sprintf("/api/v1/persons/%d/appeals", id), fmt.Sprintf("/api/v1/persons/%d", id),
		fmt.Sprintf("/api/v1/persons/%d/history", id)} {
		status, body := f.do(t, "GET", path, citizen, nil)
		if status != http.StatusOK || strings.Contains(string(body), login) {
			t.Errorf("GET %s: %d %s, want 200 without %q", path, status, body, login)
		}
	}
}

// Words officials and citizens must write — a rejection's note, a
// finding, an appeal's reason — are not made of invisible characters.
func TestRequiredWordsAreNotInvisibleCharacters(t *testing.T) {
	f := newFixture(t, time.Minute)
	citizen, id, _ := workflowPerson(t, f, "13900095001", "33010619850101501", "330106")
	district := f.officialToken(t, healthcode.RoleDistrict, 1, "330106")
	zw := strings.Repeat("\u200b", 30)
	var w wf
	call(t, f, "POST", fmt.Sprintf("/api/v1/persons/%d/appeals", id), citizen,
		map[string]any{"reason": "我没有接触过病例，请复核。"}, http.StatusCreated, &w)
	tests := []struct {
		name, path, token string
		body              any
		field             string
	}{
		{"a rejection's note", fmt.Sprintf("/api/v1/officials/workflows/%d/steps", w.ID), district,
			map[string]any{"seq": 1, "action": "reject", "note": zw}, "note"},
		{"a finding", fmt.Sprintf("/api/v1/officials/persons/%d/findings", id), district,
			map[string]any{"finding": "虚假" + zw}, "finding"},
		{"a correction's reason", fmt.Sprintf("/api/v1/persons/%d/corrections", id), citizen,
			map[string]any{"variant": "wrong-colour", "reason": "错" + zw}, "reason"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := call(t, f, "POST", tt.path, tt.token, tt.body, http.StatusBadRequest, nil)
			if !strings.Contains(body, `"field":"`+tt.field+`"`) {
				t.Errorf("the refusal does not name %s: %s", tt.field, body)
			}
		})
	}
}

// A citizen cannot bury the community's queue under error corrections:
// filing them is limited as applying is, per account and per address,
// on a server with the default limits.
func TestErrorCorrectionsAreRateLimited(t *testing.T) {
	site := newLimitSite(t, storeKinds[0].open(t)(t), stopped, healthcode.DefaultLimits())
	token := site.session(t, "13900099001")
	p := site.appliedAs(t, token, "13900099001", "33010619850101991", "330106", true)
	c := from(t, "127.0.2.1")
	url := fmt.Sprintf("%s/api/v1/persons/%d/corrections", site.url, p.ID)
	for i := range 61 {
		r := send(t, c, "POST", url, token, map[string]any{"variant": "wrong-colour", "reason": fmt.Sprintf("第%d次申请纠错，健康码有误。", i)})
		if r.status == http.StatusTooManyRequests {
			r.wantRefused(t, "a correction over the limit")
			return
		} else if want := map[bool]int{true: http.StatusOK, false: http.StatusConflict}[i == 0]; r.status != want {
			// The first is filed; the rest find it open (one open workflow of
			// a kind per person), and still count against the limit.
			t.Fatalf("correction %d: %d %s, want %d", i, r.status, r.code, want)
		}
	}
	t.Errorf("61 corrections in a row were all filed")
}

// The issuing region's authority is checked again at the approval: a
// colour another region assigned after the proposal is not transferred
// by the second officer either.
func TestTheAuthorityLockHoldsAtTheApproval(t *testing.T) {
	f := newFixture(t, time.Minute)
	citizen, id, number := workflowPerson(t, f, "13900099101", "33050219850101102", "330502")
	district := f.officialToken(t, healthcode.RoleDistrict, 1, "330502")
	second := f.officialToken(t, healthcode.RoleDistrict, 2, "330502")
	var w wf
	call(t, f, "POST", fmt.Sprintf("/api/v1/persons/%d/appeals", id), citizen,
		map[string]any{"reason": "我没有接触过病例，请复核。"}, http.StatusCreated, &w)
	w = act(t, f, district, w, "uphold", "green", "核实无接触史")
	sendFact(t, f, number, healthcode.Fact{Kind: healthcode.FactForeignCode,
		ForeignCode: &healthcode.ForeignCodeFact{Region: "420100", Color: healthcode.Red}})
	body := call(t, f, "POST", fmt.Sprintf("/api/v1/officials/workflows/%d/steps", w.ID), second,
		map[string]any{"seq": w.Seq + 1, "action": "approve"}, http.StatusForbidden, nil)
	if !strings.Contains(body, "420100") {
		t.Errorf("the refusal does not name the region: %s", body)
	}
	if c, _ := colourOf(t, f, citizen, id); c != "red" {
		t.Errorf("the locked colour became %s", c)
	}
}

// An administrator chooses the password of every account they appoint
// and is shown its TOTP secret, so they hold every appointee's login:
// two appointees of one administrator are one person's four eyes.
func TestAnAdministratorCannotLogInAsTheirAppointee(t *testing.T) {
	t.Skip("BUG (design): CreateOfficial takes the password from the appointer and answers the TOTP secret to them; " +
		"the holder should set both at a first login (an enrolment token), so an administrator cannot log in as an appointee " +
		"and take both steps of a four-eyes transfer with two accounts of their own")
	f := newFixture(t, time.Minute)
	admin := f.officialToken(t, healthcode.RoleAdministrator, 1, "330106")
	rec := f.post(t, "/api/v1/admin/officials", admin, map[string]string{"login": "appointee.district", "role": "district",
		"scope": "330106", "password": officialPassword})
	var a struct {
		TOTPSecret string `json:"totp_secret"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil || rec.Code != http.StatusCreated {
		t.Fatalf("appoint: %d %s", rec.Code, rec.Body)
	}
	code, err := totp.GenerateCode(a.TOTPSecret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if rec := f.post(t, "/api/v1/officials/login", "", map[string]string{"login": "appointee.district",
		"password": officialPassword, "code": code}); rec.Code == http.StatusOK {
		t.Errorf("the administrator logged in as their appointee: %s", rec.Body)
	}
}
