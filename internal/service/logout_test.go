package service_test

import (
	"context"
	"testing"

	"healthcode"
)

func TestLogoutEndsTheSessionOnEachStore(t *testing.T) {
	t.Parallel()
	onEachStore(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		const phone = "13900040001"
		if _, err := e.svc.RequestOTP(ctx, phone); err != nil {
			t.Fatal(err)
		}
		login, err := e.svc.Login(ctx, phone, e.sender.last(t, phone))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Authenticate(ctx, login.Token); err != nil {
			t.Fatalf("before logging out: %v", err)
		}
		for range 2 { // the second is harmless
			if err := e.svc.Logout(ctx, login.Token); err != nil {
				t.Fatalf("Logout: %v", err)
			}
		}
		_, err = e.svc.Authenticate(ctx, login.Token)
		wantCode(t, err, healthcode.EUNAUTHORIZED)
	})
}
