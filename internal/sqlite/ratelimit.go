package sqlite

import (
	"context"
	"fmt"
	"time"

	"healthcode"
)

// takeRate is GCRA over one row: a request is allowed when the bucket's
// tat, moved on by one interval, stays within the burst (limit = N ×
// interval) of now. A refused request leaves tat as it was. The single
// statement on the one write connection makes it atomic.
const takeRate = `INSERT INTO rate_limits (key_hash, tat, allowed) VALUES (?1, ?2 + ?3, 1)
	ON CONFLICT (key_hash) DO UPDATE SET
		allowed = max(tat, ?2) + ?3 <= ?2 + ?4,
		tat = CASE WHEN max(tat, ?2) + ?3 <= ?2 + ?4 THEN max(tat, ?2) + ?3 ELSE tat END
	RETURNING allowed, tat`

// TakeRate implements healthcode.RateStore.
func (db *DB) TakeRate(ctx context.Context, key []byte, r healthcode.Rate, now time.Time) (time.Duration, error) {
	interval := r.Interval().Microseconds()
	limit := interval * int64(r.N)
	var allowed bool
	var tat int64
	st, err := db.writeStmts.get(ctx, takeRate)
	if err == nil {
		err = st.QueryRowContext(ctx, key, micro(now), interval, limit).Scan(&allowed, &tat)
	}
	if err != nil {
		return 0, fmt.Errorf("take rate: %w", classify(err))
	}
	if allowed {
		return 0, nil
	}
	return time.Duration(tat+interval-limit-micro(now)) * time.Microsecond, nil
}

// PurgeRates implements healthcode.RateStore.
func (db *DB) PurgeRates(ctx context.Context, now time.Time) (int64, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM rate_limits WHERE tat < ?`, micro(now))
	if err != nil {
		return 0, fmt.Errorf("purge rates: %w", classify(err))
	}
	return res.RowsAffected()
}
