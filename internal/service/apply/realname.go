package apply

import (
	"bytes"
	"context"
	"errors"
	"time"

	"healthcode"
	"healthcode/identity"
	"healthcode/policy"
)

// claim is how an application proves that the identity is real and the
// applicant's to manage (seed 004: 实名认证).
type claim int

const (
	// claimSelf: oneself, on the phone logged in with; the real-name check
	// matches name, document and that phone.
	claimSelf claim = iota
	// claimConsent: a relative with a phone of their own; the check
	// matches their three elements, and they consent by a code sent to
	// their phone — knowing someone's name, ID and phone is not enough.
	claimConsent
	// claimProxy: a child or an elderly person without a phone, registered
	// on the applicant's phone where the region allows it; the check
	// matches name and document.
	claimProxy
)

// proveIdentity runs the real-name check for an identity applied for with
// relation rel, under the region's settings, and tells which claim it is.
// It runs before any transaction: the check may be a remote call.
func (s *Applications) proveIdentity(ctx context.Context, who *healthcode.Principal, rel healthcode.Relation,
	id checkedIdentity, set policy.Settings, now time.Time) (claim, *healthcode.Account, error) {
	acct, err := s.store.Account(ctx, who.AccountID)
	if err != nil {
		return 0, nil, err
	}
	var problems healthcode.Problems
	kind := phoneClaim(rel, id, bytes.Equal(s.phoneKey(id.phone), acct.PhoneHash), set, now, &problems)
	if err := problems.Err(); err != nil {
		return 0, nil, err
	}
	check := healthcode.IdentityClaim{Identity: healthcode.Identity{DocType: id.docType, Number: id.number, Name: id.name, Phone: id.phone}}
	if kind == claimProxy {
		// The phone is the applicant's, not the relative's.
		check.Phone, check.Guardian = "", id.phone
	}
	if err := s.checkRealName(ctx, check); err != nil {
		return 0, nil, err
	}
	return kind, acct, nil
}

// checkRealName asks the real-name check about c. The check's own
// answers (*healthcode.Error) are passed on; any other failure is logged
// and answered as "unavailable, try again", never as an accept.
func (s *Applications) checkRealName(ctx context.Context, c healthcode.IdentityClaim) error {
	err := s.checker.CheckIdentity(ctx, c)
	if err == nil {
		return nil
	}
	var e *healthcode.Error
	if !errors.As(err, &e) {
		s.log.ErrorContext(ctx, "real-name check failed", "err", err)
		return healthcode.ErrIdentityUnavailable
	}
	return err
}

// proxyAllowed tells whether a relative may be registered on the
// applicant's phone: where the region allows it, for a child or an
// elderly person, whose age only a resident ID tells.
func proxyAllowed(id checkedIdentity, set policy.Settings, now time.Time, p *healthcode.Problems) {
	if !set.Proxy {
		p.Add("identity.phone", "must be the relative's own phone: this region does not register relatives on yours")
		return
	}
	born, ok := identity.BirthDate(id.number)
	if id.docType != healthcode.DocResidentID || !ok || !set.ProxyAge(ageAt(born, now)) {
		under, from := set.ProxyAges()
		p.Addf("identity.phone", "must be the relative's own phone: only children under %d and people of %d or over "+
			"with a resident ID are registered on yours", under, from)
	}
}

// phoneClaim is the claim an application makes by the phone it gives,
// the login's own or another, adding to p why that phone cannot be given
// for relation rel: one's own application is on the login's phone; a
// relative on it must be one the region lets a login register.
func phoneClaim(rel healthcode.Relation, id checkedIdentity, onLoginPhone bool, set policy.Settings, now time.Time,
	p *healthcode.Problems) claim {
	switch {
	case rel == healthcode.RelationSelf && !onLoginPhone:
		p.Add("identity.phone", "must be the phone you logged in with when applying for yourself")
	case rel != healthcode.RelationSelf && onLoginPhone:
		proxyAllowed(id, set, now, p)
		return claimProxy
	case rel != healthcode.RelationSelf:
		return claimConsent
	}
	return claimSelf
}

// ageAt is a person's age in whole years at now, China time.
func ageAt(born, now time.Time) int {
	n, b := now.In(policy.ChinaTime), born.In(policy.ChinaTime)
	age := n.Year() - b.Year()
	if n.Month() < b.Month() || n.Month() == b.Month() && n.Day() < b.Day() {
		age--
	}
	return age
}

// relativesLeft refuses one relative more than the region allows a login.
func relativesLeft(ctx context.Context, r owners, who *healthcode.Principal, set policy.Settings) error {
	owned, err := r.PersonsByOwner(ctx, who.AccountID)
	if err != nil {
		return err
	}
	n := 0
	for _, p := range owned {
		if p.Relation != healthcode.RelationSelf {
			n++
		}
	}
	if limit := set.RelativesLimit(); n >= limit {
		// Forbidden, not a rate limit: waiting does not lift it.
		return healthcode.Errorf(healthcode.EFORBIDDEN, "You manage %d relatives, the most this region allows one login.", n)
	}
	return nil
}

var errNoRelatives = healthcode.Errorf(healthcode.EFORBIDDEN, "This region does not allow applying for relatives.")
