// Package postgres is the production store: PostgreSQL through a pgx
// connection pool.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"healthcode"
	"healthcode/internal/migrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the pg_advisory_xact_lock key that serialises migrating
// servers. Advisory locks are scoped to the current database, so one
// constant serves every database.
const migrationLock int64 = 0x6865616c7468 // "health"

// connectTimeout bounds a new connection unless the DSN's connect_timeout
// says otherwise.
const connectTimeout = 5 * time.Second

// DB is a healthcode.Store on a PostgreSQL database.
type DB struct {
	reader
	pool *pgxpool.Pool
}

var _ healthcode.Store = (*DB)(nil)

// Open connects to the database named by dsn (a URL or keyword/value
// string, as pgxpool.ParseConfig takes) and applies pending migrations.
// The pool's size comes from the DSN's pool_max_conns, by default
// max(10, 4 × CPUs); an Update holds one connection until it ends.
func Open(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// The error may quote the DSN, password included; say only why.
		return nil, errors.New("open postgres: invalid DSN")
	}
	// pgxpool's default, max(4, CPUs), is taken whole by a designation
	// colouring four chunks at once, and scans would queue behind it.
	if !strings.Contains(dsn, "pool_max_conns") {
		cfg.MaxConns = int32(max(10, 4*runtime.NumCPU()))
	}
	// Without a bound, a server that drops packets holds each request for
	// the operating system's TCP timeout, minutes, before it can say 503.
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	p, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db := &DB{reader: reader{q: pool{p}}, pool: p}
	if err := db.migrate(ctx); err != nil {
		p.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the pool, waiting for connections in use to be returned.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Update runs fn in a READ COMMITTED transaction. The level is set rather
// than inherited from the server because LockPerson relies on each
// statement seeing what was committed before it started. Errors meaning
// the database is unavailable, whether at the start, inside fn or at the
// commit, come back as EUNAVAILABLE.
func (db *DB) Update(ctx context.Context, fn func(healthcode.Tx) error) error {
	return classify(db.update(ctx, fn))
}

func (db *DB) update(ctx context.Context, fn func(healthcode.Tx) error) error {
	pgTx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer pgTx.Rollback(ctx) // a no-op once committed
	if err := fn(&tx{reader: reader{q: pgTx}, tx: pgTx}); err != nil {
		return err
	}
	if err := pgTx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", translate(err))
	}
	return nil
}

func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrate.Load(migrations, "migrations")
	if err != nil {
		return err
	}
	err = db.locked(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`)
		return err
	})
	if err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for _, m := range ms {
		if err := db.locked(ctx, func(tx pgx.Tx) error { return apply(ctx, tx, m) }); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return nil
}

// locked runs fn in a transaction holding the migration lock, so that two
// servers starting at once take turns: the second then finds each
// migration recorded and skips it.
func (db *DB) locked(ctx context.Context, fn func(pgx.Tx) error) error {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

func apply(ctx context.Context, tx pgx.Tx, m migrate.Migration) error {
	var done bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, m.Version).Scan(&done)
	if err != nil || done {
		return err
	}
	// Without arguments pgx sends the text as a simple query, which may
	// hold several statements.
	if _, err := tx.Exec(ctx, m.SQL); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name)
	return err
}

// translate turns driver errors into the domain's vocabulary.
func translate(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" { // unique_violation
		return &healthcode.Error{Code: healthcode.ECONFLICT, Message: "Already exists."}
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return &healthcode.Error{Code: healthcode.ENOTFOUND, Message: "Not found."}
	}
	return err
}
