package service_test

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/service"
	"healthcode/policy"
)

// upgradable is the region's pack, replaced while the service runs, as a
// restart with a new binary would.
type upgradable struct{ pack atomic.Pointer[policy.Pack] }

func (u *upgradable) PolicyName() string        { return u.pack.Load().PolicyName() }
func (u *upgradable) Settings() policy.Settings { return u.pack.Load().Settings() }
func (u *upgradable) Evaluate(facts []healthcode.Fact, now time.Time) healthcode.Status {
	return u.pack.Load().Evaluate(facts, now)
}

// A positive result stored while the pack did not colour it: once the new
// version governs, the next scan re-decides the status and refuses.
func TestAStatusAnOlderPackVersionDecidedIsDecidedAgainWhenScanned(t *testing.T) {
	t.Parallel()
	current, err := policy.LoadShipped("zhejiang-hangzhou-2020")
	if err != nil {
		t.Fatal(err)
	}
	older, err := policy.LoadShipped("zhejiang-hangzhou-2020")
	if err != nil {
		t.Fatal(err)
	}
	older.Version = "2020.2"
	older.Categories = slices.DeleteFunc(older.Categories, func(c policy.Category) bool { return c.ID == "positive-test" })
	for name, opts := range map[string][]envOption{"sqlite": nil, "postgres": {withPostgres()}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			pol := new(upgradable)
			pol.pack.Store(older)
			upgradeScanned(t, newEnv(t, append(opts, withPolicy(pol))...), pol, current)
		})
	}
}

func upgradeScanned(t *testing.T, e *testEnv, pol *upgradable, current *policy.Pack) {
	ctx := context.Background()
	const phone = "13900090001"
	number := validID(t, "33010619850101002")
	who := mustLogin(t, e, phone)
	p := mustApply(t, e, who, applyInput(number, "吴晓东", phone))
	csv := "source_ref,doc_number,at,sampled,result\nL-1," + number + ",2026-03-10 09:30,2026-03-10 08:00,positive\n"
	if _, err := e.svc.Ingest(ctx, feedKey(t, e, "lab"), "lab", feedRows(t, "lab", csv, start)); err != nil {
		t.Fatal(err)
	}
	code, err := e.svc.Code(ctx, who, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	scan := func() *service.Verification {
		v, err := e.svc.Verify(ctx, nil, service.VerifyInput{Token: code.Token})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := scan(); !v.Pass {
		t.Fatalf("under the older version: %+v, want the pass it gave", v)
	}
	pol.pack.Store(current)
	if v := scan(); v.Pass || v.Color != healthcode.Red {
		t.Errorf("under the current version: %+v, want red, refused", v)
	}
	facts := storedFacts(t, e, p.ID)
	result := facts[slices.IndexFunc(facts, func(f healthcode.Fact) bool { return f.Kind == healthcode.FactTest })].ID
	last := lastEntry(t, e, p.ID)
	if last.To != healthcode.Red || !slices.Contains(last.FactIDs, result) {
		t.Errorf("history ends %v naming %v, want red naming the result", last.To, last.FactIDs)
	}
}
