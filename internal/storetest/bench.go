package storetest

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"healthcode"
)

// BenchOpener returns a new empty store, closed when the benchmark ends.
type BenchOpener func(b *testing.B) healthcode.Store

// Sizes of BenchAddFacts: a lab's feed, as issue 11 measures it.
const (
	benchFactPeople = 100_000
	benchFactBatch  = 5000
)

// BenchAddFacts stores a lab's feed: one nucleic-acid result for each of
// HEALTHCODE_BENCH_PEOPLE existing persons (default 100 000), in
// transactions of 5000 through Tx.AddFacts (store-rows/s). Each iteration
// opens a fresh store and seeds its persons through the store, untimed,
// so every iteration writes into the same empty facts table. Both stores
// run this same body: only the opener differs.
func BenchAddFacts(b *testing.B, open BenchOpener) {
	n := BenchPeople(b, benchFactPeople)
	ctx := context.Background()
	var took time.Duration
	for b.Loop() {
		b.StopTimer()
		store := open(b)
		ids, err := seedBenchPersons(ctx, store, n)
		if err != nil {
			b.Fatal(err)
		}
		facts := BenchLabFacts(ids)
		b.StartTimer()

		start := time.Now()
		for lo := 0; lo < len(facts); lo += benchFactBatch {
			part := facts[lo:min(lo+benchFactBatch, len(facts))]
			err := store.Update(ctx, func(tx healthcode.Tx) error {
				added, err := tx.AddFacts(ctx, part)
				if err == nil && len(added) != len(part) {
					err = fmt.Errorf("added %d of %d", len(added), len(part))
				}
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		took += time.Since(start)
		b.StopTimer()
		// The next iteration's store is a new one: free this one's pool
		// and file handles now rather than when the benchmark ends.
		if err := store.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.N*n)/took.Seconds(), "store-rows/s")
}

// BenchLabFacts returns a negative nucleic-acid result for each person,
// arriving a second apart, each with its own lab reference: the rows
// BenchAddFacts stores (and postgres's bare COPY reference copies).
func BenchLabFacts(ids []int64) []*healthcode.Fact {
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	facts := make([]*healthcode.Fact, len(ids))
	for i, id := range ids {
		arrived := t0.Add(time.Duration(i) * time.Second)
		facts[i] = &healthcode.Fact{PersonID: id, Kind: healthcode.FactTest, At: arrived, RecordedAt: arrived,
			Source: "lab:zj-cdc", SourceRef: fmt.Sprintf("NA-%08d", i), Author: "key:1",
			Test: &healthcode.TestFact{Sampled: arrived.Add(-8 * time.Hour), Result: healthcode.TestNegative,
				Lab: "Zhejiang CDC"}}
	}
	return facts
}

// seedBenchPersons stores one account and n children of it, in
// transactions of 10 000, and returns their ids in order.
func seedBenchPersons(ctx context.Context, store healthcode.Store, n int) ([]int64, error) {
	created := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	a := &healthcode.Account{PhoneHash: []byte{1}, PhoneSealed: []byte{1}, CreatedAt: created}
	if err := store.Update(ctx, func(tx healthcode.Tx) error { return tx.CreateAccount(ctx, a) }); err != nil {
		return nil, fmt.Errorf("seed account: %w", err)
	}
	ids := make([]int64, 0, n)
	for lo := 0; lo < n; lo += 10_000 {
		err := store.Update(ctx, func(tx healthcode.Tx) error {
			for k := lo; k < min(lo+10_000, n); k++ {
				key := []byte(strconv.Itoa(k))
				p := &healthcode.Person{OwnerID: a.ID, Relation: healthcode.RelationChild,
					DocType: healthcode.DocResidentID, IDHash: key, IDSealed: []byte{0}, NameSealed: []byte{0},
					PhoneHash: []byte{0}, PhoneSealed: []byte{0}, Region: "330106", CodeID: key,
					CreatedAt: created, UpdatedAt: created}
				if err := tx.CreatePerson(ctx, p); err != nil {
					return err
				}
				ids = append(ids, p.ID)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("seed persons: %w", err)
		}
	}
	return ids, nil
}

// BenchPeople is HEALTHCODE_BENCH_PEOPLE, or n when it is not set: the
// population the store and service benchmarks seed.
func BenchPeople(b *testing.B, n int) int {
	if v := os.Getenv("HEALTHCODE_BENCH_PEOPLE"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("HEALTHCODE_BENCH_PEOPLE=%q: want a positive count", v)
		}
	}
	return n
}
