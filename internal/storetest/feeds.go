package storetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"healthcode"
)

// labFact is a nucleic-acid result from a feed; source and ref name the
// record.
func labFact(person int64, source, ref string, when time.Time, result healthcode.TestResult) *healthcode.Fact {
	return &healthcode.Fact{PersonID: person, Kind: healthcode.FactTest, At: when, RecordedAt: at,
		Source: source, SourceRef: ref, Author: "key:7",
		Test: &healthcode.TestFact{Sampled: when.Add(-6 * time.Hour), Result: result, Lab: source}}
}

// refs names facts by source and ref, for messages and comparisons.
func refs(fs []*healthcode.Fact) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Source + "/" + f.SourceRef
	}
	return out
}

// sameStored checks that each fact reads back from the store as given,
// under its ID.
func sameStored(t *testing.T, s healthcode.Reader, fs []*healthcode.Fact) {
	t.Helper()
	ctx := context.Background()
	byID := map[int64]healthcode.Fact{}
	persons := map[int64]bool{}
	for _, f := range fs {
		persons[f.PersonID] = true
	}
	for id := range persons {
		stored, err := s.Facts(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range stored {
			byID[f.ID] = f
		}
	}
	for _, f := range fs {
		want := *f
		want.At, want.RecordedAt = want.At.UTC(), want.RecordedAt.UTC()
		if got, ok := byID[f.ID]; !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("fact %d:\n got %+v\nwant %+v", f.ID, got, want)
		}
	}
}

func testAddFacts(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	ids := manyPersons(t, s, "13800000030", 2)
	p1, p2 := ids[0], ids[1]
	single := labFact(p2, "lab-b", "B1", at, healthcode.TestNegative)
	update(t, s, func(tx healthcode.Tx) error { return tx.AddFact(ctx, single) })

	batch := []*healthcode.Fact{
		labFact(p1, "lab-a", "A1", at.Add(time.Hour), healthcode.TestNegative),
		labFact(p2, "lab-a", "A2", at, healthcode.TestPositive),
		labFact(p1, "lab-a", "A1", at.Add(2*time.Hour), healthcode.TestPositive), // repeat in the batch
		labFact(p1, "lab-b", "A1", at, healthcode.TestNegative),                  // same ref, other source
		labFact(p2, "lab-b", "B1", at.Add(time.Hour), healthcode.TestPositive),   // stored by AddFact
		labFact(p1, "gate", "", at, healthcode.TestNegative),                     // no ref: always added
		labFact(p1, "gate", "", at, healthcode.TestNegative),
	}
	var added []*healthcode.Fact
	update(t, s, func(tx healthcode.Tx) (err error) {
		added, err = tx.AddFacts(ctx, batch)
		return err
	})
	want := []*healthcode.Fact{batch[0], batch[1], batch[3], batch[5], batch[6]}
	if !slices.Equal(added, want) {
		t.Fatalf("AddFacts added %v, want %v: the new ones, in the order given", refs(added), refs(want))
	}
	seen := map[int64]bool{single.ID: true}
	for _, f := range added {
		if f.ID == 0 || seen[f.ID] {
			t.Errorf("added fact %s/%s has id %d, want a new one", f.Source, f.SourceRef, f.ID)
		}
		seen[f.ID] = true
	}
	if batch[2].ID != 0 || batch[4].ID != 0 {
		t.Errorf("duplicates got ids %d and %d, want none", batch[2].ID, batch[4].ID)
	}
	sameStored(t, s, append(added, single))
	f1, _ := s.Facts(ctx, p1)
	f2, _ := s.Facts(ctx, p2)
	if len(f1) != 4 || len(f2) != 2 {
		t.Errorf("stored %d and %d facts, want 4 and 2", len(f1), len(f2))
	}

	// The same file again, with one new record: only that one goes in.
	again := []*healthcode.Fact{
		labFact(p1, "lab-a", "A1", at.Add(time.Hour), healthcode.TestNegative),
		labFact(p2, "lab-a", "A3", at.Add(3*time.Hour), healthcode.TestNegative),
		labFact(p2, "lab-a", "A2", at, healthcode.TestPositive),
		labFact(p1, "lab-b", "A1", at, healthcode.TestNegative),
	}
	update(t, s, func(tx healthcode.Tx) (err error) {
		added, err = tx.AddFacts(ctx, again)
		return err
	})
	if len(added) != 1 || added[0] != again[1] || added[0].ID == 0 || seen[added[0].ID] {
		t.Errorf("re-sent batch added %v (ids %d), want only lab-a/A3 with a new id", refs(added), again[1].ID)
	}
	if f2, _ := s.Facts(ctx, p2); len(f2) != 3 {
		t.Errorf("person %d has %d facts after the re-send, want 3", p2, len(f2))
	}
	update(t, s, func(tx healthcode.Tx) error {
		if added, err := tx.AddFacts(ctx, nil); err != nil || len(added) != 0 {
			t.Errorf("AddFacts(nil) = %v, %v; want none", added, err)
		}
		return nil
	})
	// AddFact has no conflict clause: a stored ref is a conflict there.
	err := s.Update(ctx, func(tx healthcode.Tx) error {
		return tx.AddFact(ctx, labFact(p1, "lab-a", "A2", at, healthcode.TestNegative))
	})
	wantCode(t, err, healthcode.ECONFLICT)
	// A bad fact refuses the whole batch before anything is written.
	err = s.Update(ctx, func(tx healthcode.Tx) error {
		_, err := tx.AddFacts(ctx, []*healthcode.Fact{labFact(p1, "lab-a", "A9", at, healthcode.TestNegative),
			{PersonID: p1, Kind: healthcode.FactTest, At: at, RecordedAt: at, Source: "lab-a", SourceRef: "A10"}})
		return err
	})
	if err == nil {
		t.Error("a batch with a fact without its payload was stored")
	}
}

// testAddFactsBeyondOneStatement sends more facts than SQLite takes in one
// statement, with repeats on both sides of the cut and of earlier rows, so
// that the ids given back must match the rows they were written to.
func testAddFactsBeyondOneStatement(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	ids := manyPersons(t, s, "13800000031", 10)
	fact := func(i int) *healthcode.Fact {
		return labFact(ids[i%len(ids)], "lab", fmt.Sprint("R", i), at.Add(time.Duration(i)*time.Minute), healthcode.TestNegative)
	}
	var first []*healthcode.Fact
	for i := 0; i < 5000; i += 2 {
		first = append(first, fact(i))
	}
	update(t, s, func(tx healthcode.Tx) error { _, err := tx.AddFacts(ctx, first); return err })
	// 0‥7999, every even one already stored, every one twice.
	var batch, want []*healthcode.Fact
	for i := range 8000 {
		batch = append(batch, fact(i))
		if i%2 == 1 || i >= 5000 {
			want = append(want, batch[len(batch)-1])
		}
		batch = append(batch, fact(i))
	}
	var added []*healthcode.Fact
	update(t, s, func(tx healthcode.Tx) (err error) {
		added, err = tx.AddFacts(ctx, batch)
		return err
	})
	if !slices.Equal(added, want) {
		t.Fatalf("added %d facts, want %d: each new one once, in order", len(added), len(want))
	}
	sameStored(t, s, added)
	all, err := s.FactsOf(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, fs := range all {
		n += len(fs)
	}
	if n != 8000 {
		t.Errorf("stored %d facts, want 8000", n)
	}
}

func testPendingFacts(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	a := mustAccount(t, s, "13800000032")
	h1, h2 := []byte("idh1"), []byte("idh2") // newPerson's hashes for 1 and 2
	p1A := labFact(0, "lab", "P1", at.Add(2*time.Hour), healthcode.TestPositive)
	p1B := labFact(0, "lab", "P2", at, healthcode.TestNegative)
	p2A := labFact(0, "lab", "P3", at, healthcode.TestNegative)
	hashes := [][]byte{h1, h1, h2, h1}
	facts := []*healthcode.Fact{p1A, p1B, p2A, labFact(0, "lab", "P1", at, healthcode.TestNegative)}
	addPending := func(hashes [][]byte, facts []*healthcode.Fact) int {
		t.Helper()
		var n int
		update(t, s, func(tx healthcode.Tx) (err error) {
			n, err = tx.AddPendingFacts(ctx, hashes, facts, "")
			return err
		})
		return n
	}
	if n := addPending(hashes, facts); n != 3 {
		t.Errorf("AddPendingFacts kept %d facts, want 3 (one repeats an earlier one)", n)
	}
	if n := addPending(hashes, facts); n != 0 {
		t.Errorf("AddPendingFacts of the same batch again kept %d facts, want 0", n)
	}
	if n := addPending(nil, nil); n != 0 {
		t.Errorf("AddPendingFacts(nil) kept %d facts", n)
	}
	err := s.Update(ctx, func(tx healthcode.Tx) error {
		_, err := tx.AddPendingFacts(ctx, [][]byte{h1}, facts, "")
		return err
	})
	if err == nil {
		t.Error("AddPendingFacts took 1 identity for 4 facts")
	}

	// The person applies: their pending facts become theirs, in time order.
	p1 := newPerson(a.ID, healthcode.RelationSelf, 1)
	var taken []*healthcode.Fact
	update(t, s, func(tx healthcode.Tx) (err error) {
		if err := tx.CreatePerson(ctx, p1); err != nil {
			return err
		}
		taken, err = tx.TakePendingFacts(ctx, p1.IDHash, p1.ID)
		return err
	})
	if got, want := refs(taken), []string{"lab/P2", "lab/P1"}; !slices.Equal(got, want) {
		t.Fatalf("took %v, want %v", got, want)
	}
	wantFacts := []healthcode.Fact{*p1B, *p1A}
	for i := range wantFacts {
		wantFacts[i].PersonID, wantFacts[i].ID = p1.ID, taken[i].ID
		wantFacts[i].At, wantFacts[i].RecordedAt = wantFacts[i].At.UTC(), wantFacts[i].RecordedAt.UTC()
		if !reflect.DeepEqual(*taken[i], wantFacts[i]) {
			t.Errorf("taken fact %d:\n got %+v\nwant %+v", i, *taken[i], wantFacts[i])
		}
	}
	if stored, err := s.Facts(ctx, p1.ID); err != nil || !reflect.DeepEqual(stored, wantFacts) {
		t.Errorf("facts of %d after the take:\n got %+v, %v\nwant %+v", p1.ID, stored, err, wantFacts)
	}

	// Taken once: a second take finds nothing, and the feed re-sending the
	// same records, pending or not, adds nothing.
	update(t, s, func(tx healthcode.Tx) (err error) {
		taken, err = tx.TakePendingFacts(ctx, p1.IDHash, p1.ID)
		return err
	})
	if len(taken) != 0 {
		t.Errorf("second take returned %v, want nothing", refs(taken))
	}
	if n := addPending(hashes, facts); n != 0 {
		t.Errorf("re-sending facts already taken kept %d, want 0", n)
	}
	var added []*healthcode.Fact
	update(t, s, func(tx healthcode.Tx) (err error) {
		added, err = tx.AddFacts(ctx, []*healthcode.Fact{labFact(p1.ID, "lab", "P1", at, healthcode.TestNegative)})
		return err
	})
	if len(added) != 0 {
		t.Errorf("AddFacts of a taken record added %v", refs(added))
	}
	if stored, _ := s.Facts(ctx, p1.ID); len(stored) != 2 {
		t.Errorf("person %d has %d facts, want still 2", p1.ID, len(stored))
	}

	// A record pending and meanwhile stored as a fact (a feed that learned
	// of the person) is not stored twice by the take.
	p2 := newPerson(a.ID, healthcode.RelationChild, 2)
	mustPerson(t, s, p2)
	update(t, s, func(tx healthcode.Tx) error {
		_, err := tx.AddFacts(ctx, []*healthcode.Fact{labFact(p2.ID, "lab", "P3", at, healthcode.TestNegative)})
		return err
	})
	update(t, s, func(tx healthcode.Tx) (err error) {
		taken, err = tx.TakePendingFacts(ctx, h2, p2.ID)
		return err
	})
	if len(taken) != 0 {
		t.Errorf("take of a record already stored returned %v, want nothing", refs(taken))
	}
	if stored, _ := s.Facts(ctx, p2.ID); len(stored) != 1 {
		t.Errorf("person %d has %d facts, want 1", p2.ID, len(stored))
	}
	update(t, s, func(tx healthcode.Tx) (err error) {
		taken, err = tx.TakePendingFacts(ctx, []byte("nobody"), p2.ID)
		return err
	})
	if len(taken) != 0 {
		t.Errorf("take for an identity with nothing pending returned %v", refs(taken))
	}
}

func testLockByIdentity(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	ids := manyPersons(t, s, "13800000033", 3)
	h := func(i int) []byte { return []byte(fmt.Sprint("idh", 100000+i)) } // newPerson's hashes
	update(t, s, func(tx healthcode.Tx) error {
		return tx.PutStatus(ctx, ids[2], dueStatus(healthcode.Yellow, at))
	})
	update(t, s, func(tx healthcode.Tx) error {
		ps, err := tx.LockByIdentity(ctx, [][]byte{h(2), []byte("nobody"), h(0), h(2), {}})
		if err != nil {
			return err
		}
		var got []int64
		for _, p := range ps {
			got = append(got, p.ID)
		}
		if len(ps) == 2 && (ps[0].Status != nil || ps[1].Status == nil || ps[1].Status.Color != healthcode.Yellow) {
			t.Errorf("LockByIdentity statuses = %v, %v; want none and the yellow one", ps[0].Status, ps[1].Status)
		}
		if want := []int64{ids[0], ids[2]}; !slices.Equal(got, want) {
			t.Errorf("LockByIdentity = %v, want %v: each person found once, in id order", got, want)
		}
		for _, none := range [][][]byte{nil, {[]byte("nobody")}} {
			if ps, err := tx.LockByIdentity(ctx, none); err != nil || len(ps) != 0 {
				t.Errorf("LockByIdentity(%q) = %v, %v; want none", none, ps, err)
			}
		}
		return nil
	})
}

func testAPIKeyKinds(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	feed := &healthcode.APIKey{Hash: []byte("feed"), Name: "Provincial lab", Role: healthcode.RoleFeed,
		Region: "330100", Kinds: []string{"lab_results", "close_contacts"}, CreatedAt: at}
	gate := &healthcode.APIKey{Hash: []byte("gate"), Name: "gate 1", Role: healthcode.RoleCheckpoint,
		Region: "330106", CreatedAt: at}
	update(t, s, func(tx healthcode.Tx) error {
		if err := tx.CreateAPIKey(ctx, feed); err != nil {
			return err
		}
		return tx.CreateAPIKey(ctx, gate)
	})
	for _, want := range []*healthcode.APIKey{feed, gate} {
		got, err := s.APIKey(ctx, want.Hash)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != want.ID || got.Role != want.Role || !reflect.DeepEqual(got.Kinds, want.Kinds) {
			t.Errorf("api key %s: got role %s kinds %#v, want %s %#v", want.Name, got.Role, got.Kinds, want.Role, want.Kinds)
		}
	}
}
