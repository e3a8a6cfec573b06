package service_test

import (
	"context"
	"testing"

	"healthcode"
)

// TestLoginPhoneIsTheCallersOwn: the apply form fills in the phone the
// citizen logged in with, and only a citizen has one to ask for.
func TestLoginPhoneIsTheCallersOwn(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	who := mustLogin(t, e, "13900000042")
	if got, err := e.svc.LoginPhone(ctx, who); err != nil || got != "13900000042" {
		t.Errorf("LoginPhone = %q, %v; want the login's phone", got, err)
	}
	for _, tt := range []struct {
		name string
		who  *healthcode.Principal
		want string
	}{
		{"anonymous", nil, healthcode.EUNAUTHORIZED},
		{"checkpoint", checkpoint(t, e, "gate"), healthcode.EFORBIDDEN},
	} {
		if _, err := e.svc.LoginPhone(ctx, tt.who); healthcode.ErrorCode(err) != tt.want {
			t.Errorf("%s: err = %v, want %s", tt.name, err, tt.want)
		}
	}
}
