package service_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/policy"
)

// wantNeedsInChinaTime fails unless every time in needs is written with
// the +08:00 offset, none of them a wait over at now.
func wantNeedsInChinaTime(t *testing.T, needs []healthcode.Need, now time.Time) {
	t.Helper()
	b, err := json.Marshal(needs)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range needs {
		if n.Until.IsZero() {
			continue
		}
		if _, off := n.Until.Zone(); off != 8*60*60 || !strings.Contains(string(b), "+08:00") {
			t.Errorf("need %s until %v: written %s, want China time", n.Kind, n.Until, b)
		}
		if n.Kind == healthcode.NeedWait && !n.Until.After(now) {
			t.Errorf("wait until %v listed as still needed at %v", n.Until, now)
		}
	}
}

// A close contact's needs, read back from the store, are in China time;
// once the 14 days are over only the missing tests are listed.
func TestNeedsReadBackInChinaTimeWithoutWaitsThatAreOver(t *testing.T) {
	t.Parallel()
	pack, err := policy.LoadShipped("transfer-rules-2022")
	if err != nil {
		t.Fatal(err)
	}
	onEachStore(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		const phone = "13900080001"
		number := validID(t, "33010619800101123")
		who := mustLogin(t, e, phone)
		p := mustApply(t, e, who, applyInput(number, "赵六", phone))
		csv := "source_ref,doc_number,at,type,exposure\nc-1," + number + ",2026-03-10 09:00,close,2026-03-09 20:00\n"
		if _, err := e.svc.Ingest(ctx, feedKey(t, e, "contact"), "contact", feedRows(t, "contact", csv, start)); err != nil {
			t.Fatal(err)
		}
		waitEnds := time.Date(2026, 3, 23, 20, 0, 0, 0, policy.ChinaTime) // 14 days from the exposure
		for _, at := range []time.Time{start.Add(time.Hour), waitEnds.Add(time.Hour)} {
			e.clock.Set(at)
			st, err := e.svc.Status(ctx, who, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			v, err := e.svc.Person(ctx, who, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if st.Color != healthcode.Red || len(st.Needs) == 0 {
				t.Fatalf("at %v: %v by %s with needs %v, want red with needs", at, st.Color, st.Rule, st.Needs)
			}
			wantNeedsInChinaTime(t, st.Needs, at)
			wantNeedsInChinaTime(t, v.Status.Needs, at)
			if waiting := st.Needs[0].Kind == healthcode.NeedWait; waiting != at.Before(waitEnds) {
				t.Errorf("at %v: needs %+v; a wait listed: %v, want %v", at, st.Needs, waiting, at.Before(waitEnds))
			}
		}
	}, withPolicy(pack))
}

// A status stored before needs were written this way — a wait in UTC,
// now over — is caught up when it is read.
func TestAStoredStatusListingAWaitOverIsEvaluatedAgainWhenRead(t *testing.T) {
	t.Parallel()
	onEachStore(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		const phone = "13900080002"
		who := mustLogin(t, e, phone)
		p := mustApply(t, e, who, applyInput(validID(t, "33010619850101002"), "吴晓东", phone, declaringContact))
		old := *storedPerson(t, e, p.ID).Status
		old.Needs = []healthcode.Need{{Kind: healthcode.NeedWait, Until: start.Add(time.Hour).UTC()}}
		old.NextEvalAt = time.Time{}
		if err := e.store.Update(ctx, func(tx healthcode.Tx) error { return tx.PutStatus(ctx, p.ID, &old) }); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(2 * time.Hour)
		v, err := e.svc.Person(ctx, who, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status.Color != healthcode.Red || len(v.Status.Needs) != 1 || !v.Status.Needs[0].Until.Equal(start.Add(14*24*time.Hour)) {
			t.Errorf("status %v needing %+v; want red, waiting the 14 days", v.Status.Color, v.Status.Needs)
		}
		wantNeedsInChinaTime(t, v.Status.Needs, e.clock.Now())
	})
}
