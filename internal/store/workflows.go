package store

import (
	"context"
	"fmt"

	"healthcode"
)

const workflowColumns = `w.id, w.kind, w.person_id, w.division, w.form, w.opened_by, w.opened_role, w.opened_at, w.log_ref,
	w.state, w.next_role, w.deadline, w.seq, w.outcome, w.closed_at,
	a.filename, a.content_type, a.size, a.sha256`

const workflowFrom = ` FROM workflows w LEFT JOIN workflow_attachments a ON a.workflow_id = w.id `

func scanWorkflow(d *dialect, row scanner) (healthcode.Workflow, error) {
	var w healthcode.Workflow
	var form string
	var outcome int64
	var filename, ctype *string
	var size *int64
	var sum []byte
	err := row.Scan(&w.ID, &w.Kind, &w.PersonID, &w.Division, &form, &w.OpenedBy, &w.OpenedRole, timeCol{&w.OpenedAt},
		&w.LogRef, &w.State, &w.NextRole, timeCol{&w.Deadline}, &w.Seq, &outcome, timeCol{&w.ClosedAt},
		&filename, &ctype, &size, &sum)
	if err != nil {
		return w, translate(d, err)
	}
	w.Outcome = healthcode.Color(outcome)
	if filename != nil {
		w.Attachment = &healthcode.AttachmentMeta{Filename: *filename, ContentType: *ctype, Size: int(*size), SHA256: sum}
	}
	return w, w.UnmarshalForm([]byte(form))
}

func (r reader) Workflow(ctx context.Context, id int64) (*healthcode.Workflow, error) {
	w, err := scanWorkflow(r.d, r.queryRow(ctx, `SELECT `+workflowColumns+workflowFrom+`WHERE w.id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("workflow %d: %w", id, err)
	}
	return &w, nil
}

func (r reader) workflows(ctx context.Context, what, query string, args ...any) ([]healthcode.Workflow, error) {
	rows, err := r.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, translate(r.d, err))
	}
	ws, err := collect(r.d, rows, func(row scanner) (healthcode.Workflow, error) { return scanWorkflow(r.d, row) })
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return ws, nil
}

func (r reader) WorkflowsOf(ctx context.Context, personID int64) ([]healthcode.Workflow, error) {
	return r.workflows(ctx, "workflows of person", `SELECT `+workflowColumns+workflowFrom+
		`WHERE w.person_id = $1 ORDER BY w.id DESC`, personID)
}

func (r reader) WorkQueue(ctx context.Context, prefix string, roles []healthcode.Role, limit int) ([]healthcode.Workflow, error) {
	if len(roles) == 0 {
		return nil, nil
	}
	names := make([]string, len(roles))
	for i, role := range roles {
		names[i] = string(role)
	}
	return r.workflows(ctx, "work queue", `SELECT `+workflowColumns+workflowFrom+
		`WHERE w.closed_at IS NULL AND `+in(r.d, "w.next_role", "$1")+` AND w.division LIKE $2 || '%'
		ORDER BY w.deadline, w.id LIMIT $3`, r.d.arg(names), prefix, limit)
}

func (r reader) WorkflowSteps(ctx context.Context, workflowID int64) ([]healthcode.WorkflowStep, error) {
	rows, err := r.query(ctx, `SELECT workflow_id, seq, action, actor_role, actor, at, note, colour
		FROM workflow_steps WHERE workflow_id = $1 ORDER BY seq`, workflowID)
	if err != nil {
		return nil, fmt.Errorf("workflow steps: %w", translate(r.d, err))
	}
	steps, err := collect(r.d, rows, func(row scanner) (healthcode.WorkflowStep, error) {
		var s healthcode.WorkflowStep
		var colour int64
		err := row.Scan(&s.WorkflowID, &s.Seq, &s.Action, &s.ActorRole, &s.Actor, timeCol{&s.At}, &s.Note, &colour)
		s.Colour = healthcode.Color(colour)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("workflow steps: %w", err)
	}
	return steps, nil
}

func (r reader) WorkflowAttachment(ctx context.Context, workflowID int64) (*healthcode.Attachment, error) {
	var a healthcode.Attachment
	var size int64
	err := r.queryRow(ctx, `SELECT filename, content_type, size, sha256, data FROM workflow_attachments
		WHERE workflow_id = $1`, workflowID).Scan(&a.Filename, &a.ContentType, &size, &a.SHA256, &a.Data)
	if err != nil {
		return nil, fmt.Errorf("workflow attachment: %w", translate(r.d, err))
	}
	a.Size = int(size)
	return &a, nil
}

func (t *tx) CreateWorkflow(ctx context.Context, w *healthcode.Workflow, a *healthcode.Attachment) error {
	form, err := w.MarshalForm()
	if err != nil {
		return err
	}
	w.ID, err = t.insert(ctx, "create workflow", `INSERT INTO workflows (kind, person_id, division, form, opened_by,
		opened_role, opened_at, log_ref, state, next_role, deadline, seq, outcome, closed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
		string(w.Kind), w.PersonID, w.Division, string(form), w.OpenedBy, string(w.OpenedRole), t.at(w.OpenedAt), w.LogRef,
		w.State, string(w.NextRole), t.null(w.Deadline), w.Seq, int64(w.Outcome), t.null(w.ClosedAt))
	if err != nil || a == nil {
		return err
	}
	_, err = t.exec(ctx, "store attachment", `INSERT INTO workflow_attachments (workflow_id, filename, content_type,
		size, sha256, data) VALUES ($1, $2, $3, $4, $5, $6)`, w.ID, a.Filename, a.ContentType, a.Size, a.SHA256, a.Data)
	if err == nil {
		meta := a.AttachmentMeta
		w.Attachment = &meta
	}
	return err
}

func (t *tx) AppendWorkflowStep(ctx context.Context, w *healthcode.Workflow, s *healthcode.WorkflowStep) error {
	_, err := t.exec(ctx, "workflow step", `INSERT INTO workflow_steps (workflow_id, seq, action, actor_role, actor, at,
		note, colour) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		w.ID, s.Seq, s.Action, string(s.ActorRole), s.Actor, t.at(s.At), s.Note, int64(s.Colour))
	if healthcode.ErrorCode(err) == healthcode.ECONFLICT {
		return healthcode.Errorf(healthcode.ECONFLICT, "The workflow moved on: another official took step %d first; reload it.", s.Seq)
	} else if err != nil {
		return err
	}
	w.Seq = s.Seq
	n, err := t.exec(ctx, "workflow state", `UPDATE workflows SET state = $1, next_role = $2, deadline = $3, seq = $4,
		outcome = $5, closed_at = $6 WHERE id = $7`,
		w.State, string(w.NextRole), t.null(w.Deadline), w.Seq, int64(w.Outcome), t.null(w.ClosedAt), w.ID)
	if err == nil && n == 0 {
		return healthcode.Errorf(healthcode.ENOTFOUND, "Workflow %d not found.", w.ID)
	}
	return err
}
