package storetest

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"healthcode"
)

func testFacts(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	a := mustAccount(t, s, "13800000007")
	p := mustPerson(t, s, newPerson(a.ID, healthcode.RelationSelf, 1))
	later := &healthcode.Fact{PersonID: p.ID, Kind: healthcode.FactTemperature, At: at.Add(time.Hour),
		RecordedAt: at.Add(time.Hour), Source: "gate 3", Author: "key:1",
		Temperature: &healthcode.TemperatureFact{Celsius: 38.5, Checkpoint: "gate 3"}}
	earlier := &healthcode.Fact{PersonID: p.ID, Kind: healthcode.FactDeclaration, At: at, RecordedAt: at,
		Source: "citizen", SourceRef: "ref-1", Author: "account:1",
		Declaration: &healthcode.DeclarationFact{Region: "330106", Reapply: true,
			Declaration: healthcode.Declaration{Cough: true, Commitment: true}}}
	update(t, s, func(tx healthcode.Tx) error {
		if err := tx.AddFact(ctx, later); err != nil {
			return err
		}
		return tx.AddFact(ctx, earlier)
	})
	got, err := s.Facts(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []healthcode.Fact{*earlier, *later}
	for i := range want {
		want[i].At, want[i].RecordedAt = want[i].At.UTC(), want[i].RecordedAt.UTC()
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("facts:\n got %+v\nwant %+v", got, want)
	}
	err = s.Update(ctx, func(tx healthcode.Tx) error {
		return tx.AddFact(ctx, &healthcode.Fact{PersonID: p.ID, Kind: healthcode.FactTemperature, At: at, RecordedAt: at})
	})
	if err == nil {
		t.Error("a fact without its payload was stored")
	}
}

func testStatus(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	a := mustAccount(t, s, "13800000008")
	p := mustPerson(t, s, newPerson(a.ID, healthcode.RelationSelf, 1))
	first := &healthcode.Status{Color: healthcode.Red, Since: at, Policy: "builtin-1", Rule: "r1", FactIDs: []int64{1, 2},
		Reason: healthcode.Text{Zh: "理由", En: "reason"}, Next: healthcode.Text{Zh: "下一步", En: "next"},
		Category: "close-contact", Phase: "centralized", Needs: []healthcode.Need{
			{Kind: healthcode.NeedWait, Until: at.Add(14 * 24 * time.Hour)},
			{Kind: healthcode.NeedTests, Have: 1, Want: 2, MinInterval: 24},
			{Alternative: 1, Kind: healthcode.NeedRelease, Setting: "centralized"}},
		NextEvalAt: at.Add(14 * 24 * time.Hour), EvaluatedAt: at, HeadSeq: 1, HeadHash: []byte("head1")}
	second := &healthcode.Status{Color: healthcode.Green, Since: at.Add(time.Hour), Policy: "builtin-1", Rule: "r2",
		FactIDs: []int64{}, EvaluatedAt: at.Add(time.Hour), HeadSeq: 2, HeadHash: []byte("head2")}
	for _, want := range []*healthcode.Status{first, second} {
		update(t, s, func(tx healthcode.Tx) error { return tx.PutStatus(ctx, p.ID, want) })
		got, err := s.Person(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Status, want) {
			t.Errorf("status:\n got %+v\nwant %+v", got.Status, want)
		}
	}
}

// testEachPerson walks everyone in pages smaller than the population, each
// person once, with their own facts.
func testEachPerson(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	a := mustAccount(t, s, "13800000013")
	const n = 7
	for i := range n {
		rel := healthcode.RelationChild
		if i == 0 {
			rel = healthcode.RelationSelf
		}
		p := mustPerson(t, s, newPerson(a.ID, rel, i+1))
		for j := range i % 3 {
			update(t, s, func(tx healthcode.Tx) error {
				return tx.AddFact(ctx, &healthcode.Fact{PersonID: p.ID, Kind: healthcode.FactTemperature,
					At: at.Add(time.Duration(j) * time.Hour), RecordedAt: at, Source: "gate", Author: "key:1",
					Temperature: &healthcode.TemperatureFact{Celsius: 36.6, Checkpoint: "gate"}})
			})
		}
	}
	var seen []int64
	err := s.EachPerson(ctx, 3, func(p *healthcode.Person, facts []healthcode.Fact) error {
		seen = append(seen, p.ID)
		for _, f := range facts {
			if f.PersonID != p.ID {
				t.Errorf("person %d got fact of person %d", p.ID, f.PersonID)
			}
		}
		if want := int(p.ID-seen[0]) % 3; len(facts) != want {
			t.Errorf("person %d: %d facts, want %d", p.ID, len(facts), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != n || !slices.IsSorted(seen) {
		t.Errorf("walked %v, want %d persons in id order", seen, n)
	}
	stop := errors.New("stop")
	calls := 0
	err = s.EachPerson(ctx, 3, func(*healthcode.Person, []healthcode.Fact) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("EachPerson after an error: %v after %d calls, want stop after 1", err, calls)
	}
}
