package store

import (
	"context"
	"fmt"
	"time"

	"healthcode"
)

// TakeRate implements healthcode.RateStore with the dialect's takeRate:
// GCRA over one row. A request is allowed when the bucket's tat, moved on
// by one interval, stays within the burst (limit = N × interval) of now.
func (db *DB) TakeRate(ctx context.Context, key []byte, r healthcode.Rate, now time.Time) (time.Duration, error) {
	now = now.Truncate(time.Microsecond) // as both keep it; PostgreSQL would round instead
	interval := r.Interval().Truncate(time.Microsecond)
	limit := interval * time.Duration(r.N)
	var allowed bool
	var tat time.Time
	args := []any{key, db.at(now), interval.Microseconds(), limit.Microseconds()}
	if err := queryRow(ctx, db.write, db.d.takeRate, args...).Scan(&allowed, timeCol{&tat}); err != nil {
		return 0, fmt.Errorf("take rate: %w", classify(db.d, err))
	}
	if allowed {
		return 0, nil
	}
	return tat.Add(interval - limit).Sub(now), nil
}

// PurgeRates implements healthcode.RateStore.
func (db *DB) PurgeRates(ctx context.Context, now time.Time) (int64, error) {
	n, err := db.write.exec(ctx, `DELETE FROM rate_limits WHERE tat < $1`, db.at(now))
	if err != nil {
		return 0, fmt.Errorf("purge rates: %w", classify(db.d, err))
	}
	return n, nil
}
