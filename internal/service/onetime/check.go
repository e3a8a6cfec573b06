package onetime

import (
	"context"
	"crypto/subtle"
	"strings"
	"time"

	"healthcode"
	"healthcode/internal/service/core"
)

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
