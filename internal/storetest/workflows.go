package storetest

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"healthcode"
)

// appealOf is an appeal filed about person p in division at when.
func appealOf(p int64, division string, when time.Time) *healthcode.Workflow {
	return &healthcode.Workflow{Kind: healthcode.WorkflowAppeal, PersonID: p, Division: division,
		Form: healthcode.WorkflowForm{Reason: "我没有去过高风险地区"}, OpenedBy: "account:1", OpenedRole: healthcode.RoleCitizen,
		OpenedAt: when, LogRef: []byte("ref-" + division), State: "filed", NextRole: healthcode.RoleDistrict,
		Deadline: when.Add(72 * time.Hour)}
}

func workflowPerson(t *testing.T, s healthcode.Store, n int) int64 {
	t.Helper()
	a := mustAccount(t, s, "1370000000"+string(rune('0'+n)))
	return mustPerson(t, s, newPerson(a.ID, healthcode.RelationSelf, 700+n)).ID
}

func testWorkflowsRoundTrip(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	p := workflowPerson(t, s, 1)
	w := appealOf(p, "330106", at)
	att := &healthcode.Attachment{AttachmentMeta: healthcode.AttachmentMeta{Filename: "a.pdf", ContentType: "application/pdf",
		Size: 6, SHA256: []byte("sum")}, Data: []byte("%PDF-1")}
	update(t, s, func(tx healthcode.Tx) error { return tx.CreateWorkflow(ctx, w, att) })
	got, err := s.Workflow(ctx, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != w.Kind || got.PersonID != p || got.Form != w.Form || !got.OpenedAt.Equal(at) || !bytes.Equal(got.LogRef, w.LogRef) ||
		got.State != "filed" || got.NextRole != healthcode.RoleDistrict || !got.Deadline.Equal(w.Deadline) || !got.Open() ||
		got.Attachment == nil || got.Attachment.Filename != "a.pdf" || got.Attachment.Size != 6 {
		t.Errorf("got %+v, want %+v", got, w)
	}
	a, err := s.WorkflowAttachment(ctx, w.ID)
	if err != nil || !bytes.Equal(a.Data, att.Data) || a.ContentType != "application/pdf" {
		t.Errorf("attachment %+v, %v", a, err)
	}
	_, err = s.Workflow(ctx, w.ID+100)
	wantCode(t, err, healthcode.ENOTFOUND)
	_, err = s.WorkflowAttachment(ctx, w.ID+100)
	wantCode(t, err, healthcode.ENOTFOUND)

	step := &healthcode.WorkflowStep{Seq: 1, Action: "uphold", ActorRole: healthcode.RoleDistrict, Actor: "official:7",
		At: at.Add(time.Hour), Note: "属实", Colour: healthcode.Green}
	w.State, w.NextRole = "proposed", healthcode.RoleDistrict
	update(t, s, func(tx healthcode.Tx) error { return tx.AppendWorkflowStep(ctx, w, step) })
	steps, err := s.WorkflowSteps(ctx, w.ID)
	if err != nil || len(steps) != 1 || steps[0] != (healthcode.WorkflowStep{WorkflowID: w.ID, Seq: 1, Action: "uphold",
		ActorRole: healthcode.RoleDistrict, Actor: "official:7", At: at.Add(time.Hour), Note: "属实", Colour: healthcode.Green}) {
		t.Errorf("steps %+v, %v", steps, err)
	}
	got, _ = s.Workflow(ctx, w.ID)
	if got.State != "proposed" || got.Seq != 1 {
		t.Errorf("after a step: %+v", got)
	}
	// The same step again is another official's too late.
	err = s.Update(ctx, func(tx healthcode.Tx) error { return tx.AppendWorkflowStep(ctx, w, step) })
	wantCode(t, err, healthcode.ECONFLICT)
	w.State, w.NextRole, w.Outcome, w.ClosedAt = "applied", "", healthcode.Green, at.Add(2*time.Hour)
	update(t, s, func(tx healthcode.Tx) error {
		return tx.AppendWorkflowStep(ctx, w, &healthcode.WorkflowStep{Seq: 2, Action: "approve", ActorRole: healthcode.RoleDistrict,
			Actor: "official:8", At: at.Add(2 * time.Hour)})
	})
	got, _ = s.Workflow(ctx, w.ID)
	if got.Open() || got.Outcome != healthcode.Green || got.NextRole != "" {
		t.Errorf("closed: %+v", got)
	}
	if steps, _ := s.WorkflowSteps(ctx, w.ID+100); len(steps) != 0 {
		t.Errorf("steps of no workflow: %v", steps)
	}
}

func testOneOpenWorkflowOfAKindPerPerson(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	p := workflowPerson(t, s, 2)
	first := appealOf(p, "330106", at)
	update(t, s, func(tx healthcode.Tx) error { return tx.CreateWorkflow(ctx, first, nil) })
	err := s.Update(ctx, func(tx healthcode.Tx) error { return tx.CreateWorkflow(ctx, appealOf(p, "330106", at), nil) })
	wantCode(t, err, healthcode.ECONFLICT)
	// Another kind may be open beside it, but only one of that kind too; a
	// closed appeal leaves room for one.
	ec := appealOf(p, "330106", at)
	ec.Kind = healthcode.WorkflowErrorCorrection
	update(t, s, func(tx healthcode.Tx) error { return tx.CreateWorkflow(ctx, ec, nil) })
	second := appealOf(p, "330106", at)
	second.Kind = healthcode.WorkflowErrorCorrection
	err = s.Update(ctx, func(tx healthcode.Tx) error { return tx.CreateWorkflow(ctx, second, nil) })
	wantCode(t, err, healthcode.ECONFLICT)
	first.State, first.NextRole, first.ClosedAt = "rejected", "", at.Add(time.Hour)
	update(t, s, func(tx healthcode.Tx) error {
		return tx.AppendWorkflowStep(ctx, first, &healthcode.WorkflowStep{Seq: 1, Action: "reject",
			ActorRole: healthcode.RoleDistrict, Actor: "official:1", At: at.Add(time.Hour), Note: "no"})
	})
	update(t, s, func(tx healthcode.Tx) error {
		return tx.CreateWorkflow(ctx, appealOf(p, "330106", at.Add(2*time.Hour)), nil)
	})
	ws, err := s.WorkflowsOf(ctx, p)
	if err != nil || len(ws) != 3 || ws[0].ID < ws[2].ID {
		t.Errorf("workflows of the person, newest first: %+v, %v", ws, err)
	}
	if ws, _ := s.WorkflowsOf(ctx, p+100); len(ws) != 0 {
		t.Errorf("workflows of nobody: %v", ws)
	}
}

func testWorkQueue(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	p := workflowPerson(t, s, 3)
	late := appealOf(p, "330106", at.Add(time.Hour))
	early := appealOf(p, "330106001", at)
	early.Kind = healthcode.WorkflowErrorCorrection
	street := appealOf(p, "330106001", at)
	street.Kind, street.NextRole = healthcode.WorkflowHomeRelease, healthcode.RoleStreet
	far := appealOf(workflowPerson(t, s, 9), "440106", at) // one open workflow of a kind per person
	far.Kind = healthcode.WorkflowErrorCorrection
	for _, w := range []*healthcode.Workflow{late, early, street, far} {
		update(t, s, func(tx healthcode.Tx) error { return tx.CreateWorkflow(ctx, w, nil) })
	}
	tests := []struct {
		prefix string
		roles  []healthcode.Role
		want   []int64
	}{
		{"3301", []healthcode.Role{healthcode.RoleDistrict}, []int64{early.ID, late.ID}},
		{"330106001", []healthcode.Role{healthcode.RoleDistrict, healthcode.RoleStreet}, []int64{early.ID, street.ID}},
		{"44", []healthcode.Role{healthcode.RoleDistrict}, []int64{far.ID}},
		{"3301", []healthcode.Role{healthcode.RoleCommunity}, nil},
		{"3301", nil, nil},
	}
	for _, tt := range tests {
		ws, err := s.WorkQueue(ctx, tt.prefix, tt.roles, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, w := range ws {
			got = append(got, w.ID)
		}
		if len(got) != len(tt.want) || (len(got) > 0 && (got[0] != tt.want[0] || got[len(got)-1] != tt.want[len(tt.want)-1])) {
			t.Errorf("queue %s %v = %v, want %v", tt.prefix, tt.roles, got, tt.want)
		}
	}
	if ws, _ := s.WorkQueue(ctx, "3301", []healthcode.Role{healthcode.RoleDistrict}, 1); len(ws) != 1 {
		t.Errorf("limit 1 gave %d", len(ws))
	}
}

// testWorkflowStepRace: of two transactions taking step 1 of one workflow
// at once, exactly one succeeds and the other is an ECONFLICT.
func testWorkflowStepRace(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	p := workflowPerson(t, s, 4)
	w := appealOf(p, "330106", at)
	update(t, s, func(tx healthcode.Tx) error { return tx.CreateWorkflow(ctx, w, nil) })
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := *w
			c.State = "rejected"
			errs[i] = s.Update(ctx, func(tx healthcode.Tx) error {
				return tx.AppendWorkflowStep(ctx, &c, &healthcode.WorkflowStep{Seq: 1, Action: "reject",
					ActorRole: healthcode.RoleDistrict, Actor: "official:" + string(rune('1'+i)), At: at, Note: "x"})
			})
		}()
	}
	wg.Wait()
	codes := map[string]int{}
	for _, err := range errs {
		codes[healthcode.ErrorCode(err)]++
	}
	if codes[""] != 1 || codes[healthcode.ECONFLICT] != 1 {
		t.Errorf("outcomes %v (%v), want one success and one conflict", codes, errs)
	}
}
