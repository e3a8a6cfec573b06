package simulate

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/store"
	"healthcode/policy"
)

var t0 = time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)

// population stores n persons in region 330106 of three kinds: clean, a
// close contact, a medium-risk-area stay.
func population(t *testing.T, n int) healthcode.Store {
	t.Helper()
	ctx := context.Background()
	db, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "hc.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	err = db.Update(ctx, func(tx healthcode.Tx) error {
		a := &healthcode.Account{PhoneHash: []byte("p"), PhoneSealed: []byte("p"), CreatedAt: t0}
		if err := tx.CreateAccount(ctx, a); err != nil {
			return err
		}
		for i := range n {
			tag := fmt.Sprint(i)
			p := &healthcode.Person{OwnerID: a.ID, Relation: healthcode.RelationChild, DocType: healthcode.DocPassport,
				IDHash: []byte("id" + tag), IDSealed: []byte("x"), NameSealed: []byte("x"), NameMasked: "*",
				IDTail: "0000", PhoneHash: []byte("x"), PhoneSealed: []byte("x"), Region: "330106",
				CodeID: []byte("code" + tag), CreatedAt: t0, UpdatedAt: t0}
			if err := tx.CreatePerson(ctx, p); err != nil {
				return err
			}
			facts := []*healthcode.Fact{{Kind: healthcode.FactDeclaration, Declaration: &healthcode.DeclarationFact{
				Declaration: healthcode.Declaration{Commitment: true}, Region: "330106"}}}
			switch i % 3 {
			case 1:
				facts = append(facts, &healthcode.Fact{Kind: healthcode.FactContact,
					Contact: &healthcode.ContactFact{Type: healthcode.ContactClose, Exposure: t0}})
			case 2:
				facts = append(facts, &healthcode.Fact{Kind: healthcode.FactAreaStay,
					AreaStay: &healthcode.AreaStayFact{Area: "310101", Level: healthcode.AreaMedium, From: t0}})
			}
			for _, f := range facts {
				f.PersonID, f.At, f.RecordedAt, f.Source, f.Author = p.ID, t0, t0, "test", "system"
				if err := tx.AddFact(ctx, f); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestRunCountsChangesWithoutWriting(t *testing.T) {
	store := population(t, 9)
	current, err := policy.LoadShipped("transfer-rules-2022")
	if err != nil {
		t.Fatal(err)
	}
	candidate, err := policy.LoadShipped("hubei-2020")
	if err != nil {
		t.Fatal(err)
	}
	var progress []int
	r, err := Run(context.Background(), store, func(string) policy.Policy { return current }, candidate,
		t0.Add(12*time.Hour), Options{Page: 4, All: true, Progress: func(n int) { progress = append(progress, n) }})
	if err != nil {
		t.Fatal(err)
	}
	// Half a day in (before Hubei's green validity lapses): close
	// contacts are red under 2022, yellow under Hubei; medium-risk stays
	// are yellow under 2022 and green under Hubei, which has no such rule.
	want := []Transfer{{healthcode.Yellow, healthcode.Green, 3}, {healthcode.Red, healthcode.Yellow, 3}}
	if r.Persons != 9 || r.Changed != 6 || fmt.Sprint(r.Transfers) != fmt.Sprint(want) {
		t.Errorf("report = %+v, want 9 persons, 6 changed, %v", r, want)
	}
	if len(r.Regions) != 1 || r.Regions[0].Region != "330106" || r.Regions[0].Changed != 6 {
		t.Errorf("regions = %+v", r.Regions)
	}
	if fmt.Sprint(progress) != "[4 8 9]" {
		t.Errorf("progress = %v, want [4 8 9]", progress)
	}
	p, err := store.Person(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != nil {
		t.Error("the simulation wrote a status")
	}
}

func TestRunSkipsPersonsOutsideTheCandidatesRegions(t *testing.T) {
	store := population(t, 3)
	candidate, err := policy.LoadShipped("hubei-2020") // 420000: none of them
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(context.Background(), store, func(string) policy.Policy { return candidate }, candidate, t0, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Persons != 0 || r.Skipped != 3 {
		t.Errorf("persons %d skipped %d, want 0 and 3", r.Persons, r.Skipped)
	}
}
