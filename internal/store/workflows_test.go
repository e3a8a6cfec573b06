package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/store"
)

// TestFiledWorkflowsCannotBeEdited: the schema itself keeps what was filed
// (an appeal's reason, its attachment) and the steps taken as they were,
// on both dialects, whatever statement tries; the state may still move.
func TestFiledWorkflowsCannotBeEdited(t *testing.T) {
	tests := []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}}
	refused := map[string]string{
		`UPDATE workflows SET form = '{"reason":"changed after filing"}'`: "cannot be changed",
		`UPDATE workflows SET person_id = person_id + 1`:                  "cannot be changed",
		`UPDATE workflows SET opened_at = deadline`:                       "cannot be changed",
		`DELETE FROM workflows`:                                           "cannot be changed",
		`UPDATE workflow_attachments SET size = size + 1`:                 "cannot be changed",
		`DELETE FROM workflow_attachments`:                                "cannot be changed",
		`UPDATE workflow_steps SET note = 'rewritten'`:                    "append-only",
		`DELETE FROM workflow_steps`:                                      "append-only",
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := tt.open(t)
			ctx := context.Background()
			now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
			w := &healthcode.Workflow{Kind: healthcode.WorkflowAppeal, Division: "330106",
				Form: healthcode.WorkflowForm{Reason: "我没有去过高风险地区"}, OpenedBy: "account:1", OpenedRole: healthcode.RoleCitizen,
				OpenedAt: now, LogRef: []byte("r"), State: "filed", NextRole: healthcode.RoleDistrict, Deadline: now.Add(time.Hour)}
			att := &healthcode.Attachment{AttachmentMeta: healthcode.AttachmentMeta{Filename: "a.pdf", ContentType: "application/pdf",
				Size: 5, SHA256: []byte("s")}, Data: []byte("%PDF-")}
			err := db.Update(ctx, func(tx healthcode.Tx) error {
				a := &healthcode.Account{PhoneHash: []byte("p"), PhoneSealed: []byte("s"), CreatedAt: now}
				if err := tx.CreateAccount(ctx, a); err != nil {
					return err
				}
				p := &healthcode.Person{OwnerID: a.ID, Relation: healthcode.RelationSelf, DocType: healthcode.DocResidentID,
					IDHash: []byte("i"), IDSealed: []byte("s"), NameSealed: []byte("n"), NameMasked: "张*", IDTail: "0001",
					PhoneHash: []byte("ph"), PhoneSealed: []byte("ps"), Region: "330106", CodeID: []byte("c"), CreatedAt: now, UpdatedAt: now}
				if err := tx.CreatePerson(ctx, p); err != nil {
					return err
				}
				w.PersonID = p.ID
				if err := tx.CreateWorkflow(ctx, w, att); err != nil {
					return err
				}
				w.State = "proposed"
				return tx.AppendWorkflowStep(ctx, w, &healthcode.WorkflowStep{Seq: 1, Action: "uphold",
					ActorRole: healthcode.RoleDistrict, Actor: "official:1", At: now, Colour: healthcode.Green})
			})
			if err != nil {
				t.Fatal(err)
			}
			for stmt, want := range refused {
				err := db.Update(ctx, func(tx healthcode.Tx) error { return store.Exec(ctx, tx, stmt) })
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("%s: got %v, want %q", stmt, err, want)
				}
			}
			if tt.name == "postgres" {
				for _, table := range []string{"workflows", "workflow_steps", "workflow_attachments"} {
					err := db.Update(ctx, func(tx healthcode.Tx) error { return store.Exec(ctx, tx, "TRUNCATE "+table+" CASCADE") })
					if err == nil {
						t.Errorf("TRUNCATE %s went through", table)
					}
				}
			}
			// The steps' columns still move.
			err = db.Update(ctx, func(tx healthcode.Tx) error {
				return store.Exec(ctx, tx, `UPDATE workflows SET state = 'filed', seq = 1, next_role = 'district'`)
			})
			if err != nil {
				t.Errorf("moving the state: %v", err)
			}
		})
	}
}
