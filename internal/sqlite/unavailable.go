package sqlite

import (
	"context"
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"healthcode"
)

// unavailable reports whether err means the database cannot serve now but
// may in a moment: another process held the file's lock beyond the busy
// timeout, or the context's deadline passed while waiting for the one
// writer connection or for the lock. A cancelled context is not: the
// caller gave up.
func unavailable(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff { // the primary code of an extended one
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
	}
	return errors.Is(err, context.DeadlineExceeded)
}

// classify marks an error that means the database is unavailable with
// EUNAVAILABLE, keeping the driver's error in the chain for the log.
// Errors that carry a code already keep theirs.
func classify(err error) error {
	if err == nil || healthcode.ErrorCode(err) != healthcode.EINTERNAL || !unavailable(err) {
		return err
	}
	return healthcode.Unavailable(err)
}

// classifiedRow classifies the error of a single-row read.
type classifiedRow struct{ scanner }

func (r classifiedRow) Scan(dest ...any) error { return classify(r.scanner.Scan(dest...)) }

// Ping implements healthcode.Store: a read on the read pool. The writer is
// left alone, for a long feed may hold it and the database is no less
// reachable for that.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return healthcode.Unavailable(fmt.Errorf("ping: %w", err))
	}
	return nil
}
