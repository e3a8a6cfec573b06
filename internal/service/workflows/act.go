package workflows

import (
	"context"
	"strconv"
	"strings"
	"time"

	"healthcode"
	"healthcode/internal/permission"
	"healthcode/internal/workflow"
)

// StepInput is a step an official takes. Seq is the number of the step
// being taken, one more than the workflow's Seq as the official saw it: a
// workflow that moved on meanwhile refuses the step instead of taking it
// twice.
type StepInput struct {
	Seq    int
	Action string
	Note   string
	Colour string // "green", "yellow", "red": for a step that proposes a transfer
}

// DataWithin is how recent the negative result must be, sampled, that an
// error correction of wrong identity or phone data rests on (seed 003 Q7).
const DataWithin = 48 * time.Hour

// SourceWorkflow is the source of the facts workflows add.
const SourceWorkflow = "workflow"

// Act takes a step of a workflow as the caller. An approval adds the
// transfer fact and evaluates the person in the same transaction.
// Errors: ENOTFOUND for no such workflow; EFORBIDDEN for a step that is
// another role's, a person outside the caller's scope, an approval by the
// proposer, a colour another region holds; ECONFLICT when the workflow
// moved on (another official took the step, or Seq is not the next) or
// waits for another step, or the negative test the step needs is not
// there; EINVALID for a missing note or colour.
func (s *Workflows) Act(ctx context.Context, who *healthcode.Principal, id int64, in StepInput) (*View, error) {
	if who == nil {
		return nil, healthcode.Errorf(healthcode.EUNAUTHORIZED, "Log in first: send Authorization: Bearer <token>.")
	}
	now := s.core.Clock()
	var w *healthcode.Workflow
	var steps []healthcode.WorkflowStep
	err := s.store.Update(ctx, func(tx healthcode.Tx) error {
		var err error
		if w, steps, err = readWorkflow(ctx, tx, id); err != nil {
			return err
		}
		// Scope before the step's number: an official outside it learns
		// nothing of the workflow, not even how far it has gone.
		if !permission.Can(who, permission.ViewPersons, w.Division) {
			return healthcode.Errorf(healthcode.EFORBIDDEN, "Workflow %d is outside your scope %s.", w.ID, who.Region)
		}
		if in.Seq != w.Seq+1 {
			return healthcode.Errorf(healthcode.ECONFLICT, "The workflow moved on: its next step is %d, not %d; reload it.", w.Seq+1, in.Seq)
		}
		st, err := workflow.Next(w, steps, in.Action, who)
		if err != nil {
			return err
		}
		step, err := s.stepOf(st, in, steps, who, now)
		if err != nil {
			return err
		}
		if err := s.check(ctx, tx, who, w, st, step, steps, now); err != nil {
			return err
		}
		w.State, w.NextRole = st.To, workflow.NextRole(w.Kind, st.To)
		if workflow.Closed(st.To) {
			w.ClosedAt = now
		}
		if st.Applies {
			w.Outcome = step.Colour
		}
		if err := tx.AppendWorkflowStep(ctx, w, step); err != nil {
			return err
		}
		if err := tx.AppendLog(ctx, logOf(w, step, who)); err != nil {
			return err
		}
		steps = append(steps, *step)
		if st.Applies {
			return s.transfer(ctx, tx, w, steps, now)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "workflow step", "workflow", id, "action", in.Action, "by", who.Author(), "state", w.State)
	return view(w, steps, who, now), nil
}

// readWorkflow reads a workflow and its steps in tx.
func readWorkflow(ctx context.Context, tx healthcode.WorkflowReader, id int64) (*healthcode.Workflow, []healthcode.WorkflowStep, error) {
	w, err := tx.Workflow(ctx, id)
	if healthcode.ErrorCode(err) == healthcode.ENOTFOUND {
		return nil, nil, healthcode.Errorf(healthcode.ENOTFOUND, "Workflow %d not found.", id)
	} else if err != nil {
		return nil, nil, err
	}
	steps, err := tx.WorkflowSteps(ctx, id)
	return w, steps, err
}

// stepOf is the step record of st taken with in, checking its note and
// colour. An approval carries the colour it approves.
func (s *Workflows) stepOf(st *workflow.Step, in StepInput, steps []healthcode.WorkflowStep, who *healthcode.Principal,
	now time.Time) (*healthcode.WorkflowStep, error) {
	var p healthcode.Problems
	note := strings.TrimSpace(in.Note)
	workflow.CheckNote(note, &p)
	if st.Note && healthcode.Visible(note) == 0 {
		p.Add("note", "is required: say why, for whoever reads it next")
	}
	step := &healthcode.WorkflowStep{Seq: in.Seq, Action: st.Action, ActorRole: who.Role, Actor: who.Author(), At: now, Note: note}
	switch {
	case st.Colour:
		c, err := healthcode.ParseColor(in.Colour)
		if err != nil {
			p.Add("colour", "is required: the colour the transfer proposes, green, yellow or red")
		} else if st.Only != 0 && c != st.Only {
			p.Addf("colour", "must be %s for this step", st.Only)
		}
		step.Colour = c
	case in.Colour != "":
		p.Add("colour", "is only for a step that proposes a transfer")
	case st.Applies:
		if prop := workflow.Proposal(steps); prop != nil {
			step.Colour = prop.Colour
		}
	}
	return step, p.Err()
}

// transfer adds the approved colour as a fact and evaluates the person,
// with history and log, in tx.
func (s *Workflows) transfer(ctx context.Context, tx healthcode.Tx, w *healthcode.Workflow, steps []healthcode.WorkflowStep,
	now time.Time) error {
	p, err := tx.LockPerson(ctx, w.PersonID)
	if err != nil {
		return err
	}
	f := transferFact(w, steps, now)
	if err := tx.AddFact(ctx, f); err != nil {
		return err
	}
	_, err = s.core.Evaluate(ctx, tx, p, now)
	return err
}

// transferFact is the fact an approved transfer adds: the colour, the
// workflow and the roles of the two officials.
func transferFact(w *healthcode.Workflow, steps []healthcode.WorkflowStep, now time.Time) *healthcode.Fact {
	approval := &steps[len(steps)-1]
	t := &healthcode.TransferFact{To: approval.Colour, Workflow: string(w.Kind), Ref: strconv.FormatInt(w.ID, 10),
		ApprovedBy: approval.ActorRole}
	if prop := workflow.Proposal(steps[:len(steps)-1]); prop != nil {
		t.ProposedBy = prop.ActorRole
	}
	return &healthcode.Fact{PersonID: w.PersonID, Kind: healthcode.FactTransfer, At: now, RecordedAt: now,
		Source: SourceWorkflow, SourceRef: "workflow:" + t.Ref, Author: approval.Actor, Transfer: t}
}
