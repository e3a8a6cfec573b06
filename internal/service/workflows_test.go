package service_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/ingest"
	"healthcode/internal/service"
)

func officialOf(role healthcode.Role, id int64, region string) *healthcode.Principal {
	return &healthcode.Principal{Role: role, OfficialID: id, Region: region}
}

var (
	communityOfficer = officialOf(healthcode.RoleCommunity, 1, "330106")
	streetOfficer    = officialOf(healthcode.RoleStreet, 2, "330106")
	districtOfficer  = officialOf(healthcode.RoleDistrict, 7, "330106")
	secondDistrict   = officialOf(healthcode.RoleDistrict, 8, "330100")
	farDistrict      = officialOf(healthcode.RoleDistrict, 9, "440100")
)

// red applies a citizen who declared contact with cases: red for 14 days
// under the core test pack, in 330106.
func redCitizen(t *testing.T, e *testEnv, phone, id17 string) (*healthcode.Principal, int64, string) {
	t.Helper()
	who := mustLogin(t, e, phone)
	number := validID(t, id17)
	p := mustApply(t, e, who, applyInput(number, "钱晓东", phone, declaringContact))
	if p.Status.Color != healthcode.Red {
		t.Fatalf("colour %v, want red", p.Status.Color)
	}
	return who, p.ID, number
}

// step takes a step as who and fails the test on an error.
func step(t *testing.T, e *testEnv, who *healthcode.Principal, v *service.WorkflowView, action, colour, note string) *service.WorkflowView {
	t.Helper()
	got, err := e.svc.Act(context.Background(), who, v.ID, service.StepInput{Seq: v.Seq + 1, Action: action, Colour: colour, Note: note})
	if err != nil {
		t.Fatalf("%s by %s: %v", action, who.Role, err)
	}
	return got
}

func currentColour(t *testing.T, e *testEnv, citizen *healthcode.Principal, id int64) *healthcode.Status {
	t.Helper()
	st, err := e.svc.Status(context.Background(), citizen, id)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// An upheld appeal changes the colour only once a second district officer
// approves it; the colour's reason then names the workflow and the roles,
// and every step is in the public log without naming the person.
func TestAnAppealUpheldAndApprovedTransfersTheCode(t *testing.T) {
	t.Parallel()
	onEachStore(t, func(t *testing.T, e *testEnv) {
		citizen, id, _ := redCitizen(t, e, "13900070001", "33010619850101003")
		pdf := []byte("%PDF-1.4 proof of where I was")
		v, err := e.svc.FileAppeal(context.Background(), citizen, id, service.AppealInput{Reason: "我申报错了，没有接触过病例，请复核。",
			Attachment: &service.File{Filename: "proof.pdf", Data: pdf}})
		if err != nil {
			t.Fatal(err)
		}
		if v.State != "filed" || v.NextRole != healthcode.RoleDistrict || !v.Deadline.Equal(v.OpenedAt.Add(72*time.Hour)) {
			t.Fatalf("filed: %+v", v.Workflow)
		}
		_, err = e.svc.FileAppeal(context.Background(), citizen, id, service.AppealInput{Reason: "第二次申请复核，请尽快处理。"})
		wantCode(t, err, healthcode.ECONFLICT)

		queue, err := e.svc.WorkQueue(context.Background(), districtOfficer)
		if err != nil || len(queue) != 1 || queue[0].ID != v.ID {
			t.Fatalf("district queue %+v, %v", queue, err)
		}
		if q, _ := e.svc.WorkQueue(context.Background(), farDistrict); len(q) != 0 {
			t.Errorf("another district's queue holds %d", len(q))
		}
		att, err := e.svc.WorkflowAttachment(context.Background(), districtOfficer, v.ID)
		if err != nil || string(att.Data) != string(pdf) || att.ContentType != "application/pdf" {
			t.Errorf("attachment %+v, %v", att, err)
		}

		v = step(t, e, districtOfficer, v, "uphold", "green", "核实无接触史")
		for _, q := range []struct {
			who  *healthcode.Principal
			want int
		}{{districtOfficer, 0}, {secondDistrict, 1}} {
			queue, err := e.svc.WorkQueue(context.Background(), q.who)
			if err != nil || len(queue) != 1 || len(queue[0].Actions) != 2*q.want {
				t.Errorf("queue of official %d after the proposal: %+v, %v", q.who.OfficialID, queue, err)
			}
		}
		if st := currentColour(t, e, citizen, id); st.Color != healthcode.Red {
			t.Fatalf("a proposal alone changed the colour to %v", st.Color)
		}
		_, err = e.svc.Act(context.Background(), districtOfficer, v.ID, service.StepInput{Seq: v.Seq + 1, Action: "approve"})
		wantCode(t, err, healthcode.EFORBIDDEN)
		v = step(t, e, secondDistrict, v, "approve", "", "")
		if v.State != "applied" || v.Outcome != healthcode.Green || v.Open() {
			t.Fatalf("approved: %+v", v.Workflow)
		}
		st := currentColour(t, e, citizen, id)
		if st.Color != healthcode.Green || !strings.Contains(st.Reason.Zh, "复核") || !strings.Contains(st.Reason.En, "second district officer") {
			t.Errorf("after approval: %v %+v", st.Color, st.Reason)
		}
		hs := storedHistory(t, e, id)
		if last := hs[len(hs)-1]; last.To != healthcode.Green {
			t.Errorf("history ends %v", last.To)
		}
		appeals, err := e.svc.Appeals(context.Background(), citizen, id)
		if err != nil || len(appeals) != 1 || len(appeals[0].Steps) != 2 {
			t.Errorf("the citizen's appeals %+v, %v", appeals, err)
		}
		steps := loggedSteps(t, e)
		if len(steps) != 3 {
			t.Fatalf("%d workflow steps logged, want filing and two steps", len(steps))
		}
		for _, s := range steps {
			if s.Author.Role == healthcode.RoleCitizen && (s.Author.Official != 0 || s.Author.Key != 0) {
				t.Errorf("a citizen's filing names an account: %+v", s.Author)
			}
		}
		if steps[2].Author.Official != 8 || steps[2].Step.Action != "approve" || steps[2].Step.Colour != healthcode.Green {
			t.Errorf("approval logged as %+v %+v", steps[2].Author, steps[2].Step)
		}
	})
}

// loggedSteps are the workflow-step entries of the public log, in order.
func loggedSteps(t *testing.T, e *testEnv) []*healthcode.LogEntry {
	t.Helper()
	var out []*healthcode.LogEntry
	for _, le := range logged(t, e) {
		b, err := le.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if le.Kind == healthcode.LogWorkflowStep {
			for _, banned := range []string{"钱晓东", "13900070001", "person"} {
				if strings.Contains(string(b), banned) {
					t.Errorf("a step's entry holds %q: %s", banned, b)
				}
			}
			out = append(out, le)
		}
	}
	return out
}

func TestAppealRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	citizen, id, _ := redCitizen(t, e, "13900070002", "33010619850101011")
	other := mustLogin(t, e, "13900070003")
	tests := []struct {
		name string
		who  *healthcode.Principal
		in   service.AppealInput
		code string
	}{
		{"a short reason", citizen, service.AppealInput{Reason: "错了"}, healthcode.EINVALID},
		{"a script named pdf", citizen, service.AppealInput{Reason: "我申报错了，请复核。", Attachment: &service.File{
			Filename: "x.pdf", Data: []byte("<script>alert(1)</script>")}}, healthcode.EINVALID},
		{"someone else's person", other, service.AppealInput{Reason: "我申报错了，请复核。"}, healthcode.ENOTFOUND},
		{"an official", districtOfficer, service.AppealInput{Reason: "我申报错了，请复核。"}, healthcode.EFORBIDDEN},
		{"nobody", nil, service.AppealInput{Reason: "我申报错了，请复核。"}, healthcode.EUNAUTHORIZED},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.FileAppeal(context.Background(), tt.who, id, tt.in)
			wantCode(t, err, tt.code)
		})
	}
	v, err := e.svc.FileAppeal(context.Background(), citizen, id, service.AppealInput{Reason: "我申报错了，没有接触过病例。"})
	if err != nil {
		t.Fatal(err)
	}
	acts := []struct {
		name string
		who  *healthcode.Principal
		in   service.StepInput
		code string
	}{
		{"a street officer", streetOfficer, service.StepInput{Seq: 1, Action: "uphold", Colour: "green"}, healthcode.EFORBIDDEN},
		{"out of scope", farDistrict, service.StepInput{Seq: 1, Action: "uphold", Colour: "green"}, healthcode.EFORBIDDEN},
		{"the citizen", citizen, service.StepInput{Seq: 1, Action: "uphold", Colour: "green"}, healthcode.EFORBIDDEN},
		{"a stale step", districtOfficer, service.StepInput{Seq: 3, Action: "uphold", Colour: "green"}, healthcode.ECONFLICT},
		{"no colour", districtOfficer, service.StepInput{Seq: 1, Action: "uphold"}, healthcode.EINVALID},
		{"a rejection without a note", districtOfficer, service.StepInput{Seq: 1, Action: "reject"}, healthcode.EINVALID},
		{"approving what nobody proposed", secondDistrict, service.StepInput{Seq: 1, Action: "approve"}, healthcode.ECONFLICT},
	}
	for _, tt := range acts {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.Act(context.Background(), tt.who, v.ID, tt.in)
			wantCode(t, err, tt.code)
		})
	}
	// Neither the citizen's stranger nor an official elsewhere reads it.
	_, err = e.svc.Workflow(context.Background(), other, v.ID)
	wantCode(t, err, healthcode.ENOTFOUND)
	_, err = e.svc.Workflow(context.Background(), farDistrict, v.ID)
	wantCode(t, err, healthcode.ENOTFOUND)
	v = step(t, e, districtOfficer, v, "reject", "", "经核查确有接触史")
	if v.State != "rejected" || v.Open() {
		t.Fatalf("rejected: %+v", v.Workflow)
	}
	mine, err := e.svc.Workflow(context.Background(), citizen, v.ID)
	if err != nil || mine.Steps[0].Note != "经核查确有接触史" {
		t.Errorf("the citizen reads %+v, %v", mine, err)
	}
	if _, err := e.svc.FileAppeal(context.Background(), citizen, id, service.AppealInput{Reason: "我再次申请复核，请核实。"}); err != nil {
		t.Errorf("a new appeal after the answer: %v", err)
	}
}

// Two officials taking the same step at once: one wins, the other is told
// the workflow moved on.
func TestARacedStepHasOneWinner(t *testing.T) {
	t.Parallel()
	onEachStore(t, func(t *testing.T, e *testEnv) {
		citizen, id, _ := redCitizen(t, e, "13900070004", "33010619850101020")
		v, err := e.svc.FileAppeal(context.Background(), citizen, id, service.AppealInput{Reason: "我申报错了，没有接触过病例。"})
		if err != nil {
			t.Fatal(err)
		}
		errs := make(chan error, 2)
		for _, who := range []*healthcode.Principal{districtOfficer, secondDistrict} {
			go func() {
				_, err := e.svc.Act(context.Background(), who, v.ID, service.StepInput{Seq: 1, Action: "reject", Note: "不予变更"})
				errs <- err
			}()
		}
		codes := map[string]int{}
		for range 2 {
			codes[healthcode.ErrorCode(<-errs)]++
		}
		if codes[""] != 1 || codes[healthcode.ECONFLICT] != 1 {
			t.Errorf("outcomes %v, want one step and one conflict", codes)
		}
	})
}

// A colour another region assigned cannot be transferred here when the
// pack keeps the issuing region's authority: proposing is refused, naming
// the region.
func TestTheIssuingRegionsLockRefusesATransfer(t *testing.T) {
	t.Parallel()
	pack := corePack(t)
	pack.AuthorityLock = true
	e := newEnv(t, withPolicy(pack))
	citizen := mustLogin(t, e, "13900070005")
	number := validID(t, "33010619850101038")
	p := mustApply(t, e, citizen, applyInput(number, "钱晓东", "13900070005"))
	feed(t, e, number, healthcode.Fact{Kind: healthcode.FactForeignCode, At: e.clock.Now(),
		ForeignCode: &healthcode.ForeignCodeFact{Region: "420100", Color: healthcode.Red}})
	v, err := e.svc.FileAppeal(context.Background(), citizen, p.ID, service.AppealInput{Reason: "我不在武汉，红码有误，请复核。"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Act(context.Background(), districtOfficer, v.ID, service.StepInput{Seq: 1, Action: "uphold", Colour: "green"})
	wantCode(t, err, healthcode.EFORBIDDEN)
	if !strings.Contains(healthcode.ErrorMessage(err), "420100") {
		t.Errorf("the refusal does not name the region: %v", err)
	}
}

// feed adds a fact about the person with the document number, as a feed.
func feed(t *testing.T, e *testEnv, number string, f healthcode.Fact) {
	t.Helper()
	e.clock.Advance(time.Minute)
	f.At = e.clock.Now()
	if f.Test != nil && f.Test.Sampled.IsZero() {
		f.Test.Sampled = f.At.Add(-30 * time.Second) // after whatever the clock saw before
	}
	_, err := e.svc.IngestAs(context.Background(), "feed:test", "cli:test", []ingest.Row{{Line: 1,
		SourceRef: f.At.String(), DocType: healthcode.DocResidentID, Number: number, Fact: f}})
	if err != nil {
		t.Fatal(err)
	}
}

// A release from home isolation goes community → street → district →
// four eyes, due at 10:00 China time the next day.
func TestAHomeReleaseTurnsTheCodeGreen(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	citizen, id, _ := redCitizen(t, e, "13900070006", "33010619850101046")
	_, err := e.svc.StartWorkflow(context.Background(), citizen, service.StartInput{Kind: healthcode.WorkflowHomeRelease, PersonID: id,
		Form: healthcode.WorkflowForm{IsolationStart: "2026-03-01", IsolationEnd: "2026-03-10"}})
	wantCode(t, err, healthcode.EFORBIDDEN)
	v, err := e.svc.StartWorkflow(context.Background(), communityOfficer, service.StartInput{Kind: healthcode.WorkflowHomeRelease, PersonID: id,
		Form: healthcode.WorkflowForm{IsolationStart: "2026-03-01", IsolationEnd: "2026-03-10", Note: "居家隔离期满"}})
	if err != nil {
		t.Fatal(err)
	}
	// A second home release while this one is open would end in a second
	// transfer: refused, naming the open one.
	_, err = e.svc.StartWorkflow(context.Background(), communityOfficer, service.StartInput{Kind: healthcode.WorkflowHomeRelease, PersonID: id,
		Form: healthcode.WorkflowForm{IsolationStart: "2026-03-01", IsolationEnd: "2026-03-10", Note: "再次提交"}})
	if wantCode(t, err, healthcode.ECONFLICT); err == nil || !strings.Contains(err.Error(), fmt.Sprint(v.ID)) {
		t.Errorf("a second open home release: %v, want it to name workflow %d", err, v.ID)
	}
	// Filed at 10:00 China time on 10 March: due 10:00 on the 11th.
	if want := time.Date(2026, 3, 11, 2, 0, 0, 0, time.UTC); !v.Deadline.Equal(want) {
		t.Errorf("deadline %v, want %v", v.Deadline, want)
	}
	v = step(t, e, streetOfficer, v, "return", "", "缺少隔离起止日期证明")
	v = step(t, e, communityOfficer, v, "refile", "", "")
	v = step(t, e, streetOfficer, v, "pass", "", "")
	_, err = e.svc.Act(context.Background(), districtOfficer, v.ID, service.StepInput{Seq: v.Seq + 1, Action: "propose", Colour: "yellow"})
	wantCode(t, err, healthcode.EINVALID)
	v = step(t, e, districtOfficer, v, "propose", "green", "")
	v = step(t, e, secondDistrict, v, "approve", "", "")
	if st := currentColour(t, e, citizen, id); st.Color != healthcode.Green || !strings.Contains(st.Reason.En, "Release from home isolation") {
		t.Errorf("after the release: %v %+v", st.Color, st.Reason)
	}
	e.clock.Advance(48 * time.Hour)
	if q, _ := e.svc.WorkQueue(context.Background(), districtOfficer); len(q) != 0 {
		t.Errorf("a closed workflow is queued: %+v", q)
	}
}

// An error correction of wrong data is transferred only on a negative
// result sampled within 48 hours; of a wrong colour, only on one sampled
// after the community organised the test.
func TestAnErrorCorrectionNeedsItsNegativeTest(t *testing.T) {
	t.Parallel()
	for _, variant := range []string{healthcode.VariantWrongData, healthcode.VariantWrongColour} {
		t.Run(variant, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			citizen, id, number := redCitizen(t, e, "13900070007", "33010619850101054")
			feed(t, e, number, healthcode.Fact{Kind: healthcode.FactTest, Test: &healthcode.TestFact{Result: healthcode.TestNegative}})
			v, err := e.svc.StartWorkflow(context.Background(), citizen, service.StartInput{Kind: healthcode.WorkflowErrorCorrection, PersonID: id,
				Form: healthcode.WorkflowForm{Variant: variant, Reason: "手机号登记错误，导致健康码异常。"}})
			if err != nil {
				t.Fatal(err)
			}
			v = step(t, e, communityOfficer, v, "accept", "", "")
			v = step(t, e, streetOfficer, v, "pass", "", "")
			v = step(t, e, districtOfficer, v, "command", "", "")
			_, err = e.svc.Act(context.Background(), districtOfficer, v.ID, service.StepInput{Seq: v.Seq + 1, Action: "audit"})
			wantCode(t, err, healthcode.EFORBIDDEN) // the prevention team is another officer
			v = step(t, e, secondDistrict, v, "audit", "", "")
			v = step(t, e, communityOfficer, v, "organise_test", "", "")
			if variant == healthcode.VariantWrongData {
				e.clock.Advance(49 * time.Hour) // the negative result is now too old
			}
			_, err = e.svc.Act(context.Background(), districtOfficer, v.ID, service.StepInput{Seq: v.Seq + 1, Action: "propose", Colour: "green"})
			wantCode(t, err, healthcode.ECONFLICT)
			feed(t, e, number, healthcode.Fact{Kind: healthcode.FactTest, Test: &healthcode.TestFact{Result: healthcode.TestNegative}})
			v = step(t, e, districtOfficer, v, "propose", "green", "")
			v = step(t, e, secondDistrict, v, "approve", "", "")
			if st := currentColour(t, e, citizen, id); st.Color != healthcode.Green {
				t.Errorf("after the correction: %v %+v", st.Color, st.Reason)
			}
		})
	}
}

// A person's file lists their workflows to officials of their division
// only, and the queue names each row's person masked, never in clear.
func TestPersonWorkflowsAreAnOfficialsOfTheirScopeAndMasked(t *testing.T) {
	t.Parallel()
	onEachStore(t, func(t *testing.T, e *testEnv) {
		citizen, id, number := redCitizen(t, e, "13900070091", "33010619850101091")
		filed, err := e.svc.FileAppeal(context.Background(), citizen, id, service.AppealInput{Reason: "我申报错了，没有接触过病例，请复核。"})
		if err != nil {
			t.Fatal(err)
		}
		vs, err := e.svc.PersonWorkflows(context.Background(), districtOfficer, id)
		if err != nil || len(vs) != 1 || vs[0].ID != filed.ID || vs[0].Person == nil || vs[0].Person.Name != "钱*东" ||
			vs[0].Person.IDTail != number[len(number)-4:] {
			t.Fatalf("person's workflows: %+v, %v", vs, err)
		}
		for _, who := range []*healthcode.Principal{farDistrict, citizen} {
			_, err := e.svc.PersonWorkflows(context.Background(), who, id)
			wantCode(t, err, healthcode.EFORBIDDEN)
		}
		_, err = e.svc.PersonWorkflows(context.Background(), districtOfficer, id+1000)
		wantCode(t, err, healthcode.ENOTFOUND)
		queue, err := e.svc.WorkQueue(context.Background(), districtOfficer)
		if err != nil || len(queue) != 1 || queue[0].Person == nil || queue[0].Person.Name != "钱*东" {
			t.Fatalf("queue: %+v, %v", queue, err)
		}
		mine, err := e.svc.Workflow(context.Background(), citizen, filed.ID)
		if err != nil || mine.Person != nil {
			t.Errorf("the citizen's own workflow: %+v, %v", mine, err)
		}
	})
}
