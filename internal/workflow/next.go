package workflow

import (
	"strings"

	"healthcode"
	"healthcode/internal/permission"
)

// Proposer, as a Step's Distinct, is whoever proposed the transfer the
// step approves.
const Proposer = "proposer"

// Start is the state a workflow of kind k opens in when who files it for a
// person in division. Errors: EINVALID for an unknown kind, EFORBIDDEN for
// a filer who may not open it there.
func Start(k healthcode.WorkflowKind, who *healthcode.Principal, division string) (string, error) {
	kd, ok := kinds[k]
	if !ok {
		return "", healthcode.Errorf(healthcode.EINVALID, "No workflow kind %q: the kinds are %s.", k, kindNames())
	}
	first, ok := "", false
	if who != nil {
		first, ok = kd.first[who.Role]
	}
	perm := kd.perm
	if who != nil && who.Role == healthcode.RoleCitizen {
		perm = permission.FileAppeals // citizens file for their own person, checked by the service
	}
	if !ok || !permission.Can(who, perm, division) {
		return "", healthcode.Errorf(healthcode.EFORBIDDEN, "%s cannot file %s for a person in %s.", roleName(roleOf(who)), kindName(k), division)
	}
	return first, nil
}

// Next returns the step action of a workflow whose steps so far are steps,
// if who may take it now. Errors: ECONFLICT when the workflow is closed
// or the action is not a step of its state; EFORBIDDEN when the step is
// another role's, when the person is outside who's scope, and when who
// took the earlier step the step must be a second pair of eyes on.
func Next(w *healthcode.Workflow, steps []healthcode.WorkflowStep, action string, who *healthcode.Principal) (*Step, error) {
	if Closed(w.State) {
		return nil, healthcode.Errorf(healthcode.ECONFLICT, "Workflow %d is closed (%s): it takes no more steps.", w.ID, stateName(w.State))
	}
	offered := Steps(w.Kind, w.State)
	var st *Step
	for i := range offered {
		if offered[i].Action == action {
			st = &offered[i]
		}
	}
	if st == nil {
		return nil, healthcode.Errorf(healthcode.ECONFLICT, "Workflow %d is %s, where %q is no step; the steps are %s.",
			w.ID, stateName(w.State), action, actionNames(offered))
	}
	if who == nil || who.Role != st.Role {
		return nil, healthcode.Errorf(healthcode.EFORBIDDEN, "The step %q of %s is for %s to take, not %s.",
			action, kindName(w.Kind), roleName(st.Role), roleName(roleOf(who)))
	}
	if !permission.Can(who, st.Perm, w.Division) {
		return nil, healthcode.Errorf(healthcode.EFORBIDDEN, "The person of workflow %d lives in %s, outside your scope %s.",
			w.ID, w.Division, who.Region)
	}
	if st.Distinct != "" {
		if prev := lastBy(steps, st.Distinct); prev != nil && prev.Actor == who.Author() {
			return nil, healthcode.Errorf(healthcode.EFORBIDDEN,
				"You took the step %q of this workflow yourself: a second official must %s it.", prev.Action, action)
		}
	}
	return st, nil
}

// Proposal is the step that proposed the transfer now waiting for
// approval: the latest one naming a colour; nil when none did.
func Proposal(steps []healthcode.WorkflowStep) *healthcode.WorkflowStep {
	return lastBy(steps, Proposer)
}

// lastBy is the latest step of action (Proposer: the latest proposal).
func lastBy(steps []healthcode.WorkflowStep, action string) *healthcode.WorkflowStep {
	for i := len(steps) - 1; i >= 0; i-- {
		s := &steps[i]
		if (action == Proposer && s.Colour != 0 && s.Action != ActApprove) || s.Action == action {
			return s
		}
	}
	return nil
}

func roleOf(who *healthcode.Principal) healthcode.Role {
	if who == nil {
		return "anonymous"
	}
	return who.Role
}

func actionNames(steps []Step) string {
	names := make([]string, len(steps))
	for i, s := range steps {
		names[i] = s.Action
	}
	return strings.Join(names, ", ")
}

func kindNames() string {
	var names []string
	for _, k := range Kinds() {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ")
}

// roleNames and workflowNames are roles and kinds as refusals name them, in
// the reader's language.
var (
	roleNames = map[healthcode.Role]*healthcode.Msg{
		healthcode.RoleCitizen:   healthcode.M("a citizen"),
		healthcode.RoleCommunity: healthcode.M("a community officer"),
		healthcode.RoleStreet:    healthcode.M("a street officer"),
		healthcode.RoleDistrict:  healthcode.M("a district officer"),
		healthcode.RoleIsolation: healthcode.M("an isolation-point officer"),
		healthcode.RoleAuditor:   healthcode.M("an auditor"),
		"anonymous":              healthcode.M("someone not logged in"),
	}
	workflowNames = map[healthcode.WorkflowKind]*healthcode.Msg{
		healthcode.WorkflowAppeal:          healthcode.M("an appeal"),
		healthcode.WorkflowHomeRelease:     healthcode.M("a release from home isolation"),
		healthcode.WorkflowErrorCorrection: healthcode.M("an error correction"),
	}
)

// stateNames are the states as refusals name them; a state's API name
// stays in the view's state field.
var stateNames = map[string]*healthcode.Msg{
	"filed":     healthcode.M("filed, awaiting its first answer"),
	"returned":  healthcode.M("returned for changes"),
	"accepted":  healthcode.M("accepted by the community"),
	"reviewed":  healthcode.M("reviewed by the street"),
	"commanded": healthcode.M("decided on by the district command"),
	"audited":   healthcode.M("audited by the district prevention team"),
	"testing":   healthcode.M("waiting for a negative nucleic-acid result"),
	"proposed":  healthcode.M("a proposed transfer awaiting a second officer"),
	Applied:     healthcode.M("applied"),
	Rejected:    healthcode.M("rejected"),
}

func stateName(state string) *healthcode.Msg {
	if m, ok := stateNames[state]; ok {
		return m
	}
	return healthcode.M("in state %s", state)
}

func roleName(r healthcode.Role) *healthcode.Msg {
	if m, ok := roleNames[r]; ok {
		return m
	}
	return healthcode.M("a principal of role %s", r)
}

func kindName(k healthcode.WorkflowKind) *healthcode.Msg {
	if m, ok := workflowNames[k]; ok {
		return m
	}
	return healthcode.M("a workflow of kind %s", k)
}
