package sqlite

import (
	"context"
	"fmt"
	"time"

	"healthcode"
)

func (t *tx) CountGuess(ctx context.Context, phoneHash []byte, now time.Time, quiet time.Duration, limit int) (int, time.Time, error) {
	var n int
	var last int64
	stale := micro(now.Add(-quiet))
	err := t.tx.QueryRowContext(ctx, `INSERT INTO otp_guesses (phone_hash, last_at, guesses) VALUES (?, ?, 1)
		ON CONFLICT (phone_hash) DO UPDATE SET
			guesses = CASE WHEN otp_guesses.last_at <= ? THEN 1 ELSE otp_guesses.guesses + 1 END,
			last_at = CASE WHEN otp_guesses.last_at <= ? OR otp_guesses.guesses < ? THEN excluded.last_at
				ELSE otp_guesses.last_at END
		RETURNING guesses, last_at`, phoneHash, micro(now), stale, stale, limit).Scan(&n, &last)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("count guess: %w", translate(err))
	}
	return n, fromMicro(last), nil
}

func (t *tx) ClearGuesses(ctx context.Context, phoneHash []byte) error {
	_, err := t.exec(ctx, "clear guesses", `DELETE FROM otp_guesses WHERE phone_hash = ?`, phoneHash)
	return err
}

func (r reader) Guesses(ctx context.Context, phoneHash []byte) (int, time.Time, error) {
	var n int
	var since int64
	err := r.queryRow(ctx, `SELECT guesses, last_at FROM otp_guesses WHERE phone_hash = ?`, phoneHash).Scan(&n, &since)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("guesses: %w", translate(err))
	}
	return n, fromMicro(since), nil
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
			{`DELETE FROM otps WHERE expires_at <= ?`, now},
			{`DELETE FROM sessions WHERE expires_at <= ?`, now},
			{`DELETE FROM staff_sessions WHERE expires_at <= ?`, now},
			{`DELETE FROM otp_guesses WHERE last_at <= ?`, guessesBefore},
		} {
			res, err := t.exec(ctx, "purge", q.query, micro(q.at))
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			total += n
		}
		return nil
	})
	return total, err
}

// LockAccount needs no lock: the write transaction holds the database's
// only write lock. It reads the account, so a missing one is ENOTFOUND.
func (t *tx) LockAccount(ctx context.Context, id int64) error {
	_, err := t.Account(ctx, id)
	return err
}

func (t *tx) VoidFacts(ctx context.Context, personID int64, source, author, reason string, at time.Time) (int, error) {
	if _, err := t.exec(ctx, "void facts", `INSERT INTO voided_facts (id, person_id, kind, at, recorded_at, source,
		source_ref, author, body, voided_at, reason)
		SELECT id, person_id, kind, at, recorded_at, source, source_ref, author, body, ?, ?
		FROM facts WHERE person_id = ? AND source = ? AND author = ?`, micro(at), reason, personID, source, author); err != nil {
		return 0, err
	}
	res, err := t.exec(ctx, "void facts", `DELETE FROM facts WHERE person_id = ? AND source = ? AND author = ?`,
		personID, source, author)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
