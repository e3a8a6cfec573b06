package storetest

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"healthcode"
)

func testDesignations(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	high := &healthcode.Designation{Area: "西湖区文三路社区", Level: healthcode.AreaHigh, From: at, To: at.Add(7 * 24 * time.Hour),
		Source: "hq", SourceRef: "D-1", Author: "key:1", RecordedAt: at}
	open := &healthcode.Designation{Area: "330106", Level: healthcode.AreaControl, From: at,
		Source: "hq", SourceRef: "D-2", Author: "key:1", RecordedAt: at}
	again := *high
	again.Level = healthcode.AreaMedium // the same record sent again: ignored
	var added int
	update(t, s, func(tx healthcode.Tx) (err error) {
		added, err = tx.AddDesignations(ctx, []*healthcode.Designation{high, open, &again})
		return err
	})
	if added != 2 {
		t.Errorf("AddDesignations stored %d, want 2: a record repeated in the batch is stored once", added)
	}
	update(t, s, func(tx healthcode.Tx) (err error) {
		added, err = tx.AddDesignations(ctx, []*healthcode.Designation{&again})
		return err
	})
	if added != 0 {
		t.Errorf("AddDesignations stored a record sent again")
	}
	got, err := s.Designations(ctx, []string{"330106", "西湖区文三路社区", "elsewhere"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !sameDesignation(got[0], *high) || !sameDesignation(got[1], *open) {
		t.Errorf("Designations = %+v, want the two stored, in the order stored, the second without an end", got)
	}
	if got, err := s.Designations(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("Designations(nil) = %v, %v; want none", got, err)
	}
}

func sameDesignation(a, b healthcode.Designation) bool {
	return a.Area == b.Area && a.Level == b.Level && a.From.Equal(b.From) && a.To.Equal(b.To) &&
		a.Source == b.Source && a.SourceRef == b.SourceRef && a.Author == b.Author && a.RecordedAt.Equal(b.RecordedAt)
}

func testStayerIDs(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	ids := manyPersons(t, s, "13800000040", 4)
	stay := func(person int64, area string, level healthcode.AreaLevel, ref string) *healthcode.Fact {
		return &healthcode.Fact{PersonID: person, Kind: healthcode.FactAreaStay, At: at, RecordedAt: at,
			Source: "telecom", SourceRef: ref, Author: "key:2",
			AreaStay: &healthcode.AreaStayFact{Area: area, Level: level, From: at.Add(-time.Hour)}}
	}
	update(t, s, func(tx healthcode.Tx) error {
		_, err := tx.AddFacts(ctx, []*healthcode.Fact{
			stay(ids[3], "A", "", "t1"),
			stay(ids[1], "A", "", "t2"),
			stay(ids[1], "A", "", "t3"), // twice there: listed once
			stay(ids[0], "B", "", "t4"),
			stay(ids[2], "A", healthcode.AreaHigh, "t5"), // came with its level
			{PersonID: ids[2], Kind: healthcode.FactTest, At: at, RecordedAt: at, Source: "lab", Author: "key:3",
				Test: &healthcode.TestFact{Sampled: at, Result: healthcode.TestNegative}},
		})
		return err
	})
	for _, tt := range []struct {
		area string
		want []int64
	}{
		{"A", []int64{ids[1], ids[3]}},
		{"B", []int64{ids[0]}},
		{"C", nil},
	} {
		got, err := s.StayerIDs(ctx, tt.area)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("StayerIDs(%s) = %v, want %v: persons with a levelless stay there, once each, in id order",
				tt.area, got, tt.want)
		}
	}
}

func testLockAll(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	ids := manyPersons(t, s, "13800000041", 3)
	update(t, s, func(tx healthcode.Tx) error {
		ps, err := tx.LockAll(ctx, []int64{ids[2], 987654, ids[0]})
		if err != nil {
			return err
		}
		var got []int64
		for _, p := range ps {
			got = append(got, p.ID)
		}
		if want := []int64{ids[0], ids[2]}; !reflect.DeepEqual(got, want) {
			t.Errorf("LockAll = %v, want %v: the existing ones in id order", got, want)
		}
		if ps, err := tx.LockAll(ctx, nil); err != nil || len(ps) != 0 {
			t.Errorf("LockAll(nil) = %v, %v; want none", ps, err)
		}
		return nil
	})
}
