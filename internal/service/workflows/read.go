package workflows

import (
	"context"

	"healthcode"
	"healthcode/internal/permission"
	"healthcode/internal/service/core"
	"healthcode/internal/workflow"
)

// QueueLimit bounds a work queue's length: an official works from the
// top, overdue first.
const QueueLimit = 200

// WorkQueue lists the open workflows in the caller's scope whose next step
// the caller's role takes, the overdue first, then by deadline (the store's
// order by deadline is both). Errors: EUNAUTHORIZED, EFORBIDDEN for anyone
// but an official who may see persons.
func (s *Workflows) WorkQueue(ctx context.Context, who *healthcode.Principal) ([]View, error) {
	if err := official(who); err != nil {
		return nil, err
	}
	ws, err := s.store.WorkQueue(ctx, healthcode.RegionPrefix(who.Region), []healthcode.Role{who.Role}, QueueLimit)
	if err != nil {
		return nil, err
	}
	now := s.core.Clock()
	out := make([]View, 0, len(ws))
	for i := range ws {
		w := &ws[i]
		if !healthcode.RegionWithin(w.Division, who.Region) { // what the prefix means, checked by the hierarchy
			continue
		}
		var steps []healthcode.WorkflowStep
		if secondEyes(w) { // whether the caller may take it depends on who took the steps before
			if steps, err = s.store.WorkflowSteps(ctx, w.ID); err != nil {
				return nil, err
			}
		}
		v := view(w, steps, who, now)
		v.Steps = nil
		if err := s.brief(ctx, v); err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, nil
}

// secondEyes reports a workflow waiting for a step that must be another
// official's than an earlier one's.
func secondEyes(w *healthcode.Workflow) bool {
	for _, st := range workflow.Steps(w.Kind, w.State) {
		if st.Distinct != "" {
			return true
		}
	}
	return false
}

// Workflow returns a workflow with its steps, to an official whose scope
// covers its person and to the citizen who manages the person. Errors:
// ENOTFOUND for no such workflow and for anyone else's.
func (s *Workflows) Workflow(ctx context.Context, who *healthcode.Principal, id int64) (*View, error) {
	w, steps, err := readWorkflow(ctx, s.store, id)
	if err != nil {
		return nil, err
	}
	if err := s.mayRead(ctx, who, w); err != nil {
		return nil, err
	}
	v := view(w, steps, who, s.core.Clock())
	if who.OfficialID != 0 {
		if err := s.brief(ctx, v); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// PersonWorkflows lists every workflow about a person, newest first and
// without their steps, to an official whose scope covers the person: the
// open workflows on their file. Errors: EUNAUTHORIZED, EFORBIDDEN for
// anyone but an official who may see persons, and for a person outside
// their scope; ENOTFOUND for no such person.
func (s *Workflows) PersonWorkflows(ctx context.Context, who *healthcode.Principal, personID int64) ([]View, error) {
	if err := official(who); err != nil {
		return nil, err
	}
	p, err := s.store.Person(ctx, personID)
	if err := core.OutOfScope(p, who, permission.ViewPersons, personID, err); err != nil {
		return nil, err
	}
	ws, err := s.store.WorkflowsOf(ctx, personID)
	if err != nil {
		return nil, err
	}
	now := s.core.Clock()
	out := make([]View, len(ws))
	for i := range ws {
		v := view(&ws[i], nil, who, now)
		v.Steps, v.Person = nil, &PersonBrief{Name: p.NameMasked, IDTail: p.IDTail}
		out[i] = *v
	}
	return out, nil
}

// Appeals lists the appeals about a person the caller manages, newest
// first, with their steps (a rejection's note is the answer). Errors as
// core.Owned.
func (s *Workflows) Appeals(ctx context.Context, who *healthcode.Principal, personID int64) ([]View, error) {
	if _, err := s.core.Owned(ctx, who, personID); err != nil {
		return nil, err
	}
	ws, err := s.store.WorkflowsOf(ctx, personID)
	if err != nil {
		return nil, err
	}
	now := s.core.Clock()
	out := []View{}
	for i := range ws {
		if ws[i].Kind != healthcode.WorkflowAppeal {
			continue
		}
		steps, err := s.store.WorkflowSteps(ctx, ws[i].ID)
		if err != nil {
			return nil, err
		}
		out = append(out, *view(&ws[i], steps, who, now))
	}
	return out, nil
}

// WorkflowAttachment returns the file filed with a workflow, to whoever
// may read the workflow. Errors: ENOTFOUND as Workflow, and for a
// workflow filed without one.
func (s *Workflows) WorkflowAttachment(ctx context.Context, who *healthcode.Principal, id int64) (*healthcode.Attachment, error) {
	w, err := s.store.Workflow(ctx, id)
	if healthcode.ErrorCode(err) == healthcode.ENOTFOUND {
		return nil, healthcode.Errorf(healthcode.ENOTFOUND, "Workflow %d not found.", id)
	} else if err != nil {
		return nil, err
	}
	if err := s.mayRead(ctx, who, w); err != nil {
		return nil, err
	}
	a, err := s.store.WorkflowAttachment(ctx, id)
	if healthcode.ErrorCode(err) == healthcode.ENOTFOUND {
		return nil, healthcode.Errorf(healthcode.ENOTFOUND, "Workflow %d has no attachment.", id)
	}
	return a, err
}

// mayRead refuses, as not found so that ids cannot be probed, a reader who
// is neither an official whose scope covers the person nor the citizen
// who manages them.
func (s *Workflows) mayRead(ctx context.Context, who *healthcode.Principal, w *healthcode.Workflow) error {
	if permission.Can(who, permission.ViewPersons, w.Division) {
		return nil
	}
	if permission.Can(who, permission.ManagePersons, "") {
		p, err := s.store.Person(ctx, w.PersonID)
		if err == nil && p.OwnerID == who.AccountID {
			return nil
		} else if err != nil && healthcode.ErrorCode(err) != healthcode.ENOTFOUND {
			return err
		}
	}
	return healthcode.Errorf(healthcode.ENOTFOUND, "Workflow %d not found.", w.ID)
}

// official refuses anyone but an official who may see persons in scope.
func official(who *healthcode.Principal) error {
	if who == nil {
		return healthcode.Errorf(healthcode.EUNAUTHORIZED, "Log in first: send Authorization: Bearer <token>.")
	}
	if who.OfficialID == 0 || !permission.Can(who, permission.ViewPersons, "") {
		return healthcode.Errorf(healthcode.EFORBIDDEN, "This needs the permission %s, which a %s does not have.",
			permission.ViewPersons, who.Role)
	}
	return nil
}
