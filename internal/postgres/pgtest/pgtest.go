// Package pgtest gives tests their own PostgreSQL database on the server
// named by HEALTHCODE_TEST_POSTGRES (default the local "test" database).
// Without a server, tests skip — loudly — unless
// HEALTHCODE_REQUIRE_POSTGRES=1 makes that a failure, as CI does.
package pgtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
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

// NewDatabase creates an empty database, dropped when the test ends, and
// returns a DSN for it.
func NewDatabase(t testing.TB) string {
	t.Helper()
	RequireServer(t)
	ctx := context.Background()
	// rand.Text is base32: letters and digits, safe unquoted once lowercased.
	name := "hc_test_" + strings.ToLower(rand.Text())
	admin, err := pgx.Connect(ctx, AdminDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
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

// WithDatabase returns dsn naming database name instead.
func WithDatabase(dsn, name string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + name
		return u.String()
	}
	// In keyword/value form a later setting overrides an earlier one.
	return dsn + " dbname=" + name
}
