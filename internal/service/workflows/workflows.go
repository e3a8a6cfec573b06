// Package workflows is the human half of the code (SPEC D1–D4): citizens
// file appeals and error corrections, officials pass them along the chain
// community → street → district, and a colour changes only when a second
// official approves the transfer another proposed. The steps and who may
// take them are internal/workflow's data; this package checks them in a
// transaction with the person locked, writes every step to the public
// log, and adds the approved transfer as a fact evaluated through the
// core in the same transaction, so history and log land with it.
package workflows

import (
	"context"
	"crypto/rand"
	"log/slog"
	"time"

	"healthcode"
	"healthcode/internal/service/core"
	"healthcode/internal/workflow"
	"healthcode/policy"
)

// DefaultAnswerWithin is how long the district has to answer an appeal or
// an error correction unless configured otherwise.
const DefaultAnswerWithin = 72 * time.Hour

// Store is what workflows read and write.
type Store interface {
	healthcode.WorkflowReader
	Person(ctx context.Context, id int64) (*healthcode.Person, error)
	Update(ctx context.Context, fn func(healthcode.Tx) error) error
}

// Workflows files and moves workflows. It is safe for concurrent use.
type Workflows struct {
	store        Store
	core         *core.Core
	policies     policy.Chooser
	answerWithin time.Duration
	log          *slog.Logger
}

// New returns Workflows on store, evaluating with c under policies; the
// district answers within answerWithin (0: DefaultAnswerWithin).
func New(store Store, c *core.Core, policies policy.Chooser, answerWithin time.Duration, log *slog.Logger) *Workflows {
	if answerWithin <= 0 {
		answerWithin = DefaultAnswerWithin
	}
	return &Workflows{store: store, core: c, policies: policies, answerWithin: answerWithin, log: log}
}

// View is a workflow as its readers see it: with its steps, whether it is
// overdue, and the steps the reader may take now.
type View struct {
	healthcode.Workflow
	// Person is the person as officials' lists show them, masked; nil
	// where the reader is the citizen who manages them.
	Person  *PersonBrief              `json:"person,omitempty"`
	Overdue bool                      `json:"overdue"`
	Steps   []healthcode.WorkflowStep `json:"steps"`
	Actions []string                  `json:"actions"`
}

// PersonBrief is a person masked, as a work queue's row names them.
type PersonBrief struct {
	Name   string `json:"name"`    // masked: 张*三
	IDTail string `json:"id_tail"` // the document number's last four characters
}

// brief is the masked person of v, read from the store.
func (s *Workflows) brief(ctx context.Context, v *View) error {
	p, err := s.store.Person(ctx, v.PersonID)
	if err != nil {
		return err
	}
	v.Person = &PersonBrief{Name: p.NameMasked, IDTail: p.IDTail}
	return nil
}

// view makes the View of w for who at now.
func view(w *healthcode.Workflow, steps []healthcode.WorkflowStep, who *healthcode.Principal, now time.Time) *View {
	v := &View{Workflow: *w, Overdue: workflow.Overdue(w, now), Steps: steps, Actions: []string{}}
	if v.Steps == nil {
		v.Steps = []healthcode.WorkflowStep{}
	}
	for _, st := range workflow.Steps(w.Kind, w.State) {
		if _, err := workflow.Next(w, steps, st.Action, who); err == nil {
			v.Actions = append(v.Actions, st.Action)
		}
	}
	return v
}

// open fills in what every new workflow has.
func (s *Workflows) open(w *healthcode.Workflow, who *healthcode.Principal, state string, now time.Time) {
	w.OpenedBy, w.OpenedRole, w.OpenedAt = who.Author(), who.Role, now
	w.State, w.NextRole = state, workflow.NextRole(w.Kind, state)
	w.Deadline = workflow.Deadline(w.Kind, now, s.answerWithin, policy.ChinaTime)
	w.LogRef = make([]byte, 16)
	rand.Read(w.LogRef) // never fails: crypto/rand aborts the program instead
}

// logOf is the public log's entry of a step: the author by role and
// official id only, never a citizen's account.
func logOf(w *healthcode.Workflow, s *healthcode.WorkflowStep, who *healthcode.Principal) *healthcode.LogEntry {
	return healthcode.LogOfStep(w, s, healthcode.LogAuthor{Role: who.Role, Official: who.OfficialID})
}
