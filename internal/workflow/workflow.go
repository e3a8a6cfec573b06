// Package workflow holds the officials' workflows (SPEC D1–D4) as data:
// for each kind, its states, the steps each state offers, who may take
// each (role and permission), where it leads and the deadline the whole
// chain keeps. It decides whether a step may be taken (Next) and whether a
// workflow is overdue; it reads no store and no clock, so the service
// decides with it inside its transaction and tests call it directly.
//
// Every workflow that changes a colour ends in four eyes: one official
// proposes a transfer to a colour, and a different official holding
// ApproveTransfers in scope approves it or sends it back. Only the
// approval (Step.Applies) makes the outcome a fact.
package workflow

import (
	"time"

	"healthcode"
	"healthcode/internal/permission"
)

// Step is one step a state offers.
type Step struct {
	Action string
	Role   healthcode.Role       // the only role that takes it
	Perm   permission.Permission // what the taker needs in the workflow's division
	To     string                // the state it leads to
	// Colour: the step proposes (or, approving, applies) a transfer to a
	// colour; Only, when set, is the one colour it may be.
	Colour bool
	Only   healthcode.Color
	// Note: the step must say why (a rejection, a return), for whoever
	// reads it next.
	Note bool
	// Distinct names an earlier action of the workflow whose taker may not
	// take this step: the second pair of eyes.
	Distinct string
	// Applies: taking the step applies the proposed colour.
	Applies bool
	// Checks names what the service checks before the step beyond this
	// package: the person's facts (a negative test) or the authority lock.
	Checks Check
}

// Check is what the service checks before a step, from the person's facts.
type Check int

// Checks.
const (
	CheckNone Check = iota
	// CheckTransfer: the person's colour is not held by another region
	// (the issuing region's authority lock).
	CheckTransfer
	// CheckNegativeTest: CheckTransfer, and a negative test sampled after
	// the test was organised (wrong-colour) or within the last 48 hours
	// (wrong-data).
	CheckNegativeTest
)

// Closing states: a workflow in one takes no step.
const (
	Applied  = "applied"
	Rejected = "rejected"
)

// kind is one workflow kind's data.
type kind struct {
	// first is the state a filing by each role opens the workflow in.
	first map[healthcode.Role]string
	// perm is what filing needs (in the person's division, when
	// regional).
	perm   permission.Permission
	states map[string][]Step
}

// Closed reports whether state ends a workflow.
func Closed(state string) bool { return state == Applied || state == Rejected }

// Kinds lists the workflow kinds, in the order the docs show them.
func Kinds() []healthcode.WorkflowKind {
	return []healthcode.WorkflowKind{healthcode.WorkflowAppeal, healthcode.WorkflowHomeRelease, healthcode.WorkflowErrorCorrection}
}

// Steps lists the steps a state of a kind offers; none for a closing or
// unknown state.
func Steps(k healthcode.WorkflowKind, state string) []Step {
	return kinds[k].states[state]
}

// States lists a kind's states that offer steps, for the docs.
func States(k healthcode.WorkflowKind) map[string][]Step { return kinds[k].states }

// NextRole is the role that takes the next step of a workflow in state:
// "" when the workflow is closed.
func NextRole(k healthcode.WorkflowKind, state string) healthcode.Role {
	if steps := Steps(k, state); len(steps) > 0 {
		return steps[0].Role
	}
	return ""
}

// Deadline is when the whole chain of a workflow filed at opened is due:
// answerWithin after filing for appeals and error corrections, and for a
// release from home isolation 10:00 China time the day after filing, when
// the district passes the day's list on (seed 003).
func Deadline(k healthcode.WorkflowKind, opened time.Time, answerWithin time.Duration, china *time.Location) time.Time {
	if k == healthcode.WorkflowHomeRelease {
		d := opened.In(china)
		return time.Date(d.Year(), d.Month(), d.Day()+1, 10, 0, 0, 0, china).UTC()
	}
	return opened.Add(answerWithin)
}

// Overdue reports whether an open workflow's deadline has passed at now.
func Overdue(w *healthcode.Workflow, now time.Time) bool {
	return w.Open() && !w.Deadline.IsZero() && now.After(w.Deadline)
}
