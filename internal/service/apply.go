package service

import (
	"bytes"
	"context"

	"healthcode"
	"healthcode/healthqr"
	"healthcode/identity"
	"healthcode/policy"
	"time"
)

// Apply creates a person and their first colour (SPEC A1–A3, A7). The
// caller is a citizen; with relation other than self they act for a
// relative, who gets their own code managed by the caller's login.
// Errors: EINVALID naming each bad field; ECONFLICT when the identity
// already has a code or the caller already applied for themself;
// EFORBIDDEN when the region does not allow acting for relatives.
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
	if in.Relation != healthcode.RelationSelf && !s.policies.For(region).Settings().Relatives {
		return nil, healthcode.Errorf(healthcode.EFORBIDDEN, "This region does not allow applying for relatives.")
	}
	code, err := healthqr.NewCodeID()
	if err != nil {
		return nil, err
	}
	p := &healthcode.Person{OwnerID: who.AccountID, Relation: in.Relation, CodeID: code[:], CreatedAt: now}
	s.setIdentity(p, id)
	p.Region, p.UpdatedAt = region, now
	var view *PersonView
	err = s.store.Update(ctx, func(tx healthcode.Tx) error {
		if err := s.checkSelfPhone(ctx, tx, who, in.Relation, p.PhoneHash); err != nil {
			return err
		}
		if err := s.checkNew(ctx, tx, who, in.Relation, p.IDHash); err != nil {
			return err
		}
		if err := tx.CreatePerson(ctx, p); healthcode.ErrorCode(err) == healthcode.ECONFLICT {
			// Lost a race with a concurrent application: for this identity,
			// or for the caller themself.
			return healthcode.Errorf(healthcode.ECONFLICT, "Another application for this identity or for yourself was just made; reload to see it.")
		} else if err != nil {
			return err
		}
		// Feeds may have told us about this person before they applied.
		if err := takePending(ctx, tx, p, now); err != nil {
			return err
		}
		st, err := s.declare(ctx, tx, p, who, region, decl, false, now)
		view = s.view(p, st)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "applied", "person", p.ID, "relation", p.Relation, "region", p.Region, "color", view.Status.Color)
	return view, nil
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

var errOneCode = healthcode.Errorf(healthcode.ECONFLICT, "A health code already exists for this identity document. One person, one code.")

// checkNew refuses a second code for one identity, and a second
// application for oneself, with a message that says what to do instead
// but never whose identity it is.
func (s *Service) checkNew(ctx context.Context, tx healthcode.Tx, who *healthcode.Principal, rel healthcode.Relation, idHash []byte) error {
	existing, err := tx.PersonByIdentity(ctx, idHash)
	if err == nil {
		if existing.OwnerID == who.AccountID {
			return healthcode.Errorf(healthcode.ECONFLICT, "You already applied for this person (id %d); use re-apply or modify.", existing.ID)
		}
		return errOneCode
	} else if healthcode.ErrorCode(err) != healthcode.ENOTFOUND {
		return err
	}
	if rel != healthcode.RelationSelf {
		return nil
	}
	owned, err := tx.PersonsByOwner(ctx, who.AccountID)
	if err != nil {
		return err
	}
	if len(owned) > 0 && owned[0].Relation == healthcode.RelationSelf {
		return healthcode.Errorf(healthcode.ECONFLICT, "You already applied for yourself (id %d); use re-apply or modify.", owned[0].ID)
	}
	return nil
}

// checkSelfPhone holds a citizen to the phone they logged in with when
// applying for themself: the phone is part of the real-name identity.
func (s *Service) checkSelfPhone(ctx context.Context, tx healthcode.Tx, who *healthcode.Principal, rel healthcode.Relation, phoneHash []byte) error {
	if rel != healthcode.RelationSelf {
		return nil
	}
	acct, err := tx.AccountByPhone(ctx, phoneHash)
	if healthcode.ErrorCode(err) == healthcode.ENOTFOUND || (err == nil && acct.ID != who.AccountID) {
		return invalid("identity.phone", "must be the phone you logged in with when applying for yourself")
	}
	return err
}

func (s *Service) setIdentity(p *healthcode.Person, id checkedIdentity) {
	p.DocType = id.docType
	p.IDHash = s.box.Hash(purposeID, id.identityKey())
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
	p.PhoneHash = s.box.Hash(purposePhone, phone)
	p.PhoneSealed = s.box.Seal(purposePhone, phone)
}

// declare records a declaration as a fact and evaluates the person.
func (s *Service) declare(ctx context.Context, tx healthcode.Tx, p *healthcode.Person, who *healthcode.Principal,
	region string, d healthcode.Declaration, reapply bool, now time.Time) (*healthcode.Status, error) {
	f := &healthcode.Fact{PersonID: p.ID, Kind: healthcode.FactDeclaration, At: now, RecordedAt: now,
		Source: "citizen", Author: who.Author(),
		Declaration: &healthcode.DeclarationFact{Declaration: d, Region: region, Reapply: reapply}}
	if err := tx.AddFact(ctx, f); err != nil {
		return nil, err
	}
	return s.evaluate(ctx, tx, p, now)
}

// Reapply replaces a person's whole application, once in their life
// (SPEC A5): for someone who filled in wrong data. Errors as Apply, and
// ECONFLICT once the re-application is used.
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
	var view *PersonView
	err := s.store.Update(ctx, func(tx healthcode.Tx) error {
		p, err := s.lockOwned(ctx, tx, who, personID)
		if err != nil {
			return err
		}
		if s.policies.For(p.Region).Settings().NoReapply {
			return healthcode.Errorf(healthcode.EFORBIDDEN, "This region does not allow re-applying; ask your community for error correction.")
		}
		if p.Reapplied {
			return healthcode.Errorf(healthcode.ECONFLICT, "The one re-application has been used; ask your community for error correction.")
		}
		if in.Relation != "" && in.Relation != p.Relation {
			return invalid("relation", "cannot be changed by re-applying")
		}
		oldHash := p.IDHash
		s.setIdentity(p, id)
		if err := s.checkSelfPhone(ctx, tx, who, p.Relation, p.PhoneHash); err != nil {
			return err
		}
		if !bytes.Equal(oldHash, p.IDHash) {
			if _, err := tx.PersonByIdentity(ctx, p.IDHash); err == nil {
				return errOneCode
			} else if healthcode.ErrorCode(err) != healthcode.ENOTFOUND {
				return err
			}
			if err := takePending(ctx, tx, p, now); err != nil {
				return err
			}
		}
		p.Region, p.Reapplied, p.UpdatedAt = region, true, now
		if err := tx.UpdatePerson(ctx, p); err != nil {
			return err
		}
		st, err := s.declare(ctx, tx, p, who, region, decl, true, now)
		view = s.view(p, st)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "re-applied", "person", personID, "color", view.Status.Color)
	return view, nil
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
	var view *PersonView
	err := s.store.Update(ctx, func(tx healthcode.Tx) error {
		p, err := s.lockOwned(ctx, tx, who, personID)
		if err != nil {
			return err
		}
		s.modifyIdentity(p, in, &problems)
		if err := problems.Err(); err != nil {
			return err
		}
		if left := s.modificationsLeft(p, now); left <= 0 {
			set := s.policies.For(p.Region).Settings()
			return healthcode.Errorf(healthcode.ELIMIT, "No modification left %s; the limit is %d.", limitPeriod(set), set.ModifyLimit)
		}
		today := now.In(policy.ChinaTime).Format("2006-01-02")
		if p.ModifiedOn != today {
			p.ModifiedOn, p.ModifiedThatDay = today, 0
		}
		p.Modified++
		p.ModifiedThatDay++
		p.Region, p.UpdatedAt = region, now
		if err := tx.UpdatePerson(ctx, p); err != nil {
			return err
		}
		st, err := s.declare(ctx, tx, p, who, region, decl, false, now)
		view = s.view(p, st)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "modified", "person", personID, "color", view.Status.Color)
	return view, nil
}

func (s *Service) modifyIdentity(p *healthcode.Person, in ModifyInput, problems *healthcode.Problems) {
	self := p.Relation == healthcode.RelationSelf
	if in.Name != nil {
		if self {
			problems.Add("name", "cannot be modified for yourself; ask your community for error correction")
		} else if name, err := identity.ValidateName(*in.Name); err != nil {
			problems.Add("name", err.Error())
		} else {
			s.setName(p, name)
		}
	}
	if in.Phone != nil {
		if self {
			problems.Add("phone", "cannot be modified for yourself; ask your community for error correction")
		} else if phone, err := identity.NormalizePhone(*in.Phone); err != nil {
			problems.Add("phone", err.Error())
		} else {
			s.setPhone(p, phone)
		}
	}
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
	if who.Role != healthcode.RoleCitizen {
		return healthcode.Errorf(healthcode.EFORBIDDEN, "Only citizens apply for health codes.")
	}
	return nil
}
