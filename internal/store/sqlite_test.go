package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"healthcode"
	"healthcode/internal/store"
	"healthcode/internal/storetest"
)

// openSQLite opens a fresh file as a store, closed when the test or benchmark
// ends; the conformance suite and the benchmarks share it.
func openSQLite(t testing.TB) *store.DB {
	t.Helper()
	return openAt(t, store.OpenSQLite, filepath.Join(t.TempDir(), "healthcode.db"))
}

// openAt opens the store at where with open, closed when the test ends.
func openAt(t testing.TB, open func(context.Context, string) (*store.DB, error), where string) *store.DB {
	t.Helper()
	db, err := open(context.Background(), where)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// twice opens two stores on one database, as two processes would.
func twice(t *testing.T, open func(context.Context, string) (*store.DB, error), where string) (healthcode.Store, healthcode.Store) {
	t.Helper()
	return openAt(t, open, where), openAt(t, open, where)
}

func TestSQLiteConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) healthcode.Store { return openSQLite(t) })
}

// Two handles on one file stand for two processes sharing it.
func TestSQLiteSharedConformance(t *testing.T) {
	storetest.RunShared(t, func(t *testing.T) (healthcode.Store, healthcode.Store) {
		return twice(t, store.OpenSQLite, filepath.Join(t.TempDir(), "healthcode.db"))
	})
}

func TestSQLiteOpenTwiceAppliesMigrationsOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "healthcode.db")
	for range 2 {
		db, err := store.OpenSQLite(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
}
