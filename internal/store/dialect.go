package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"healthcode"
)

// dialect is everything that differs between SQLite and PostgreSQL; the
// rest of the package is written once for both. The SQL is written with
// $1, $2… placeholders, which modernc.org/sqlite binds by number as pgx
// does. What is data here (clauses, the few statements that cannot be
// spelled alike) is in the fields; what is code is one of the seven hooks; who
// sends the statements is queryer (query.go).
type dialect struct {
	// name picks the migrations' variants: NNNN_name.<name>.sql.
	name string
	// forUpdate and skipLocked end a locking read. SQLite has neither
	// and needs neither: an Update's IMMEDIATE transaction holds the
	// database's only write lock until it ends.
	forUpdate, skipLocked string
	// in and inBlobs are Sprintf formats (expression, parameter) matching
	// an expression against a list parameter encoded by hooks.list:
	// PostgreSQL's = ANY(array); SQLite's json_each over a JSON array,
	// of hex for blobs. The planner looks each element up either way.
	in, inBlobs string
	// jsonText is a Sprintf format (column, key) reading a JSON object's
	// text field. It must be word for word the expression of the
	// facts_stays index, or the planner would not use it.
	jsonText string
	// maxVariables is the limit on parameters in one statement; bulk
	// writes are cut into statements under it. 0 is no limit: PostgreSQL
	// sends one array a column, however many rows.
	maxVariables int
	// bulkRows caps the rows of one bulk statement (0: none). SQLite
	// parses each statement text anew in every transaction, and a
	// statement of 1 000 rows costs far more to parse than four of 250
	// with the same text, prepared once.
	bulkRows int

	// takeRate is the GCRA upsert of TakeRate, with arguments key, now,
	// interval (µs) and limit (µs); it returns allowed and tat.
	takeRate string
	// lockAreas and lockAreasShared hold areas (argument: their names)
	// until the transaction ends; SQLite's one writer needs no such lock.
	lockAreas, lockAreasShared string
	// schemaMigrations creates the migrations' record; migrationLock,
	// run first in each migration's transaction, makes servers starting
	// at once take turns (SQLite: the IMMEDIATE transaction does).
	schemaMigrations, migrationLock string
	// migrationTx begins a migration's transaction. PostgreSQL's is READ
	// COMMITTED whatever the server's default, so that what the previous
	// holder of migrationLock recorded is seen once the lock is taken: a
	// REPEATABLE READ snapshot would date from before the wait.
	migrationTx *sql.TxOptions
	// lockLog answers whether the transaction now holds the sequencer's
	// lock, without waiting; "" for SQLite, whose one writer is alone.
	// logWriter is taken, shared, by every transaction that appends to
	// the log, before its first entry, so the sequencer can tell which
	// writers are still in flight (hooks.logBound); "" for SQLite.
	lockLog, logWriter string
	// factBase is the largest fact id ever given, for a store that gives
	// facts their ids itself (SQLite: a rowid is max+1, and a voided fact
	// would hand its id, which history names, to the next); "" where a
	// sequence gives them (PostgreSQL).
	factBase string

	hooks
}

// hooks are the dialect's code: each small, each the one place its
// difference lives.
type hooks interface {
	// update runs fn in a transaction of db's, committed when fn returns
	// nil and rolled back otherwise.
	update(ctx context.Context, db *DB, fn func(*tx) error) error
	// arg encodes an argument as the dialect keeps it: a time as the
	// columns do (SQLite INTEGER microseconds since the epoch, PostgreSQL
	// timestamptz; timeCol reads either back), a []int64, []string or
	// [][]byte list for the in and inBlobs formats; anything else as it is.
	arg(v any) any
	// rows returns a row source for INSERT … or WITH u (…) AS (…) and its
	// arguments, from vals given row after row, len(cols) values a row.
	rows(cols []column, vals []any) (string, []any)
	// addFacts inserts rows of factCols values, skipping those whose
	// (source, source_ref) is stored, and returns each row's new id, 0
	// for a skipped one.
	addFacts(ctx context.Context, t *tx, vals []any) ([]int64, error)
	// lock runs lockQuery, which locks rows and answers their person ids,
	// then readQuery, which reads persons, both with arg, and returns the
	// persons read that were locked.
	lock(ctx context.Context, t *tx, lockQuery, readQuery string, arg any) ([]*healthcode.Person, error)
	// logBound returns an entry id no later committed entry can fall
	// below: every entry up to it that will ever exist is committed, so
	// the sequencer may place them all. false: writers stayed in flight
	// past the wait, and nothing is known yet.
	logBound(ctx context.Context, t *tx) (int64, bool, error)
	// meaning says what a driver's error means in the domain's words:
	// ECONFLICT when it broke a uniqueness rule, EUNAVAILABLE when the
	// database cannot serve now but may in a moment (a cancelled context
	// is not: the caller gave up), "" for anything else.
	meaning(err error) string
}

// column is one column of a bulk row source: its name and the
// PostgreSQL type of its array.
type column struct{ name, pgType string }

var sqliteDialect = &dialect{
	name:         "sqlite",
	in:           `%s IN (SELECT value FROM json_each(%s))`,
	inBlobs:      `%s IN (SELECT unhex(value) FROM json_each(%s))`,
	jsonText:     `json_extract(%s, '$.%s')`,
	maxVariables: 32766, // SQLITE_MAX_VARIABLE_NUMBER since 3.32
	bulkRows:     250,
	// A refused request leaves tat as it was. The single statement on
	// the one write connection makes it atomic.
	takeRate: `INSERT INTO rate_limits (key_hash, tat, allowed) VALUES ($1, $2 + $3, 1)
	ON CONFLICT (key_hash) DO UPDATE SET
		allowed = max(tat, $2) + $3 <= $2 + $4,
		tat = CASE WHEN max(tat, $2) + $3 <= $2 + $4 THEN max(tat, $2) + $3 ELSE tat END
	RETURNING allowed, tat`,
	schemaMigrations: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`,
	factBase: nextFactBase,
	hooks:    sqliteHooks{},
}

var postgresDialect = &dialect{
	name:       "postgres",
	forUpdate:  ` FOR UPDATE`,
	skipLocked: ` FOR UPDATE SKIP LOCKED`,
	in:         `%s = ANY(%s)`,
	inBlobs:    `%s = ANY(%s::bytea[])`,
	jsonText:   `%s->>'%s'`,
	// ON CONFLICT DO UPDATE locks the row and evaluates SET on its newest
	// version, so concurrent callers on any server queue and each sees
	// the others' takes.
	takeRate: `INSERT INTO rate_limits AS r (key_hash, tat, allowed)
	VALUES ($1, $2::timestamptz + $3::bigint * interval '1 microsecond', true)
	ON CONFLICT (key_hash) DO UPDATE SET
		allowed = greatest(r.tat, $2) + $3 * interval '1 microsecond' <= $2 + $4::bigint * interval '1 microsecond',
		tat = CASE WHEN greatest(r.tat, $2) + $3 * interval '1 microsecond' <= $2 + $4 * interval '1 microsecond'
			THEN greatest(r.tat, $2) + $3 * interval '1 microsecond' ELSE r.tat END
	RETURNING allowed, tat`,
	// Areas are locked with transaction-scoped advisory locks, in the
	// order of their keys so that lockers of several areas cannot
	// deadlock: shared by transactions reading an area's designations,
	// exclusive by the one adding some. The class keeps the keys apart
	// from other advisory locks.
	lockAreas:       `SELECT pg_advisory_xact_lock(1095, k) FROM (SELECT DISTINCT hashtext(a) AS k FROM unnest($1::text[]) a ORDER BY k) s`,
	lockAreasShared: `SELECT pg_advisory_xact_lock_shared(1095, k) FROM (SELECT DISTINCT hashtext(a) AS k FROM unnest($1::text[]) a ORDER BY k) s`,
	schemaMigrations: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
	// Advisory locks are scoped to the current database, so one constant
	// (0x6865616c7468, "health") serves every database.
	migrationLock: `SELECT pg_advisory_xact_lock(114784635483240)`,
	migrationTx:   &sql.TxOptions{Isolation: sql.LevelReadCommitted},
	// A second server's sequencer skips its round rather than queue: the
	// holder places what both would have.
	lockLog:   `SELECT pg_try_advisory_xact_lock(1096, 1)`,
	logWriter: `SELECT pg_advisory_xact_lock_shared(1096, 2)`,
	hooks:     postgresHooks{},
}

type sqliteHooks struct{}

// update begins on the one writer connection; the DSN's _txlock=immediate
// takes the write lock at BEGIN, so a read-then-write transaction cannot
// fail half-way with SQLITE_BUSY.
func (sqliteHooks) update(ctx context.Context, db *DB, fn func(*tx) error) error {
	sqlTx, err := db.sqlWrite.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer sqlTx.Rollback() // a no-op once committed
	if err := fn(&tx{reader: reader{d: db.d, q: sqlQueryer{q: sqlTx, stmts: &txStmts{tx: sqlTx}}}}); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", translate(db.d, err))
	}
	return nil
}

func (sqliteHooks) arg(v any) any {
	switch v := v.(type) {
	case time.Time:
		return v.UnixMicro()
	case [][]byte:
		hexes := make([]string, len(v))
		for i, h := range v {
			hexes[i] = hex.EncodeToString(h)
		}
		b, _ := json.Marshal(hexes) // strings always encode
		return string(b)
	case []int64, []string:
		b, _ := json.Marshal(v) // ints and strings always encode
		return string(b)
	}
	return v
}

// rows is a VALUES list, one anonymous parameter a value: SQLite looks
// each named one ($N) up in a list, which for a statement of thousands
// of parameters costs more than running it.
func (sqliteHooks) rows(cols []column, vals []any) (string, []any) {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	return "VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", len(vals)/len(cols)), ", "), vals
}

// nextFactBase is the largest fact id SQLite ever gave: facts set aside
// (voided_facts) keep theirs, which history names, so they count too.
const nextFactBase = `SELECT max(coalesce((SELECT max(id) FROM facts), 0), coalesce((SELECT max(id) FROM voided_facts), 0))`

// addFacts gives the rows their ids itself, from the largest ever given: the
// transaction holds the only write lock, so nobody else takes them, and
// RETURNING id then says exactly which rows went in, whatever order
// SQLite returns them in (it promises none).
func (sqliteHooks) addFacts(ctx context.Context, t *tx, vals []any) ([]int64, error) {
	cols := append([]column{{"id", "bigint"}}, factCols...)
	n := len(vals) / len(factCols)
	ids := make([]int64, n)
	err := chunks(t.d, n, len(cols), func(lo, hi int) error {
		var base int64
		if err := queryRow(ctx, t.q, t.d.factBase).Scan(&base); err != nil {
			return err
		}
		withIDs := make([]any, 0, (hi-lo)*len(cols))
		for i := lo; i < hi; i++ {
			withIDs = append(withIDs, base+1+int64(i-lo))
			withIDs = append(withIDs, vals[i*len(factCols):(i+1)*len(factCols)]...)
		}
		src, args := t.d.rows(cols, withIDs)
		rows, err := t.q.query(ctx, `INSERT INTO facts (`+names(cols)+`) `+src+onConflictRef+` RETURNING id`, args...)
		if err != nil {
			return err
		}
		return each(t.d, rows, func(r scanner) error {
			var id int64
			if err := r.Scan(&id); err != nil {
				return err
			}
			ids[lo+int(id-base-1)] = id
			return nil
		})
	})
	return ids, err
}

// lock needs no lock statement: the transaction holds the database's one
// writer, so no person is ever left out for being held elsewhere.
func (sqliteHooks) lock(ctx context.Context, t *tx, _, readQuery string, arg any) ([]*healthcode.Person, error) {
	rows, err := t.query(ctx, readQuery, arg)
	if err != nil {
		return nil, err
	}
	return scanPersons(t.d, rows)
}

// logBound: the sequencer's transaction holds the database's only write
// lock, so no writer is in flight and the largest id is the bound.
func (sqliteHooks) logBound(ctx context.Context, t *tx) (int64, bool, error) {
	var id int64
	err := queryRow(ctx, t.q, `SELECT coalesce(max(id), 0) FROM log_entries`).Scan(&id)
	return id, err == nil, err
}

// meaning: unavailable is another process holding the file's lock
// beyond the busy timeout, or the context's deadline passing while
// waiting for the one writer connection or for the lock.
func (sqliteHooks) meaning(err error) string {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return healthcode.ECONFLICT
		}
		switch se.Code() & 0xff { // the primary code of an extended one
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return healthcode.EUNAVAILABLE
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return healthcode.EUNAVAILABLE
	}
	return ""
}

type postgresHooks struct{}

// update begins READ COMMITTED, set rather than inherited from the server
// because LockPerson relies on each statement seeing what was committed
// before it started.
func (postgresHooks) update(ctx context.Context, db *DB, fn func(*tx) error) error {
	pgTx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	// A no-op once committed. With ctx done pgx cannot send it and closes
	// the connection instead, which rolls back too, rather than wait on a
	// network that may be gone.
	defer pgTx.Rollback(ctx)
	if err := fn(&tx{reader: reader{d: db.d, q: pgxQueryer{q: pgTx}}, pg: pgTx}); err != nil {
		return err
	}
	if err := pgTx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", translate(db.d, err))
	}
	return nil
}

// arg: pgx encodes times and typed slices itself.
func (postgresHooks) arg(v any) any { return v }

// rows unnests one array a column: one statement whatever the count,
// planned once.
func (postgresHooks) rows(cols []column, vals []any) (string, []any) {
	n := len(vals) / len(cols)
	args := make([]any, len(cols))
	params := make([]string, len(cols))
	for c, col := range cols {
		args[c] = pgArray(col.pgType, vals, c, len(cols), n)
		params[c] = "$" + strconv.Itoa(c+1) + "::" + col.pgType + "[]"
	}
	return `SELECT * FROM unnest(` + strings.Join(params, ", ") + `)`, args
}

// pgArray gathers column c of the rows in vals into a typed slice, which
// pgx encodes without reflecting on each element.
func pgArray(pgType string, vals []any, c, width, n int) any {
	switch pgType {
	case "bigint", "smallint":
		return gather[int64](vals, c, width, n)
	case "text", "jsonb":
		return gather[string](vals, c, width, n)
	case "bytea":
		return gather[[]byte](vals, c, width, n)
	case "timestamptz":
		for i := range n {
			if vals[i*width+c] == nil { // nullable: NULL elements
				return gather[*time.Time](vals, c, width, n)
			}
		}
		return gather[time.Time](vals, c, width, n)
	}
	panic("store: no array of " + pgType)
}

func gather[T any](vals []any, c, width, n int) []T {
	out := make([]T, n)
	for i := range n {
		switch v := vals[i*width+c].(type) {
		case T:
			out[i] = v
		case time.Time: // into []*time.Time
			out[i] = any(&v).(T)
		}
	}
	return out
}

// addFacts inserts a batch in one statement. RETURNING gives rows back in
// no promised order and cannot name the input row, so the ids are drawn
// from the identity's sequence in a CTE, where each row's ordinal is
// known, and the statement answers (ordinal, id) for the rows the
// conflict clause let in. The ids of skipped rows are gaps, as after a
// rollback.
func (postgresHooks) addFacts(ctx context.Context, t *tx, vals []any) ([]int64, error) {
	cols := append([]column{{"ord", "bigint"}}, factCols...)
	n := len(vals) / len(factCols)
	withOrd := make([]any, 0, n*len(cols))
	for i := range n {
		withOrd = append(withOrd, int64(i))
		withOrd = append(withOrd, vals[i*len(factCols):(i+1)*len(factCols)]...)
	}
	src, args := t.d.rows(cols, withOrd)
	rows, err := t.q.query(ctx, `WITH u (`+names(cols)+`) AS (`+src+`),
	n AS (SELECT nextval('facts_id_seq') AS id, u.* FROM u),
	added AS (
		INSERT INTO facts (id, `+names(factCols)+`) OVERRIDING SYSTEM VALUE
		SELECT id, `+names(factCols)+` FROM n ORDER BY ord`+onConflictRef+`
		RETURNING id
	)
	SELECT n.ord, n.id FROM n JOIN added USING (id)`, args...)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, n)
	err = each(t.d, rows, func(r scanner) error {
		var ord, id int64
		err := r.Scan(&ord, &id)
		ids[ord] = id
		return err
	})
	return ids, err
}

// lock sends both statements in one batch, so locking stays one round
// trip. The second reads every person the argument names, since it
// cannot see the first's result, and those that were not locked are
// dropped here.
func (postgresHooks) lock(ctx context.Context, t *tx, lockQuery, readQuery string, arg any) ([]*healthcode.Person, error) {
	b := &pgx.Batch{}
	b.Queue(lockQuery, arg)
	b.Queue(readQuery, arg)
	br := t.pg.SendBatch(ctx, b)
	defer br.Close()
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	lockedIDs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	locked := make(map[int64]bool, len(lockedIDs))
	for _, id := range lockedIDs {
		locked[id] = true
	}
	if rows, err = br.Query(); err != nil {
		return nil, err
	}
	ps := make([]*healthcode.Person, 0, len(lockedIDs))
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if locked[p.ID] {
			ps = append(ps, p)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return ps, br.Close()
}

// meaning: unavailable is no connection made or the one in use broken,
// the server starting, stopping or out of connections, or the context's
// deadline passing while waiting for it.
// logWriters lists the transactions holding logWriter, but this one.
const logWriters = `SELECT virtualtransaction FROM pg_locks
	WHERE locktype = 'advisory' AND classid = 1096 AND objid = 2 AND objsubid = 2 AND granted AND pid <> pg_backend_pid()`

// logWriterWait bounds how long a round waits for the writers in flight
// at its start: past it, the round places nothing and the next tries.
const logWriterWait = 5 * time.Second

// logBound: PostgreSQL hands out ids when rows are inserted, not when
// they commit, so a transaction still open may hold an id below one
// already committed. Every writer holds logWriter from before it takes an
// id until it ends; so once the writers in flight after the sequence was
// read have ended, no id up to what it had handed out can still appear.
// Writers starting meanwhile take later ids and are not waited for.
func (postgresHooks) logBound(ctx context.Context, t *tx) (int64, bool, error) {
	var bound int64
	if err := queryRow(ctx, t.q, `SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM log_entries_id_seq`).Scan(&bound); err != nil {
		return 0, false, err
	}
	var inFlight []string
	if err := queryRow(ctx, t.q, `SELECT coalesce(array_agg(virtualtransaction), '{}') FROM (`+logWriters+`) w`).Scan(&inFlight); err != nil {
		return 0, false, err
	}
	for deadline := time.Now().Add(logWriterWait); len(inFlight) > 0; {
		if time.Now().After(deadline) {
			return 0, false, nil
		}
		select {
		case <-ctx.Done():
			return 0, false, ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
		if err := queryRow(ctx, t.q, `SELECT coalesce(array_agg(virtualtransaction), '{}') FROM (`+logWriters+
			`) w WHERE virtualtransaction = ANY($1)`, inFlight).Scan(&inFlight); err != nil {
			return 0, false, err
		}
	}
	return bound, true, nil
}

func (postgresHooks) meaning(err error) string {
	var pe *pgconn.PgError
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &pe) && pe.Code == "23505": // unique_violation
		return healthcode.ECONFLICT
	case errors.As(err, &pe):
		// Class 08 is connection exceptions; 57P01-03 a server shutting
		// down or not yet accepting; 53300 too many connections.
		if strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" ||
			pe.Code == "57P03" || pe.Code == "53300" {
			return healthcode.EUNAVAILABLE
		}
		return ""
	case errors.As(err, &ce), errors.As(err, &ne), pgconn.Timeout(err),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, pgconn.ErrConnClosed),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return healthcode.EUNAVAILABLE
	}
	return ""
}

// in returns d's test of expr against a list parameter.
func in(d *dialect, expr, param string) string { return fmt.Sprintf(d.in, expr, param) }
