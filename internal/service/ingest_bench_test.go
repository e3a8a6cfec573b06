package service_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/secret"
	"healthcode/internal/store"
	"healthcode/policy"
)

// BenchmarkIngestSQLite loads the lab file of BenchmarkIngestPostgres, for
// the same population, on SQLite, through the same path (ingest-rows/s).
// HEALTHCODE_BENCH_PEOPLE persons (default 100000), seeded through the
// store, untimed.
//
//	HEALTHCODE_BENCH_PEOPLE=1000000 go test -run '^$' -bench IngestSQLite -benchtime 1x -timeout 60m ./internal/service/
func BenchmarkIngestSQLite(b *testing.B) {
	n := benchPeopleOr(b, 100_000)
	ctx := context.Background()
	now := time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC)
	pop := labPopulation{n: n, now: now}
	file := filepath.Join(b.TempDir(), "lab.csv")
	if err := pop.writeFeed(file); err != nil {
		b.Fatal(err)
	}
	var took time.Duration
	for range b.N {
		b.StopTimer()
		store, err := store.OpenSQLite(ctx, filepath.Join(b.TempDir(), "hc.db"))
		if err != nil {
			b.Fatal(err)
		}
		if err := pop.seedStore(ctx, store); err != nil {
			b.Fatal(err)
		}
		svc := benchService(b, store, now)
		b.StartTimer()
		start := time.Now()
		res := ingestFile(b, svc, file)
		took += time.Since(start)
		b.StopTimer()
		store.Close()
		if res.Added != n || res.Recoloured != pop.contacts() {
			b.Fatalf("ingest: %+v, want %d added and %d recoloured", res, n, pop.contacts())
		}
	}
	b.ReportMetric(float64(n*b.N)/took.Seconds(), "ingest-rows/s")
}

// seedStore stores the population through the store's own methods, in
// transactions of 10000 persons: persons, their facts, and the statuses
// the policy gives them.
func (p labPopulation) seedStore(ctx context.Context, store healthcode.Store) error {
	box, err := secret.New(make([]byte, secret.KeySize)) // benchService's key
	if err != nil {
		return err
	}
	reg, err := policy.ShippedRegistry("330100", nil)
	if err != nil {
		return err
	}
	pol := reg.For(labRegion)
	created := p.now.Add(-10 * 24 * time.Hour)
	a := &healthcode.Account{PhoneHash: []byte("bench"), PhoneSealed: []byte("x"), CreatedAt: created}
	if err := store.Update(ctx, func(tx healthcode.Tx) error { return tx.CreateAccount(ctx, a) }); err != nil {
		return err
	}
	for lo := 0; lo < p.n; lo += 10_000 {
		err := store.Update(ctx, func(tx healthcode.Tx) error {
			var facts []*healthcode.Fact
			for k := lo; k < min(lo+10_000, p.n); k++ {
				id := int64(k + 1)
				person := &healthcode.Person{OwnerID: a.ID, Relation: healthcode.RelationChild, DocType: healthcode.DocResidentID,
					IDHash: box.Hash("id", "resident_id:"+p.number(k)), IDSealed: tag('I', id, 46), NameSealed: tag('N', id, 37),
					NameMasked: "张*三", IDTail: "002X", PhoneHash: tag('p', id, 32), PhoneSealed: tag('P', id, 39),
					Region: labRegion, CodeID: tag('c', id, 12), CreatedAt: created, UpdatedAt: created}
				if err := tx.CreatePerson(ctx, person); err != nil {
					return err
				}
				for _, f := range p.facts(k) {
					f.ID, f.PersonID = 0, person.ID
					facts = append(facts, &f)
				}
			}
			added, err := tx.AddFacts(ctx, facts)
			if err != nil {
				return err
			}
			if len(added) != len(facts) {
				return fmt.Errorf("seeded %d facts of %d", len(added), len(facts))
			}
			byPerson := make(map[int64][]healthcode.Fact)
			for _, f := range added {
				byPerson[f.PersonID] = append(byPerson[f.PersonID], *f)
			}
			statuses := make(map[int64]*healthcode.Status, len(byPerson))
			for id, fs := range byPerson {
				st := pol.Evaluate(fs, p.now)
				statuses[id] = &st
			}
			return tx.PutStatuses(ctx, statuses)
		})
		if err != nil {
			return err
		}
	}
	return nil
}
