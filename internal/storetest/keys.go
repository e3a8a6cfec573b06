package storetest

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"healthcode"
)

func testAPIKeysListed(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	if ks, err := s.APIKeys(ctx); err != nil || len(ks) != 0 {
		t.Fatalf("APIKeys of an empty store = %v, %v; want none", ks, err)
	}
	want := []*healthcode.APIKey{
		{Hash: []byte("k1"), Name: "gate 1", Role: healthcode.RoleCheckpoint, Region: "330106", CreatedAt: at},
		{Hash: []byte("k2"), Name: "lab", Role: healthcode.RoleFeed, Region: "330100", Kinds: []string{"lab"},
			CreatedAt: at, ExpiresAt: at.Add(720 * time.Hour)},
		{Hash: []byte("k3"), Name: "gate 1", Role: healthcode.RoleCheckpoint, Region: "330106", CreatedAt: at,
			RevokedAt: at.Add(time.Hour)},
	}
	update(t, s, func(tx healthcode.Tx) error {
		for _, k := range want {
			if err := tx.CreateAPIKey(ctx, k); err != nil {
				return err
			}
		}
		return nil
	})
	got, err := s.APIKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("APIKeys returned %d keys, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], *want[i]) {
			t.Errorf("key %d:\n got %+v\nwant %+v", i, got[i], *want[i])
		}
	}
	one, err := s.APIKey(ctx, []byte("k2"))
	if err != nil || !one.ExpiresAt.Equal(want[1].ExpiresAt) {
		t.Errorf("APIKey(k2) = %+v, %v; want it expiring at %v", one, err, want[1].ExpiresAt)
	}
}

func testRevokeAPIKey(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	k := &healthcode.APIKey{Hash: []byte("rk"), Name: "gate", Role: healthcode.RoleCheckpoint, Region: "330106", CreatedAt: at}
	update(t, s, func(tx healthcode.Tx) error { return tx.CreateAPIKey(ctx, k) })
	revoke := func(id int64, when time.Time) error {
		return s.Update(ctx, func(tx healthcode.Tx) error { return tx.RevokeAPIKey(ctx, id, when) })
	}
	if err := revoke(k.ID, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	wantCode(t, revoke(k.ID, at.Add(2*time.Hour)), healthcode.ECONFLICT)
	wantCode(t, revoke(k.ID+100, at), healthcode.ENOTFOUND)
	got, err := s.APIKey(ctx, k.Hash)
	if err != nil || !got.RevokedAt.Equal(at.Add(time.Hour)) {
		t.Errorf("revoked key = %+v, %v; want revoked at the first revocation, %v", got, err, at.Add(time.Hour))
	}
}

// testPendingFactsKeepToRegion: a fact kept for a region reaches the
// person only if they declare a region within it; the others are dropped.
func testPendingFactsKeepToRegion(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	a := mustAccount(t, s, "13800000041")
	p := newPerson(a.ID, healthcode.RelationSelf, 41) // declares 330106
	facts := []*healthcode.Fact{
		labFact(0, "city-lab", "R1", at, healthcode.TestNegative),
		labFact(0, "other-city-lab", "R2", at.Add(time.Hour), healthcode.TestPositive),
		labFact(0, "operator", "R3", at.Add(2*time.Hour), healthcode.TestNegative),
		labFact(0, "district-lab", "R4", at.Add(3*time.Hour), healthcode.TestNegative),
	}
	update(t, s, func(tx healthcode.Tx) error {
		for i, within := range []string{"3301", "3302", "", "330106"} {
			if _, err := tx.AddPendingFacts(ctx, [][]byte{p.IDHash}, facts[i:i+1], within); err != nil {
				return err
			}
		}
		return nil
	})
	var taken []*healthcode.Fact
	update(t, s, func(tx healthcode.Tx) (err error) {
		if err := tx.CreatePerson(ctx, p); err != nil {
			return err
		}
		taken, err = tx.TakePendingFacts(ctx, p.IDHash, p.ID)
		return err
	})
	if got, want := refs(taken), []string{"city-lab/R1", "operator/R3", "district-lab/R4"}; !slices.Equal(got, want) {
		t.Errorf("took %v, want %v: not the fact kept for another city", got, want)
	}
	update(t, s, func(tx healthcode.Tx) (err error) {
		taken, err = tx.TakePendingFacts(ctx, p.IDHash, p.ID)
		return err
	})
	if len(taken) != 0 {
		t.Errorf("second take returned %v, want nothing while the person is outside 3302", refs(taken))
	}
	// The person moves into the other city: its lab's fact, kept pending,
	// comes now.
	p.Region = "330201"
	update(t, s, func(tx healthcode.Tx) (err error) {
		if err := tx.UpdatePerson(ctx, p); err != nil {
			return err
		}
		taken, err = tx.TakePendingFacts(ctx, p.IDHash, p.ID)
		return err
	})
	if got, want := refs(taken), []string{"other-city-lab/R2"}; !slices.Equal(got, want) {
		t.Errorf("after moving took %v, want %v", got, want)
	}
}

// testUnavailableOnDeadline: a deadline that passed before the database
// answered is "try again", EUNAVAILABLE, on reads, writes and pings; a
// caller who gave up is not.
func testUnavailableOnDeadline(t *testing.T, s healthcode.Store) {
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("Ping of a working store: %v", err)
	}
	late, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	_, err := s.APIKeys(late)
	wantCode(t, err, healthcode.EUNAVAILABLE)
	_, err = s.Person(late, 1)
	wantCode(t, err, healthcode.EUNAVAILABLE)
	wantCode(t, s.Update(late, func(tx healthcode.Tx) error { return nil }), healthcode.EUNAVAILABLE)
	wantCode(t, s.Ping(late), healthcode.EUNAVAILABLE)

	gone, cancel := context.WithCancel(context.Background())
	cancel()
	wantCode(t, s.Update(gone, func(tx healthcode.Tx) error { return nil }), healthcode.EINTERNAL)
}
