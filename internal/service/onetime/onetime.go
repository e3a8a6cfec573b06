// Package onetime sends and checks one-time codes texted to a phone: the
// login code and a relative's consent code. It keeps the rules both share:
// a code lives five minutes, is not sent again within 30 seconds, and a
// phone gets five guesses in any 15 minutes whatever the codes are for.
package onetime

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"math/big"
	"strings"
	"time"

	"healthcode"
	"healthcode/identity"
	"healthcode/internal/secret"
	"healthcode/internal/service/core"
	"healthcode/internal/service/throttle"
	"healthcode/policy"
)

// One-time code rules: short-lived, few guesses, and no resend storm.
const (
	otpTTL         = 5 * time.Minute
	otpResendAfter = 30 * time.Second
	// otpMaxGuesses guesses per phone, whatever code they are for, and
	// then none until GuessWindow has passed since the last: no span of
	// 15 minutes sees more than 5 checked, which makes guessing a 6-digit
	// code hopeless (about 0.05 % a day); asking for a new code gives no
	// new guesses.
	otpMaxGuesses = 5
	// GuessWindow is how long a phone's run of guesses is remembered
	// after its last guess.
	GuessWindow = 15 * time.Minute
)

// reader is what checks before a text read, from the store or inside a
// transaction.
type reader interface {
	OTP(ctx context.Context, phoneHash []byte) (*healthcode.OTP, error)
	Guesses(ctx context.Context, phoneHash []byte) (n int, last time.Time, err error)
}

// Store is what the codes are kept in.
type Store interface {
	reader
	Update(ctx context.Context, fn func(healthcode.Tx) error) error
}

// Codes sends and checks one-time codes. It is safe for concurrent use.
type Codes struct {
	store    Store
	box      *secret.Box
	sender   healthcode.SMSSender
	throttle *throttle.Throttle
	log      *slog.Logger
	clock    func() time.Time
	dev      bool
}

// New returns Codes texting through sender, counting each text against
// the phone's rate limit in throttle, with the time from clock (at store
// precision). With dev set, results carry the code itself.
func New(store Store, box *secret.Box, sender healthcode.SMSSender, throttle *throttle.Throttle,
	log *slog.Logger, clock func() time.Time, dev bool) *Codes {
	return &Codes{store: store, box: box, sender: sender, throttle: throttle, log: log, clock: clock, dev: dev}
}

// Result is what asking for a one-time code returns.
type Result struct {
	ExpiresAt time.Time `json:"expires_at"`
	// SentTo is the phone the code went to, masked.
	SentTo string `json:"sent_to"`
	// DevCode is the code itself, only when the server runs with --dev.
	DevCode string `json:"dev_code,omitempty"`
}

// Code says where a code goes and what it is bound to.
type Code struct {
	Phone     string // in canonical form
	Key       []byte // the OTP row's key
	Purpose   string // healthcode.CodeLogin or CodeConsent
	Requester string // CodeConsent: the masked phone asking
	// Hash binds a code to what it is for: the phone, and for consent the
	// account asking and the identity it asks about.
	Hash func(code string) []byte
}

// Send stores a new code for c and texts it, unless the phone asked
// moments ago or used up its guesses. Only a text that will go out counts
// against the phone's rate limit: a refused request must not use up the
// phone's codes for its owner.
func (s *Codes) Send(ctx context.Context, c Code) (*Result, error) {
	now := s.clock()
	if err := s.mayText(ctx, s.store, c, now); err != nil {
		return nil, err
	}
	if err := s.throttle.LimitPhone(ctx, healthcode.LimitOTP, c.Phone); err != nil {
		return nil, err
	}
	code := otpCode()
	o := &healthcode.OTP{PhoneHash: c.Key, CodeHash: c.Hash(code), SentAt: now, ExpiresAt: now.Add(otpTTL)}
	err := s.store.Update(ctx, func(tx healthcode.Tx) error {
		if err := s.mayText(ctx, tx, c, now); err != nil {
			return err // another request got here first
		}
		return tx.PutOTP(ctx, o)
	})
	if err != nil {
		return nil, err
	}
	msg := healthcode.CodeMessage{Phone: c.Phone, Code: code, Purpose: c.Purpose, Requester: c.Requester, ExpiresAt: o.ExpiresAt}
	if err := s.sender.SendCode(ctx, msg); err != nil {
		// A code that never arrived must not hold back the next request.
		if derr := s.store.Update(ctx, func(tx healthcode.Tx) error { return tx.DeleteOTP(ctx, c.Key) }); derr != nil {
			s.log.ErrorContext(ctx, "could not withdraw an unsent code", "err", derr)
		}
		if healthcode.ErrorCode(err) == healthcode.EUNAVAILABLE {
			return nil, err
		}
		s.log.ErrorContext(ctx, "text message not sent", "phone", identity.MaskPhone(c.Phone), "err", err)
		return nil, &healthcode.Error{Code: healthcode.EUNAVAILABLE, RetryAfter: time.Minute,
			Message: "The text message could not be sent; try again in a minute."}
	}
	res := &Result{ExpiresAt: o.ExpiresAt, SentTo: identity.MaskPhone(c.Phone)}
	if s.dev {
		res.DevCode = code
	}
	return res, nil
}

// mayText refuses a code to a phone that was sent one moments ago or whose
// guesses are used up.
func (s *Codes) mayText(ctx context.Context, r reader, c Code, now time.Time) error {
	if err := s.guessesLeft(ctx, r, c.Phone, now); err != nil {
		return err
	}
	prev, err := r.OTP(ctx, c.Key)
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
func (s *Codes) guessesLeft(ctx context.Context, r reader, phone string, now time.Time) error {
	n, last, err := r.Guesses(ctx, core.PhoneKey(s.box, phone))
	switch {
	case healthcode.ErrorCode(err) == healthcode.ENOTFOUND:
		return nil
	case err != nil:
		return err
	case n >= otpMaxGuesses && now.Sub(last) < GuessWindow:
		return tooManyGuesses(last, now)
	}
	return nil
}

// tooManyGuesses refuses a phone whose last checked guess was at last.
func tooManyGuesses(last, now time.Time) error {
	until := last.Add(GuessWindow)
	e := healthcode.Errorf(healthcode.ELIMIT, "Too many wrong codes for this phone; try again after %s.",
		until.In(policy.ChinaTime).Format("15:04"))
	e.RetryAfter = until.Sub(now)
	return e
}

// Check counts a guess at c's code and then checks it: right reports
// whether it was the code, which is then used up. A guess beyond the
// phone's limit is not checked at all (ELIMIT). The caller commits a
// wrong guess, so that it counts.
func (s *Codes) Check(ctx context.Context, tx healthcode.Tx, c Code, code string, now time.Time) (right bool, err error) {
	guessKey := core.PhoneKey(s.box, c.Phone)
	n, last, err := tx.CountGuess(ctx, guessKey, now, GuessWindow, otpMaxGuesses)
	if err != nil {
		return false, err
	}
	if n > otpMaxGuesses {
		return false, tooManyGuesses(last, now) // rolled back: it never counts
	}
	o, err := tx.OTP(ctx, c.Key)
	if healthcode.ErrorCode(err) == healthcode.ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if !now.Before(o.ExpiresAt) || subtle.ConstantTimeCompare(o.CodeHash, c.Hash(strings.TrimSpace(code))) != 1 {
		return false, nil
	}
	if err := tx.DeleteOTP(ctx, c.Key); err != nil {
		return false, err
	}
	return true, tx.ClearGuesses(ctx, guessKey)
}

func otpCode() string {
	v, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	return fmt.Sprintf("%06d", v.Int64())
}
