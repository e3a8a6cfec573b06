package service

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"healthcode"
	"healthcode/healthqr"
	"healthcode/identity"
	"healthcode/internal/permission"
	"healthcode/policy"
	"time"
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
func (s *Service) Apply(ctx context.Context, who *healthcode.Principal, in ApplyInput) (*PersonView, error) {
	if err := requireCitizen(who); err != nil {
		return nil, err
	}
	if in.Relation == "" {
		in.Relation = healthcode.RelationSelf
	}
	now := s.clock()
	var problems healthcode.Problems
	if !in.Relation.Valid() {
		problems.Add("relation", "must be one of self, spouse, parent, child, other")
	}
	id := checkIdentity(in.Identity, now, &problems)
	region := checkRegion(in.Region, &problems)
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
	p.Region, p.UpdatedAt = region, now
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
func (s *Service) create(ctx context.Context, tx healthcode.Tx, who *healthcode.Principal, kind claim, p *healthcode.Person,
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
	stays, err := designatedStays(ctx, tx, taken, now)
	if err != nil {
		return err
	}
	_, err = tx.AddFacts(ctx, stays)
	return err
}

// CheckApplication reports every bad field of an application, as Apply
// would, without writing anything: the page shows a confirmation screen
// only for a form that can be submitted (SPEC A2). Conflicts with stored
// codes are found by Apply itself.
func (s *Service) CheckApplication(in ApplyInput) error {
	var problems healthcode.Problems
	if in.Relation != "" && !in.Relation.Valid() {
		problems.Add("relation", "must be one of self, spouse, parent, child, other")
	}
	checkIdentity(in.Identity, s.clock(), &problems)
	checkRegion(in.Region, &problems)
	in.Declaration.declaration(&problems)
	return problems.Err()
}

// roomFor refuses a second application for oneself, and a relative past
// the region's limit, before anything about the identity is looked at: a
// login at its limit hears the same whether or not someone holds it.
func (s *Service) roomFor(ctx context.Context, r healthcode.Reader, who *healthcode.Principal, rel healthcode.Relation,
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
func (s *Service) checkNew(ctx context.Context, tx healthcode.Tx, who *healthcode.Principal, kind claim,
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

// idKey is the lookup hash of an identity: one person, one code.
func (s *Service) idKey(id checkedIdentity) []byte { return s.box.Hash(purposeID, id.identityKey()) }

func (s *Service) setIdentity(p *healthcode.Person, id checkedIdentity) {
	p.DocType = id.docType
	p.IDHash = s.idKey(id)
	p.IDSealed = s.box.Seal(purposeID, id.number)
	p.IDTail = identity.Tail(id.number)
	s.setName(p, id.name)
	s.setPhone(p, id.phone)
}

func (s *Service) setName(p *healthcode.Person, name string) {
	p.NameSealed = s.box.Seal(purposeName, name)
	p.NameMasked = identity.MaskName(name)
}

func (s *Service) setPhone(p *healthcode.Person, phone string) {
	p.PhoneHash = s.phoneKey(phone)
	p.PhoneSealed = s.box.Seal(purposePhone, phone)
}

// declare records a declaration as a fact and evaluates the person.
func (s *Service) declare(ctx context.Context, tx healthcode.Tx, p *healthcode.Person, who *healthcode.Principal,
	region string, d healthcode.Declaration, reapply bool, now time.Time) (*healthcode.Status, error) {
	if _, err := s.addDeclaration(ctx, tx, p, who, region, d, reapply, now); err != nil {
		return nil, err
	}
	return s.evaluate(ctx, tx, p, now)
}

// addDeclaration records a declaration as a fact of p.
func (s *Service) addDeclaration(ctx context.Context, tx healthcode.Tx, p *healthcode.Person, who *healthcode.Principal,
	region string, d healthcode.Declaration, reapply bool, now time.Time) (*healthcode.Fact, error) {
	f := &healthcode.Fact{PersonID: p.ID, Kind: healthcode.FactDeclaration, At: now, RecordedAt: now,
		Source: sourceCitizen, Author: who.Author(),
		Declaration: &healthcode.DeclarationFact{Declaration: d, Region: region, Reapply: reapply}}
	return f, tx.AddFact(ctx, f)
}

// Reapply replaces a person's whole application, once in their life
// (SPEC A5): for someone who filled in wrong data. The new identity passes
// the real-name check as in Apply; a relative with a phone of their own
// consents again when their document or phone changes. Errors as Apply,
// and ECONFLICT once the re-application is used.
func (s *Service) Reapply(ctx context.Context, who *healthcode.Principal, personID int64, in ApplyInput) (*PersonView, error) {
	if err := requireCitizen(who); err != nil {
		return nil, err
	}
	now := s.clock()
	var problems healthcode.Problems
	if in.Relation != "" && !in.Relation.Valid() {
		problems.Add("relation", "must be one of self, spouse, parent, child, other")
	}
	id := checkIdentity(in.Identity, now, &problems)
	region := checkRegion(in.Region, &problems)
	decl := in.Declaration.declaration(&problems)
	if err := problems.Err(); err != nil {
		return nil, err
	}
	stored, err := s.store.Person(ctx, personID)
	if err := notYours(stored, who, personID, err); err != nil {
		return nil, err
	}
	if in.Relation != "" && in.Relation != stored.Relation {
		return nil, invalid("relation", "cannot be changed by re-applying")
	}
	// Refusals that need no check come first: the check may be a paid query.
	if err := s.canReapply(stored); err != nil {
		return nil, err
	}
	set, err := s.settingsFor(stored.Relation, region)
	if err != nil {
		return nil, err
	}
	kind, _, err := s.proveIdentity(ctx, who, stored.Relation, id, set, now)
	if err != nil {
		return nil, err
	}
	sameRelative := bytes.Equal(stored.IDHash, s.idKey(id)) &&
		bytes.Equal(stored.PhoneHash, s.phoneKey(id.phone))
	needConsent := kind == claimConsent && !sameRelative
	if needConsent && strings.TrimSpace(in.ConsentCode) == "" {
		return nil, ErrConsentRequired
	}
	var view *PersonView
	var wrongConsent bool
	err = s.store.Update(ctx, func(tx healthcode.Tx) error {
		p, err := s.lockOwned(ctx, tx, who, personID)
		if err != nil {
			return err
		}
		if err := s.canReapply(p); err != nil {
			return err
		}
		if p.Relation != stored.Relation {
			return invalid("relation", "cannot be changed by re-applying")
		}
		if needConsent {
			if wrongConsent, err = s.checkConsent(ctx, tx, who, id, in.ConsentCode, now); err != nil || wrongConsent {
				return err // a wrong guess commits, so that it counts
			}
		}
		oldHash := p.IDHash
		s.setIdentity(p, id)
		newIdentity := !bytes.Equal(oldHash, p.IDHash)
		if newIdentity {
			if err := s.identityFree(ctx, tx, kind, p.IDHash); err != nil {
				return err
			}
		}
		p.Region, p.Reapplied, p.UpdatedAt = region, true, now
		if err := tx.UpdatePerson(ctx, p); err != nil {
			return err
		}
		// After the update: pending facts keep to the region now declared.
		if newIdentity || stored.Region != region {
			if err := takePending(ctx, tx, p, now); err != nil {
				return err
			}
		}
		st, err := s.declare(ctx, tx, p, who, region, decl, true, now)
		view = s.view(p, st)
		return err
	})
	if err != nil {
		return nil, err
	}
	if wrongConsent {
		return nil, errWrongConsent
	}
	s.log.InfoContext(ctx, "re-applied", "person", personID, "color", view.Status.Color)
	return view, nil
}

// canReapply refuses a re-application the person's region forbids or
// that was used already.
func (s *Service) canReapply(p *healthcode.Person) error {
	if s.policies.For(p.Region).Settings().NoReapply {
		return healthcode.Errorf(healthcode.EFORBIDDEN, "This region does not allow re-applying; ask your community for error correction.")
	}
	if p.Reapplied {
		return healthcode.Errorf(healthcode.ECONFLICT, "The one re-application has been used; ask your community for error correction.")
	}
	return nil
}

// settingsFor are the application rules of the region a person declares,
// refusing a relative there when the region allows none: a relative moved
// by re-applying or modifying is held to the rules of where they move.
func (s *Service) settingsFor(rel healthcode.Relation, region string) (policy.Settings, error) {
	set := s.policies.For(region).Settings()
	if rel != healthcode.RelationSelf && !set.Relatives {
		return set, errNoRelatives
	}
	return set, nil
}

// identityFree refuses an identity another person holds, answering as
// checkNew does: a proxy claim hears only that the check failed.
func (s *Service) identityFree(ctx context.Context, tx healthcode.Tx, kind claim, idHash []byte) error {
	_, err := tx.PersonByIdentity(ctx, idHash)
	switch {
	case err == nil && kind == claimProxy:
		return healthcode.ErrIdentityMismatch
	case err == nil:
		return healthcode.Errorf(healthcode.ECONFLICT, "A health code already exists for this identity document; ask your community for error correction.")
	case healthcode.ErrorCode(err) == healthcode.ENOTFOUND:
		return nil
	}
	return err
}

// ModifyInput changes an application. For oneself only the region and the
// declaration may change; for a relative also name and phone; the ID
// number never (SPEC A6).
type ModifyInput struct {
	Name        *string          `json:"name,omitempty"`
	Phone       *string          `json:"phone,omitempty"`
	Number      *string          `json:"number,omitempty"`
	Region      string           `json:"region"`
	Declaration DeclarationInput `json:"declaration"`
	// ConsentCode: a relative's consent to a new phone of their own.
	ConsentCode string `json:"consent_code,omitempty"`
}

// Modify changes an application within the region's limit (by default once
// a day). Errors: EINVALID for bad or unchangeable fields, ELIMIT when the
// chances are used up.
func (s *Service) Modify(ctx context.Context, who *healthcode.Principal, personID int64, in ModifyInput) (*PersonView, error) {
	if err := requireCitizen(who); err != nil {
		return nil, err
	}
	now := s.clock()
	var problems healthcode.Problems
	region := checkRegion(in.Region, &problems)
	decl := in.Declaration.declaration(&problems)
	if in.Number != nil {
		problems.Add("number", "the ID number can never be modified; re-apply or ask for error correction")
	}
	stored, err := s.store.Person(ctx, personID)
	if err := notYours(stored, who, personID, err); err != nil {
		return nil, err
	}
	id, err := s.identityChange(stored, in, &problems)
	if err != nil {
		return nil, err
	}
	if err := problems.Err(); err != nil {
		return nil, err
	}
	// Refusals that need no check come first: the check may be a paid query.
	if err := s.modificationLeft(stored, now); err != nil {
		return nil, err
	}
	set, err := s.settingsFor(stored.Relation, region)
	if err != nil {
		return nil, err
	}
	if id == nil && stored.Relation != healthcode.RelationSelf && region != stored.Region {
		// Moving a relative: one on the login's phone must still be one
		// the new region lets a login register.
		if err := s.proxyStillAllowed(ctx, who, stored, set, now); err != nil {
			return nil, err
		}
	}
	needConsent := false
	if id != nil {
		// New details of a relative pass the real-name check again, and a
		// new phone of their own consents.
		kind, _, err := s.proveIdentity(ctx, who, stored.Relation, *id, set, now)
		if err != nil {
			return nil, err
		}
		needConsent = kind == claimConsent && !bytes.Equal(stored.PhoneHash, s.phoneKey(id.phone))
		if needConsent && strings.TrimSpace(in.ConsentCode) == "" {
			return nil, ErrConsentRequired
		}
	}
	var view *PersonView
	var wrongConsent bool
	err = s.store.Update(ctx, func(tx healthcode.Tx) error {
		p, err := s.lockOwned(ctx, tx, who, personID)
		if err != nil {
			return err
		}
		if err := s.modificationLeft(p, now); err != nil {
			return err
		}
		if needConsent {
			if wrongConsent, err = s.checkConsent(ctx, tx, who, *id, in.ConsentCode, now); err != nil || wrongConsent {
				return err // a wrong guess commits, so that it counts
			}
		}
		if id != nil {
			s.setName(p, id.name)
			s.setPhone(p, id.phone)
		}
		today := now.In(policy.ChinaTime).Format("2006-01-02")
		if p.ModifiedOn != today {
			p.ModifiedOn, p.ModifiedThatDay = today, 0
		}
		p.Modified++
		p.ModifiedThatDay++
		moved := p.Region != region
		p.Region, p.UpdatedAt = region, now
		if err := tx.UpdatePerson(ctx, p); err != nil {
			return err
		}
		if moved {
			// Facts a feed kept for the region now declared come with it.
			if err := takePending(ctx, tx, p, now); err != nil {
				return err
			}
		}
		st, err := s.declare(ctx, tx, p, who, region, decl, false, now)
		view = s.view(p, st)
		return err
	})
	if err != nil {
		return nil, err
	}
	if wrongConsent {
		return nil, errWrongConsent
	}
	s.log.InfoContext(ctx, "modified", "person", personID, "color", view.Status.Color)
	return view, nil
}

// identityChange checks a modification's name and phone (SPEC A6: for a
// relative only) and returns the person's identity as it would be after
// it, nil when neither changes.
func (s *Service) identityChange(p *healthcode.Person, in ModifyInput, problems *healthcode.Problems) (*checkedIdentity, error) {
	if in.Name == nil && in.Phone == nil {
		return nil, nil
	}
	if p.Relation == healthcode.RelationSelf {
		const why = "cannot be modified for yourself; ask your community for error correction"
		if in.Name != nil {
			problems.Add("name", why)
		}
		if in.Phone != nil {
			problems.Add("phone", why)
		}
		return nil, nil
	}
	id := checkedIdentity{docType: p.DocType}
	var err error
	if id.number, err = s.box.Open(purposeID, p.IDSealed); err != nil {
		return nil, fmt.Errorf("open person %d's document: %w", p.ID, err)
	}
	if id.name, err = s.changed(p, purposeName, p.NameSealed, in.Name, identity.ValidateName, problems); err != nil {
		return nil, err
	}
	if id.phone, err = s.changed(p, purposePhone, p.PhoneSealed, in.Phone, identity.NormalizePhone, problems); err != nil {
		return nil, err
	}
	return &id, nil
}

// changed is a field of p as a modification leaves it: the new value,
// checked (a bad one is a problem of the field named by purpose), or the
// stored one when none is given.
func (s *Service) changed(p *healthcode.Person, purpose string, sealed []byte, v *string,
	check func(string) (string, error), problems *healthcode.Problems) (string, error) {
	if v == nil {
		stored, err := s.box.Open(purpose, sealed)
		if err != nil {
			return "", fmt.Errorf("open person %d's %s: %w", p.ID, purpose, err)
		}
		return stored, nil
	}
	value, err := check(*v)
	if err != nil {
		problems.Add(purpose, err.Error())
	}
	return value, nil
}

// modificationLeft refuses a modification past the region's limit.
func (s *Service) modificationLeft(p *healthcode.Person, now time.Time) error {
	if s.modificationsLeft(p, now) > 0 {
		return nil
	}
	set := s.policies.For(p.Region).Settings()
	e := healthcode.Errorf(healthcode.ELIMIT, "No modification left %s; the limit is %d.", limitPeriod(set), set.ModifyLimit)
	if set.ModifyPerDay {
		y, m, d := now.In(policy.ChinaTime).Date()
		e.RetryAfter = time.Date(y, m, d+1, 0, 0, 0, 0, policy.ChinaTime).Sub(now) // tomorrow, China time
	}
	return e
}

// proxyStillAllowed refuses to move a relative registered on the login's
// phone into a region that would not let the login register them.
func (s *Service) proxyStillAllowed(ctx context.Context, who *healthcode.Principal, p *healthcode.Person,
	set policy.Settings, now time.Time) error {
	acct, err := s.store.Account(ctx, who.AccountID)
	if err != nil {
		return err
	}
	if !bytes.Equal(p.PhoneHash, acct.PhoneHash) {
		return nil // a phone of their own: they consented already
	}
	number, err := s.box.Open(purposeID, p.IDSealed)
	if err != nil {
		return fmt.Errorf("open person %d's document: %w", p.ID, err)
	}
	if err := proxyAllowed(checkedIdentity{docType: p.DocType, number: number}, set, now); err != nil {
		return invalid("region", "this region does not register this relative on your phone: give them their own phone first")
	}
	return nil
}

// modificationsLeft counts the chances a person still has now.
func (s *Service) modificationsLeft(p *healthcode.Person, now time.Time) int {
	set := s.policies.For(p.Region).Settings()
	if !set.ModifyPerDay {
		return set.ModifyLimit - p.Modified
	}
	if p.ModifiedOn != now.In(policy.ChinaTime).Format("2006-01-02") {
		return set.ModifyLimit
	}
	return set.ModifyLimit - p.ModifiedThatDay
}

func limitPeriod(set policy.Settings) string {
	if set.ModifyPerDay {
		return "today"
	}
	return "in this region"
}

// lockOwned locks a person the caller manages. Someone else's person is
// reported as not found, so ids cannot be probed.
func (s *Service) lockOwned(ctx context.Context, tx healthcode.Tx, who *healthcode.Principal, id int64) (*healthcode.Person, error) {
	p, err := tx.LockPerson(ctx, id)
	return p, notYours(p, who, id, err)
}

// notYours answers a missing person and someone else's person with one and
// the same error, so that ids cannot be probed.
func notYours(p *healthcode.Person, who *healthcode.Principal, id int64, err error) error {
	if healthcode.ErrorCode(err) == healthcode.ENOTFOUND || (err == nil && p.OwnerID != who.AccountID) {
		return healthcode.Errorf(healthcode.ENOTFOUND, "Person %d not found.", id)
	}
	return err
}

func requireCitizen(who *healthcode.Principal) error {
	if who == nil {
		return healthcode.Errorf(healthcode.EUNAUTHORIZED, "Log in with your phone first.")
	}
	if !permission.Can(who, permission.ManagePersons, "") {
		return healthcode.Errorf(healthcode.EFORBIDDEN, "Only citizens apply for health codes.")
	}
	return nil
}
