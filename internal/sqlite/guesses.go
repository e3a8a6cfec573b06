package sqlite

import (
	"context"
	"fmt"
	"time"

	"healthcode"
)

func (t *tx) CountGuess(ctx context.Context, phoneHash []byte, now time.Time, window time.Duration) (int, time.Time, error) {
	var n int
	var since int64
	stale := micro(now.Add(-window))
	err := t.tx.QueryRowContext(ctx, `INSERT INTO otp_guesses (phone_hash, window_start, guesses) VALUES (?, ?, 1)
		ON CONFLICT (phone_hash) DO UPDATE SET
			guesses = CASE WHEN otp_guesses.window_start <= ? THEN 1 ELSE otp_guesses.guesses + 1 END,
			window_start = CASE WHEN otp_guesses.window_start <= ? THEN excluded.window_start ELSE otp_guesses.window_start END
		RETURNING guesses, window_start`, phoneHash, micro(now), stale, stale).Scan(&n, &since)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("count guess: %w", translate(err))
	}
	return n, fromMicro(since), nil
}

func (t *tx) ClearGuesses(ctx context.Context, phoneHash []byte) error {
	_, err := t.exec(ctx, "clear guesses", `DELETE FROM otp_guesses WHERE phone_hash = ?`, phoneHash)
	return err
}

func (r reader) Guesses(ctx context.Context, phoneHash []byte) (int, time.Time, error) {
	var n int
	var since int64
	err := r.queryRow(ctx, `SELECT guesses, window_start FROM otp_guesses WHERE phone_hash = ?`, phoneHash).Scan(&n, &since)
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
			{`DELETE FROM otp_guesses WHERE window_start <= ?`, guessesBefore},
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
