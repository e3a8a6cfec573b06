package signin

import (
	"context"
	"strings"

	"healthcode"
)

// Shift is a staff session's tally of verdicts: what the scanner shows
// staff of the shift so far.
type Shift struct {
	Passed  int `json:"passed"`
	Refused int `json:"refused"` // refused or invalid codes: nobody let in
}

// Shift is the tally of the staff session token opened. The holder of
// the token may call it. Errors: EUNAUTHORIZED for a token that is not a
// live staff session.
func (s *Sessions) Shift(ctx context.Context, token string) (*Shift, error) {
	if !strings.HasPrefix(token, staffSessionPrefix) {
		return nil, notStaff()
	}
	sess, err := s.store.StaffSession(ctx, tokenHash(token), s.clock())
	return shiftOf(sess, err)
}

// CountVerdict adds one verdict to the tally of the staff session token
// opened and returns the tally. The holder of the token may call it,
// after a verdict they were shown. Errors: as Shift's.
func (s *Sessions) CountVerdict(ctx context.Context, token string, passed bool) (*Shift, error) {
	if !strings.HasPrefix(token, staffSessionPrefix) {
		return nil, notStaff()
	}
	var sess *healthcode.StaffSession
	err := s.store.Update(ctx, func(tx healthcode.Tx) (err error) {
		sess, err = tx.CountVerdict(ctx, tokenHash(token), s.clock(), passed)
		return err
	})
	return shiftOf(sess, err)
}

func shiftOf(sess *healthcode.StaffSession, err error) (*Shift, error) {
	if healthcode.ErrorCode(err) == healthcode.ENOTFOUND {
		return nil, notStaff()
	} else if err != nil {
		return nil, err
	}
	return &Shift{Passed: sess.Passed, Refused: sess.Refused}, nil
}

func notStaff() error {
	return healthcode.Errorf(healthcode.EUNAUTHORIZED, "Log in again: not a live staff session.")
}
