package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"healthcode"
	"healthcode/internal/store"
	"healthcode/internal/store/pgtest"
)

// BenchmarkAddFacts stores a lab's feed: 100 000 nucleic-acid results, one
// for each of 100 000 existing persons, in transactions of 5000 through
// Tx.AddFacts (store-rows/s). For reference it then copies the same rows,
// in the same batches, with a bare pgx CopyFrom into raw_facts, a table
// without keys, indexes or constraints (copy-rows/s): what the server
// takes at best. copy/store is how many times faster that is.
//
//	go test -run '^$' -bench AddFacts -benchtime 1x ./internal/store/
func BenchmarkAddFacts(b *testing.B) {
	const (
		people = 100_000
		batch  = 5000
	)
	ctx := context.Background()
	dsn := pgtest.NewDatabase(b)
	db, err := store.OpenPostgres(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, fmt.Sprintf(`
		INSERT INTO accounts (phone_hash, phone_sealed, created_at) VALUES ('\x01', '\x01', now());
		INSERT INTO persons (owner_id, relation, doc_type, id_hash, id_sealed, name_sealed, name_masked, id_tail,
			phone_hash, phone_sealed, region, code_id, created_at, updated_at)
		SELECT (SELECT min(id) FROM accounts), 'child', 'resident_id', int8send(g), '\x00', '\x00', '', '',
			'\x00', '\x00', '330106', int8send(g), now(), now()
		FROM generate_series(1, %d) g;
		CREATE TABLE raw_facts (person_id bigint, kind text, at timestamptz, body jsonb, source text, source_ref text);
		ANALYZE`, people))
	if err != nil {
		b.Fatal(err)
	}
	rows, err := conn.Query(ctx, `SELECT id FROM persons ORDER BY id`)
	if err != nil {
		b.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	facts := make([]*healthcode.Fact, len(ids))
	for i, id := range ids {
		arrived := t0.Add(time.Duration(i) * time.Second)
		facts[i] = &healthcode.Fact{PersonID: id, Kind: healthcode.FactTest, At: arrived, RecordedAt: arrived,
			Source: "lab:zj-cdc", SourceRef: fmt.Sprintf("NA-%08d", i), Author: "key:1",
			Test: &healthcode.TestFact{Sampled: arrived.Add(-8 * time.Hour), Result: healthcode.TestNegative,
				Lab: "Zhejiang CDC"}}
	}

	var store, raw time.Duration
	for b.Loop() {
		b.StopTimer()
		if _, err := conn.Exec(ctx, `TRUNCATE facts, raw_facts`); err != nil {
			b.Fatal(err)
		}
		for _, f := range facts {
			f.ID = 0
		}
		b.StartTimer()

		start := time.Now()
		for lo := 0; lo < len(facts); lo += batch {
			err := db.Update(ctx, func(tx healthcode.Tx) error {
				added, err := tx.AddFacts(ctx, facts[lo:min(lo+batch, len(facts))])
				if err == nil && len(added) != min(batch, len(facts)-lo) {
					err = fmt.Errorf("added %d of %d", len(added), min(batch, len(facts)-lo))
				}
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		store += time.Since(start)

		start = time.Now()
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
		raw += time.Since(start)
	}
	total := float64(b.N * len(facts))
	b.ReportMetric(total/store.Seconds(), "store-rows/s")
	b.ReportMetric(total/raw.Seconds(), "copy-rows/s")
	b.ReportMetric(store.Seconds()/raw.Seconds(), "copy/store")
}
