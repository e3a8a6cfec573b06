package checkpoint

import (
	"context"
	"encoding/hex"
	"time"

	"healthcode"
	"healthcode/healthqr"
	"healthcode/internal/permission"
)

// verifyPass answers a signed token whose code id is no person's code: a
// paper pass (docs/federation.md#paper-passes), verified as a code is but
// for its holder, or an unknown code. A revoked pass is refused; an
// expired one was refused already by its token's expiry, which is the
// pass's. Otherwise it passes only while the holder's live colour does.
func (s *Checkpoint) verifyPass(ctx context.Context, who *healthcode.Principal, in VerifyInput, claims healthqr.Claims, now time.Time) (*Verification, error) {
	ps, err := s.store.Pass(ctx, claims.CodeID[:])
	if healthcode.ErrorCode(err) == healthcode.ENOTFOUND {
		return &Verification{Reason: "unknown_code"}, nil
	} else if err != nil {
		return nil, err
	}
	if ps.Revoked() {
		return &Verification{Reason: "revoked", Kind: "pass", PassID: PassID(ps.ID)}, nil
	}
	p, err := s.store.Person(ctx, ps.PersonID)
	if err != nil {
		return nil, err
	}
	v, err := s.Holder(ctx, who, p, in.Temperature, scanTime(in, now), now)
	if err != nil {
		return nil, err
	}
	v.Kind, v.PassID, v.ValidUntil = "pass", PassID(ps.ID), ps.ExpiresAt.UTC().Truncate(time.Second)
	v.TokenColor, v.Issuer, v.ExpiresAt = claims.Color, claims.Issuer, claims.ExpiresAt
	return v, nil
}

// PassID is the text form of a pass's id: 24 hex digits.
func PassID(id []byte) string { return hex.EncodeToString(id) }

// Holder is the verdict on a person found some other way than by their
// own code (a paper pass, a look-up by ID number), and by Verify for a
// code: their live colour as of now, with the temperature taken at at,
// if any, recorded first. Kind and the token's fields are the caller's
// to fill in.
func (s *Checkpoint) Holder(ctx context.Context, who *healthcode.Principal, p *healthcode.Person, celsius *float64, at, now time.Time) (*Verification, error) {
	var err error
	if celsius != nil {
		p, err = s.recordTemperature(ctx, who, p, *celsius, at, now)
	} else {
		p, err = s.core.Current(ctx, p, now)
	}
	if err != nil {
		return nil, err
	}
	v := &Verification{Valid: true, Color: p.Status.Color, Name: p.NameMasked, IDTail: p.IDTail,
		Fever: celsius != nil && *celsius >= healthcode.FeverCelsius}
	if permission.Can(who, permission.VerifyDetails, "") {
		v.Why = &p.Status.Reason
	}
	v.Pass = v.Color.Passes() && !v.Fever
	return v, nil
}

// CheckCelsius adds to p why t is not a body temperature, as Verify
// checks one: for the forms that take a temperature elsewhere.
func CheckCelsius(field string, t float64, p *healthcode.Problems) { checkCelsius(field, t, p) }
