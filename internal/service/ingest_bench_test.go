package service_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"healthcode"
	"healthcode/identity"
	"healthcode/internal/ingest"
	"healthcode/internal/secret"
	"healthcode/internal/sqlite"
)

// BenchmarkIngestSQLite stores lab results for persons who have applied,
// on SQLite, through the service as the API and the command line do:
// batches of 1000, each committed with the re-evaluation of its persons.
// HEALTHCODE_BENCH_PEOPLE persons (default 20000), two results each.
//
//	go test -run '^$' -bench IngestSQLite -benchtime 1x ./internal/service/
func BenchmarkIngestSQLite(b *testing.B) {
	n := benchPeople(b)
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "hc.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	now := time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC)
	svc := benchService(b, store, now)
	box, err := secret.New(make([]byte, secret.KeySize)) // benchService's key
	if err != nil {
		b.Fatal(err)
	}
	numbers := seedApplied(b, store, box, n, now)
	var rows []ingest.Row
	for i, number := range numbers {
		for j := range 2 {
			at := now.Add(-time.Duration(48-24*j) * time.Hour)
			rows = append(rows, ingest.Row{SourceRef: fmt.Sprintf("r%d-%d", i, j), DocType: healthcode.DocResidentID,
				Number: number, Fact: healthcode.Fact{Kind: healthcode.FactTest, At: at,
					Test: &healthcode.TestFact{Sampled: at.Add(-6 * time.Hour), Result: healthcode.TestNegative, Lab: "lab"}}})
		}
	}
	b.ResetTimer()
	for i := range b.N {
		source := fmt.Sprintf("bench-%d", i) // a new source: every row is new
		for lo := 0; lo < len(rows); lo += 1000 {
			res, err := svc.IngestAs(ctx, source, "bench", rows[lo:min(lo+1000, len(rows))])
			if err != nil {
				b.Fatal(err)
			}
			if res.Added != min(1000, len(rows)-lo) {
				b.Fatalf("batch at %d: %+v", lo, res)
			}
		}
	}
	b.ReportMetric(float64(len(rows)*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// seedApplied stores n persons as if they had applied, with a declaration
// and a green status, and returns their ID numbers.
func seedApplied(b *testing.B, store healthcode.Store, box *secret.Box, n int, now time.Time) []string {
	b.Helper()
	ctx := context.Background()
	numbers := make([]string, n)
	err := store.Update(ctx, func(tx healthcode.Tx) error {
		a := &healthcode.Account{PhoneHash: []byte("bench"), PhoneSealed: []byte("x"), CreatedAt: now}
		if err := tx.CreateAccount(ctx, a); err != nil {
			return err
		}
		for i := range n {
			// Born on one of 28 January days; the birth year moves on every
			// 28 000 persons, so numbers stay distinct.
			first17 := fmt.Sprintf("330106%04d01%02d%03d", 1980+i/28000, 1+i%28, i/28%1000)
			c, err := identity.ResidentIDCheckChar(first17)
			if err != nil {
				return err
			}
			numbers[i] = first17 + string(c)
			p := &healthcode.Person{OwnerID: a.ID, Relation: healthcode.RelationChild, DocType: healthcode.DocResidentID,
				IDHash: box.Hash("id", "resident_id:"+numbers[i]), IDSealed: []byte("x"), NameSealed: []byte("x"),
				NameMasked: "*", IDTail: numbers[i][14:], PhoneHash: []byte("x"), PhoneSealed: []byte("x"),
				Region: "330106", CodeID: []byte(fmt.Sprintf("code%d", i)), CreatedAt: now, UpdatedAt: now}
			if err := tx.CreatePerson(ctx, p); err != nil {
				return err
			}
			if err := tx.PutStatus(ctx, p.ID, &healthcode.Status{Color: healthcode.Green, Since: now,
				Policy: "seed", Rule: "seed/green", EvaluatedAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return numbers
}
