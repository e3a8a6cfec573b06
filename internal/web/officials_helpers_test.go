package web

import (
	"context"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"healthcode"
	"healthcode/internal/permission"
	"healthcode/internal/service"
)

const officialPassword = "correct horse battery staple"

// official is an account a test opened, with its TOTP secret.
type official struct {
	id            int64
	login, secret string
}

// appoint opens an account as the operator.
func (f *fixture) appoint(tb testing.TB, login string, role healthcode.Role, scope string) official {
	tb.Helper()
	a, err := f.svc.CreateOfficial(context.Background(), permission.Operator(),
		service.OfficialSpec{Login: login, Role: role, Scope: scope, Password: officialPassword})
	if err != nil {
		tb.Fatal(err)
	}
	return official{a.Official.ID, login, a.TOTPSecret}
}

// totpCode is the official's code for the step at.
func (o official) totpCode(tb testing.TB, at time.Time) string {
	tb.Helper()
	c, err := totp.GenerateCode(o.secret, at)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// officialLogin logs the official in over the service with the code of
// the step at and returns the session's token.
func (f *fixture) officialLogin(tb testing.TB, o official, at time.Time) string {
	tb.Helper()
	sess, err := f.svc.OfficialLogin(context.Background(), o.login, officialPassword, o.totpCode(tb, at))
	if err != nil {
		tb.Fatal(err)
	}
	return sess.Token
}
