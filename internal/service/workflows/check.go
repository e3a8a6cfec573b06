package workflows

import (
	"context"
	"time"

	"healthcode"
	"healthcode/internal/permission"
	"healthcode/internal/workflow"
	"healthcode/policy"
)

// check runs what a step needs of the person's facts beyond the workflow's
// own data: a transfer must be one this region may make, and an error
// correction's transfer needs its negative test. The workflow keeps the
// division of its filing, but a colour is decided only by officials
// whose scope covers where the person lives now: one who moved away is
// no longer theirs to transfer.
func (s *Workflows) check(ctx context.Context, tx healthcode.Tx, who *healthcode.Principal, w *healthcode.Workflow,
	st *workflow.Step, step *healthcode.WorkflowStep, steps []healthcode.WorkflowStep, now time.Time) error {
	if st.Checks == workflow.CheckNone && !st.Applies {
		return nil
	}
	p, err := tx.LockPerson(ctx, w.PersonID)
	if err != nil {
		return err
	}
	if !permission.Can(who, st.Perm, p.Division()) {
		return healthcode.Errorf(healthcode.EFORBIDDEN, "The person of workflow %d lives in %s, outside your scope %s.",
			w.ID, p.Division(), who.Region)
	}
	facts, err := tx.Facts(ctx, p.ID)
	if err != nil {
		return err
	}
	if w.Kind == healthcode.WorkflowErrorCorrection {
		if err := negativeTest(w, steps, facts, now); err != nil {
			return err
		}
	}
	return authority(s.policies.For(p.Region), facts, step.Colour, now)
}

// authority refuses a transfer to colour that would not take: the
// person's colour is held by the region that assigned it (the issuing
// region's authority lock, seed 003), which only that region may lift.
// It asks the policy itself, with the transfer added, so that it refuses
// exactly what the policy would ignore.
func authority(pol policy.Policy, facts []healthcode.Fact, colour healthcode.Color, now time.Time) error {
	with := append(facts[:len(facts):len(facts)], healthcode.Fact{Kind: healthcode.FactTransfer, At: now, RecordedAt: now,
		Transfer: &healthcode.TransferFact{To: colour}})
	st := pol.Evaluate(with, now)
	if st.Category != "authority-lock" {
		return nil
	}
	region := ""
	for _, n := range st.Needs {
		if n.Kind == healthcode.NeedRegion {
			region = n.Setting
		}
	}
	return healthcode.Errorf(healthcode.EFORBIDDEN,
		"Region %s assigned this person's colour, and only it may change it (the issuing region's authority): this region cannot transfer it.", region)
}

// negativeTest refuses an error correction's transfer without the
// negative result it rests on: for a wrong colour, one sampled after the
// community organised the test; for wrong identity or phone data, one
// sampled within the last DataWithin (seed 003 Q7).
func negativeTest(w *healthcode.Workflow, steps []healthcode.WorkflowStep, facts []healthcode.Fact, now time.Time) error {
	after := now.Add(-DataWithin)
	if w.Form.Variant == healthcode.VariantWrongColour {
		after = time.Time{}
		for _, s := range steps {
			if s.Action == workflow.ActTest {
				after = s.At
			}
		}
	}
	for _, f := range facts {
		if t := f.Test; t != nil && t.Result == healthcode.TestNegative && !f.At.After(now) && !t.Sampled.Before(after) &&
			!t.Sampled.After(now) {
			return nil
		}
	}
	if w.Form.Variant == healthcode.VariantWrongData {
		return healthcode.Errorf(healthcode.ECONFLICT,
			"No negative nucleic-acid result sampled within the last %d hours: wrong identity or phone data is corrected only on one.",
			int(DataWithin.Hours()))
	}
	return healthcode.Errorf(healthcode.ECONFLICT,
		"No negative nucleic-acid result sampled since the community organised the test at %s: the code is transferred only on one.",
		after.In(policy.ChinaTime).Format("2006-01-02 15:04"))
}
