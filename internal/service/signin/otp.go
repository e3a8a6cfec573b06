package signin

import (
	"context"

	"healthcode"
	"healthcode/identity"
	"healthcode/internal/service/core"
	"healthcode/internal/service/onetime"
)

// errWrongCode is the one answer to a code that does not open the door:
// wrong, expired, or never sent. Telling these apart would tell a stranger
// which phones are waiting for a code.
var errWrongCode = healthcode.Errorf(healthcode.EUNAUTHORIZED, "Wrong or expired code; check it, or ask for a new one.")

// RequestOTP sends a one-time login code to phone. Anyone may call it.
// Errors: EINVALID for a bad phone, ELIMIT when asked again too soon or
// after too many wrong guesses, EUNAVAILABLE when the text cannot be sent.
func (s *Sessions) RequestOTP(ctx context.Context, phone string) (*onetime.Result, error) {
	phone, err := identity.NormalizePhone(phone)
	if err != nil {
		return nil, core.InvalidErr("phone", err)
	}
	return s.codes.Send(ctx, s.loginCode(phone))
}

// Login exchanges a phone and its one-time code for a session, creating the
// citizen's account on first login. Errors: EINVALID for bad input,
// EUNAUTHORIZED for a wrong, expired or unsent code (one answer for all
// three), ELIMIT once the phone's guesses are used up.
func (s *Sessions) Login(ctx context.Context, phone, code string) (*LoginResult, error) {
	phone, err := identity.NormalizePhone(phone)
	if err != nil {
		return nil, core.InvalidErr("phone", err)
	}
	if err := s.throttle.LimitPhone(ctx, healthcode.LimitLogin, phone); err != nil {
		return nil, err
	}
	now := s.clock()
	phoneHash := core.PhoneKey(s.box, phone)
	token := sessionPrefix + randomToken()
	res := &LoginResult{Token: token, ExpiresAt: now.Add(s.sessionTTL)}
	var right bool
	err = s.store.Update(ctx, func(tx healthcode.Tx) error {
		if right, err = s.codes.Check(ctx, tx, s.loginCode(phone), code, now); err != nil || !right {
			return err // a wrong guess commits, so that it counts
		}
		acct, err := tx.AccountByPhone(ctx, phoneHash)
		if healthcode.ErrorCode(err) == healthcode.ENOTFOUND {
			acct = &healthcode.Account{PhoneHash: phoneHash, PhoneSealed: s.box.Seal(core.PurposePhone, phone), CreatedAt: now}
			err = tx.CreateAccount(ctx, acct)
		}
		if err != nil {
			return err
		}
		return tx.CreateSession(ctx, &healthcode.Session{TokenHash: tokenHash(token), AccountID: acct.ID, CreatedAt: now, ExpiresAt: res.ExpiresAt})
	})
	if err != nil {
		return nil, err
	}
	if !right {
		return nil, errWrongCode
	}
	return res, nil
}

// loginCode is the code a phone logs in with.
func (s *Sessions) loginCode(phone string) onetime.Code {
	return onetime.Code{Phone: phone, Key: core.PhoneKey(s.box, phone), Purpose: healthcode.CodeLogin,
		Hash: func(code string) []byte { return s.box.Hash("otp", phone+":"+code) }}
}
