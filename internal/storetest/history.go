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
	var prev *healthcode.HistoryEntry
	if len(hs) > 0 {
		prev = &hs[len(hs)-1]
		e.From = prev.To
	}
	e.Seal(prev)
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
