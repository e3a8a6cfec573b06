package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"healthcode"
)

// unavailable reports whether err means the database cannot be reached
// for now, so that the same request may well succeed in a moment: no
// connection could be made or the one in use broke, the server is
// starting, stopping or out of connections, or the context's deadline
// passed while waiting for it. A cancelled context is not: the caller
// gave up, the database did nothing wrong.
func unavailable(err error) bool {
	var pe *pgconn.PgError
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &pe):
		// Class 08 is connection exceptions; 57P01-03 a server shutting
		// down or not yet accepting; 53300 too many connections.
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" ||
			pe.Code == "57P03" || pe.Code == "53300"
	case errors.As(err, &ce), errors.As(err, &ne), pgconn.Timeout(err):
		return true
	}
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
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

// pool is the queryer of reads outside transactions: the pool, with its
// errors classified. Reads inside a transaction are classified by Update.
type pool struct{ *pgxpool.Pool }

func (p pool) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	tag, err := p.Pool.Exec(ctx, sql, args...)
	return tag, classify(err)
}

func (p pool) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	rows, err := p.Pool.Query(ctx, sql, args...)
	if err != nil {
		return rows, classify(err)
	}
	return classifiedRows{rows}, nil
}

func (p pool) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return classifiedRow{p.Pool.QueryRow(ctx, sql, args...)}
}

// classifiedRows classifies the error that ends reading: a connection
// lost half-way through a result.
type classifiedRows struct{ pgx.Rows }

func (r classifiedRows) Err() error { return classify(r.Rows.Err()) }

type classifiedRow struct{ pgx.Row }

func (r classifiedRow) Scan(dest ...any) error { return classify(r.Row.Scan(dest...)) }

// Ping implements healthcode.Store: one empty statement on a pooled
// connection, connecting first when the pool holds none. Any failure
// means not ready.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return healthcode.Unavailable(fmt.Errorf("ping: %w", err))
	}
	return nil
}
