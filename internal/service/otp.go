package service

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"math/big"
	"strings"
	"time"

	"healthcode"
	"healthcode/identity"
	"healthcode/policy"
)

// One-time code rules: short-lived, few guesses, and no resend storm.
const (
	otpTTL         = 5 * time.Minute
	otpResendAfter = 30 * time.Second
	// otpMaxGuesses guesses per phone, whatever code they are for, and
	// then none until otpGuessWindow has passed since the last: no span of
	// 15 minutes sees more than 5 checked, which makes guessing a 6-digit
	// code hopeless (about 0.05 % a day); asking for a new code gives no
	// new guesses.
	otpMaxGuesses  = 5
	otpGuessWindow = 15 * time.Minute
)

// errWrongCode is the one answer to a code that does not open the door:
// wrong, expired, or never sent. Telling these apart would tell a stranger
// which phones are waiting for a code.
var errWrongCode = healthcode.Errorf(healthcode.EUNAUTHORIZED, "Wrong or expired code; check it, or ask for a new one.")

// OTPResult is what asking for a one-time code returns.
type OTPResult struct {
	ExpiresAt time.Time `json:"expires_at"`
	// SentTo is the phone the code went to, masked.
	SentTo string `json:"sent_to"`
	// DevCode is the code itself, only when the server runs with --dev.
	DevCode string `json:"dev_code,omitempty"`
}

// RequestOTP sends a one-time login code to phone. Anyone may call it.
// Errors: EINVALID for a bad phone, ELIMIT when asked again too soon or
// after too many wrong guesses, EUNAVAILABLE when the text cannot be sent.
func (s *Service) RequestOTP(ctx context.Context, phone string) (*OTPResult, error) {
	phone, err := identity.NormalizePhone(phone)
	if err != nil {
		return nil, invalid("phone", err.Error())
	}
	return s.sendCode(ctx, s.loginCode(phone))
}

// Login exchanges a phone and its one-time code for a session, creating the
// citizen's account on first login. Errors: EINVALID for bad input,
// EUNAUTHORIZED for a wrong, expired or unsent code (one answer for all
// three), ELIMIT once the phone's guesses are used up.
func (s *Service) Login(ctx context.Context, phone, code string) (*LoginResult, error) {
	phone, err := identity.NormalizePhone(phone)
	if err != nil {
		return nil, invalid("phone", err.Error())
	}
	if err := s.limit(ctx, healthcode.LimitLogin, healthcode.ScopePhone, phone); err != nil {
		return nil, err
	}
	now := s.clock()
	phoneHash := s.phoneKey(phone)
	token := sessionPrefix + randomToken()
	res := &LoginResult{Token: token, ExpiresAt: now.Add(s.cfg.SessionTTL)}
	var right bool
	err = s.store.Update(ctx, func(tx healthcode.Tx) error {
		if right, err = s.checkCode(ctx, tx, s.loginCode(phone), code, now); err != nil || !right {
			return err // a wrong guess commits, so that it counts
		}
		acct, err := tx.AccountByPhone(ctx, phoneHash)
		if healthcode.ErrorCode(err) == healthcode.ENOTFOUND {
			acct = &healthcode.Account{PhoneHash: phoneHash, PhoneSealed: s.box.Seal(purposePhone, phone), CreatedAt: now}
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

// phoneKey is the lookup hash of a phone: the key of its account, of its
// login code, of its guesses, and a person's phone hash.
func (s *Service) phoneKey(phone string) []byte { return s.box.Hash(purposePhone, phone) }

// oneTimeCode says where a code goes and what it is bound to.
type oneTimeCode struct {
	phone     string
	key       []byte // the OTP row's key
	purpose   string // healthcode.CodeLogin or CodeConsent
	requester string // CodeConsent: the masked phone asking
	// hash binds a code to what it is for: the phone, and for consent the
	// account asking and the identity it asks about.
	hash func(code string) []byte
}

// loginCode is the code a phone logs in with.
func (s *Service) loginCode(phone string) oneTimeCode {
	return oneTimeCode{phone: phone, key: s.phoneKey(phone), purpose: healthcode.CodeLogin,
		hash: func(code string) []byte { return s.box.Hash("otp", phone+":"+code) }}
}

// sendCode stores a new code for c and texts it, unless the phone asked
// moments ago or used up its guesses. Only a text that will go out counts
// against the phone's rate limit: a refused request must not use up the
// phone's codes for its owner.
func (s *Service) sendCode(ctx context.Context, c oneTimeCode) (*OTPResult, error) {
	now := s.clock()
	if err := s.mayText(ctx, s.store, c, now); err != nil {
		return nil, err
	}
	if err := s.limit(ctx, healthcode.LimitOTP, healthcode.ScopePhone, c.phone); err != nil {
		return nil, err
	}
	code := otpCode()
	o := &healthcode.OTP{PhoneHash: c.key, CodeHash: c.hash(code), SentAt: now, ExpiresAt: now.Add(otpTTL)}
	err := s.store.Update(ctx, func(tx healthcode.Tx) error {
		if err := s.mayText(ctx, tx, c, now); err != nil {
			return err // another request got here first
		}
		return tx.PutOTP(ctx, o)
	})
	if err != nil {
		return nil, err
	}
	msg := healthcode.CodeMessage{Phone: c.phone, Code: code, Purpose: c.purpose, Requester: c.requester, ExpiresAt: o.ExpiresAt}
	if err := s.sender.SendCode(ctx, msg); err != nil {
		// A code that never arrived must not hold back the next request.
		if derr := s.store.Update(ctx, func(tx healthcode.Tx) error { return tx.DeleteOTP(ctx, c.key) }); derr != nil {
			s.log.ErrorContext(ctx, "could not withdraw an unsent code", "err", derr)
		}
		if healthcode.ErrorCode(err) == healthcode.EUNAVAILABLE {
			return nil, err
		}
		s.log.ErrorContext(ctx, "text message not sent", "phone", maskPhone(c.phone), "err", err)
		return nil, &healthcode.Error{Code: healthcode.EUNAVAILABLE, RetryAfter: time.Minute,
			Message: "The text message could not be sent; try again in a minute."}
	}
	res := &OTPResult{ExpiresAt: o.ExpiresAt, SentTo: maskPhone(c.phone)}
	if s.cfg.Dev {
		res.DevCode = code
	}
	return res, nil
}

// mayText refuses a code to a phone that was sent one moments ago or whose
// guesses are used up.
func (s *Service) mayText(ctx context.Context, r healthcode.Reader, c oneTimeCode, now time.Time) error {
	if err := s.guessesLeft(ctx, r, c.phone, now); err != nil {
		return err
	}
	prev, err := r.OTP(ctx, c.key)
	switch {
	case err == nil && now.Sub(prev.SentAt) < otpResendAfter:
		wait := otpResendAfter - now.Sub(prev.SentAt)
		e := healthcode.Errorf(healthcode.ELIMIT, "A code was sent moments ago; ask again in %d seconds.", int(wait.Seconds())+1)
		e.RetryAfter = wait
		return e
	case err != nil && healthcode.ErrorCode(err) != healthcode.ENOTFOUND:
		return err
	}
	return nil
}

// guessesLeft refuses a new code to a phone whose guesses are used up:
// it could not be checked before the window ends anyway.
func (s *Service) guessesLeft(ctx context.Context, r healthcode.Reader, phone string, now time.Time) error {
	n, last, err := r.Guesses(ctx, s.phoneKey(phone))
	switch {
	case healthcode.ErrorCode(err) == healthcode.ENOTFOUND:
		return nil
	case err != nil:
		return err
	case n >= otpMaxGuesses && now.Sub(last) < otpGuessWindow:
		return tooManyGuesses(last, now)
	}
	return nil
}

// tooManyGuesses refuses a phone whose last checked guess was at last.
func tooManyGuesses(last, now time.Time) error {
	until := last.Add(otpGuessWindow)
	e := healthcode.Errorf(healthcode.ELIMIT, "Too many wrong codes for this phone; try again after %s.",
		until.In(policy.ChinaTime).Format("15:04"))
	e.RetryAfter = until.Sub(now)
	return e
}

// checkCode counts a guess at c's code and then checks it: right reports
// whether it was the code, which is then used up. A guess beyond the
// phone's limit is not checked at all (ELIMIT). The caller commits a
// wrong guess, so that it counts.
func (s *Service) checkCode(ctx context.Context, tx healthcode.Tx, c oneTimeCode, code string, now time.Time) (right bool, err error) {
	guessKey := s.phoneKey(c.phone)
	n, last, err := tx.CountGuess(ctx, guessKey, now, otpGuessWindow, otpMaxGuesses)
	if err != nil {
		return false, err
	}
	if n > otpMaxGuesses {
		return false, tooManyGuesses(last, now) // rolled back: it never counts
	}
	o, err := tx.OTP(ctx, c.key)
	if healthcode.ErrorCode(err) == healthcode.ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if !now.Before(o.ExpiresAt) || subtle.ConstantTimeCompare(o.CodeHash, c.hash(strings.TrimSpace(code))) != 1 {
		return false, nil
	}
	if err := tx.DeleteOTP(ctx, c.key); err != nil {
		return false, err
	}
	return true, tx.ClearGuesses(ctx, guessKey)
}

// PurgeExpired deletes expired one-time codes, sessions and guess windows;
// the scheduler calls it so the tables stay bounded.
func (s *Service) PurgeExpired(ctx context.Context) (int64, error) {
	now := s.clock()
	n, err := s.store.Purge(ctx, now, now.Add(-otpGuessWindow))
	if err != nil {
		return 0, fmt.Errorf("purge expired codes and sessions: %w", err)
	}
	return n, nil
}

func otpCode() string {
	v, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	return fmt.Sprintf("%06d", v.Int64())
}
