package officials

import (
	"context"
	"strings"

	"healthcode"
	"healthcode/internal/permission"
	"healthcode/internal/service/core"
)

// PersonSummary is a person as an official's list shows them: masked.
type PersonSummary struct {
	ID        int64            `json:"id"`
	Name      string           `json:"name"`    // masked
	IDTail    string           `json:"id_tail"` // last four characters
	Region    string           `json:"region"`
	Community string           `json:"community,omitempty"`
	Color     healthcode.Color `json:"color,omitzero"` // absent before a first status
}

func summary(p *healthcode.Person) PersonSummary {
	v := PersonSummary{ID: p.ID, Name: p.NameMasked, IDTail: p.IDTail, Region: p.Region, Community: p.Community}
	if p.Status != nil {
		v.Color = p.Status.Color
	}
	return v
}

// PersonFile is a person's file as an official sees it: still masked, with
// the current status, why, and every colour change.
type PersonFile struct {
	PersonSummary
	DocType healthcode.DocType        `json:"doc_type"`
	Status  *healthcode.Status        `json:"status"`
	History []healthcode.HistoryEntry `json:"history"`
}

// MaxPage is the most persons one page of PersonsInScope holds.
const MaxPage = 500

// PersonsInScope lists, masked, up to n persons in who's scope whose id
// follows after, in id order. Errors: EFORBIDDEN without ViewPersons.
func (s *Officials) PersonsInScope(ctx context.Context, who *healthcode.Principal, after int64, n int) ([]PersonSummary, error) {
	if !permission.Can(who, permission.ViewPersons, "") {
		return nil, forbidden(who, permission.ViewPersons)
	}
	if n <= 0 || n > MaxPage {
		n = MaxPage
	}
	ps, err := s.store.PersonsInDivision(ctx, who.Region, after, n)
	if err != nil {
		return nil, err
	}
	out := make([]PersonSummary, len(ps))
	for i, p := range ps {
		out[i] = summary(p)
	}
	return out, nil
}

// inScope reads a person and checks who may act on them with perm.
// Errors: ENOTFOUND, EFORBIDDEN for a person outside who's scope, naming
// the scope and nothing of the person.
func (s *Officials) inScope(ctx context.Context, who *healthcode.Principal, perm permission.Permission, id int64) (*healthcode.Person, error) {
	if !permission.Can(who, perm, "") {
		return nil, forbidden(who, perm)
	}
	p, err := s.store.Person(ctx, id)
	if err := core.OutOfScope(p, who, perm, id, err); err != nil {
		return nil, err
	}
	return p, nil
}

// OfficialPerson returns the masked file of a person in who's scope, with
// a current status. Errors: as inScope for ViewPersons.
func (s *Officials) OfficialPerson(ctx context.Context, who *healthcode.Principal, id int64) (*PersonFile, error) {
	p, err := s.inScope(ctx, who, permission.ViewPersons, id)
	if err != nil {
		return nil, err
	}
	if p, err = s.core.Current(ctx, p, s.clock()); err != nil {
		return nil, err
	}
	hist, err := s.store.History(ctx, id)
	if err != nil {
		return nil, err
	}
	if hist == nil {
		hist = []healthcode.HistoryEntry{}
	}
	return &PersonFile{PersonSummary: summary(p), DocType: p.DocType, Status: p.Status, History: hist}, nil
}

// Identity is a person's identity in clear, shown to an official who gave
// a reason for it.
type Identity struct {
	PersonID int64              `json:"person_id"`
	DocType  healthcode.DocType `json:"doc_type"`
	Name     string             `json:"name"`
	Number   string             `json:"number"`
	Phone    string             `json:"phone"`
}

// UnmaskPerson shows who a person's name, document number and phone in
// clear, for a reason of at least healthcode.UnmaskReasonMin characters in
// one of healthcode.UnmaskCategories. The unmasking is recorded, for the
// person to ask about, and logged publicly by its category only, in the
// same transaction. Errors: EINVALID naming reason or category, and as
// inScope for UnmaskPersons.
func (s *Officials) UnmaskPerson(ctx context.Context, who *healthcode.Principal, id int64, reason, category string) (*Identity, error) {
	reason = strings.TrimSpace(reason)
	var problems healthcode.Problems
	if healthcode.Visible(reason) < healthcode.UnmaskReasonMin {
		problems.Addf("reason", "say why, in at least %d characters: it is recorded", healthcode.UnmaskReasonMin)
	}
	if !healthcode.ValidUnmaskCategory(category) {
		problems.Addf("category", "must be one of %s", strings.Join(healthcode.UnmaskCategories, ", "))
	}
	if err := problems.Err(); err != nil {
		return nil, err
	}
	p, err := s.inScope(ctx, who, permission.UnmaskPersons, id)
	if err != nil {
		return nil, err
	}
	out, err := s.open(p)
	if err != nil {
		return nil, err
	}
	u := &healthcode.Unmasking{OfficialID: who.OfficialID, PersonID: p.ID, Reason: reason, Category: category, At: s.clock()}
	err = s.store.Update(ctx, func(tx healthcode.Tx) error {
		if err := tx.AddUnmasking(ctx, u); err != nil {
			return err
		}
		return tx.AppendLog(ctx, healthcode.LogOfUnmasking(u, healthcode.LogAuthorOf(who)))
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "person unmasked", "person", p.ID, "by", who.Author(), "category", category)
	return out, nil
}

func (s *Officials) open(p *healthcode.Person) (*Identity, error) {
	name, err1 := s.box.Open(core.PurposeName, p.NameSealed)
	number, err2 := s.box.Open(core.PurposeID, p.IDSealed)
	phone, err3 := s.box.Open(core.PurposePhone, p.PhoneSealed)
	for _, err := range []error{err1, err2, err3} {
		if err != nil {
			return nil, err
		}
	}
	return &Identity{PersonID: p.ID, DocType: p.DocType, Name: name, Number: number, Phone: phone}, nil
}
