package apply

import (
	"bytes"
	"context"
	"strings"
	"time"

	"healthcode"
	"healthcode/healthqr"
	"healthcode/internal/service/core"
	"healthcode/policy"
)

// Apply creates a person and their first colour (SPEC A1–A3, A7). The
// caller is a citizen; with relation other than self they act for a
// relative, who gets their own code managed by the caller's login.
// Nothing is stored, and no waiting fact attached, before the identity
// passes the real-name check (proveIdentity): for oneself on the login's
// phone; for a relative with a phone of their own with their consent code
// (in.ConsentCode, from RequestConsent); for a child or an elderly person
// on the login's phone where the region allows it. An identity that a
// wrong claim holds is taken back by its owner applying for themself.
// Errors: EINVALID naming each bad field (ErrIdentityMismatch when the
// check fails, ErrConsentRequired without a consent code); ECONFLICT when
// the caller already applied for this person or themself; EFORBIDDEN
// when the region does not allow acting for relatives, or past its
// relatives per login; EUNAVAILABLE when the check cannot be made now. No answer tells whether someone else holds the identity.
func (s *Applications) Apply(ctx context.Context, who *healthcode.Principal, in ApplyInput) (*PersonView, error) {
	if err := core.RequireCitizen(who); err != nil {
		return nil, err
	}
	if in.Relation == "" {
		in.Relation = healthcode.RelationSelf
	}
	now := s.core.Clock()
	var problems healthcode.Problems
	if !in.Relation.Valid() {
		problems.Add("relation", "must be one of self, spouse, parent, child, other")
	}
	id := checkIdentity(in.Identity, now, &problems)
	region := core.CheckRegion(in.Region, &problems)
	community := core.CheckCommunity(in.Community, region, &problems)
	decl := in.Declaration.declaration(&problems)
	if err := problems.Err(); err != nil {
		return nil, err
	}
	set, err := s.settingsFor(in.Relation, region)
	if err != nil {
		return nil, err
	}
	// Refusals that need no check come first: the check may be a paid
	// query, and would answer whether a name fits an ID.
	if err := s.roomFor(ctx, s.store, who, in.Relation, set); err != nil {
		return nil, err
	}
	kind, _, err := s.proveIdentity(ctx, who, in.Relation, id, set, now)
	if err != nil {
		return nil, err
	}
	if kind == claimConsent && strings.TrimSpace(in.ConsentCode) == "" {
		return nil, ErrConsentRequired
	}
	code, err := healthqr.NewCodeID()
	if err != nil {
		return nil, err
	}
	p := &healthcode.Person{OwnerID: who.AccountID, Relation: in.Relation, CodeID: code[:], CreatedAt: now}
	s.setIdentity(p, id)
	p.Region, p.Community, p.UpdatedAt = region, community, now
	var view *PersonView
	var wrongConsent, reclaimed bool
	err = s.store.Update(ctx, func(tx healthcode.Tx) error {
		// Applications from one login queue here, so its relatives are
		// counted right however many race.
		if err := tx.LockAccount(ctx, who.AccountID); err != nil {
			return err
		}
		if err := s.roomFor(ctx, tx, who, in.Relation, set); err != nil {
			return err
		}
		if kind == claimConsent {
			if wrongConsent, err = s.checkConsent(ctx, tx, who, id, in.ConsentCode, now); err != nil || wrongConsent {
				return err // a wrong guess commits, so that it counts
			}
		}
		held, err := s.checkNew(ctx, tx, who, kind, p.IDHash)
		if err != nil {
			return err
		}
		var st *healthcode.Status
		if held != nil {
			reclaimed = true
			st, err = s.reclaim(ctx, tx, who, held, p, region, decl, now)
		} else {
			st, err = s.create(ctx, tx, who, kind, p, region, decl, now)
		}
		view = s.view(p, st)
		return err
	})
	if err != nil {
		return nil, err
	}
	if wrongConsent {
		return nil, errWrongConsent
	}
	s.log.InfoContext(ctx, "applied", "person", p.ID, "relation", p.Relation, "region", p.Region,
		"color", view.Status.Color, "reclaimed", reclaimed)
	return view, nil
}

// create stores a new person with the facts feeds kept waiting for them
// and their first colour.
func (s *Applications) create(ctx context.Context, tx healthcode.Tx, who *healthcode.Principal, kind claim, p *healthcode.Person,
	region string, decl healthcode.Declaration, now time.Time) (*healthcode.Status, error) {
	if err := tx.CreatePerson(ctx, p); healthcode.ErrorCode(err) == healthcode.ECONFLICT {
		// Lost a race with another login's application for this identity
		// (the caller's own are queued on their account): answered as if
		// it had been stored first.
		if kind == claimProxy {
			return nil, healthcode.ErrIdentityMismatch
		}
		return nil, healthcode.Errorf(healthcode.ECONFLICT, "Another application for this identity was just made; reload and try again.")
	} else if err != nil {
		return nil, err
	}
	// Feeds may have told us about this person before they applied.
	if err := takePending(ctx, tx, p, now); err != nil {
		return nil, err
	}
	return s.declare(ctx, tx, p, who, region, decl, false, now)
}

// takePending moves the facts feeds sent about p before p applied to p,
// with the area stays stored designations make of their trips.
func takePending(ctx context.Context, tx healthcode.Tx, p *healthcode.Person, now time.Time) error {
	taken, err := tx.TakePendingFacts(ctx, p.IDHash, p.ID)
	if err != nil {
		return err
	}
	stays, err := core.DesignatedStays(ctx, tx, taken, now)
	if err != nil {
		return err
	}
	_, err = tx.AddFacts(ctx, stays)
	return err
}

// CheckApplication reports every bad field of an application by who, as
// Apply would, all at once and without writing anything: the page shows a
// confirmation screen only for a form that can be submitted (SPEC A2).
// That takes the phone too: one's own application is on the login's
// phone, a relative's on it only as the region allows. Conflicts with
// stored codes and the real-name check are Apply's own.
func (s *Applications) CheckApplication(ctx context.Context, who *healthcode.Principal, in ApplyInput) error {
	if err := core.RequireCitizen(who); err != nil {
		return err
	}
	if in.Relation == "" {
		in.Relation = healthcode.RelationSelf
	}
	now := s.core.Clock()
	var problems healthcode.Problems
	if !in.Relation.Valid() {
		problems.Add("relation", "must be one of self, spouse, parent, child, other")
	}
	id := checkIdentity(in.Identity, now, &problems)
	region := core.CheckRegion(in.Region, &problems)
	core.CheckCommunity(in.Community, region, &problems)
	in.Declaration.declaration(&problems)
	if in.Relation.Valid() && id.phone != "" { // a bad region asks the fallback pack: the phone is checked still
		acct, err := s.store.Account(ctx, who.AccountID)
		if err != nil {
			return err
		}
		set := s.policies.For(region).Settings()
		phoneClaim(in.Relation, id, bytes.Equal(s.phoneKey(id.phone), acct.PhoneHash), set, now, &problems)
	}
	return problems.Err()
}

// roomFor refuses a second application for oneself, and a relative past
// the region's limit, before anything about the identity is looked at: a
// login at its limit hears the same whether or not someone holds it.
func (s *Applications) roomFor(ctx context.Context, r owners, who *healthcode.Principal, rel healthcode.Relation,
	set policy.Settings) error {
	if rel != healthcode.RelationSelf {
		return relativesLeft(ctx, r, who, set)
	}
	owned, err := r.PersonsByOwner(ctx, who.AccountID)
	if err != nil {
		return err
	}
	if len(owned) > 0 && owned[0].Relation == healthcode.RelationSelf {
		return healthcode.Errorf(healthcode.ECONFLICT, "You already applied for yourself (id %d); use re-apply or modify.", owned[0].ID)
	}
	return nil
}

var errOneCode = healthcode.Errorf(healthcode.ECONFLICT, "A health code already exists for this identity document. One person, one code.")

// checkNew refuses a second code for one identity. A person another
// login holds is returned for a claim for oneself, which takes it back;
// for a proxy's claim the answer is the failed check's, so it tells
// nothing a stranger could learn (a consenting relative is no stranger:
// they hear that they have a code).
func (s *Applications) checkNew(ctx context.Context, tx healthcode.Tx, who *healthcode.Principal, kind claim,
	idHash []byte) (held *healthcode.Person, err error) {
	existing, err := tx.PersonByIdentity(ctx, idHash)
	switch {
	case err == nil && existing.OwnerID == who.AccountID:
		return nil, healthcode.Errorf(healthcode.ECONFLICT, "You already applied for this person (id %d); use re-apply or modify.", existing.ID)
	case err == nil && kind == claimSelf:
		return existing, nil
	case err == nil && kind == claimConsent:
		return nil, errOneCode
	case err == nil:
		return nil, healthcode.ErrIdentityMismatch
	case healthcode.ErrorCode(err) != healthcode.ENOTFOUND:
		return nil, err
	}
	return nil, nil
}
