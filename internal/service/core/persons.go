package core

import (
	"context"

	"healthcode"
	"healthcode/internal/permission"
)

// Owned reads a person the caller manages, with a current status.
// Errors: EUNAUTHORIZED or EFORBIDDEN for anyone but a citizen
// (RequireCitizen), ENOTFOUND for anyone else's person (NotYours).
func (s *Core) Owned(ctx context.Context, who *healthcode.Principal, id int64) (*healthcode.Person, error) {
	if err := RequireCitizen(who); err != nil {
		return nil, err
	}
	p, err := s.store.Person(ctx, id)
	if err = NotYours(p, who, id, err); err != nil {
		return nil, err
	}
	return s.Current(ctx, p, s.Clock())
}

// LockOwned locks a person the caller manages. Someone else's person is
// reported as not found, so ids cannot be probed.
func LockOwned(ctx context.Context, tx healthcode.Tx, who *healthcode.Principal, id int64) (*healthcode.Person, error) {
	p, err := tx.LockPerson(ctx, id)
	return p, NotYours(p, who, id, err)
}

// NotYours answers a missing person and someone else's person with one and
// the same error, so that ids cannot be probed.
func NotYours(p *healthcode.Person, who *healthcode.Principal, id int64, err error) error {
	if healthcode.ErrorCode(err) == healthcode.ENOTFOUND || (err == nil && p.OwnerID != who.AccountID) {
		return healthcode.Errorf(healthcode.ENOTFOUND, "Person %d not found.", id)
	}
	return err
}

// OutOfScope is NotYours for officials: a missing person is not found, and
// one outside who's scope for perm is refused, naming the scope and
// nothing of the person.
func OutOfScope(p *healthcode.Person, who *healthcode.Principal, perm permission.Permission, id int64, err error) error {
	if healthcode.ErrorCode(err) == healthcode.ENOTFOUND {
		return healthcode.Errorf(healthcode.ENOTFOUND, "Person %d not found.", id)
	} else if err != nil {
		return err
	}
	if !permission.Can(who, perm, p.Division()) {
		return healthcode.Errorf(healthcode.EFORBIDDEN, "Person %d lives outside your scope %s.", id, who.Region)
	}
	return nil
}

// RequireCitizen refuses anyone but a logged-in citizen.
func RequireCitizen(who *healthcode.Principal) error {
	if who == nil {
		return healthcode.Errorf(healthcode.EUNAUTHORIZED, "Log in with your phone first.")
	}
	if !permission.Can(who, permission.ManagePersons, "") {
		return healthcode.Errorf(healthcode.EFORBIDDEN, "Only citizens apply for health codes.")
	}
	return nil
}

// Forbidden is the refusal of a caller without perm, naming the
// permission and the caller's role.
func Forbidden(who *healthcode.Principal, perm permission.Permission) error {
	role := healthcode.Role("anonymous")
	if who != nil {
		role = who.Role
	}
	return healthcode.Errorf(healthcode.EFORBIDDEN, "This needs the permission %s, which a %s does not have.", perm, role)
}
