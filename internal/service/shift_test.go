package service_test

import (
	"context"
	"testing"

	"healthcode"
	"healthcode/internal/service"
)

// TestAStaffSessionCountsItsShift: each session keeps its own tally, and
// only a live staff session's token counts.
func TestAStaffSessionCountsItsShift(t *testing.T) {
	onBothStores(t, func(t *testing.T, opts ...envOption) {
		e := newEnv(t, opts...)
		ctx := context.Background()
		key, shift := staffKey(t, e, service.KeySpec{Name: "gate", Role: healthcode.RoleCheckpoint, Region: "330106"})
		_, other := staffKey(t, e, service.KeySpec{Name: "gate 2", Role: healthcode.RoleCheckpoint, Region: "330106"})
		for _, passed := range []bool{true, true, false} {
			if _, err := e.svc.CountVerdict(ctx, shift, passed); err != nil {
				t.Fatal(err)
			}
		}
		for tok, want := range map[string]service.Shift{shift: {Passed: 2, Refused: 1}, other: {}} {
			got, err := e.svc.Shift(ctx, tok)
			if err != nil {
				t.Fatal(err)
			}
			if *got != want {
				t.Errorf("Shift = %+v, want %+v", *got, want)
			}
		}
		citizen := mustSession(t, e, "13900050001")
		for _, tok := range []string{key, citizen, "hcw_unknown"} {
			_, err := e.svc.CountVerdict(ctx, tok, true)
			wantCode(t, err, healthcode.EUNAUTHORIZED)
			_, err = e.svc.Shift(ctx, tok)
			wantCode(t, err, healthcode.EUNAUTHORIZED)
		}
		if err := e.svc.Logout(ctx, shift); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.Shift(ctx, shift)
		wantCode(t, err, healthcode.EUNAUTHORIZED)
	})
}
