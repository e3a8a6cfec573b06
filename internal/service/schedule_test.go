package service_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"healthcode"
	"healthcode/policy"
)

// seedDeclaredContacts stores n persons who declared contact with cases at
// declaredAt, each red with a one-entry history, due 14 days later: what
// Apply leaves behind, written in one transaction instead of n requests.
func seedDeclaredContacts(t *testing.T, e *testEnv, n int, declaredAt time.Time) []int64 {
	t.Helper()
	ctx := context.Background()
	ids := make([]int64, n)
	err := e.store.Update(ctx, func(tx healthcode.Tx) error {
		a := &healthcode.Account{PhoneHash: []byte("seed-" + declaredAt.String()), PhoneSealed: []byte("x"), CreatedAt: declaredAt}
		if err := tx.CreateAccount(ctx, a); err != nil {
			return err
		}
		statuses := make(map[int64]*healthcode.Status, n)
		entries := make([]*healthcode.HistoryEntry, 0, n)
		for i := range ids {
			tag := fmt.Appendf(nil, "%s/%d", declaredAt, i)
			p := &healthcode.Person{OwnerID: a.ID, Relation: healthcode.RelationChild, DocType: healthcode.DocResidentID,
				IDHash: tag, IDSealed: tag, NameSealed: tag, NameMasked: "张*", IDTail: "0000", PhoneHash: a.PhoneHash,
				PhoneSealed: a.PhoneSealed, Region: "330106", CodeID: tag, CreatedAt: declaredAt, UpdatedAt: declaredAt}
			if err := tx.CreatePerson(ctx, p); err != nil {
				return err
			}
			ids[i] = p.ID
			f := &healthcode.Fact{PersonID: p.ID, Kind: healthcode.FactDeclaration, At: declaredAt, RecordedAt: declaredAt,
				Source: "citizen", Author: "account:1", Declaration: &healthcode.DeclarationFact{Region: "330106",
					Declaration: healthcode.Declaration{ContactCases: true, Commitment: true}}}
			if err := tx.AddFact(ctx, f); err != nil {
				return err
			}
			h := &healthcode.HistoryEntry{PersonID: p.ID, To: healthcode.Red, Rule: ruleDeclaredContact,
				FactIDs: []int64{f.ID}, Author: healthcode.AuthorSystem, At: declaredAt}
			h.Seal(0, nil)
			entries = append(entries, h)
			statuses[p.ID] = &healthcode.Status{Color: healthcode.Red, Since: declaredAt, Policy: "seed",
				Rule: ruleDeclaredContact, FactIDs: []int64{f.ID}, NextEvalAt: declaredAt.Add(14 * 24 * time.Hour),
				EvaluatedAt: declaredAt, HeadSeq: 1, HeadHash: h.Hash}
		}
		if err := tx.AppendHistories(ctx, entries); err != nil {
			return err
		}
		return tx.PutStatuses(ctx, statuses)
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// wantTurnedGreen checks that the scheduler stored person id green at at,
// with a second history entry by the system that chains on.
func wantTurnedGreen(t *testing.T, e *testEnv, id int64, at time.Time) {
	t.Helper()
	st := storedPerson(t, e, id).Status
	if st.Color != healthcode.Green || st.Rule != ruleNoRisk || !st.EvaluatedAt.Equal(at) || !st.NextEvalAt.IsZero() {
		t.Fatalf("person %d stored %v by %q evaluated %v, next %v; want green by %q evaluated %v, nothing due",
			id, st.Color, st.Rule, st.EvaluatedAt, st.NextEvalAt, ruleNoRisk, at)
	}
	hs := storedHistory(t, e, id)
	if len(hs) != 2 {
		t.Fatalf("person %d has %d history entries, want 2", id, len(hs))
	}
	if last := hs[1]; last.From != healthcode.Red || last.To != healthcode.Green || last.Author != healthcode.AuthorSystem || !last.At.Equal(at) {
		t.Errorf("person %d: last entry %v→%v by %q at %v, want red→green by system at %v", id, last.From, last.To, last.Author, last.At, at)
	}
	if err := healthcode.VerifyChain(hs, st.HeadHash); err != nil || st.HeadSeq != 2 {
		t.Errorf("person %d: chain %v, head seq %d; want a whole chain ending at 2", id, err, st.HeadSeq)
	}
}

func TestSchedulerTurnsDeclaredContactGreen(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string][]envOption{"sqlite": nil, "postgres": {withPostgres()}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, opts...)
			ctx := context.Background()
			const phone = "13900030001"
			who := mustLogin(t, e, phone)
			p := mustApply(t, e, who, applyInput(validID(t, "33010619850101002"), "冯立新", phone, declaringContact))
			if p.Status.Color != healthcode.Red {
				t.Fatalf("declared contact: %v, want red", p.Status.Color)
			}
			e.clock.Advance(14*24*time.Hour - time.Second)
			if n, err := e.svc.EvaluateDue(ctx, 500); err != nil || n != 0 {
				t.Fatalf("a second early: EvaluateDue = %d, %v; want 0", n, err)
			}
			e.clock.Advance(time.Second)
			n, err := e.svc.EvaluateDue(ctx, 500)
			if err != nil || n != 1 {
				t.Fatalf("after 14 days: EvaluateDue = %d, %v; want 1", n, err)
			}
			wantTurnedGreen(t, e, p.ID, e.clock.Now())
			if n, err := e.svc.EvaluateDue(ctx, 500); err != nil || n != 0 {
				t.Errorf("run again: EvaluateDue = %d, %v; want 0", n, err)
			}
			logs := e.logs.String()
			if !strings.Contains(logs, `msg="scheduled re-evaluation" evaluated=1 colour_changes=1`) {
				t.Errorf("no run summary in the log:\n%s", logs)
			}
			for _, secret := range []string{"冯立新", "33010619850101002", phone} {
				if strings.Contains(logs, secret) {
					t.Errorf("the log names %q", secret)
				}
			}
		})
	}
}

func TestSchedulerWorksInBatchesAndLeavesTheRest(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	due := seedDeclaredContacts(t, e, 1200, start)
	later := seedDeclaredContacts(t, e, 3, start.Add(24*time.Hour))
	greenAt := start.Add(14 * 24 * time.Hour)
	e.clock.Set(greenAt)
	n, err := e.svc.EvaluateDue(ctx, 500)
	if err != nil || n != len(due) {
		t.Fatalf("EvaluateDue = %d, %v; want %d", n, err, len(due))
	}
	for _, id := range due {
		wantTurnedGreen(t, e, id, greenAt)
	}
	for _, id := range later {
		st := storedPerson(t, e, id).Status
		if st.Color != healthcode.Red || !st.EvaluatedAt.Equal(start.Add(24*time.Hour)) || len(storedHistory(t, e, id)) != 1 {
			t.Errorf("person %d, due tomorrow, was touched: %v evaluated %v", id, st.Color, st.EvaluatedAt)
		}
	}
}

// stuckPolicy is a buggy policy that always asks to be called again now.
type stuckPolicy struct{ policy.Policy }

func (p stuckPolicy) Evaluate(facts []healthcode.Fact, now time.Time) healthcode.Status {
	st := p.Policy.Evaluate(facts, now)
	st.NextEvalAt = now
	return st
}

func TestSchedulerEndsWhenThePolicyKeepsPeopleDue(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withPolicy(stuckPolicy{corePack(t)}))
	ids := seedDeclaredContacts(t, e, 30, start)
	e.clock.Set(start.Add(14 * 24 * time.Hour))
	n, err := e.svc.EvaluateDue(context.Background(), 7)
	if err != nil || n != len(ids) {
		t.Fatalf("EvaluateDue = %d, %v; want %d", n, err, len(ids))
	}
	for _, id := range ids {
		if st := storedPerson(t, e, id).Status; !st.NextEvalAt.IsZero() {
			t.Fatalf("person %d: next evaluation %v stored; a time not in the future must be dropped", id, st.NextEvalAt)
		}
	}
	if got := strings.Count(e.logs.String(), "not in the future"); got != 1 {
		t.Errorf("%d warnings about the policy, want exactly 1", got)
	}
}

// TestSchedulersRunSideBySide runs two schedulers at once on PostgreSQL,
// as two servers would: neither waits for the other (SKIP LOCKED), and
// nobody is evaluated twice or forgotten.
func TestSchedulersRunSideBySide(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withPostgres())
	ctx := context.Background()
	ids := seedDeclaredContacts(t, e, 1000, start)
	greenAt := start.Add(14 * 24 * time.Hour)
	e.clock.Set(greenAt)
	var wg sync.WaitGroup
	counts := make([]int, 2)
	for i := range counts {
		wg.Go(func() {
			n, err := e.svc.EvaluateDue(ctx, 50)
			if err != nil {
				t.Error(err)
			}
			counts[i] = n
		})
	}
	wg.Wait()
	t.Logf("the schedulers evaluated %d and %d persons", counts[0], counts[1])
	if counts[0]+counts[1] != len(ids) {
		t.Errorf("the schedulers evaluated %d and %d persons, want %d in all", counts[0], counts[1], len(ids))
	}
	for _, id := range ids {
		wantTurnedGreen(t, e, id, greenAt)
	}
}
