package storetest

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"healthcode"
)

// dueStatus is a status whose next evaluation is at next (zero: none).
func dueStatus(c healthcode.Color, next time.Time) *healthcode.Status {
	return &healthcode.Status{Color: c, Since: at, Policy: "p", Rule: "r", FactIDs: []int64{},
		NextEvalAt: next, EvaluatedAt: at}
}

// manyPersons creates n relatives of one account in one transaction.
func manyPersons(t *testing.T, s healthcode.Store, phone string, n int) []int64 {
	t.Helper()
	a := mustAccount(t, s, phone)
	ids := make([]int64, n)
	update(t, s, func(tx healthcode.Tx) error {
		for i := range ids {
			p := newPerson(a.ID, healthcode.RelationChild, 100000+i)
			if err := tx.CreatePerson(context.Background(), p); err != nil {
				return err
			}
			ids[i] = p.ID
		}
		return nil
	})
	return ids
}

func testDuePersons(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	if ids, err := s.DuePersons(ctx, at, 10); err != nil || len(ids) != 0 {
		t.Fatalf("empty store: DuePersons = %v, %v; want none", ids, err)
	}
	ids := manyPersons(t, s, "13800000020", 6)
	// Written out of order, so that only next_eval_at can give the order.
	statuses := map[int64]*healthcode.Status{
		ids[0]: dueStatus(healthcode.Red, at.Add(-time.Hour)),
		ids[1]: dueStatus(healthcode.Red, at.Add(-2*time.Hour)),
		ids[2]: dueStatus(healthcode.Yellow, at), // due at exactly now
		ids[3]: dueStatus(healthcode.Yellow, at.Add(time.Microsecond)),
		ids[4]: dueStatus(healthcode.Green, time.Time{}), // nothing due by time
		// ids[5] has no status at all
	}
	update(t, s, func(tx healthcode.Tx) error { return tx.PutStatuses(ctx, statuses) })
	got, err := s.DuePersons(ctx, at, 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{ids[1], ids[0], ids[2]}; !slices.Equal(got, want) {
		t.Errorf("DuePersons(now, 10) = %v, want %v: the due ones, longest overdue first", got, want)
	}
	got, err = s.DuePersons(ctx, at, 2)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{ids[1], ids[0]}; !slices.Equal(got, want) {
		t.Errorf("DuePersons(now, 2) = %v, want %v", got, want)
	}
}

func testLockPersons(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	ids := manyPersons(t, s, "13800000021", 3)
	update(t, s, func(tx healthcode.Tx) error {
		return tx.PutStatus(ctx, ids[1], dueStatus(healthcode.Red, at))
	})
	update(t, s, func(tx healthcode.Tx) error {
		ps, err := tx.LockPersons(ctx, []int64{ids[2], 987654, ids[0], ids[1]})
		if err != nil {
			return err
		}
		var got []int64
		for _, p := range ps {
			got = append(got, p.ID)
			one, err := tx.Person(ctx, p.ID)
			if err != nil {
				return err
			}
			samePerson(t, p, one)
			if !reflect.DeepEqual(p.Status, one.Status) {
				t.Errorf("person %d: status %+v, want %+v", p.ID, p.Status, one.Status)
			}
		}
		if !slices.Equal(got, ids) {
			t.Errorf("LockPersons = %v, want %v: the existing ones in id order", got, ids)
		}
		if ps, err := tx.LockPersons(ctx, nil); err != nil || len(ps) != 0 {
			t.Errorf("LockPersons(nil) = %v, %v; want none", ps, err)
		}
		return nil
	})
}

func testFactsOf(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	ids := manyPersons(t, s, "13800000022", 3)
	fact := func(person int64, when time.Time, celsius float64) *healthcode.Fact {
		return &healthcode.Fact{PersonID: person, Kind: healthcode.FactTemperature, At: when, RecordedAt: at,
			Source: "gate", Author: "key:1", Temperature: &healthcode.TemperatureFact{Celsius: celsius, Checkpoint: "gate"}}
	}
	// Added out of order: FactsOf must sort each person's facts by time.
	update(t, s, func(tx healthcode.Tx) error {
		for _, f := range []*healthcode.Fact{
			fact(ids[0], at.Add(time.Hour), 38), fact(ids[1], at, 36.5), fact(ids[0], at, 37),
			fact(ids[0], at, 37.1), // same instant: id order
		} {
			if err := tx.AddFact(ctx, f); err != nil {
				return err
			}
		}
		return nil
	})
	update(t, s, func(tx healthcode.Tx) error {
		got, err := tx.FactsOf(ctx, ids)
		if err != nil {
			return err
		}
		if _, ok := got[ids[2]]; ok || len(got) != 2 {
			t.Errorf("FactsOf has entries for %d persons, want 2 (none for the person without facts)", len(got))
		}
		for _, id := range ids[:2] {
			want, err := tx.Facts(ctx, id)
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(got[id], want) {
				t.Errorf("FactsOf[%d]:\n got %+v\nwant %+v (as Facts)", id, got[id], want)
			}
		}
		if n := len(got[ids[0]]); n != 3 || got[ids[0]][1].Temperature.Celsius != 37.1 {
			t.Errorf("facts of person %d out of order: %+v", ids[0], got[ids[0]])
		}
		return nil
	})
}

func testPutStatuses(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	ids := manyPersons(t, s, "13800000023", 2)
	first := map[int64]*healthcode.Status{
		ids[0]: {Color: healthcode.Red, Since: at, Policy: "builtin-1", Rule: "r1", FactIDs: []int64{1, 2},
			Reason: healthcode.Text{Zh: "理由", En: "reason"}, Next: healthcode.Text{Zh: "下一步", En: "next"},
			NextEvalAt: at.Add(14 * 24 * time.Hour), EvaluatedAt: at, HeadSeq: 1, HeadHash: []byte("head1")},
		ids[1]: {Color: healthcode.Green, Since: at, Policy: "builtin-1", Rule: "r2", FactIDs: []int64{}, EvaluatedAt: at},
	}
	second := map[int64]*healthcode.Status{
		ids[0]: {Color: healthcode.Green, Since: at.Add(time.Hour), Policy: "builtin-1", Rule: "r2", FactIDs: []int64{},
			EvaluatedAt: at.Add(time.Hour), HeadSeq: 2, HeadHash: []byte("head2")},
	}
	for _, batch := range []map[int64]*healthcode.Status{first, second} {
		update(t, s, func(tx healthcode.Tx) error { return tx.PutStatuses(ctx, batch) })
		for id, want := range batch {
			got, err := s.Person(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Status, want) {
				t.Errorf("status of %d:\n got %+v\nwant %+v", id, got.Status, want)
			}
		}
	}
	update(t, s, func(tx healthcode.Tx) error { return tx.PutStatuses(ctx, nil) })
}

func testAppendHistories(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	ids := manyPersons(t, s, "13800000024", 2)
	entry := func(person, prevSeq int64, prevHash []byte, to healthcode.Color) *healthcode.HistoryEntry {
		e := &healthcode.HistoryEntry{PersonID: person, To: to, Rule: "r", FactIDs: []int64{3}, Author: healthcode.AuthorSystem, At: at}
		e.Seal(prevSeq, prevHash)
		return e
	}
	a1 := entry(ids[0], 0, nil, healthcode.Red)
	a2 := entry(ids[0], 1, a1.Hash, healthcode.Green)
	b1 := entry(ids[1], 0, nil, healthcode.Yellow)
	entries := []*healthcode.HistoryEntry{b1, a1, a2}
	update(t, s, func(tx healthcode.Tx) error { return tx.AppendHistories(ctx, entries) })
	for _, e := range entries {
		if e.ID == 0 {
			t.Errorf("entry %d of person %d got no id", e.Seq, e.PersonID)
		}
	}
	hs, err := s.History(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 2 || hs[0].ID != a1.ID || hs[1].ID != a2.ID {
		t.Fatalf("history of %d = %+v, want entries %d and %d", ids[0], hs, a1.ID, a2.ID)
	}
	if err := healthcode.VerifyChain(hs, a2.Hash); err != nil {
		t.Errorf("stored chain does not verify: %v", err)
	}
	dup := entry(ids[1], 0, nil, healthcode.Red)
	err = s.Update(ctx, func(tx healthcode.Tx) error {
		return tx.AppendHistories(ctx, []*healthcode.HistoryEntry{entry(ids[1], 1, b1.Hash, healthcode.Green), dup})
	})
	wantCode(t, err, healthcode.ECONFLICT)
	if hs, _ := s.History(ctx, ids[1]); len(hs) != 1 {
		t.Errorf("a refused batch left %d entries, want the 1 from before", len(hs))
	}
	update(t, s, func(tx healthcode.Tx) error { return tx.AppendHistories(ctx, nil) })
}

// testBatchesBeyondOneStatement writes and reads more rows than SQLite
// takes parameters for in one statement, so every batch method has to
// split or stream its work.
func testBatchesBeyondOneStatement(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	const n = 3500 // × 12 status columns > 32766 parameters
	ids := manyPersons(t, s, "13800000025", n)
	statuses := make(map[int64]*healthcode.Status, n)
	entries := make([]*healthcode.HistoryEntry, n)
	for i, id := range ids {
		statuses[id] = dueStatus(healthcode.Red, at.Add(time.Duration(i)*time.Second))
		entries[i] = &healthcode.HistoryEntry{PersonID: id, To: healthcode.Red, Rule: "r", FactIDs: []int64{1}, Author: healthcode.AuthorSystem, At: at}
		entries[i].Seal(0, nil)
		statuses[id].HeadSeq, statuses[id].HeadHash = 1, entries[i].Hash
	}
	update(t, s, func(tx healthcode.Tx) error {
		if err := tx.AppendHistories(ctx, entries); err != nil {
			return err
		}
		return tx.PutStatuses(ctx, statuses)
	})
	due, err := s.DuePersons(ctx, at.Add(time.Hour), n)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(due, ids) {
		t.Errorf("DuePersons returned %d ids, want all %d in the order they fell due", len(due), n)
	}
	update(t, s, func(tx healthcode.Tx) error {
		ps, err := tx.LockPersons(ctx, ids)
		if err != nil {
			return err
		}
		if len(ps) != n {
			t.Errorf("LockPersons returned %d persons, want %d", len(ps), n)
		}
		for i, p := range ps {
			if p.Status == nil || p.Status.HeadSeq != 1 || !slices.Equal(p.Status.HeadHash, entries[i].Hash) {
				t.Fatalf("person %d: status %+v, want head 1 %x", p.ID, p.Status, entries[i].Hash)
			}
		}
		return nil
	})
	for _, i := range []int{0, n / 2, n - 1} {
		hs, err := s.History(ctx, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		if len(hs) != 1 || hs[0].ID != entries[i].ID {
			t.Errorf("history of %d = %+v, want the one entry %d", ids[i], hs, entries[i].ID)
		}
	}
}
