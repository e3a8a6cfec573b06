package workflows

import (
	"context"

	"healthcode"
	"healthcode/internal/permission"
	"healthcode/internal/service/core"
	"healthcode/internal/workflow"
	"healthcode/policy"
)

// AppealInput is what a citizen files to dispute a code (D1).
type AppealInput struct {
	Reason     string
	Attachment *File // nil: none
}

// File is an attached file as uploaded: its bytes' own type is checked.
type File struct {
	Filename string
	Data     []byte
}

// StartInput opens a workflow other than an appeal.
type StartInput struct {
	Kind     healthcode.WorkflowKind
	PersonID int64
	Form     healthcode.WorkflowForm
}

// FileAppeal files the caller's appeal about a person they manage. It can
// never be changed afterwards. Errors: EUNAUTHORIZED, EFORBIDDEN for
// anyone but a citizen; ENOTFOUND for a person they do not manage;
// EINVALID for a bad reason or attachment; ECONFLICT while the person has
// an appeal open.
func (s *Workflows) FileAppeal(ctx context.Context, who *healthcode.Principal, personID int64, in AppealInput) (*View, error) {
	if err := core.RequireCitizen(who); err != nil {
		return nil, err
	}
	var p healthcode.Problems
	form := workflow.CheckForm(healthcode.WorkflowAppeal, healthcode.WorkflowForm{Reason: in.Reason}, policy.ChinaTime, &p)
	var att *healthcode.Attachment
	if in.Attachment != nil {
		att = workflow.Attach(in.Attachment.Filename, in.Attachment.Data, "attachment", &p)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	w := &healthcode.Workflow{Kind: healthcode.WorkflowAppeal, Form: form}
	err := s.store.Update(ctx, func(tx healthcode.Tx) error {
		person, err := core.LockOwned(ctx, tx, who, personID)
		if err != nil {
			return err
		}
		return s.file(ctx, tx, w, person, who, att)
	})
	if err != nil {
		return nil, err
	}
	return view(w, nil, who, s.core.Clock()), nil
}

// stillOpen refuses a workflow of w's kind while the person has one of
// that kind open: two would each end in a transfer, and officials would
// answer one case twice. The store's unique index holds it against races.
func stillOpen(ctx context.Context, tx healthcode.Tx, w *healthcode.Workflow, personID int64) error {
	ws, err := tx.WorkflowsOf(ctx, personID)
	if err != nil {
		return err
	}
	for _, o := range ws {
		if o.Kind == w.Kind && o.Open() {
			return openConflict(o.Kind, o.ID)
		}
	}
	return nil
}

// openConflict is the refusal of a second open workflow of kind k; id is
// the open one's, 0 when the store's index found it (a race).
func openConflict(k healthcode.WorkflowKind, id int64) error {
	switch {
	case k == healthcode.WorkflowAppeal && id != 0:
		return healthcode.Errorf(healthcode.ECONFLICT, "This person's appeal %d is still open; wait for its answer.", id)
	case k == healthcode.WorkflowAppeal:
		return healthcode.Errorf(healthcode.ECONFLICT, "This person's appeal is still open; wait for its answer.")
	case id != 0:
		return healthcode.Errorf(healthcode.ECONFLICT, "This person's workflow %d of this kind is still open; another can be filed once it ends.", id)
	}
	return healthcode.Errorf(healthcode.ECONFLICT, "This person has a workflow of this kind still open; another can be filed once it ends.")
}

// StartWorkflow files a home release (a community's) or an error
// correction (a community's, or a citizen's for a person they manage).
// Errors: EFORBIDDEN for a filer who may not, or a person outside an
// official's scope; ENOTFOUND for no such person (for a citizen: not
// theirs); EINVALID for a bad form; ECONFLICT while the person has one of
// the kind open.
func (s *Workflows) StartWorkflow(ctx context.Context, who *healthcode.Principal, in StartInput) (*View, error) {
	if who == nil {
		return nil, healthcode.Errorf(healthcode.EUNAUTHORIZED, "Log in first: send Authorization: Bearer <token>.")
	}
	if in.Kind == healthcode.WorkflowAppeal {
		return nil, healthcode.Errorf(healthcode.EINVALID, "Appeals are filed by the citizen who manages the person.")
	}
	var p healthcode.Problems
	form := workflow.CheckForm(in.Kind, in.Form, policy.ChinaTime, &p)
	if err := p.Err(); err != nil {
		return nil, err
	}
	w := &healthcode.Workflow{Kind: in.Kind, Form: form}
	err := s.store.Update(ctx, func(tx healthcode.Tx) error {
		person, err := lockFor(ctx, tx, who, in.PersonID)
		if err != nil {
			return err
		}
		return s.file(ctx, tx, w, person, who, nil)
	})
	if err != nil {
		return nil, err
	}
	return view(w, nil, who, s.core.Clock()), nil
}

// lockFor locks the person a workflow is filed about: a citizen's own, or
// any for an official, whose scope workflow.Start checks.
func lockFor(ctx context.Context, tx healthcode.Tx, who *healthcode.Principal, id int64) (*healthcode.Person, error) {
	if permission.Can(who, permission.ManagePersons, "") {
		return core.LockOwned(ctx, tx, who, id)
	}
	p, err := tx.LockPerson(ctx, id)
	if healthcode.ErrorCode(err) == healthcode.ENOTFOUND {
		return nil, healthcode.Errorf(healthcode.ENOTFOUND, "Person %d not found.", id)
	}
	return p, err
}

// file stores a new workflow about person, and its filing in the log.
func (s *Workflows) file(ctx context.Context, tx healthcode.Tx, w *healthcode.Workflow, person *healthcode.Person,
	who *healthcode.Principal, att *healthcode.Attachment) error {
	state, err := workflow.Start(w.Kind, who, person.Division())
	if err != nil {
		return err
	}
	if err := stillOpen(ctx, tx, w, person.ID); err != nil {
		return err
	}
	w.PersonID, w.Division = person.ID, person.Division()
	s.open(w, who, state, s.core.Clock())
	if err := tx.CreateWorkflow(ctx, w, att); err != nil {
		if healthcode.ErrorCode(err) == healthcode.ECONFLICT {
			return openConflict(w.Kind, 0)
		}
		return err
	}
	filed := &healthcode.WorkflowStep{Seq: 0, Action: "file", ActorRole: who.Role, Actor: who.Author(), At: w.OpenedAt}
	s.log.InfoContext(ctx, "workflow filed", "workflow", w.ID, "kind", w.Kind, "by", who.Author())
	return tx.AppendLog(ctx, logOf(w, filed, who))
}
