package postgres

import (
	"context"
	"fmt"
	"time"

	"healthcode"
)

// CountGuess's upsert leaves the phone's row locked until the transaction
// ends, so concurrent guesses are counted one after the other.
func (t *tx) CountGuess(ctx context.Context, phoneHash []byte, now time.Time, quiet time.Duration, limit int) (int, time.Time, error) {
	var n int
	var last time.Time
	err := t.tx.QueryRow(ctx, `INSERT INTO otp_guesses (phone_hash, last_at, guesses) VALUES ($1, $2, 1)
		ON CONFLICT (phone_hash) DO UPDATE SET
			guesses = CASE WHEN otp_guesses.last_at <= $3 THEN 1 ELSE otp_guesses.guesses + 1 END,
			last_at = CASE WHEN otp_guesses.last_at <= $3 OR otp_guesses.guesses < $4 THEN excluded.last_at
				ELSE otp_guesses.last_at END
		RETURNING guesses, last_at`, phoneHash, now, now.Add(-quiet), limit).Scan(&n, &last)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("count guess: %w", translate(err))
	}
	return n, last.UTC(), nil
}

func (t *tx) ClearGuesses(ctx context.Context, phoneHash []byte) error {
	_, err := t.exec(ctx, "clear guesses", `DELETE FROM otp_guesses WHERE phone_hash = $1`, phoneHash)
	return err
}

func (r reader) Guesses(ctx context.Context, phoneHash []byte) (int, time.Time, error) {
	var n int
	var since time.Time
	err := r.q.QueryRow(ctx, `SELECT guesses, last_at FROM otp_guesses WHERE phone_hash = $1`, phoneHash).Scan(&n, &since)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("guesses: %w", translate(err))
	}
	return n, since.UTC(), nil
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
			{`DELETE FROM otp_guesses WHERE last_at <= $1`, guessesBefore},
		} {
			tag, err := t.exec(ctx, "purge", q.query, q.at)
			if err != nil {
				return err
			}
			total += tag.RowsAffected()
		}
		return nil
	})
	return total, err
}

// LockAccount holds the account's row until the transaction ends, so that
// what is counted per account (its relatives) stays counted right while
// applications race.
func (t *tx) LockAccount(ctx context.Context, id int64) error {
	var one int
	err := t.tx.QueryRow(ctx, `SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE`, id).Scan(&one)
	if err != nil {
		return fmt.Errorf("lock account %d: %w", id, translate(err))
	}
	return nil
}

func (t *tx) VoidFacts(ctx context.Context, personID int64, source, author, reason string, at time.Time) (int, error) {
	tag, err := t.exec(ctx, "void facts", `WITH voided AS (
			DELETE FROM facts WHERE person_id = $1 AND source = $2 AND author = $3
			RETURNING id, person_id, kind, at, recorded_at, source, source_ref, author, body)
		INSERT INTO voided_facts (id, person_id, kind, at, recorded_at, source, source_ref, author, body, voided_at, reason)
		SELECT id, person_id, kind, at, recorded_at, source, source_ref, author, body, $4, $5 FROM voided`,
		personID, source, author, at, reason)
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}
