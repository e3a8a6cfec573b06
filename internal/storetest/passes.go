package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"healthcode"
)

func testPassesRoundTripAndRevokeOnce(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	a := mustAccount(t, s, "13800000091")
	p := mustPerson(t, s, newPerson(a.ID, healthcode.RelationSelf, 91))
	first := &healthcode.Pass{ID: []byte("pass-id-0001"), PersonID: p.ID, OfficialID: 7, Division: "330106001001",
		IssuedAt: at, ExpiresAt: at.Add(24 * time.Hour)}
	second := &healthcode.Pass{ID: []byte("pass-id-0002"), PersonID: p.ID, OfficialID: 7, Division: "330106001001",
		IssuedAt: at.Add(time.Hour), ExpiresAt: at.Add(25 * time.Hour)}
	for _, ps := range []*healthcode.Pass{first, second} {
		update(t, s, func(tx healthcode.Tx) error { return tx.CreatePass(ctx, ps) })
	}
	got, err := s.Pass(ctx, first.ID)
	if err != nil || !reflect.DeepEqual(got, first) {
		t.Errorf("Pass: %+v, %v; want %+v", got, err, first)
	}
	list, err := s.PassesOf(ctx, p.ID)
	if err != nil || len(list) != 2 || !reflect.DeepEqual(list[0], *second) || !reflect.DeepEqual(list[1], *first) {
		t.Errorf("PassesOf: %+v, %v; want the second, then the first", list, err)
	}
	if none, err := s.PassesOf(ctx, p.ID+100); err != nil || len(none) != 0 {
		t.Errorf("PassesOf someone without: %v, %v; want none", none, err)
	}
	err = s.Update(ctx, func(tx healthcode.Tx) error { return tx.CreatePass(ctx, first) })
	wantCode(t, err, healthcode.ECONFLICT)
	_, err = s.Pass(ctx, []byte("no-such-pass"))
	wantCode(t, err, healthcode.ENOTFOUND)

	revoked := at.Add(2 * time.Hour)
	update(t, s, func(tx healthcode.Tx) error { return tx.RevokePass(ctx, first.ID, revoked, 8) })
	err = s.Update(ctx, func(tx healthcode.Tx) error { return tx.RevokePass(ctx, first.ID, revoked.Add(time.Hour), 9) })
	wantCode(t, err, healthcode.ECONFLICT)
	err = s.Update(ctx, func(tx healthcode.Tx) error { return tx.RevokePass(ctx, []byte("no-such-pass"), revoked, 8) })
	wantCode(t, err, healthcode.ENOTFOUND)
	got, err = s.Pass(ctx, first.ID)
	if err != nil || !got.RevokedAt.Equal(revoked) || got.RevokedBy != 8 || !got.Revoked() {
		t.Errorf("after revoking twice: %+v, %v; want the first revocation, at %v by 8", got, err, revoked)
	}
	if got, err := s.Pass(ctx, second.ID); err != nil || got.Revoked() {
		t.Errorf("the other pass: %+v, %v; want it not revoked", got, err)
	}
}
