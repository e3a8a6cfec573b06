// Package store is healthcode's persistence: one implementation of
// healthcode.Store over database/sql for two databases. SQLite
// (modernc.org/sqlite) is the embedded store: one file under the data
// directory, WAL so readers never wait for the writer, and a single
// writer connection so writers never deadlock. PostgreSQL (pgx through
// its database/sql driver) is the production store. Every query is
// written once; what differs between the two lives in dialect.go.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"healthcode"
)

// DB is a healthcode.Store on SQLite or PostgreSQL.
type DB struct {
	reader // reads outside transactions, on read
	d      *dialect
	// write runs Updates: on SQLite one connection, as SQLite allows one
	// writer at a time; on PostgreSQL the pool, as read is.
	write *sql.DB
	read  *sql.DB
	// writeStmts are the statements run on write outside transactions,
	// prepared once on SQLite: rate limits take one on every limited
	// request. nil on PostgreSQL.
	writeStmts *stmtCache
	pool       *pgxpool.Pool // PostgreSQL's, under read and write
}

var _ healthcode.Store = (*DB)(nil)

// tx is an Update's transaction: the *sql.Tx and the connection it runs
// on, for the statements PostgreSQL sends on the raw pgx connection.
type tx struct {
	reader
	tx   *sql.Tx
	conn *sql.Conn
}

// Close closes the connection pools.
func (db *DB) Close() error {
	db.stmts.close()
	db.writeStmts.close()
	err := db.read.Close()
	if db.write != db.read {
		err = errors.Join(err, db.write.Close())
	}
	if db.pool != nil {
		db.pool.Close() // waits for connections in use to be returned
	}
	return err
}

// Update runs fn in a transaction (see dialect.txOptions). Errors meaning
// the database is unavailable, whether at the start, inside fn or at the
// commit, come back as EUNAVAILABLE.
func (db *DB) Update(ctx context.Context, fn func(healthcode.Tx) error) error {
	return classify(db.d, db.update(ctx, fn))
}

func (db *DB) update(ctx context.Context, fn func(healthcode.Tx) error) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer conn.Close()
	sqlTx, err := conn.BeginTx(ctx, db.d.txOptions)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer sqlTx.Rollback() // a no-op once committed
	if err := fn(&tx{reader: reader{d: db.d, q: sqlTx}, tx: sqlTx, conn: conn}); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", translate(db.d, err))
	}
	return nil
}

// Ping implements healthcode.Store: one statement on the read pool,
// connecting first when it holds none. On SQLite the writer is left
// alone, for a long feed may hold it and the database is no less
// reachable for that. Any failure means not ready.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return healthcode.Unavailable(fmt.Errorf("ping: %w", err))
	}
	return nil
}

func (t *tx) exec(ctx context.Context, what, query string, args ...any) (sql.Result, error) {
	res, err := t.tx.ExecContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, translate(t.d, err))
	}
	return res, nil
}

// insert runs an INSERT … RETURNING id and returns the new row id.
func (t *tx) insert(ctx context.Context, what, query string, args ...any) (int64, error) {
	var id int64
	if err := t.tx.QueryRowContext(ctx, query, args...).Scan(&id); err != nil {
		return 0, fmt.Errorf("%s: %w", what, translate(t.d, err))
	}
	return id, nil
}

// Exec runs a raw statement in a transaction of this store; tests use it to
// check what the schema itself forbids.
func Exec(ctx context.Context, t healthcode.Tx, query string) error {
	_, err := t.(*tx).exec(ctx, "exec", query)
	return err
}
