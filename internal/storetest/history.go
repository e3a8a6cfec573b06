package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"healthcode"
)

func appendEntry(ctx context.Context, tx healthcode.Tx, personID int64, to healthcode.Color, when time.Time) error {
	hs, err := tx.History(ctx, personID)
	if err != nil {
		return err
	}
	e := &healthcode.HistoryEntry{PersonID: personID, To: to, Rule: "test", FactIDs: []int64{7}, Author: healthcode.AuthorSystem, At: when}
	var prevSeq int64
	var prevHash []byte
	if len(hs) > 0 {
		prev := &hs[len(hs)-1]
		e.From, prevSeq, prevHash = prev.To, prev.Seq, prev.Hash
	}
	e.Seal(prevSeq, prevHash)
	return tx.AppendHistory(ctx, e)
}

func testHistory(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	a := mustAccount(t, s, "13800000009")
	p := mustPerson(t, s, newPerson(a.ID, healthcode.RelationSelf, 1))
	for i, c := range []healthcode.Color{healthcode.Green, healthcode.Yellow, healthcode.Green} {
		update(t, s, func(tx healthcode.Tx) error {
			return appendEntry(ctx, tx, p.ID, c, at.Add(time.Duration(i)*time.Hour))
		})
	}
	hs, err := s.History(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 3 {
		t.Fatalf("got %d entries, want 3", len(hs))
	}
	if err := healthcode.VerifyChain(hs, hs[2].Hash); err != nil {
		t.Errorf("stored chain does not verify: %v", err)
	}
	if hs[1].From != healthcode.Green || hs[1].To != healthcode.Yellow {
		t.Errorf("entry 2 = %v → %v, want green → yellow", hs[1].From, hs[1].To)
	}
	dup := hs[2]
	err = s.Update(ctx, func(tx healthcode.Tx) error { return tx.AppendHistory(ctx, &dup) })
	wantCode(t, err, healthcode.ECONFLICT)
}

func testRollback(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	a := mustAccount(t, s, "13800000010")
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx healthcode.Tx) error {
		if err := tx.CreatePerson(ctx, newPerson(a.ID, healthcode.RelationSelf, 1)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want the callback's error", err)
	}
	_, err = s.PersonByIdentity(ctx, []byte("idh1"))
	wantCode(t, err, healthcode.ENOTFOUND)
}

// testLockPerson has writers race to extend one person's history; with
// LockPerson the chain has no gap and no duplicate.
func testLockPerson(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	a := mustAccount(t, s, "13800000011")
	p := mustPerson(t, s, newPerson(a.ID, healthcode.RelationSelf, 1))
	const writers, each = 4, 5
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				errs <- s.Update(ctx, func(tx healthcode.Tx) error {
					if _, err := tx.LockPerson(ctx, p.ID); err != nil {
						return err
					}
					return appendEntry(ctx, tx, p.ID, healthcode.Color(1+(w+i)%3), at)
				})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	hs, err := s.History(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != writers*each {
		t.Errorf("got %d entries, want %d", len(hs), writers*each)
	}
	if err := healthcode.VerifyChain(hs, nil); err != nil {
		t.Error(err)
	}
}

// testLockSeesCommittedStatus: a writer that waited for a person's lock
// must read the status the previous holder committed, or it would
// evaluate from stale data and append a history entry from the wrong
// colour.
func testLockSeesCommittedStatus(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	a := mustAccount(t, s, "13800000012")
	p := mustPerson(t, s, newPerson(a.ID, healthcode.RelationSelf, 1))
	green := &healthcode.Status{Color: healthcode.Green, Since: at, Policy: "p", Rule: "r", EvaluatedAt: at}
	update(t, s, func(tx healthcode.Tx) error { return tx.PutStatus(ctx, p.ID, green) })
	locked, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- s.Update(ctx, func(tx healthcode.Tx) error {
			if _, err := tx.LockPerson(ctx, p.ID); err != nil {
				close(locked)
				return err
			}
			close(locked)
			<-release
			red := *green
			red.Color = healthcode.Red
			return tx.PutStatus(ctx, p.ID, &red)
		})
	}()
	<-locked
	second := make(chan healthcode.Color, 1)
	go func() {
		var seen healthcode.Color
		err := s.Update(ctx, func(tx healthcode.Tx) error {
			got, err := tx.LockPerson(ctx, p.ID)
			if err == nil && got.Status != nil {
				seen = got.Status.Color
			}
			return err
		})
		if err != nil {
			t.Error(err)
		}
		second <- seen
	}()
	time.Sleep(50 * time.Millisecond) // let the second writer queue on the lock
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if got := <-second; got != healthcode.Red {
		t.Errorf("second writer saw %v after waiting for the lock, want red", got)
	}
	err := s.Update(ctx, func(tx healthcode.Tx) error {
		_, err := tx.LockPerson(ctx, 987654)
		return err
	})
	wantCode(t, err, healthcode.ENOTFOUND)
}

// testHistoryNamesFacts: every colour change names the facts it came from;
// a store refuses an entry that names none, alone or in a batch, and
// writes nothing of the batch.
func testHistoryNamesFacts(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	a := mustAccount(t, s, "13800000014")
	p := mustPerson(t, s, newPerson(a.ID, healthcode.RelationSelf, 1))
	q := mustPerson(t, s, newPerson(a.ID, healthcode.RelationChild, 2))
	entry := func(person int64, facts []int64) *healthcode.HistoryEntry {
		e := &healthcode.HistoryEntry{PersonID: person, To: healthcode.Red, Rule: "r", FactIDs: facts,
			Author: healthcode.AuthorSystem, At: at}
		e.Seal(0, nil)
		return e
	}
	for _, facts := range [][]int64{nil, {}} {
		err := s.Update(ctx, func(tx healthcode.Tx) error { return tx.AppendHistory(ctx, entry(p.ID, facts)) })
		wantCode(t, err, healthcode.EINVALID)
		err = s.Update(ctx, func(tx healthcode.Tx) error {
			return tx.AppendHistories(ctx, []*healthcode.HistoryEntry{entry(q.ID, []int64{3}), entry(p.ID, facts)})
		})
		wantCode(t, err, healthcode.EINVALID)
	}
	for _, id := range []int64{p.ID, q.ID} {
		if hs, err := s.History(ctx, id); err != nil || len(hs) != 0 {
			t.Errorf("person %d: history %v (%v) after refused entries, want none", id, hs, err)
		}
	}
}

// testHistoryAfter: the whole history, everyone's, page by page in the
// order stored.
func testHistoryAfter(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	a := mustAccount(t, s, "13800000091")
	p := mustPerson(t, s, newPerson(a.ID, healthcode.RelationSelf, 91))
	q := mustPerson(t, s, newPerson(a.ID, healthcode.RelationChild, 92))
	for i, id := range []int64{p.ID, q.ID, p.ID} {
		update(t, s, func(tx healthcode.Tx) error {
			return appendEntry(ctx, tx, id, healthcode.Color(1+i), at.Add(time.Duration(i)*time.Hour))
		})
	}
	first, err := s.HistoryAfter(ctx, 0, 2)
	if err != nil || len(first) != 2 || first[0].PersonID != p.ID || first[1].PersonID != q.ID {
		t.Fatalf("first page = %+v, %v; want p's and q's first entries", first, err)
	}
	rest, err := s.HistoryAfter(ctx, first[1].ID, 2)
	if err != nil || len(rest) != 1 || rest[0].PersonID != p.ID || rest[0].Seq != 2 ||
		string(rest[0].ComputeHash()) != string(rest[0].Hash) {
		t.Errorf("second page = %+v, %v; want p's second entry, whole", rest, err)
	}
}
