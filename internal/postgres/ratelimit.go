package postgres

import (
	"context"
	"fmt"
	"time"

	"healthcode"
)

// takeRate is GCRA over one row: a request is allowed when the bucket's
// tat, moved on by one interval ($3 µs), stays within the burst ($4 µs =
// N × interval) of now. A refused request leaves tat as it was. ON
// CONFLICT DO UPDATE locks the row and evaluates SET on its newest
// version, so concurrent callers on any server queue and each sees the
// others' takes.
const takeRate = `INSERT INTO rate_limits AS r (key_hash, tat, allowed)
	VALUES ($1, $2::timestamptz + $3::bigint * interval '1 microsecond', true)
	ON CONFLICT (key_hash) DO UPDATE SET
		allowed = greatest(r.tat, $2) + $3 * interval '1 microsecond' <= $2 + $4::bigint * interval '1 microsecond',
		tat = CASE WHEN greatest(r.tat, $2) + $3 * interval '1 microsecond' <= $2 + $4 * interval '1 microsecond'
			THEN greatest(r.tat, $2) + $3 * interval '1 microsecond' ELSE r.tat END
	RETURNING allowed, tat`

// TakeRate implements healthcode.RateStore.
func (db *DB) TakeRate(ctx context.Context, key []byte, r healthcode.Rate, now time.Time) (time.Duration, error) {
	now = now.Truncate(time.Microsecond) // as PostgreSQL keeps it, which would round instead
	interval := r.Interval().Truncate(time.Microsecond)
	limit := interval * time.Duration(r.N)
	var allowed bool
	var tat time.Time
	err := db.pool.QueryRow(ctx, takeRate, key, now, interval.Microseconds(), limit.Microseconds()).Scan(&allowed, &tat)
	if err != nil {
		return 0, fmt.Errorf("take rate: %w", classify(err))
	}
	if allowed {
		return 0, nil
	}
	return tat.Add(interval - limit).Sub(now), nil
}

// PurgeRates implements healthcode.RateStore.
func (db *DB) PurgeRates(ctx context.Context, now time.Time) (int64, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM rate_limits WHERE tat < $1`, now)
	if err != nil {
		return 0, fmt.Errorf("purge rates: %w", classify(err))
	}
	return tag.RowsAffected(), nil
}
