package onetime

import (
	"context"
	"time"

	"healthcode"
	"healthcode/identity"
	"healthcode/internal/service/core"
	"healthcode/policy"
)

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
