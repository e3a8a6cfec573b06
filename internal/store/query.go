package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"healthcode"
)

// queryer runs statements, alone or in a transaction: database/sql's on
// SQLite, pgx's own on PostgreSQL, whose database/sql driver turns every
// column into a driver.Value and back (a person's 31 columns cost 94
// allocations more a read, and a scan a seventh of its time). The SQL is
// the same for both; only who sends it differs.
type queryer interface {
	exec(ctx context.Context, query string, args ...any) (affected int64, err error)
	query(ctx context.Context, query string, args ...any) (rows, error)
}

// queryRow runs a query of one row on q: scanning it reports sql.ErrNoRows
// when there is none, as *sql.Row does.
func queryRow(ctx context.Context, q queryer, query string, args ...any) scanner {
	rs, err := q.query(ctx, query, args...)
	return firstRow{rs, err}
}

// firstRow is a result read for its first row.
type firstRow struct {
	rs  rows
	err error
}

func (r firstRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rs.Close()
	if !r.rs.Next() {
		if err := r.rs.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := r.rs.Scan(dest...); err != nil {
		return err
	}
	return r.rs.Close()
}

// rows is a result being read, as *sql.Rows reads it.
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// sqlQueryer runs statements on a *sql.DB or *sql.Tx. With stmts (SQLite)
// it prepares each statement once, on the database or for the length of
// a transaction: SQLite parsing a query costs more than running a point
// lookup, verification is all point lookups, and a bulk write runs the
// same few statements thousands of times.
type sqlQueryer struct {
	q interface {
		ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	}
	stmts interface {
		get(ctx context.Context, query string) (*sql.Stmt, error)
	}
}

func (q sqlQueryer) exec(ctx context.Context, query string, args ...any) (int64, error) {
	var res sql.Result
	var err error
	if q.stmts == nil {
		res, err = q.q.ExecContext(ctx, query, args...)
	} else if st, perr := q.stmts.get(ctx, query); perr != nil {
		err = perr
	} else {
		res, err = st.ExecContext(ctx, args...)
	}
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (q sqlQueryer) query(ctx context.Context, query string, args ...any) (rows, error) {
	if q.stmts == nil {
		return q.q.QueryContext(ctx, query, args...)
	}
	st, err := q.stmts.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// pgxQueryer runs statements on a *pgxpool.Pool or a pgx.Tx; pgx keeps
// each connection's statements prepared itself.
type pgxQueryer struct {
	q interface {
		Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	}
}

func (q pgxQueryer) exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := q.q.Exec(ctx, query, args...)
	return tag.RowsAffected(), err
}

func (q pgxQueryer) query(ctx context.Context, query string, args ...any) (rows, error) {
	r, err := q.q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgxRows{r}, nil
}

// pgxRows is pgx.Rows with database/sql's Close.
type pgxRows struct{ pgx.Rows }

func (r pgxRows) Close() error {
	r.Rows.Close()
	return r.Rows.Err()
}

// reader runs the store's reads on q.
type reader struct {
	d *dialect
	q queryer
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

// txStmts holds statements prepared in one transaction; they close with
// it. A transaction cannot use stmtCache's: preparing on the database
// would wait for the one writer connection the transaction holds.
type txStmts struct {
	tx *sql.Tx
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func (c *txStmts) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st, nil
	}
	st, err := c.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = st
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
	return classifiedRow{r.d, queryRow(ctx, r.q, query, args...)}
}

func (r reader) query(ctx context.Context, query string, args ...any) (rows, error) {
	rs, err := r.q.query(ctx, query, args...)
	return rs, classify(r.d, err)
}

// at encodes a time argument; null encodes the zero time as NULL.
func (r reader) at(t time.Time) any { return r.d.arg(t) }

func (r reader) null(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return r.d.arg(t)
}

type scanner interface{ Scan(dest ...any) error }

// classifiedRow classifies the error of a single-row read.
type classifiedRow struct {
	d *dialect
	scanner
}

func (r classifiedRow) Scan(dest ...any) error { return classify(r.d, r.scanner.Scan(dest...)) }

// each calls fn for every row and closes rows. The error that ends
// reading (a connection lost half-way through a result) is classified.
func each(d *dialect, rows rows, fn func(scanner) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return classify(d, rows.Err())
}

// collect reads every row with scan.
func collect[T any](d *dialect, rows rows, scan func(scanner) (T, error)) ([]T, error) {
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
	if d.meaning(err) == healthcode.ECONFLICT {
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
	if err == nil || healthcode.ErrorCode(err) != healthcode.EINTERNAL || d.meaning(err) != healthcode.EUNAVAILABLE {
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
	if d.bulkRows > 0 {
		step = min(step, d.bulkRows)
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
			n, err := t.q.exec(ctx, query(src), args...)
			total += n
			return err
		}
		rows, err := t.q.query(ctx, query(src), args...)
		if err != nil {
			return err
		}
		return each(t.d, rows, scan)
	})
	return total, err
}
