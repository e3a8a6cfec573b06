package apply

import (
	"context"
	"errors"
	"fmt"
	"time"

	"healthcode"
	"healthcode/healthqr"
	"healthcode/internal/service/core"
)

// Applicant is one person of ApplyMany: someone applying for themself on
// their own phone.
type Applicant struct {
	Identity    healthcode.Identity
	Region      string
	Declaration DeclarationInput
}

// ManyResult counts what ApplyMany did.
type ManyResult struct {
	Applied int // persons created, with their first colour
	Skipped int // identities or phones that applied for themselves already
}

// ApplyMany applies for many people at once, each for themself as if
// they had logged in with their phone and sent the form: their account is
// the phone's (made as a login makes it), the checks and the real-name
// check are Apply's, and each gets the facts feeds kept waiting for them,
// a declaration, and a first colour with its sealed history entry. All of
// it happens in one transaction, with one statement for the evaluation of
// the whole set rather than one per person: for the operator's tools (a
// demonstration city, loading a register), which split a population into
// batches; no route of the API or the pages offers it. An identity that has a code already, or a phone whose login
// applied for itself already, is skipped, so a batch sent again changes
// nothing. Errors: EINVALID naming people[i] and the field for the first
// applicant with a bad field, or whose real-name check fails (nothing is
// stored then); EUNAVAILABLE when the check cannot be made now.
func (s *Applications) ApplyMany(ctx context.Context, people []Applicant) (ManyResult, error) {
	now := s.core.Clock()
	ns := make([]newcomer, len(people))
	for i, a := range people {
		n, err := s.applicant(ctx, a, now)
		if err != nil {
			return ManyResult{}, prefixFields(fmt.Sprintf("people[%d].", i), err)
		}
		ns[i] = n
	}
	var res ManyResult
	err := s.store.Update(ctx, func(tx healthcode.Tx) error {
		created, err := s.createMany(ctx, tx, ns, now)
		if err != nil {
			return err
		}
		res.Applied, res.Skipped = len(created), len(ns)-len(created)
		ids := make([]int64, len(created))
		for i, p := range created {
			ids[i] = p.ID
		}
		_, err = s.core.EvaluateLocked(ctx, tx, created, ids, now)
		return err
	})
	if err != nil {
		return ManyResult{}, err
	}
	s.log.InfoContext(ctx, "applied many", "applied", res.Applied, "skipped", res.Skipped)
	return res, nil
}

// newcomer is an applicant checked and sealed, not stored yet.
type newcomer struct {
	p    *healthcode.Person // OwnerID is set in the transaction
	decl healthcode.Declaration
}

// applicant checks one applicant as Apply does and seals their identity.
func (s *Applications) applicant(ctx context.Context, a Applicant, now time.Time) (newcomer, error) {
	var problems healthcode.Problems
	id := checkIdentity(a.Identity, now, &problems)
	region := core.CheckRegion(a.Region, &problems)
	decl := a.Declaration.declaration(&problems)
	if err := problems.Err(); err != nil {
		return newcomer{}, err
	}
	check := healthcode.IdentityClaim{Identity: healthcode.Identity{DocType: id.docType, Number: id.number, Name: id.name, Phone: id.phone}}
	if err := s.checkRealName(ctx, check); err != nil {
		return newcomer{}, err
	}
	code, err := healthqr.NewCodeID()
	if err != nil {
		return newcomer{}, err
	}
	p := &healthcode.Person{Relation: healthcode.RelationSelf, CodeID: code[:], Region: region, CreatedAt: now, UpdatedAt: now}
	s.setIdentity(p, id)
	return newcomer{p: p, decl: decl}, nil
}

// createMany stores the newcomers who have no code yet, each owned by
// their phone's account, with the facts kept waiting for them and their
// declarations, and returns the persons it created.
func (s *Applications) createMany(ctx context.Context, tx healthcode.Tx, ns []newcomer, now time.Time) ([]*healthcode.Person, error) {
	held, err := heldIdentities(ctx, tx, ns)
	if err != nil {
		return nil, err
	}
	var created []*healthcode.Person
	var decls []*healthcode.Fact
	for _, n := range ns {
		p := n.p
		if held[string(p.IDHash)] {
			continue // one person, one code; ApplyMany takes none back
		}
		acct, done, err := accountOf(ctx, tx, p, now)
		if err != nil {
			return nil, err
		}
		if done {
			continue
		}
		held[string(p.IDHash)] = true
		p.OwnerID = acct.ID
		if err := tx.CreatePerson(ctx, p); err != nil {
			return nil, err
		}
		if err := takePending(ctx, tx, p, now); err != nil {
			return nil, err
		}
		who := healthcode.Principal{Role: healthcode.RoleCitizen, AccountID: acct.ID}
		decls = append(decls, &healthcode.Fact{PersonID: p.ID, Kind: healthcode.FactDeclaration, At: now, RecordedAt: now,
			Source: core.SourceCitizen, Author: who.Author(),
			Declaration: &healthcode.DeclarationFact{Declaration: n.decl, Region: p.Region}})
		created = append(created, p)
	}
	if _, err := tx.AddFacts(ctx, decls); err != nil {
		return nil, err
	}
	return created, nil
}

// heldIdentities returns the identity hashes of the newcomers that have a
// code already, found in one statement.
func heldIdentities(ctx context.Context, tx healthcode.Tx, ns []newcomer) (map[string]bool, error) {
	hashes := make([][]byte, len(ns))
	for i, n := range ns {
		hashes[i] = n.p.IDHash
	}
	persons, err := tx.LockByIdentity(ctx, hashes)
	if err != nil {
		return nil, err
	}
	held := make(map[string]bool, len(ns))
	for _, p := range persons {
		held[string(p.IDHash)] = true
	}
	return held, nil
}

// accountOf returns the account of p's phone, made as a login makes it
// when there is none yet, and whether that login applied for itself
// already (done: Apply's roomFor refuses it).
func accountOf(ctx context.Context, tx healthcode.Tx, p *healthcode.Person, now time.Time) (acct *healthcode.Account, done bool, err error) {
	acct, err = tx.AccountByPhone(ctx, p.PhoneHash)
	if healthcode.ErrorCode(err) == healthcode.ENOTFOUND {
		acct = &healthcode.Account{PhoneHash: p.PhoneHash, PhoneSealed: p.PhoneSealed, CreatedAt: now}
		return acct, false, tx.CreateAccount(ctx, acct)
	}
	if err != nil {
		return nil, false, err
	}
	owned, err := tx.PersonsByOwner(ctx, acct.ID)
	if err != nil {
		return nil, false, err
	}
	return acct, len(owned) > 0 && owned[0].Relation == healthcode.RelationSelf, nil
}

// prefixFields names the applicant in the fields of an EINVALID error.
func prefixFields(prefix string, err error) error {
	var e *healthcode.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return fmt.Errorf("%s %w", prefix[:len(prefix)-1], err)
	}
	p := make(healthcode.Problems, len(e.Fields))
	for i, f := range e.Fields {
		f.Field = prefix + f.Field // the reason, and its words in the catalogue, stay as they were
		p[i] = f
	}
	return p.Err()
}
