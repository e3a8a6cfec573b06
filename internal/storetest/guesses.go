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

func countGuess(t *testing.T, s healthcode.Store, phone string, now time.Time) (n int, since time.Time) {
	t.Helper()
	update(t, s, func(tx healthcode.Tx) (err error) {
		n, since, err = tx.CountGuess(context.Background(), []byte(phone), now, 15*time.Minute)
		return err
	})
	return n, since
}

func testGuesses(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	_, _, err := s.Guesses(ctx, []byte("p1"))
	wantCode(t, err, healthcode.ENOTFOUND)
	steps := []struct {
		phone     string
		at        time.Duration
		wantN     int
		wantSince time.Duration
	}{
		{"p1", 0, 1, 0},
		{"p1", time.Minute, 2, 0},
		{"p2", time.Minute, 1, time.Minute}, // another phone counts on its own
		{"p1", 14 * time.Minute, 3, 0},
		{"p1", 15 * time.Minute, 1, 15 * time.Minute}, // the window is over: a new one
		{"p1", 16 * time.Minute, 2, 15 * time.Minute},
	}
	for _, st := range steps {
		n, since := countGuess(t, s, st.phone, at.Add(st.at))
		if n != st.wantN || !since.Equal(at.Add(st.wantSince)) {
			t.Errorf("guess by %s at +%v: %d since +%v, want %d since +%v", st.phone, st.at, n, since.Sub(at), st.wantN, st.wantSince)
		}
	}
	n, since, err := s.Guesses(ctx, []byte("p1"))
	if err != nil || n != 2 || !since.Equal(at.Add(15*time.Minute)) {
		t.Errorf("Guesses = %d since %v (%v), want 2 since +15m", n, since, err)
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
				n, _, err := tx.CountGuess(context.Background(), []byte("race"), at, 15*time.Minute)
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
