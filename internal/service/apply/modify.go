package apply

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"healthcode"
	"healthcode/identity"
	"healthcode/internal/service/core"
	"healthcode/policy"
)

// ModifyInput changes an application. For oneself only the region and the
// declaration may change; for a relative also name and phone; the ID
// number never (SPEC A6).
type ModifyInput struct {
	Name   *string `json:"name,omitempty"`
	Phone  *string `json:"phone,omitempty"`
	Number *string `json:"number,omitempty"`
	Region string  `json:"region"`
	// Community is as in ApplyInput; like the region, what is sent is
	// what is kept, so leaving it out clears it.
	Community   string           `json:"community,omitempty"`
	Declaration DeclarationInput `json:"declaration"`
	// ConsentCode: a relative's consent to a new phone of their own.
	ConsentCode string `json:"consent_code,omitempty"`
}

// Modify changes an application within the region's limit (by default once
// a day). Errors: EINVALID for bad or unchangeable fields, ELIMIT when the
// chances are used up.
func (s *Applications) Modify(ctx context.Context, who *healthcode.Principal, personID int64, in ModifyInput) (*PersonView, error) {
	if err := core.RequireCitizen(who); err != nil {
		return nil, err
	}
	now := s.core.Clock()
	var problems healthcode.Problems
	region := core.CheckRegion(in.Region, &problems)
	community := core.CheckCommunity(in.Community, region, &problems)
	decl := in.Declaration.declaration(&problems)
	if in.Number != nil {
		problems.Add("number", "the ID number can never be modified; re-apply or ask for error correction")
	}
	stored, err := s.store.Person(ctx, personID)
	if err := core.NotYours(stored, who, personID, err); err != nil {
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
		p, err := core.LockOwned(ctx, tx, who, personID)
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
		p.Region, p.Community, p.UpdatedAt = region, community, now
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
func (s *Applications) identityChange(p *healthcode.Person, in ModifyInput, problems *healthcode.Problems) (*checkedIdentity, error) {
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
	if id.number, err = s.box.Open(core.PurposeID, p.IDSealed); err != nil {
		return nil, fmt.Errorf("open person %d's document: %w", p.ID, err)
	}
	if id.name, err = s.changed(p, core.PurposeName, p.NameSealed, in.Name, identity.ValidateName, problems); err != nil {
		return nil, err
	}
	if id.phone, err = s.changed(p, core.PurposePhone, p.PhoneSealed, in.Phone, identity.NormalizePhone, problems); err != nil {
		return nil, err
	}
	return &id, nil
}

// changed is a field of p as a modification leaves it: the new value,
// checked (a bad one is a problem of the field named by purpose), or the
// stored one when none is given.
func (s *Applications) changed(p *healthcode.Person, purpose string, sealed []byte, v *string,
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
		problems.AddErr(purpose, err)
	}
	return value, nil
}
