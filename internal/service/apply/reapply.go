package apply

import (
	"bytes"
	"context"
	"strings"

	"healthcode"
	"healthcode/internal/service/core"
	"healthcode/policy"
)

// Reapply replaces a person's whole application, once in their life
// (SPEC A5): for someone who filled in wrong data. The new identity passes
// the real-name check as in Apply; a relative with a phone of their own
// consents again when their document or phone changes. Errors as Apply,
// and ECONFLICT once the re-application is used.
func (s *Applications) Reapply(ctx context.Context, who *healthcode.Principal, personID int64, in ApplyInput) (*PersonView, error) {
	if err := core.RequireCitizen(who); err != nil {
		return nil, err
	}
	now := s.core.Clock()
	var problems healthcode.Problems
	if in.Relation != "" && !in.Relation.Valid() {
		problems.Add("relation", "must be one of self, spouse, parent, child, other")
	}
	id := checkIdentity(in.Identity, now, &problems)
	region := core.CheckRegion(in.Region, &problems)
	community := core.CheckCommunity(in.Community, region, &problems)
	decl := in.Declaration.declaration(&problems)
	if err := problems.Err(); err != nil {
		return nil, err
	}
	stored, err := s.store.Person(ctx, personID)
	if err := core.NotYours(stored, who, personID, err); err != nil {
		return nil, err
	}
	if in.Relation != "" && in.Relation != stored.Relation {
		return nil, core.Invalid("relation", "cannot be changed by re-applying")
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
		p, err := core.LockOwned(ctx, tx, who, personID)
		if err != nil {
			return err
		}
		if err := s.canReapply(p); err != nil {
			return err
		}
		if p.Relation != stored.Relation {
			return core.Invalid("relation", "cannot be changed by re-applying")
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
		p.Region, p.Community, p.Reapplied, p.UpdatedAt = region, community, true, now
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
func (s *Applications) canReapply(p *healthcode.Person) error {
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
func (s *Applications) settingsFor(rel healthcode.Relation, region string) (policy.Settings, error) {
	set := s.policies.For(region).Settings()
	if rel != healthcode.RelationSelf && !set.Relatives {
		return set, errNoRelatives
	}
	return set, nil
}

// identityFree refuses an identity another person holds, answering as
// checkNew does: a proxy claim hears only that the check failed.
func (s *Applications) identityFree(ctx context.Context, tx healthcode.Tx, kind claim, idHash []byte) error {
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
