package officials

import (
	"context"
	"crypto/subtle"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"healthcode"
	"healthcode/internal/password"
	"healthcode/internal/service/signin"
)

// The TOTP parameters (RFC 6238's defaults, what every authenticator app
// reads): a code of 6 digits a 30-second step, HMAC-SHA1, and one step
// either side accepted for clocks that drift.
const (
	totpPeriod = 30
	totpDigits = otp.DigitsSix
	totpSkew   = 1
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1}

func newTOTP(issuer, login string) (*otp.Key, error) {
	return totp.Generate(totp.GenerateOpts{Issuer: "healthcode " + issuer, AccountName: login,
		Period: totpPeriod, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1})
}

// totpStep returns the step of the code among the steps around now that
// follow after (the last step accepted), and false when none matches: a
// code seen once, or an earlier one, is refused.
func totpStep(secret, code string, now time.Time, after int64) (int64, bool) {
	step := now.Unix() / totpPeriod
	for s := step - totpSkew; s <= step+totpSkew; s++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*totpPeriod, 0), totpOpts)
		if err == nil && s > after && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// Session is an official's new session.
type Session struct {
	Token     string          `json:"token"`
	ExpiresAt time.Time       `json:"expires_at"`
	Role      healthcode.Role `json:"role"`
	Scope     string          `json:"scope"`
}

// errLogin is the one answer to a login that fails: an unknown login, a
// wrong password, a wrong or used code and a disabled account are not
// told apart, so a stranger learns nothing of which logins exist.
var errLogin = healthcode.Errorf(healthcode.EUNAUTHORIZED, "Wrong login, password or code.")

// OfficialLogin opens a session for the official with the login, the
// password and the current TOTP code. Anyone may call it. LockAfter
// failures within LockWindow lock the account for LockFor, the right
// password included. Errors: EUNAUTHORIZED (errLogin), ELIMIT carrying
// RetryAfter while the account is locked.
func (s *Officials) OfficialLogin(ctx context.Context, login, pw, code string) (*Session, error) {
	now := s.clock()
	var res *Session
	var refused error
	err := s.store.Update(ctx, func(tx healthcode.Tx) error {
		o, err := tx.OfficialByLogin(ctx, login)
		if healthcode.ErrorCode(err) == healthcode.ENOTFOUND {
			password.CheckNone(pw)
			refused = errLogin
			return nil
		} else if err != nil {
			return err
		}
		if now.Before(o.LockedUntil) {
			refused = locked(o.LockedUntil.Sub(now))
			return nil
		}
		if res, refused, err = s.check(o, pw, code, now); err != nil {
			return err
		}
		if err := tx.UpdateOfficial(ctx, o); err != nil || res == nil {
			return err // a failure is counted, and committed
		}
		token, hash := signin.NewToken(signin.OfficialPrefix)
		res.Token = token
		return tx.CreateOfficialSession(ctx, &healthcode.OfficialSession{TokenHash: hash, OfficialID: o.ID,
			CreatedAt: now, ExpiresAt: res.ExpiresAt})
	})
	if err != nil {
		return nil, err
	}
	if refused != nil {
		return nil, refused
	}
	return res, nil
}

// check checks the password and the code of o at now and updates o's
// count of failures, its lock and its last TOTP step: a session to open,
// or the refusal to answer.
func (s *Officials) check(o *healthcode.Official, pw, code string, now time.Time) (res *Session, refused, err error) {
	okPw, err := password.Check(o.PasswordHash, pw)
	if err != nil {
		return nil, nil, err
	}
	secret, err := s.box.Open(purposeTOTP, o.TOTPSealed)
	if err != nil {
		return nil, nil, err
	}
	step, okCode := totpStep(secret, code, now, o.TOTPStep)
	switch {
	case o.Disabled():
		return nil, errLogin, nil
	case !okPw || !okCode:
		return nil, fail(o, now), nil
	}
	o.FailedLogins, o.FailedSince, o.LockedUntil, o.TOTPStep = 0, time.Time{}, time.Time{}, step
	return &Session{ExpiresAt: now.Add(SessionTTL), Role: o.Role, Scope: o.Scope}, nil, nil
}

// fail counts a failed login on o: the LockAfter-th of a run within
// LockWindow locks the account and starts a new run.
func fail(o *healthcode.Official, now time.Time) error {
	if o.FailedSince.IsZero() || now.Sub(o.FailedSince) >= LockWindow {
		o.FailedLogins, o.FailedSince = 0, now
	}
	o.FailedLogins++
	if o.FailedLogins < LockAfter {
		return errLogin
	}
	o.FailedLogins, o.FailedSince, o.LockedUntil = 0, time.Time{}, now.Add(LockFor)
	return locked(LockFor)
}

func locked(wait time.Duration) error {
	e := healthcode.Errorf(healthcode.ELIMIT, "Too many failed logins; the account is locked for %d minutes.", int((wait+time.Minute-1)/time.Minute))
	e.RetryAfter = wait
	return e
}

// OfficialLogout ends an official's session: the token stops working at
// once, on every server. An unknown token is not an error.
func (s *Officials) OfficialLogout(ctx context.Context, token string) error {
	return s.store.Update(ctx, func(tx healthcode.Tx) error { return tx.DeleteOfficialSession(ctx, signin.TokenHash(token)) })
}
