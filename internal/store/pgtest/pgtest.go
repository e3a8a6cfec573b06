// Package pgtest gives tests their own PostgreSQL database on the server
// named by HEALTHCODE_TEST_POSTGRES (default the local "test" database).
// Without a server, tests skip — loudly — unless
// HEALTHCODE_REQUIRE_POSTGRES=1 makes that a failure, as CI does.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"healthcode/internal/store"
	"healthcode/internal/store/migrations"
)

const defaultDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// AdminDSN is the server the tests create their databases on.
func AdminDSN() string {
	if dsn := os.Getenv("HEALTHCODE_TEST_POSTGRES"); dsn != "" {
		return dsn
	}
	return defaultDSN
}

func required() bool { return os.Getenv("HEALTHCODE_REQUIRE_POSTGRES") == "1" }

var (
	once        sync.Once
	unreachable string
)

// Unreachable says why the server cannot be used, or "" when it can. It
// asks the server once per test binary and, when it cannot be used, prints
// a banner and leaves the reason in $HEALTHCODE_PG_SKIP_FILE for
// scripts/test to repeat after the summary.
func Unreachable() string {
	once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, AdminDSN())
		if err == nil {
			conn.Close(ctx)
			return
		}
		unreachable = fmt.Sprintf("no server at %s (%v)", redact(AdminDSN()), err)
		if !required() {
			unreachable = "SKIPPING PostgreSQL tests: " + unreachable +
				"; set HEALTHCODE_REQUIRE_POSTGRES=1 to make this fatal"
		}
		// t.Skip is silent without -v, so say it here too.
		fmt.Fprintf(os.Stderr, "\n*** %s ***\n\n", unreachable)
		if f := os.Getenv("HEALTHCODE_PG_SKIP_FILE"); f != "" {
			os.WriteFile(f, []byte(unreachable+"\n"), 0o644)
		}
	})
	return unreachable
}

// redact hides a URL DSN's password; keyword/value DSNs are not shown.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return "HEALTHCODE_TEST_POSTGRES"
	}
	return u.Redacted()
}

// RequireServer skips or fails t when there is no server.
func RequireServer(t testing.TB) {
	t.Helper()
	why := Unreachable()
	if why == "" {
		return
	}
	if required() {
		t.Fatal(why)
	}
	t.Skip(why)
}

// NewDatabase creates a database with every migration applied, dropped
// when the test ends, and returns a DSN for it. It is a copy of a
// template migrated once per set of migrations (templateName), so a test
// does not pay for migrating.
func NewDatabase(t testing.TB) string {
	t.Helper()
	return newDatabase(t, clone)
}

// NewEmptyDatabase creates an empty database, dropped when the test ends,
// and returns a DSN for it: for tests of migrating itself.
func NewEmptyDatabase(t testing.TB) string {
	t.Helper()
	return newDatabase(t, func(ctx context.Context, admin *pgx.Conn, name string) error {
		_, err := admin.Exec(ctx, "CREATE DATABASE "+name)
		return err
	})
}

func newDatabase(t testing.TB, create func(ctx context.Context, admin *pgx.Conn, name string) error) string {
	t.Helper()
	RequireServer(t)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, AdminDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	// rand.Text is base32: letters and digits, safe unquoted once lowercased.
	name := "hc_test_" + strings.ToLower(rand.Text())
	if err := create(ctx, admin, name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin, err := pgx.Connect(ctx, AdminDSN())
		if err != nil {
			t.Errorf("drop %s: %v", name, err)
			return
		}
		defer admin.Close(ctx)
		// FORCE ends sessions a failed test may have left open.
		if _, err := admin.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	return WithDatabase(AdminDSN(), name)
}

// templateLock is the advisory lock, on the admin database, under which
// templates are made (exclusive) and copied (shared): test packages run as
// parallel processes, and a template must be whole before it is copied
// and not dropped while it is.
const templateLock int64 = 0x68635f746d706c // "hc_tmpl"

const templatePrefix = "hc_template_"

// templateName names the template of the current migrations: a hash of
// their files, so that changed migrations make a new template.
func templateName() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return err
	})
	return templatePrefix + hex.EncodeToString(h.Sum(nil))[:16], err
}

// clone creates database name as a copy of the template, making the
// template first if there is none.
func clone(ctx context.Context, admin *pgx.Conn, name string) error {
	tmpl, err := templateName()
	if err != nil {
		return err
	}
	for {
		if _, err := admin.Exec(ctx, `SELECT pg_advisory_lock_shared($1)`, templateLock); err != nil {
			return err
		}
		var ok bool
		err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)`, tmpl).Scan(&ok)
		if err == nil && ok {
			_, err = admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+tmpl)
		}
		_, uerr := admin.Exec(ctx, `SELECT pg_advisory_unlock_shared($1)`, templateLock)
		if err != nil || ok {
			return errors.Join(err, uerr)
		}
		if err := makeTemplate(ctx, admin, tmpl); err != nil {
			return err
		}
	}
}

// makeTemplate builds the template under the exclusive lock: migrated
// under another name, then renamed, so a process that dies half-way
// leaves no half-migrated template. Templates of other migrations are
// dropped, unless a copy is being made of them right now.
func makeTemplate(ctx context.Context, admin *pgx.Conn, tmpl string) (err error) {
	if _, err := admin.Exec(ctx, `SELECT pg_advisory_lock($1)`, templateLock); err != nil {
		return err
	}
	defer func() {
		_, uerr := admin.Exec(ctx, `SELECT pg_advisory_unlock($1)`, templateLock)
		err = errors.Join(err, uerr)
	}()
	rows, err := admin.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'hc\_template\_%'`)
	if err != nil {
		return err
	}
	existing, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, db := range existing {
		if db == tmpl {
			return nil // made meanwhile
		}
		admin.Exec(ctx, "DROP DATABASE IF EXISTS "+db) // stale, or a build that died; in use is fine
	}
	build := tmpl + "_build"
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+build); err != nil {
		return err
	}
	db, err := store.OpenPostgres(ctx, WithDatabase(AdminDSN(), build))
	if err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	db.Close() // no connection may stay open to a template being copied
	_, err = admin.Exec(ctx, "ALTER DATABASE "+build+" RENAME TO "+tmpl)
	return err
}

// WithDatabase returns dsn naming database name instead.
func WithDatabase(dsn, name string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + name
		return u.String()
	}
	// In keyword/value form a later setting overrides an earlier one.
	return dsn + " dbname=" + name
}
