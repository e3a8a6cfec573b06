// Package store is healthcode's persistence: one implementation of
// healthcode.Store for two databases. SQLite (modernc.org/sqlite through
// database/sql) is the embedded store: one file under the data directory,
// WAL so readers never wait for the writer, and a single writer
// connection so writers never deadlock. PostgreSQL (a pgx pool) is the
// production store. Every query is written once, with $1, $2…
// placeholders both drivers bind by number; what differs between the two
// lives in dialect.go, and who sends the statements in queryer.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"healthcode"
)

// DB is a healthcode.Store on SQLite or PostgreSQL.
type DB struct {
	reader // reads outside transactions, and the dialect (reader.d)
	// write runs statements outside transactions that write: rate
	// limits, on SQLite through its one writer connection, prepared once,
	// as every limited request takes one.
	write queryer
	// sqlWrite is SQLite's writer connection, which Updates begin on.
	sqlWrite *sql.DB
	// read is database/sql on the database, for migrations and tests (on
	// SQLite also the read pool under reader).
	read  *sql.DB
	stmts []*stmtCache  // SQLite's prepared statements, closed with db
	pool  *pgxpool.Pool // PostgreSQL's, under reader, write and Updates
}

var _ healthcode.Store = (*DB)(nil)

// tx is an Update's transaction. pg is PostgreSQL's, for the statements
// sent in one batch; nil on SQLite.
type tx struct {
	reader
	pg pgx.Tx
	// logWriting: the transaction holds the dialect's logWriter.
	logWriting bool
}

// Close closes the connection pools.
func (db *DB) Close() error {
	for _, c := range db.stmts {
		c.close()
	}
	err := db.read.Close()
	if db.sqlWrite != nil {
		err = errors.Join(err, db.sqlWrite.Close())
	}
	if db.pool != nil {
		db.pool.Close() // waits for connections in use to be returned
	}
	return err
}

// Update runs fn in a transaction (see hooks.update). Errors meaning the
// database is unavailable, whether at the start, inside fn or at the
// commit, come back as EUNAVAILABLE.
func (db *DB) Update(ctx context.Context, fn func(healthcode.Tx) error) error {
	return classify(db.d, db.d.update(ctx, db, func(t *tx) error { return fn(t) }))
}

// Ping implements healthcode.Store: one statement on the read pool,
// connecting first when it holds none. On SQLite the writer is left
// alone, for a long feed may hold it and the database is no less
// reachable for that. Any failure means not ready.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := queryRow(ctx, db.q, `SELECT 1`).Scan(&one); err != nil {
		return healthcode.Unavailable(fmt.Errorf("ping: %w", err))
	}
	return nil
}

// exec runs a statement and returns how many rows it affected.
func (t *tx) exec(ctx context.Context, what, query string, args ...any) (int64, error) {
	n, err := t.q.exec(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, translate(t.d, err))
	}
	return n, nil
}

// insert runs an INSERT … RETURNING id and returns the new row id.
func (t *tx) insert(ctx context.Context, what, query string, args ...any) (int64, error) {
	var id int64
	if err := queryRow(ctx, t.q, query, args...).Scan(&id); err != nil {
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
