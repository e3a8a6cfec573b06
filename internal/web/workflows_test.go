package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"healthcode"
	"healthcode/identity"
	"healthcode/internal/ingest"
	"healthcode/internal/service"
)

// workflowPerson is a citizen applied over the service with a declared
// contact with cases, red, in region, and their session and ID number.
func workflowPerson(t *testing.T, f *fixture, phone, id17, region string) (token string, personID int64, number string) {
	t.Helper()
	ctx := context.Background()
	token = f.login(t, phone)
	who, err := f.svc.Authenticate(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	check, err := identity.ResidentIDCheckChar(id17)
	if err != nil {
		t.Fatal(err)
	}
	number = id17 + string(check)
	yes, no := true, false
	p, err := f.svc.Apply(ctx, who, service.ApplyInput{
		Identity: healthcode.Identity{DocType: healthcode.DocResidentID, Number: number, Name: "李四", Phone: phone},
		Region:   region,
		Declaration: service.DeclarationInput{Fever: &no, Cough: &no, OtherSymptoms: &no, LeftRegion14d: &no,
			Abroad14d: &no, ContactCases: &yes, Commitment: &yes},
	})
	if err != nil {
		t.Fatal(err)
	}
	return token, p.ID, number
}

// sendFact adds a fact about the person with number as a feed does.
func sendFact(t *testing.T, f *fixture, number string, fact healthcode.Fact) {
	t.Helper()
	fact.At = time.Now().UTC().Truncate(time.Microsecond)
	_, err := f.svc.IngestAs(context.Background(), "feed:test", "cli:test", []ingest.Row{{Line: 1,
		SourceRef: fmt.Sprint(fact.Kind, fact.At.UnixNano()), DocType: healthcode.DocResidentID, Number: number, Fact: fact}})
	if err != nil {
		t.Fatal(err)
	}
}

// wf is a workflow as the API answers it.
type wf struct {
	ID      int64  `json:"id"`
	State   string `json:"state"`
	Seq     int    `json:"seq"`
	Outcome string `json:"outcome"`
	Steps   []struct {
		Action string `json:"action"`
		Note   string `json:"note"`
	} `json:"steps"`
	Actions []string `json:"actions"`
}

// call makes a request and decodes a 2xx answer into out (nil: none),
// failing unless the status is want.
func call(t *testing.T, f *fixture, method, path, token string, body any, want int, out any) string {
	t.Helper()
	got, b := f.do(t, method, path, token, body)
	if got != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, got, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return string(b)
}

// act posts a step as token and returns the workflow after it.
func act(t *testing.T, f *fixture, token string, w wf, action, colour, note string) wf {
	t.Helper()
	var out wf
	call(t, f, "POST", fmt.Sprintf("/api/v1/officials/workflows/%d/steps", w.ID), token,
		map[string]any{"seq": w.Seq + 1, "action": action, "colour": colour, "note": note}, http.StatusOK, &out)
	return out
}

func colourOf(t *testing.T, f *fixture, token string, personID int64) (string, string) {
	t.Helper()
	var st struct {
		Color  string          `json:"color"`
		Reason healthcode.Text `json:"reason"`
	}
	call(t, f, "GET", fmt.Sprintf("/api/v1/persons/%d/status", personID), token, nil, http.StatusOK, &st)
	return st.Color, st.Reason.En
}

// An appeal over HTTP, to its end: filed with a PNG, queued for the
// district, read with its file, upheld, refused to its proposer,
// approved by a second officer: the code is green and says why.
func TestAnAppealOverHTTP(t *testing.T) {
	f := newFixture(t, time.Minute)
	citizen, id, _ := workflowPerson(t, f, "13900080001", "33010619850101003", "330106")
	district := f.officialToken(t, healthcode.RoleDistrict, 7, "330106")
	second := f.officialToken(t, healthcode.RoleDistrict, 8, "330100")
	png := []byte("\x89PNG\r\n\x1a\n rest of the image")
	var filed wf
	call(t, f, "POST", fmt.Sprintf("/api/v1/persons/%d/appeals", id), citizen, map[string]any{
		"reason":     "我没有接触过病例，申报时选错了，请复核。",
		"attachment": map[string]string{"filename": "核酸报告.pdf", "content_base64": base64.StdEncoding.EncodeToString(png)},
	}, http.StatusCreated, &filed)

	var queue struct{ Workflows []wf }
	call(t, f, "GET", "/api/v1/officials/queue", district, nil, http.StatusOK, &queue)
	if len(queue.Workflows) != 1 || queue.Workflows[0].ID != filed.ID || len(queue.Workflows[0].Actions) != 2 {
		t.Fatalf("queue %+v", queue)
	}
	rec, b := f.do(t, "GET", fmt.Sprintf("/api/v1/officials/workflows/%d/attachment", filed.ID), district, nil)
	if rec != http.StatusOK || string(b) != string(png) {
		t.Errorf("attachment: %d %q", rec, b)
	}

	w := act(t, f, district, filed, "uphold", "green", "核实无接触史")
	body := call(t, f, "POST", fmt.Sprintf("/api/v1/officials/workflows/%d/steps", w.ID), district,
		map[string]any{"seq": w.Seq + 1, "action": "approve"}, http.StatusForbidden, nil)
	if !strings.Contains(body, "second official") {
		t.Errorf("the refusal does not say why: %s", body)
	}
	if c, _ := colourOf(t, f, citizen, id); c != "red" {
		t.Fatalf("a proposal alone made the code %s", c)
	}
	w = act(t, f, second, w, "approve", "", "")
	if w.State != "applied" || w.Outcome != "green" {
		t.Fatalf("approved: %+v", w)
	}
	if c, why := colourOf(t, f, citizen, id); c != "green" || !strings.Contains(why, "Appeal: decided by a district officer, approved by a second district officer") {
		t.Errorf("after approval: %s, %q", c, why)
	}
	var mine struct{ Appeals []wf }
	call(t, f, "GET", fmt.Sprintf("/api/v1/persons/%d/appeals", id), citizen, nil, http.StatusOK, &mine)
	if len(mine.Appeals) != 1 || len(mine.Appeals[0].Steps) != 2 {
		t.Errorf("the citizen's appeals: %+v", mine)
	}
}

// The refusals over HTTP: an appeal edited after filing, a wrong role,
// out of scope, an approver who proposed, an attachment that is not what
// it says.
func TestWorkflowRefusalsOverHTTP(t *testing.T) {
	f := newFixture(t, time.Minute)
	citizen, id, _ := workflowPerson(t, f, "13900080002", "33010619850101011", "330106")
	street := f.officialToken(t, healthcode.RoleStreet, 2, "330106")
	far := f.officialToken(t, healthcode.RoleDistrict, 9, "440100")
	auditor := f.officialToken(t, healthcode.RoleAuditor, 3, "330100")
	district := f.officialToken(t, healthcode.RoleDistrict, 7, "330106")
	var filed wf
	call(t, f, "POST", fmt.Sprintf("/api/v1/persons/%d/appeals", id), citizen,
		map[string]any{"reason": "我没有接触过病例，请复核。"}, http.StatusCreated, &filed)
	appeal := fmt.Sprintf("/api/v1/persons/%d/appeals/%d", id, filed.ID)
	steps := fmt.Sprintf("/api/v1/officials/workflows/%d/steps", filed.ID)
	uphold := map[string]any{"seq": 1, "action": "uphold", "colour": "green"}
	tests := []struct {
		name, method, path, token string
		body                      any
		want                      int
		says                      string
	}{
		{"an appeal edited after filing", "PATCH", appeal, citizen, map[string]any{"reason": "改一下理由"}, http.StatusConflict,
			"An appeal cannot be changed once filed"},
		{"an appeal replaced after filing", "PUT", appeal, citizen, map[string]any{"reason": "改一下理由"}, http.StatusConflict,
			"An appeal cannot be changed once filed"},
		{"a second open appeal", "POST", fmt.Sprintf("/api/v1/persons/%d/appeals", id), citizen,
			map[string]any{"reason": "再次申请复核，请核实。"}, http.StatusConflict, "still open"},
		{"a script as a pdf", "POST", fmt.Sprintf("/api/v1/persons/%d/appeals", id), citizen,
			map[string]any{"reason": "再次申请复核，请核实。", "attachment": map[string]string{"filename": "a.pdf",
				"content_base64": base64.StdEncoding.EncodeToString([]byte("<script>"))}}, http.StatusBadRequest, "PDF, JPEG or PNG"},
		{"a street officer answers", "POST", steps, street, uphold, http.StatusForbidden, "for a district officer to take"},
		{"a district out of scope", "POST", steps, far, uphold, http.StatusForbidden, "outside your scope"},
		// Not "moved on: its next step is 1": out of scope, nothing of the
		// workflow is told, not how far it has gone.
		{"a district out of scope with a wrong seq", "POST", steps, far, map[string]any{"seq": 5, "action": "uphold", "colour": "green"},
			http.StatusForbidden, "outside your scope"},
		{"an auditor steps in", "POST", steps, auditor, uphold, http.StatusForbidden, "for a district officer to take"},
		{"a citizen steps in", "POST", steps, citizen, uphold, http.StatusForbidden, "view-persons"},
		{"a district out of scope reads", "GET", fmt.Sprintf("/api/v1/officials/workflows/%d", filed.ID), far, nil,
			http.StatusNotFound, "not found"},
		{"a stale seq", "POST", steps, district, map[string]any{"seq": 5, "action": "uphold", "colour": "green"},
			http.StatusConflict, "moved on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := call(t, f, tt.method, tt.path, tt.token, tt.body, tt.want, nil)
			if !strings.Contains(body, tt.says) {
				t.Errorf("answer %s does not say %q", body, tt.says)
			}
		})
	}
}

// Two district officers answering the same appeal at once: one answer
// lands, the other is told the workflow moved on.
func TestARacedStepOverHTTP(t *testing.T) {
	f := newFixture(t, time.Minute)
	citizen, id, _ := workflowPerson(t, f, "13900080003", "33010619850101020", "330106")
	var filed wf
	call(t, f, "POST", fmt.Sprintf("/api/v1/persons/%d/appeals", id), citizen,
		map[string]any{"reason": "我没有接触过病例，请复核。"}, http.StatusCreated, &filed)
	tokens := []string{f.officialToken(t, healthcode.RoleDistrict, 7, "330106"), f.officialToken(t, healthcode.RoleDistrict, 8, "330106")}
	statuses := make([]int, len(tokens))
	var wg sync.WaitGroup
	for i, token := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i], _ = f.do(t, "POST", fmt.Sprintf("/api/v1/officials/workflows/%d/steps", filed.ID), token,
				map[string]any{"seq": 1, "action": "reject", "note": "经核查确有接触史"})
		}()
	}
	wg.Wait()
	if !(statuses[0] == http.StatusOK && statuses[1] == http.StatusConflict) && !(statuses[1] == http.StatusOK && statuses[0] == http.StatusConflict) {
		t.Errorf("statuses %v, want one 200 and one 409", statuses)
	}
}

// A release from home isolation over HTTP: community → street →
// district → four eyes.
func TestAHomeReleaseOverHTTP(t *testing.T) {
	f := newFixture(t, time.Minute)
	citizen, id, _ := workflowPerson(t, f, "13900080004", "33010619850101038", "330106")
	community := f.officialToken(t, healthcode.RoleCommunity, 1, "330106")
	street := f.officialToken(t, healthcode.RoleStreet, 2, "330106")
	district := f.officialToken(t, healthcode.RoleDistrict, 7, "330106")
	second := f.officialToken(t, healthcode.RoleDistrict, 8, "330106")
	var w wf
	call(t, f, "POST", "/api/v1/officials/workflows", community, map[string]any{"kind": "home_release", "person_id": id,
		"isolation_start": "2026-03-01", "isolation_end": "2026-03-14", "note": "居家隔离期满"}, http.StatusCreated, &w)
	w = act(t, f, street, w, "pass", "", "")
	w = act(t, f, district, w, "propose", "green", "")
	w = act(t, f, second, w, "approve", "", "")
	if c, why := colourOf(t, f, citizen, id); w.State != "applied" || c != "green" || !strings.Contains(why, "Release from home isolation") {
		t.Errorf("after the release: %s %s %q", w.State, c, why)
	}
}

// An error correction of wrong data over HTTP: refused on a negative
// result sampled more than 48 hours ago, transferred on a fresh one.
func TestAWrongDataCorrectionNeedsA48HourNegative(t *testing.T) {
	f := newFixture(t, time.Minute)
	citizen, id, number := workflowPerson(t, f, "13900080005", "33010619850101046", "330106")
	community := f.officialToken(t, healthcode.RoleCommunity, 1, "330106")
	street := f.officialToken(t, healthcode.RoleStreet, 2, "330106")
	district := f.officialToken(t, healthcode.RoleDistrict, 7, "330106")
	second := f.officialToken(t, healthcode.RoleDistrict, 8, "330106")
	sendFact(t, f, number, healthcode.Fact{Kind: healthcode.FactTest, Test: &healthcode.TestFact{
		Result: healthcode.TestNegative, Sampled: time.Now().Add(-50 * time.Hour)}})
	var w wf
	call(t, f, "POST", fmt.Sprintf("/api/v1/persons/%d/corrections", id), citizen,
		map[string]any{"variant": "wrong-data", "reason": "手机号登记错误，导致健康码异常。"}, http.StatusOK, &w)
	for _, s := range []struct{ token, action string }{{community, "accept"}, {street, "pass"}, {district, "command"},
		{second, "audit"}, {community, "organise_test"}} {
		w = act(t, f, s.token, w, s.action, "", "")
	}
	body := call(t, f, "POST", fmt.Sprintf("/api/v1/officials/workflows/%d/steps", w.ID), district,
		map[string]any{"seq": w.Seq + 1, "action": "propose", "colour": "green"}, http.StatusConflict, nil)
	if !strings.Contains(body, "48 hours") {
		t.Errorf("the refusal does not give the reason: %s", body)
	}
	sendFact(t, f, number, healthcode.Fact{Kind: healthcode.FactTest, Test: &healthcode.TestFact{
		Result: healthcode.TestNegative, Sampled: time.Now().Add(-2 * time.Hour)}})
	w = act(t, f, district, w, "propose", "green", "")
	w = act(t, f, second, w, "approve", "", "")
	if c, _ := colourOf(t, f, citizen, id); c != "green" {
		t.Errorf("after the correction: %s", c)
	}
}

// A colour Hubei assigned is not transferred by Zhejiang's officials where
// the pack keeps the issuing region's authority (transfer-rules-2022,
// Huzhou's 330502): the proposal is refused, naming the region.
func TestTheAuthorityLockOverHTTP(t *testing.T) {
	f := newFixture(t, time.Minute)
	citizen, id, number := workflowPerson(t, f, "13900080006", "33050219850101054", "330502")
	sendFact(t, f, number, healthcode.Fact{Kind: healthcode.FactForeignCode,
		ForeignCode: &healthcode.ForeignCodeFact{Region: "420100", Color: healthcode.Red}})
	var filed wf
	call(t, f, "POST", fmt.Sprintf("/api/v1/persons/%d/appeals", id), citizen,
		map[string]any{"reason": "我不在武汉，红码有误，请复核。"}, http.StatusCreated, &filed)
	district := f.officialToken(t, healthcode.RoleDistrict, 7, "330502")
	body := call(t, f, "POST", fmt.Sprintf("/api/v1/officials/workflows/%d/steps", filed.ID), district,
		map[string]any{"seq": 1, "action": "uphold", "colour": "green"}, http.StatusForbidden, nil)
	if !strings.Contains(body, "420100") {
		t.Errorf("the refusal does not name the region: %s", body)
	}
}
