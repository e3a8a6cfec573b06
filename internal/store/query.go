package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"healthcode"
)

// queryer is what *sql.DB and *sql.Tx share, so reads run alone or in a
// transaction with one implementation.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// reader runs the store's reads on q. Outside transactions on SQLite it
// keeps prepared statements: SQLite parsing a query costs more than
// running a point lookup, and verification is all point lookups.
// (pgx keeps each connection's statements prepared itself.)
type reader struct {
	d     *dialect
	q     queryer
	stmts *stmtCache // nil inside transactions and on PostgreSQL
}

// stmtCache holds statements prepared once on a *sql.DB.
type stmtCache struct {
	db *sql.DB
	m  sync.Map // query → *sql.Stmt
}

func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.m.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := c.m.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.m.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
}

// queryRow and query classify the errors of starting a read: a deadline
// passed waiting for a connection or a lock, a server gone.
func (r reader) queryRow(ctx context.Context, query string, args ...any) scanner {
	if r.stmts == nil {
		return classifiedRow{r.d, r.q.QueryRowContext(ctx, query, args...)}
	}
	st, err := r.stmts.get(ctx, query)
	if err != nil {
		return errRow{classify(r.d, err)}
	}
	return classifiedRow{r.d, st.QueryRowContext(ctx, args...)}
}

func (r reader) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if r.stmts == nil {
		rows, err := r.q.QueryContext(ctx, query, args...)
		return rows, classify(r.d, err)
	}
	st, err := r.stmts.get(ctx, query)
	if err != nil {
		return nil, classify(r.d, err)
	}
	rows, err := st.QueryContext(ctx, args...)
	return rows, classify(r.d, err)
}

// at encodes a time argument; null encodes the zero time as NULL.
func (r reader) at(t time.Time) any { return r.d.time(t) }

func (r reader) null(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return r.d.time(t)
}

type scanner interface{ Scan(dest ...any) error }

// errRow reports a failed prepare through the usual Scan.
type errRow struct{ err error }

func (e errRow) Scan(...any) error { return e.err }

// classifiedRow classifies the error of a single-row read.
type classifiedRow struct {
	d *dialect
	scanner
}

func (r classifiedRow) Scan(dest ...any) error { return classify(r.d, r.scanner.Scan(dest...)) }

// each calls fn for every row and closes rows. The error that ends
// reading (a connection lost half-way through a result) is classified.
func each(d *dialect, rows *sql.Rows, fn func(scanner) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return classify(d, rows.Err())
}

// collect reads every row with scan.
func collect[T any](d *dialect, rows *sql.Rows, scan func(scanner) (T, error)) ([]T, error) {
	var out []T
	err := each(d, rows, func(r scanner) error {
		v, err := scan(r)
		out = append(out, v)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func scanID(r scanner) (int64, error) {
	var id int64
	err := r.Scan(&id)
	return id, err
}

// timeCol reads a time column of either dialect: SQLite's INTEGER
// microseconds or PostgreSQL's timestamptz, in UTC as both stores return
// times. NULL reads as the zero time.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.t = time.Time{}
	case int64:
		*c.t = time.UnixMicro(v).UTC()
	case time.Time:
		*c.t = v.UTC()
	default:
		return fmt.Errorf("time column holds %T", src)
	}
	return nil
}

// translate turns driver errors into the domain's vocabulary.
func translate(d *dialect, err error) error {
	if d.conflict(err) {
		return &healthcode.Error{Code: healthcode.ECONFLICT, Message: "Already exists."}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &healthcode.Error{Code: healthcode.ENOTFOUND, Message: "Not found."}
	}
	return err
}

// classify marks an error that means the database is unavailable with
// EUNAVAILABLE, keeping the driver's error in the chain for the log.
// Errors that carry a code already keep theirs.
func classify(d *dialect, err error) error {
	if err == nil || healthcode.ErrorCode(err) != healthcode.EINTERNAL || !d.unavailable(err) {
		return err
	}
	return healthcode.Unavailable(err)
}

// chunks calls fn with successive [lo, hi) ranges of n rows, each small
// enough for cols parameters a row.
func chunks(d *dialect, n, cols int, fn func(lo, hi int) error) error {
	step := n
	if d.maxVariables > 0 {
		step = d.maxVariables / cols
	}
	for lo := 0; lo < n; lo += step {
		if err := fn(lo, min(lo+step, n)); err != nil {
			return err
		}
	}
	return nil
}

// names lists the columns' names.
func names(cols []column) string {
	ns := make([]string, len(cols))
	for i, c := range cols {
		ns[i] = c.name
	}
	return strings.Join(ns, ", ")
}

// bulk runs the statement query builds around a row source of vals (row
// after row, len(cols) values a row), in as few statements as the
// dialect allows. With scan nil it executes them and returns the rows
// affected; otherwise it calls scan for each row they return.
func (t *tx) bulk(ctx context.Context, cols []column, vals []any, query func(rows string) string,
	scan func(scanner) error) (int64, error) {
	var total int64
	err := chunks(t.d, len(vals)/len(cols), len(cols), func(lo, hi int) error {
		src, args := t.d.rows(cols, vals[lo*len(cols):hi*len(cols)])
		if scan == nil {
			res, err := t.tx.ExecContext(ctx, query(src), args...)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			total += n
			return err
		}
		rows, err := t.tx.QueryContext(ctx, query(src), args...)
		if err != nil {
			return err
		}
		return each(t.d, rows, scan)
	})
	return total, err
}
