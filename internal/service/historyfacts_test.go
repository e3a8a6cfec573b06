package service_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/service"
	"healthcode/policy"
)

// newestFact is the id of the last fact stored for a person.
func newestFact(t *testing.T, e *testEnv, personID int64) int64 {
	t.Helper()
	facts := storedFacts(t, e, personID)
	return facts[len(facts)-1].ID
}

// lastEntry is a person's newest history entry.
func lastEntry(t *testing.T, e *testEnv, personID int64) healthcode.HistoryEntry {
	t.Helper()
	hs := storedHistory(t, e, personID)
	if len(hs) == 0 {
		t.Fatal("no history")
	}
	return hs[len(hs)-1]
}

// A colour change that a re-application or a modification caused names
// the declaration it came with.
func TestReapplyAndModifyNameTheirDeclarationInTheHistory(t *testing.T) {
	t.Parallel()
	onEachStore(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		const phone = "13900070001"
		number := validID(t, "33010619850101002")
		who := mustLogin(t, e, phone)
		p := mustApply(t, e, who, applyInput(number, "吴晓东", phone, declaringContact))

		steps := []struct {
			name string
			do   func() (*service.PersonView, error)
			from healthcode.Color
			to   healthcode.Color
		}{
			{"re-apply without the contact", func() (*service.PersonView, error) {
				return e.svc.Reapply(ctx, who, p.ID, applyInput(number, "吴晓东", phone))
			}, healthcode.Red, healthcode.Green},
			{"modify declaring a fever", func() (*service.PersonView, error) {
				in := modifyInput()
				in.Declaration.Fever = new(true)
				return e.svc.Modify(ctx, who, p.ID, in)
			}, healthcode.Green, healthcode.Yellow},
		}
		for _, s := range steps {
			if _, err := s.do(); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			got, declaration := lastEntry(t, e, p.ID), newestFact(t, e, p.ID)
			if got.From != s.from || got.To != s.to || !slices.Contains(got.FactIDs, declaration) {
				t.Errorf("%s: entry %v → %v naming %v; want %v → %v naming the declaration %d",
					s.name, got.From, got.To, got.FactIDs, s.from, s.to, declaration)
			}
		}
	})
}

// throughTheFlows takes a person and their child through the flows a
// person goes through — applying, modifying, re-applying, a lapse of
// green, a checkpoint, a lab feed, a check-in and the scheduler — and
// returns their ids. The flows change colours under hubei-2020.
func throughTheFlows(t *testing.T, e *testEnv) []int64 {
	t.Helper()
	ctx := context.Background()
	const phone = "13900070002"
	number := validID(t, "33010619850101003")
	who := mustLogin(t, e, phone)
	p := mustApply(t, e, who, applyInput(number, "钱晓东", phone))
	child := mustApply(t, e, who, applyInput(validID(t, "33010620150101004"), "钱小宝", "13900070012", forRelative(healthcode.RelationChild)))
	in := modifyInput()
	in.Declaration.ContactCases = new(true)
	if _, err := e.svc.Modify(ctx, who, p.ID, in); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Reapply(ctx, who, p.ID, applyInput(number, "钱晓东", phone)); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(25 * time.Hour) // green lapses without a temperature record
	if _, err := e.svc.Persons(ctx, who); err != nil {
		t.Fatal(err)
	}
	code, err := e.svc.Code(ctx, who, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Verify(ctx, checkpoint(t, e, "gate"), service.VerifyInput{Token: code.Token, Temperature: new(36.5)}); err != nil {
		t.Fatal(err)
	}
	csv := "source_ref,doc_number,at,sampled,result\nL-1," + number + ",2026-03-11 11:00,2026-03-11 08:00,positive\n"
	if _, err := e.svc.Ingest(ctx, feedKey(t, e, "lab"), "lab", feedRows(t, "lab", csv, e.clock.Now())); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CheckIn(ctx, who, child.ID, service.CheckInInput{Symptoms: new(false), Celsius: new(38.2)}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(20 * 24 * time.Hour)
	if _, err := e.svc.EvaluateDue(ctx, 100); err != nil {
		t.Fatal(err)
	}
	return []int64{p.ID, child.ID}
}

// Through the flows a person goes through — applying, modifying,
// re-applying, a lapse of green, a checkpoint, a lab feed, a check-in and
// the scheduler — every history entry names facts, on both stores.
func TestNoHistoryEntryNamesNoFacts(t *testing.T) {
	t.Parallel()
	hubei, err := policy.LoadShipped("hubei-2020")
	if err != nil {
		t.Fatal(err)
	}
	onEachStore(t, func(t *testing.T, e *testEnv) {
		for _, id := range throughTheFlows(t, e) {
			hs := storedHistory(t, e, id)
			if len(hs) < 2 {
				t.Errorf("person %d: %d entries; the flows should have changed the colour more than once", id, len(hs))
			}
			for _, h := range hs {
				if len(h.FactIDs) == 0 {
					t.Errorf("person %d: entry %d (%v → %v by %s) names no facts", id, h.Seq, h.From, h.To, h.Rule)
				}
			}
		}
	}, withPolicy(hubei))
}

// namelessGreen is a policy whose green names no fact, as a policy may:
// the history still names what set the change off.
type namelessGreen struct{ policy.Policy }

func (n namelessGreen) Evaluate(facts []healthcode.Fact, now time.Time) healthcode.Status {
	st := n.Policy.Evaluate(facts, now)
	if st.Color == healthcode.Green {
		st.FactIDs = nil
	}
	return st
}

// contactThenClear applies for a person declaring contact with a case and
// re-applies without: two colour changes. It returns the login and the
// person.
func contactThenClear(t *testing.T, e *testEnv, phone, first17, name string) (*healthcode.Principal, *service.PersonView) {
	t.Helper()
	number := validID(t, first17)
	who := mustLogin(t, e, phone)
	p := mustApply(t, e, who, applyInput(number, name, phone, declaringContact))
	if _, err := e.svc.Reapply(context.Background(), who, p.ID, applyInput(number, name, phone)); err != nil {
		t.Fatal(err)
	}
	return who, p
}

func TestAChangeWhoseStatusNamesNoFactNamesTheNewestFact(t *testing.T) {
	t.Parallel()
	onEachStore(t, func(t *testing.T, e *testEnv) {
		_, p := contactThenClear(t, e, "13900070003", "33010619850101005", "孙晓东")
		got, declaration := lastEntry(t, e, p.ID), newestFact(t, e, p.ID)
		if got.To != healthcode.Green || !slices.Equal(got.FactIDs, []int64{declaration}) {
			t.Errorf("entry → %v naming %v; want → green naming the re-application's declaration %d", got.To, got.FactIDs, declaration)
		}
	}, withPolicy(namelessGreen{corePack(t)}))
}
