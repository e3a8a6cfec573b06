package service_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"healthcode"
	"healthcode/internal/store"
	"healthcode/internal/store/pgtest"
)

// benchStore is a store the service's benchmarks run on, by name: the
// sub-benchmarks are named after it. open returns a fresh empty store,
// closed when the benchmark ends, and the fastest way to seed
// BenchmarkEvaluateDue's due people into it. The benchmarks' bodies see
// only healthcode.Store; which store package opens it is said here.
type benchStore struct {
	name string
	open func(b *testing.B) (healthcode.Store, func(context.Context, benchSeed) error)
}

var benchStores = []benchStore{
	{"sqlite", func(b *testing.B) (healthcode.Store, func(context.Context, benchSeed) error) {
		store := openBenchSQLite(b)
		return store, func(ctx context.Context, s benchSeed) error { return s.store(ctx, store) }
	}},
	{"postgres", func(b *testing.B) (healthcode.Store, func(context.Context, benchSeed) error) {
		store, conn := openBenchPostgres(b)
		return store, func(ctx context.Context, s benchSeed) error { return s.write(ctx, conn) }
	}},
}

// openBenchSQLite opens a fresh file as a store, closed when the
// benchmark ends.
func openBenchSQLite(b *testing.B) healthcode.Store {
	b.Helper()
	store, err := store.OpenSQLite(context.Background(), filepath.Join(b.TempDir(), "hc.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	return store
}

// openBenchPostgres opens a fresh database as a store, and a connection
// of its own for seeding it, both closed when the benchmark ends.
func openBenchPostgres(b *testing.B) (healthcode.Store, *pgx.Conn) {
	b.Helper()
	ctx := context.Background()
	dsn := pgtest.NewDatabase(b)
	store, err := store.OpenPostgres(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close(ctx) })
	return store, conn
}

// store seeds what write copies, through the store's own methods in
// transactions of 10 000 persons, for a store without COPY. Person k
// must get id k, as write gives it, for the benchmark's checks to name
// them: so the store must hold no persons but earlier seeds' in order.
func (s benchSeed) store(ctx context.Context, store healthcode.Store) error {
	created := s.base.Add(-24 * time.Hour)
	last := s.first + int64(s.n) - 1
	for lo := s.first; lo <= last; lo += 10_000 {
		err := store.Update(ctx, func(tx healthcode.Tx) error {
			var facts []*healthcode.Fact
			for k := lo; k <= min(lo+10_000-1, last); k++ {
				a := &healthcode.Account{PhoneHash: tag('p', k, 32), PhoneSealed: tag('P', k, 39), CreatedAt: created}
				if err := tx.CreateAccount(ctx, a); err != nil {
					return err
				}
				p := &healthcode.Person{OwnerID: a.ID, Relation: healthcode.RelationSelf, DocType: healthcode.DocResidentID,
					IDHash: tag('i', k, 32), IDSealed: tag('I', k, 46), NameSealed: tag('N', k, 37), NameMasked: "张*三",
					IDTail: "002X", PhoneHash: tag('p', k, 32), PhoneSealed: tag('P', k, 39), Region: "330602",
					CodeID: tag('c', k, 16), CreatedAt: created, UpdatedAt: created}
				if err := tx.CreatePerson(ctx, p); err != nil {
					return err
				}
				if p.ID != k {
					return fmt.Errorf("seeded person %d got id %d", k, p.ID)
				}
				for _, f := range s.facts(k) {
					f.ID = 0
					facts = append(facts, &f)
				}
			}
			added, err := tx.AddFacts(ctx, facts)
			if err != nil {
				return err
			}
			// Each person's first fact is the one its red status names.
			statuses := make(map[int64]*healthcode.Status)
			var entries []*healthcode.HistoryEntry
			for _, f := range added {
				k := f.PersonID
				if st := statuses[k]; st != nil {
					st.NextEvalAt, st.EvaluatedAt = f.At.Add(14*24*time.Hour), f.At
					continue
				}
				e := s.entry(k)
				e.FactIDs = []int64{f.ID}
				e.Seal(0, nil)
				entries = append(entries, e)
				statuses[k] = &healthcode.Status{Color: healthcode.Red, Since: f.At, Policy: "seed", Rule: benchRule,
					FactIDs: []int64{f.ID}, Reason: benchReason, Next: benchNext, NextEvalAt: f.At.Add(14 * 24 * time.Hour),
					EvaluatedAt: f.At, HeadSeq: e.Seq, HeadHash: e.Hash}
			}
			if err := tx.AppendHistories(ctx, entries); err != nil {
				return err
			}
			return tx.PutStatuses(ctx, statuses)
		})
		if err != nil {
			return fmt.Errorf("seed persons from %d: %w", lo, err)
		}
	}
	return nil
}
