package officials

import (
	"context"
	"strings"
	"time"

	"healthcode"
	"healthcode/internal/password"
	"healthcode/internal/permission"
	"healthcode/internal/service/core"
)

// Spec describes an account to open.
type Spec struct {
	Login    string          `json:"login"`
	Role     healthcode.Role `json:"role"`
	Scope    string          `json:"scope"`
	Password string          `json:"password"`
}

// Appointed is a new account, with what its holder needs once to set up
// their authenticator: the otpauth:// URI (a QR code of it) and the
// secret itself, for typing in. Neither is shown again.
type Appointed struct {
	Official   *healthcode.Official
	TOTPURI    string
	TOTPSecret string
}

// CreateOfficial opens an official's account appointed by who, only of a
// role and for a scope who may grant (permission.CanAppoint); the command
// line acts as permission.Operator(). Errors: EINVALID naming every bad
// field, EFORBIDDEN beyond who's scope, ECONFLICT for a login taken.
func (s *Officials) CreateOfficial(ctx context.Context, who *healthcode.Principal, spec Spec) (*Appointed, error) {
	spec.Login = strings.TrimSpace(spec.Login)
	if err := specProblems(spec).Err(); err != nil {
		return nil, err
	}
	if !permission.CanAppoint(who, spec.Role, spec.Scope) {
		return nil, healthcode.Errorf(healthcode.EFORBIDDEN, "This principal may not appoint a %s for %s: the scope must lie within its own.", spec.Role, spec.Scope)
	}
	key, err := newTOTP(s.issuer, spec.Login)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	o := &healthcode.Official{Login: spec.Login, Role: spec.Role, Scope: spec.Scope, PasswordHash: password.Hash(spec.Password),
		TOTPSealed: s.box.Seal(purposeTOTP, key.Secret()), CreatedAt: now, CreatedBy: who.Author()}
	err = s.store.Update(ctx, func(tx healthcode.Tx) error {
		if _, err := tx.OfficialByLogin(ctx, o.Login); err == nil {
			return healthcode.Errorf(healthcode.ECONFLICT, "The login %q is taken.", o.Login)
		} else if healthcode.ErrorCode(err) != healthcode.ENOTFOUND {
			return err
		}
		if err := tx.CreateOfficial(ctx, o); err != nil {
			return err
		}
		return tx.AppendLog(ctx, healthcode.LogOfOfficial(healthcode.LogOfficialCreated, o, healthcode.LogAuthorOf(who), now))
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "official appointed", "official", o.ID, "role", o.Role, "scope", o.Scope, "by", who.Author())
	return &Appointed{Official: o, TOTPURI: key.URL(), TOTPSecret: key.Secret()}, nil
}

func specProblems(spec Spec) healthcode.Problems {
	var p healthcode.Problems
	if err := healthcode.LoginProblem(spec.Login); err != nil {
		p.AddErr("login", err)
	}
	if !permission.Official(spec.Role) {
		p.Add("role", "must be community, street, district, isolation, auditor or administrator")
	}
	if err := healthcode.ScopeProblem(spec.Scope); err != nil {
		p.AddErr("scope", err)
	}
	if password.TooShort(spec.Password) {
		p.Addf("password", "must be at least %d characters", password.MinLength)
	}
	return p
}

// ListOfficials lists the accounts within who's scope, disabled ones too,
// in the order they were opened. Errors: EFORBIDDEN without
// ManageOfficials.
func (s *Officials) ListOfficials(ctx context.Context, who *healthcode.Principal) ([]healthcode.Official, error) {
	if !permission.Can(who, permission.ManageOfficials, "") {
		return nil, forbidden(who, permission.ManageOfficials)
	}
	within := who.Region
	if who.Role == healthcode.RoleOperator {
		within = ""
	}
	return s.store.Officials(ctx, within)
}

// DisableOfficial disables the account of id, within who's scope and not
// who's own, and ends its sessions; the account stays, for its name in
// what it did. Errors: ENOTFOUND, EFORBIDDEN out of scope or for oneself,
// ECONFLICT when it is disabled already.
func (s *Officials) DisableOfficial(ctx context.Context, who *healthcode.Principal, id int64) (*healthcode.Official, error) {
	now := s.clock()
	var o *healthcode.Official
	err := s.store.Update(ctx, func(tx healthcode.Tx) error {
		var err error
		if o, err = tx.Official(ctx, id); err != nil {
			return err
		}
		switch {
		case !permission.Can(who, permission.ManageOfficials, o.Scope):
			return healthcode.Errorf(healthcode.EFORBIDDEN, "Official %d is outside your scope %s.", id, who.Region)
		case who.OfficialID == o.ID:
			return healthcode.Errorf(healthcode.EFORBIDDEN, "You cannot disable your own account.")
		case o.Disabled():
			return healthcode.Errorf(healthcode.ECONFLICT, "Official %d is disabled already.", id)
		}
		o.DisabledAt = now
		if err := tx.UpdateOfficial(ctx, o); err != nil {
			return err
		}
		return tx.AppendLog(ctx, healthcode.LogOfOfficial(healthcode.LogOfficialDisabled, o, healthcode.LogAuthorOf(who), now))
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "official disabled", "official", o.ID, "by", who.Author())
	return o, nil
}

// DisableOfficialByLogin is DisableOfficial by the operator at the command
// line, naming the account by its login.
func (s *Officials) DisableOfficialByLogin(ctx context.Context, login string) (*healthcode.Official, error) {
	var id int64
	err := s.store.Update(ctx, func(tx healthcode.Tx) error {
		o, err := tx.OfficialByLogin(ctx, login)
		if healthcode.ErrorCode(err) == healthcode.ENOTFOUND {
			return healthcode.Errorf(healthcode.ENOTFOUND, "No official has the login %q.", login)
		}
		if o != nil {
			id = o.ID
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.DisableOfficial(ctx, permission.Operator(), id)
}

func forbidden(who *healthcode.Principal, perm permission.Permission) error {
	return core.Forbidden(who, perm)
}

// View is an account as listings show it: never its password hash nor
// its TOTP secret.
type View struct {
	ID          int64           `json:"id"`
	Login       string          `json:"login"`
	Role        healthcode.Role `json:"role"`
	Scope       string          `json:"scope"`
	CreatedAt   time.Time       `json:"created_at"`
	CreatedBy   string          `json:"created_by"`
	DisabledAt  time.Time       `json:"disabled_at,omitzero"`
	LockedUntil time.Time       `json:"locked_until,omitzero"`
}

// ViewOf is o as listings show it.
func ViewOf(o *healthcode.Official) View {
	return View{ID: o.ID, Login: o.Login, Role: o.Role, Scope: o.Scope, CreatedAt: o.CreatedAt, CreatedBy: o.CreatedBy,
		DisabledAt: o.DisabledAt, LockedUntil: o.LockedUntil}
}
