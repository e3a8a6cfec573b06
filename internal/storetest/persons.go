package storetest

import (
	"bytes"
	"context"
	"testing"

	"healthcode"
)

func samePerson(t *testing.T, got, want *healthcode.Person) {
	t.Helper()
	if got.ID != want.ID || got.OwnerID != want.OwnerID || got.Relation != want.Relation ||
		got.DocType != want.DocType || !bytes.Equal(got.IDHash, want.IDHash) ||
		!bytes.Equal(got.IDSealed, want.IDSealed) || !bytes.Equal(got.NameSealed, want.NameSealed) ||
		got.NameMasked != want.NameMasked || got.IDTail != want.IDTail ||
		!bytes.Equal(got.PhoneHash, want.PhoneHash) || !bytes.Equal(got.PhoneSealed, want.PhoneSealed) ||
		got.Region != want.Region || got.Community != want.Community || !bytes.Equal(got.CodeID, want.CodeID) ||
		!got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) ||
		got.Reapplied != want.Reapplied || got.Modified != want.Modified ||
		got.ModifiedOn != want.ModifiedOn || got.ModifiedThatDay != want.ModifiedThatDay {
		t.Errorf("person:\n got %+v\nwant %+v", got, want)
	}
}

func testPersons(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	a := mustAccount(t, s, "13800000003")
	self := mustPerson(t, s, newPerson(a.ID, healthcode.RelationSelf, 1))
	child := newPerson(a.ID, healthcode.RelationChild, 2)
	child.Community = "330106001001"
	mustPerson(t, s, child)
	if self.ID == 0 || child.ID == 0 || self.ID == child.ID {
		t.Fatalf("ids not assigned: %d, %d", self.ID, child.ID)
	}
	lookups := map[string]func() (*healthcode.Person, error){
		"by id":       func() (*healthcode.Person, error) { return s.Person(ctx, self.ID) },
		"by identity": func() (*healthcode.Person, error) { return s.PersonByIdentity(ctx, self.IDHash) },
		"by code":     func() (*healthcode.Person, error) { return s.PersonByCode(ctx, self.CodeID) },
	}
	for name, lookup := range lookups {
		got, err := lookup()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		samePerson(t, got, self)
		if got.Status != nil {
			t.Errorf("%s: status of a never-evaluated person = %+v, want nil", name, got.Status)
		}
	}
	owned, err := s.PersonsByOwner(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(owned) != 2 || owned[0].ID != self.ID || owned[1].ID != child.ID {
		t.Errorf("persons by owner = %v, want self then child", owned)
	} else {
		samePerson(t, owned[1], child) // with its community
	}
	_, err = s.Person(ctx, 999999)
	wantCode(t, err, healthcode.ENOTFOUND)
	_, err = s.PersonByCode(ctx, []byte("no such code"))
	wantCode(t, err, healthcode.ENOTFOUND)
}

func testPersonUniqueness(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	a := mustAccount(t, s, "13800000004")
	b := mustAccount(t, s, "13800000005")
	mustPerson(t, s, newPerson(a.ID, healthcode.RelationSelf, 1))
	tests := []struct {
		name string
		p    *healthcode.Person
	}{
		{"same identity from another account", func() *healthcode.Person {
			p := newPerson(b.ID, healthcode.RelationSelf, 2)
			p.IDHash = []byte("idh1")
			return p
		}()},
		{"second self for one account", newPerson(a.ID, healthcode.RelationSelf, 3)},
		{"same code id", func() *healthcode.Person {
			p := newPerson(b.ID, healthcode.RelationParent, 4)
			p.CodeID = []byte("code-1")
			return p
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Update(ctx, func(tx healthcode.Tx) error { return tx.CreatePerson(ctx, tt.p) })
			wantCode(t, err, healthcode.ECONFLICT)
		})
	}
}

func testUpdatePerson(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	a := mustAccount(t, s, "13800000006")
	p := mustPerson(t, s, newPerson(a.ID, healthcode.RelationParent, 1))
	p.NameMasked, p.Region, p.Community, p.Reapplied, p.Modified, p.ModifiedOn, p.ModifiedThatDay = "李*", "420102",
		"420102001", true, 3, "2026-03-01", 1
	// An identity taken back by its owner changes hands.
	p.OwnerID, p.Relation = mustAccount(t, s, "13800000016").ID, healthcode.RelationSelf
	p.CodeID, p.UpdatedAt = []byte("code-new"), at.Add(1)
	update(t, s, func(tx healthcode.Tx) error { return tx.UpdatePerson(ctx, p) })
	got, err := s.PersonByCode(ctx, []byte("code-new"))
	if err != nil {
		t.Fatal(err)
	}
	p.UpdatedAt = p.UpdatedAt.Truncate(1000) // stores keep microseconds
	samePerson(t, got, p)
	missing := newPerson(a.ID, healthcode.RelationChild, 2)
	missing.ID = 424242
	err = s.Update(ctx, func(tx healthcode.Tx) error { return tx.UpdatePerson(ctx, missing) })
	wantCode(t, err, healthcode.ENOTFOUND)
}
