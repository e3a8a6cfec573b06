package store

import (
	"context"
	"fmt"
	"time"

	"healthcode"
)

// Accounts, their one-time codes and guesses at them, and the sessions
// of citizens and staff.

func (r reader) AccountByPhone(ctx context.Context, phoneHash []byte) (*healthcode.Account, error) {
	a := healthcode.Account{PhoneHash: phoneHash}
	err := r.queryRow(ctx, `SELECT id, phone_sealed, created_at FROM accounts WHERE phone_hash = $1`,
		phoneHash).Scan(&a.ID, &a.PhoneSealed, timeCol{&a.CreatedAt})
	if err != nil {
		return nil, fmt.Errorf("account by phone: %w", translate(r.d, err))
	}
	return &a, nil
}

func (r reader) Account(ctx context.Context, id int64) (*healthcode.Account, error) {
	a := healthcode.Account{ID: id}
	err := r.queryRow(ctx, `SELECT phone_hash, phone_sealed, created_at FROM accounts WHERE id = $1`,
		id).Scan(&a.PhoneHash, &a.PhoneSealed, timeCol{&a.CreatedAt})
	if err != nil {
		return nil, fmt.Errorf("account %d: %w", id, translate(r.d, err))
	}
	return &a, nil
}

// LockAccount holds the account's row until the transaction ends, so that
// what is counted per account (its relatives) stays counted right while
// applications race; on SQLite the write transaction holds the only write
// lock already. It reads the account, so a missing one is ENOTFOUND.
func (t *tx) LockAccount(ctx context.Context, id int64) error {
	var one int
	err := t.queryRow(ctx, `SELECT 1 FROM accounts WHERE id = $1`+t.d.forUpdate, id).Scan(&one)
	if err != nil {
		return fmt.Errorf("lock account %d: %w", id, translate(t.d, err))
	}
	return nil
}

func (t *tx) CreateAccount(ctx context.Context, a *healthcode.Account) (err error) {
	a.ID, err = t.insert(ctx, "create account", `INSERT INTO accounts (phone_hash, phone_sealed, created_at)
		VALUES ($1, $2, $3) RETURNING id`, a.PhoneHash, a.PhoneSealed, t.at(a.CreatedAt))
	return err
}

const otpQuery = `SELECT code_hash, sent_at, expires_at FROM otps WHERE phone_hash = $1`

func (r reader) OTP(ctx context.Context, phoneHash []byte) (*healthcode.OTP, error) {
	return r.otp(ctx, otpQuery, phoneHash)
}

// OTP inside a transaction locks the code's row until the transaction ends,
// so concurrent wrong guesses are counted one after another instead of
// each writing back the same count (READ COMMITTED would lose increments).
func (t *tx) OTP(ctx context.Context, phoneHash []byte) (*healthcode.OTP, error) {
	return t.otp(ctx, otpQuery+t.d.forUpdate, phoneHash)
}

func (r reader) otp(ctx context.Context, query string, phoneHash []byte) (*healthcode.OTP, error) {
	o := healthcode.OTP{PhoneHash: phoneHash}
	err := r.queryRow(ctx, query, phoneHash).Scan(&o.CodeHash, timeCol{&o.SentAt}, timeCol{&o.ExpiresAt})
	if err != nil {
		return nil, fmt.Errorf("otp: %w", translate(r.d, err))
	}
	return &o, nil
}

func (t *tx) PutOTP(ctx context.Context, o *healthcode.OTP) error {
	_, err := t.exec(ctx, "put otp", `INSERT INTO otps (phone_hash, code_hash, sent_at, expires_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (phone_hash) DO UPDATE SET code_hash = excluded.code_hash,
		sent_at = excluded.sent_at, expires_at = excluded.expires_at`,
		o.PhoneHash, o.CodeHash, t.at(o.SentAt), t.at(o.ExpiresAt))
	return err
}

func (t *tx) DeleteOTP(ctx context.Context, phoneHash []byte) error {
	_, err := t.exec(ctx, "delete otp", `DELETE FROM otps WHERE phone_hash = $1`, phoneHash)
	return err
}

// CountGuess's upsert leaves the phone's row locked until the transaction
// ends (on SQLite the transaction holds the only write lock), so
// concurrent guesses are counted one after the other.
func (t *tx) CountGuess(ctx context.Context, phoneHash []byte, now time.Time, quiet time.Duration, limit int) (int, time.Time, error) {
	var n int
	var last time.Time
	err := queryRow(ctx, t.q, `INSERT INTO otp_guesses (phone_hash, last_at, guesses) VALUES ($1, $2, 1)
		ON CONFLICT (phone_hash) DO UPDATE SET
			guesses = CASE WHEN otp_guesses.last_at <= $3 THEN 1 ELSE otp_guesses.guesses + 1 END,
			last_at = CASE WHEN otp_guesses.last_at <= $3 OR otp_guesses.guesses < $4 THEN excluded.last_at
				ELSE otp_guesses.last_at END
		RETURNING guesses, last_at`, phoneHash, t.at(now), t.at(now.Add(-quiet)), limit).Scan(&n, timeCol{&last})
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("count guess: %w", translate(t.d, err))
	}
	return n, last, nil
}

func (t *tx) ClearGuesses(ctx context.Context, phoneHash []byte) error {
	_, err := t.exec(ctx, "clear guesses", `DELETE FROM otp_guesses WHERE phone_hash = $1`, phoneHash)
	return err
}

func (r reader) Guesses(ctx context.Context, phoneHash []byte) (int, time.Time, error) {
	var n int
	var since time.Time
	err := r.queryRow(ctx, `SELECT guesses, last_at FROM otp_guesses WHERE phone_hash = $1`, phoneHash).
		Scan(&n, timeCol{&since})
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("guesses: %w", translate(r.d, err))
	}
	return n, since, nil
}

func (r reader) Session(ctx context.Context, tokenHash []byte, now time.Time) (*healthcode.Session, error) {
	s := healthcode.Session{TokenHash: tokenHash}
	err := r.queryRow(ctx, `SELECT account_id, created_at, expires_at FROM sessions
		WHERE token_hash = $1 AND expires_at > $2`, tokenHash, r.at(now)).
		Scan(&s.AccountID, timeCol{&s.CreatedAt}, timeCol{&s.ExpiresAt})
	if err != nil {
		return nil, fmt.Errorf("session: %w", translate(r.d, err))
	}
	return &s, nil
}

func (r reader) StaffSession(ctx context.Context, tokenHash []byte, now time.Time) (*healthcode.StaffSession, error) {
	s := healthcode.StaffSession{TokenHash: tokenHash}
	err := r.queryRow(ctx, `SELECT `+staffSessionCols+` FROM staff_sessions
		WHERE token_hash = $1 AND expires_at > $2`, tokenHash, r.at(now)).
		Scan(staffSessionDest(&s)...)
	if err != nil {
		return nil, fmt.Errorf("staff session: %w", translate(r.d, err))
	}
	return &s, nil
}

func (t *tx) CreateSession(ctx context.Context, s *healthcode.Session) error {
	_, err := t.exec(ctx, "create session", `INSERT INTO sessions (token_hash, account_id, created_at, expires_at)
		VALUES ($1, $2, $3, $4)`, s.TokenHash, s.AccountID, t.at(s.CreatedAt), t.at(s.ExpiresAt))
	return err
}

func (t *tx) DeleteSession(ctx context.Context, tokenHash []byte) error {
	_, err := t.exec(ctx, "delete session", `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
	return err
}

func (t *tx) CreateStaffSession(ctx context.Context, s *healthcode.StaffSession) error {
	_, err := t.exec(ctx, "create staff session", `INSERT INTO staff_sessions (token_hash, key_hash, created_at, expires_at)
		VALUES ($1, $2, $3, $4)`, s.TokenHash, s.KeyHash, t.at(s.CreatedAt), t.at(s.ExpiresAt))
	return err
}

// CountVerdict counts in the row itself, so verdicts given at once in two
// tabs both count.
func (t *tx) CountVerdict(ctx context.Context, tokenHash []byte, now time.Time, passed bool) (*healthcode.StaffSession, error) {
	col := "refused"
	if passed {
		col = "passed"
	}
	s := &healthcode.StaffSession{TokenHash: tokenHash}
	err := t.queryRow(ctx, `UPDATE staff_sessions SET `+col+` = `+col+` + 1
		WHERE token_hash = $1 AND expires_at > $2 RETURNING `+staffSessionCols, tokenHash, t.at(now)).
		Scan(staffSessionDest(s)...)
	if err != nil {
		return nil, fmt.Errorf("count verdict: %w", translate(t.d, err))
	}
	return s, nil
}

// staffSessionCols are the columns staffSessionDest scans.
const staffSessionCols = `key_hash, created_at, expires_at, passed, refused`

func staffSessionDest(s *healthcode.StaffSession) []any {
	return []any{&s.KeyHash, timeCol{&s.CreatedAt}, timeCol{&s.ExpiresAt}, &s.Passed, &s.Refused}
}

func (t *tx) DeleteStaffSession(ctx context.Context, tokenHash []byte) error {
	_, err := t.exec(ctx, "delete staff session", `DELETE FROM staff_sessions WHERE token_hash = $1`, tokenHash)
	return err
}

// Purge deletes in one transaction; each statement reads an index on the
// expiry, so a purge costs what it deletes.
func (db *DB) Purge(ctx context.Context, now, guessesBefore time.Time) (int64, error) {
	var total int64
	err := db.Update(ctx, func(htx healthcode.Tx) error {
		t := htx.(*tx)
		for _, q := range []struct {
			query string
			at    time.Time
		}{
			{`DELETE FROM otps WHERE expires_at <= $1`, now},
			{`DELETE FROM sessions WHERE expires_at <= $1`, now},
			{`DELETE FROM staff_sessions WHERE expires_at <= $1`, now},
			{`DELETE FROM official_sessions WHERE expires_at <= $1`, now},
			{`DELETE FROM otp_guesses WHERE last_at <= $1`, guessesBefore},
		} {
			n, err := t.exec(ctx, "purge", q.query, t.at(q.at))
			if err != nil {
				return err
			}
			total += n
		}
		return nil
	})
	return total, err
}
