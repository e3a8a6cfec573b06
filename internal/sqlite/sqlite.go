// Package sqlite is the embedded store: one database file under the data
// directory, no other process. It uses WAL so readers never wait for the
// writer, and a single writer connection so writers never deadlock.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"healthcode"
	"healthcode/internal/datadir"
	"healthcode/internal/migrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is a healthcode.Store on a SQLite file.
type DB struct {
	reader
	write *sql.DB // one connection: SQLite allows one writer at a time
	read  *sql.DB
	// writeStmts are the statements run on write outside transactions,
	// prepared once: rate limits take one on every limited request.
	writeStmts *stmtCache
}

var _ healthcode.Store = (*DB)(nil)

// Open opens (creating if needed) the database file at path and applies
// pending migrations. The file and its -wal and -shm are kept 0600; a
// read-only file or directory is an error naming it.
func Open(ctx context.Context, path string) (*DB, error) {
	if err := prepareFiles(path); err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	pragmas := "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	// IMMEDIATE takes the write lock at BEGIN, so a read-then-write
	// transaction cannot fail half-way with SQLITE_BUSY.
	write, err := sql.Open("sqlite", "file:"+url.PathEscape(path)+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxLifetime(0)
	db := &DB{write: write, writeStmts: &stmtCache{db: write}}
	if err := db.migrate(ctx); err != nil {
		write.Close()
		return nil, err
	}
	read, err := sql.Open("sqlite", "file:"+url.PathEscape(path)+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s for reading: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0)*2)
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	db.read = read
	db.reader = reader{q: read, stmts: &stmtCache{db: read}}
	return db, nil
}

// prepareFiles makes the database's files private and checks they can be
// written, before SQLite would open a read-only file read-only and fail
// at the first write. SQLite creates a new database 0644 less the umask,
// and its -wal and -shm files with the database's mode, so a database
// created 0600 here keeps all three private.
func prepareFiles(path string) error {
	if err := datadir.Writable(filepath.Dir(path)); err != nil { // WAL makes -wal and -shm beside it
		return err
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := datadir.DataFile(p); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	return f.Close()
}

// Close closes both connection pools.
func (db *DB) Close() error {
	db.stmts.close()
	db.writeStmts.close()
	return errors.Join(db.read.Close(), db.write.Close())
}

// Update runs fn in a write transaction. Errors meaning the database is
// unavailable, whether at the start, inside fn or at the commit, come
// back as EUNAVAILABLE.
func (db *DB) Update(ctx context.Context, fn func(healthcode.Tx) error) error {
	return classify(db.update(ctx, fn))
}

func (db *DB) update(ctx context.Context, fn func(healthcode.Tx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer sqlTx.Rollback()
	if err := fn(&tx{reader: reader{q: sqlTx}, tx: sqlTx}); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", translate(err))
	}
	return nil
}

func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrate.Load(migrations, "migrations")
	if err != nil {
		return err
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for _, m := range ms {
		if err := db.apply(ctx, m); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return nil
}

func (db *DB) apply(ctx context.Context, m migrate.Migration) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil {
		return err
	} else if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.Version, m.Name, time.Now().UnixMicro()); err != nil {
		return err
	}
	return tx.Commit()
}

// translate turns driver errors into the domain's vocabulary.
func translate(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &healthcode.Error{Code: healthcode.ECONFLICT, Message: "Already exists."}
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &healthcode.Error{Code: healthcode.ENOTFOUND, Message: "Not found."}
	}
	return err
}
