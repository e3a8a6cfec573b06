package storetest

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"healthcode"
)

func testAccountByID(t *testing.T, s healthcode.Store) {
	a := mustAccount(t, s, "13800000021")
	got, err := s.Account(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.PhoneHash, a.PhoneHash) || !bytes.Equal(got.PhoneSealed, a.PhoneSealed) || !got.CreatedAt.Equal(at) {
		t.Errorf("got %+v, want %+v", got, a)
	}
	_, err = s.Account(context.Background(), a.ID+1000)
	wantCode(t, err, healthcode.ENOTFOUND)
}

func countGuess(t *testing.T, s healthcode.Store, phone string, now time.Time) (n int, last time.Time) {
	t.Helper()
	update(t, s, func(tx healthcode.Tx) (err error) {
		n, last, err = tx.CountGuess(context.Background(), []byte(phone), now, 15*time.Minute, 5)
		return err
	})
	return n, last
}

func testGuesses(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	_, _, err := s.Guesses(ctx, []byte("p1"))
	wantCode(t, err, healthcode.ENOTFOUND)
	steps := []struct {
		phone    string
		at       time.Duration
		wantN    int
		wantLast time.Duration
	}{
		{"p1", 0, 1, 0},
		{"p1", time.Minute, 2, time.Minute},
		{"p2", time.Minute, 1, time.Minute}, // another phone counts on its own
		{"p1", 14 * time.Minute, 3, 14 * time.Minute},
		// Past 15 minutes from the first guess, but not from the last: the
		// run goes on, so no window edge lets a fresh batch through.
		{"p1", 16 * time.Minute, 4, 16 * time.Minute},
		{"p1", 17 * time.Minute, 5, 17 * time.Minute},
		{"p1", 18 * time.Minute, 6, 17 * time.Minute}, // past the limit: the last checked stays
		{"p1", 32 * time.Minute, 1, 32 * time.Minute}, // 15 quiet minutes: a new run
	}
	for _, st := range steps {
		n, last := countGuess(t, s, st.phone, at.Add(st.at))
		if n != st.wantN || !last.Equal(at.Add(st.wantLast)) {
			t.Errorf("guess by %s at +%v: %d, last +%v; want %d, last +%v", st.phone, st.at, n, last.Sub(at), st.wantN, st.wantLast)
		}
	}
	n, last, err := s.Guesses(ctx, []byte("p1"))
	if err != nil || n != 1 || !last.Equal(at.Add(32*time.Minute)) {
		t.Errorf("Guesses = %d, last %v (%v); want 1, last +32m", n, last, err)
	}
	update(t, s, func(tx healthcode.Tx) error { return tx.ClearGuesses(ctx, []byte("p1")) })
	_, _, err = s.Guesses(ctx, []byte("p1"))
	wantCode(t, err, healthcode.ENOTFOUND)
}

// testGuessesRace counts guesses from many writers at once: each gets a
// count of its own, so a limit checked on the count lets exactly that many
// through.
func testGuessesRace(t *testing.T, s healthcode.Store) {
	const writers = 20
	var wg sync.WaitGroup
	counts := make(chan int, writers)
	for range writers {
		wg.Go(func() {
			err := s.Update(context.Background(), func(tx healthcode.Tx) error {
				n, _, err := tx.CountGuess(context.Background(), []byte("race"), at, 15*time.Minute, 5)
				counts <- n
				return err
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	close(counts)
	seen := map[int]bool{}
	for n := range counts {
		if seen[n] {
			t.Errorf("two guesses were both counted as number %d", n)
		}
		seen[n] = true
	}
	if len(seen) != writers {
		t.Errorf("%d distinct counts, want %d", len(seen), writers)
	}
}

func testPurge(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	a := mustAccount(t, s, "13800000022")
	k := &healthcode.APIKey{Hash: []byte("purge-key"), Name: "gate", Role: healthcode.RoleCheckpoint, Region: "330106", CreatedAt: at}
	update(t, s, func(tx healthcode.Tx) error {
		for _, o := range []*healthcode.OTP{
			{PhoneHash: []byte("old"), CodeHash: []byte("c"), SentAt: at, ExpiresAt: at.Add(time.Minute)},
			{PhoneHash: []byte("live"), CodeHash: []byte("c"), SentAt: at, ExpiresAt: at.Add(time.Hour)},
		} {
			if err := tx.PutOTP(ctx, o); err != nil {
				return err
			}
		}
		for _, sess := range []*healthcode.Session{
			{TokenHash: []byte("old"), AccountID: a.ID, CreatedAt: at, ExpiresAt: at.Add(time.Minute)},
			{TokenHash: []byte("live"), AccountID: a.ID, CreatedAt: at, ExpiresAt: at.Add(time.Hour)},
		} {
			if err := tx.CreateSession(ctx, sess); err != nil {
				return err
			}
		}
		if err := tx.CreateAPIKey(ctx, k); err != nil {
			return err
		}
		for _, sess := range []*healthcode.StaffSession{
			{TokenHash: []byte("old"), KeyHash: k.Hash, CreatedAt: at, ExpiresAt: at.Add(time.Minute)},
			{TokenHash: []byte("live"), KeyHash: k.Hash, CreatedAt: at, ExpiresAt: at.Add(time.Hour)},
		} {
			if err := tx.CreateStaffSession(ctx, sess); err != nil {
				return err
			}
		}
		return nil
	})
	countGuess(t, s, "old", at)
	countGuess(t, s, "live", at.Add(20*time.Minute))
	now := at.Add(30 * time.Minute)
	n, err := s.Purge(ctx, now, now.Add(-15*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("purged %d rows, want 4 (a code, a session, a staff session, a guess window)", n)
	}
	if _, err := s.OTP(ctx, []byte("old")); healthcode.ErrorCode(err) != healthcode.ENOTFOUND {
		t.Errorf("expired code still there (%v)", err)
	}
	if _, err := s.OTP(ctx, []byte("live")); err != nil {
		t.Errorf("live code purged: %v", err)
	}
	if _, err := s.Session(ctx, []byte("live"), now); err != nil {
		t.Errorf("live session purged: %v", err)
	}
	if _, err := s.StaffSession(ctx, []byte("live"), now); err != nil {
		t.Errorf("live staff session purged: %v", err)
	}
	if _, _, err := s.Guesses(ctx, []byte("old")); healthcode.ErrorCode(err) != healthcode.ENOTFOUND {
		t.Errorf("old guess window still there (%v)", err)
	}
	if _, _, err := s.Guesses(ctx, []byte("live")); err != nil {
		t.Errorf("live guess window purged: %v", err)
	}
	if n, _ := s.Purge(ctx, now, now.Add(-15*time.Minute)); n != 0 {
		t.Errorf("a second purge deleted %d rows, want 0", n)
	}
}

func testVoidFacts(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	a := mustAccount(t, s, "13800000031")
	p := mustPerson(t, s, newPerson(a.ID, healthcode.RelationSelf, 31))
	facts := []*healthcode.Fact{
		{PersonID: p.ID, Kind: healthcode.FactCheckIn, At: at, RecordedAt: at, Source: "citizen", Author: "account:7",
			CheckIn: &healthcode.CheckInFact{Date: "2026-03-01"}},
		{PersonID: p.ID, Kind: healthcode.FactCheckIn, At: at.Add(time.Hour), RecordedAt: at, Source: "citizen", Author: "account:8",
			CheckIn: &healthcode.CheckInFact{Date: "2026-03-01"}},
		{PersonID: p.ID, Kind: healthcode.FactTest, At: at, RecordedAt: at, Source: "lab-1", SourceRef: "r1", Author: "account:7",
			Test: &healthcode.TestFact{Result: healthcode.TestNegative, Sampled: at}},
	}
	update(t, s, func(tx healthcode.Tx) error {
		for _, f := range facts {
			if err := tx.AddFact(ctx, f); err != nil {
				return err
			}
		}
		return nil
	})
	var n int
	update(t, s, func(tx healthcode.Tx) (err error) {
		n, err = tx.VoidFacts(ctx, p.ID, "citizen", "account:7", "claim ended", at.Add(2*time.Hour))
		return err
	})
	if n != 1 {
		t.Errorf("voided %d facts, want the one check-in of account 7", n)
	}
	left, err := s.Facts(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 2 || left[0].ID == facts[0].ID || left[1].ID == facts[0].ID {
		t.Errorf("facts left %+v, want the other account's check-in and the lab result", left)
	}
}

// testLockAccount locks an account in one transaction while another waits
// for it; on SQLite every write transaction waits anyway.
func testLockAccount(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	a := mustAccount(t, s, "13800000032")
	update(t, s, func(tx healthcode.Tx) error { return tx.LockAccount(ctx, a.ID) })
	err := s.Update(ctx, func(tx healthcode.Tx) error { return tx.LockAccount(ctx, a.ID+1000) })
	wantCode(t, err, healthcode.ENOTFOUND)
}

// testVoidedFactIDsAreNeverReused: history names facts by id, so a fact
// set aside must keep its id to itself — on SQLite ids came from the
// largest id left in facts, and the newest fact voided gave its id to the
// next fact added.
func testVoidedFactIDsAreNeverReused(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	a := mustAccount(t, s, "13800000033")
	p := mustPerson(t, s, newPerson(a.ID, healthcode.RelationSelf, 33))
	checkIn := func(author string) *healthcode.Fact {
		return &healthcode.Fact{PersonID: p.ID, Kind: healthcode.FactCheckIn, At: at, RecordedAt: at, Source: "citizen", Author: author,
			CheckIn: &healthcode.CheckInFact{Date: "2026-03-02"}}
	}
	wrong := checkIn("account:99")
	update(t, s, func(tx healthcode.Tx) error { return tx.AddFact(ctx, wrong) })
	update(t, s, func(tx healthcode.Tx) error {
		_, err := tx.VoidFacts(ctx, p.ID, "citizen", "account:99", "claim ended", at.Add(time.Hour))
		return err
	})
	next := checkIn("account:100")
	update(t, s, func(tx healthcode.Tx) error { return tx.AddFact(ctx, next) })
	if next.ID <= wrong.ID {
		t.Errorf("the fact added after fact %d was voided got id %d; want a new one", wrong.ID, next.ID)
	}
	// The feeds' bulk path, after the newest fact is voided again.
	update(t, s, func(tx healthcode.Tx) error {
		_, err := tx.VoidFacts(ctx, p.ID, "citizen", "account:100", "claim ended", at.Add(2*time.Hour))
		return err
	})
	lab := &healthcode.Fact{PersonID: p.ID, Kind: healthcode.FactTest, At: at, RecordedAt: at, Source: "lab-1", SourceRef: "void-33",
		Author: "key:1", Test: &healthcode.TestFact{Result: healthcode.TestNegative, Sampled: at}}
	var added []*healthcode.Fact
	update(t, s, func(tx healthcode.Tx) (err error) {
		added, err = tx.AddFacts(ctx, []*healthcode.Fact{lab})
		return err
	})
	if len(added) != 1 || added[0].ID <= next.ID {
		t.Errorf("the feed's fact after fact %d was voided: %+v; want a new id", next.ID, added)
	}
}
