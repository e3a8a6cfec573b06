package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"healthcode"
	"healthcode/internal/store/pgtest"
	"healthcode/internal/storetest"
)

// BenchmarkAddFacts is storetest.BenchAddFacts on each store: 100 000 lab
// results stored through Tx.AddFacts in transactions of 5000
// (store-rows/s). BenchmarkCopyFacts is PostgreSQL's reference.
//
//	go test -run '^$' -bench 'AddFacts|CopyFacts' -benchtime 1x ./internal/store/
func BenchmarkAddFacts(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		storetest.BenchAddFacts(b, func(b *testing.B) healthcode.Store { return openSQLite(b) })
	})
	b.Run("postgres", func(b *testing.B) {
		storetest.BenchAddFacts(b, func(b *testing.B) healthcode.Store { return openPostgres(b) })
	})
}

// BenchmarkCopyFacts copies the rows of BenchmarkAddFacts, in the same
// batches, with a bare pgx CopyFrom into raw_facts, a table without keys,
// indexes or constraints (copy-rows/s): what the server takes at best.
// copy-rows/s over AddFacts' store-rows/s is how many times faster that is.
func BenchmarkCopyFacts(b *testing.B) {
	n := storetest.BenchPeople(b, 100_000)
	const batch = 5000
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.NewDatabase(b))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TABLE raw_facts (person_id bigint, kind text, at timestamptz,
		body jsonb, source text, source_ref text)`); err != nil {
		b.Fatal(err)
	}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	facts := storetest.BenchLabFacts(ids)

	var took time.Duration
	for b.Loop() {
		b.StopTimer()
		if _, err := conn.Exec(ctx, `TRUNCATE raw_facts`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		for lo := 0; lo < len(facts); lo += batch {
			part := facts[lo:min(lo+batch, len(facts))]
			n, err := conn.CopyFrom(ctx, pgx.Identifier{"raw_facts"},
				[]string{"person_id", "kind", "at", "body", "source", "source_ref"},
				pgx.CopyFromSlice(len(part), func(i int) ([]any, error) {
					f := part[i]
					body, err := f.MarshalBody()
					return []any{f.PersonID, string(f.Kind), f.At, json.RawMessage(body), f.Source, f.SourceRef}, err
				}))
			if err != nil {
				b.Fatal(err)
			}
			if int(n) != len(part) {
				b.Fatalf("copied %d of %d", n, len(part))
			}
		}
		took += time.Since(start)
	}
	b.ReportMetric(float64(b.N*len(facts))/took.Seconds(), "copy-rows/s")
}
