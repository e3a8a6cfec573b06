package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // the "sqlite" driver

	"healthcode/internal/datadir"
)

// OpenSQLite opens (creating if needed) the database file at path and
// applies pending migrations. The file and its -wal and -shm are kept
// 0600; a read-only file or directory is an error naming it.
func OpenSQLite(ctx context.Context, path string) (*DB, error) {
	if err := prepareFiles(path); err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	pragmas := "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	// IMMEDIATE takes the write lock at BEGIN, so a read-then-write
	// transaction cannot fail half-way with SQLITE_BUSY. The one writer
	// keeps 64 MiB of pages (SQLite's default is 2 MiB): inserts land at
	// random places of the hash indexes, and past a few hundred thousand
	// persons a small cache reads most of them back from disk.
	write, err := sql.Open("sqlite", "file:"+url.PathEscape(path)+"?"+pragmas+"&_pragma=cache_size(-65536)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxLifetime(0)
	if err := migrateDB(ctx, write, sqliteDialect); err != nil {
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
	readStmts, writeStmts := &stmtCache{db: read}, &stmtCache{db: write}
	return &DB{
		reader:   reader{d: sqliteDialect, q: sqlQueryer{q: read, stmts: readStmts}},
		write:    sqlQueryer{q: write, stmts: writeStmts},
		sqlWrite: write,
		read:     read,
		stmts:    []*stmtCache{readStmts, writeStmts},
	}, nil
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

// connectTimeout bounds a new PostgreSQL connection unless the DSN's
// connect_timeout says otherwise.
const connectTimeout = 5 * time.Second

// OpenPostgres connects to the database named by dsn (a URL or
// keyword/value string, as pgxpool.ParseConfig takes) and applies pending
// migrations. The pool's size comes from the DSN's pool_max_conns, by
// default max(10, 4 × CPUs); an Update holds one connection until it
// ends. database/sql runs on the pgx pool, which does the pooling.
func OpenPostgres(ctx context.Context, dsn string) (*DB, error) {
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
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	sqlDB := stdlib.OpenDBFromPool(pool)
	if err := migrateDB(ctx, sqlDB, postgresDialect); err != nil {
		sqlDB.Close()
		pool.Close()
		return nil, err
	}
	return &DB{
		reader: reader{d: postgresDialect, q: pgxQueryer{q: pool}},
		write:  pgxQueryer{q: pool},
		read:   sqlDB,
		pool:   pool,
	}, nil
}
