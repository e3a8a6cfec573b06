package checkpoint

import (
	"context"
	"errors"
	"math"
	"strings"
	"time"

	"healthcode"
	"healthcode/healthqr"
	"healthcode/internal/dcc"
	"healthcode/internal/permission"
)

// Code is a freshly signed token for showing as a QR code.
type Code struct {
	Token     string           `json:"token"`
	Color     healthcode.Color `json:"color"`
	IssuedAt  time.Time        `json:"issued_at"`
	ExpiresAt time.Time        `json:"expires_at"`
}

// Code signs a short-lived token for a person the caller manages (the GB/T
// 38963 "code generation request"). The token carries an opaque code id,
// never the identity.
func (s *Checkpoint) Code(ctx context.Context, who *healthcode.Principal, id int64) (*Code, error) {
	if err := s.nationalCode(); err != nil {
		return nil, err
	}
	p, err := s.core.Owned(ctx, who, id)
	if err != nil {
		return nil, err
	}
	now := s.core.Clock()
	c := healthqr.Claims{Issuer: s.issuer, Color: p.Status.Color, IssuedAt: now, ExpiresAt: now.Add(s.tokenTTL)}
	copy(c.CodeID[:], p.CodeID)
	token, err := s.keys.Sign(c)
	if err != nil {
		return nil, err
	}
	return &Code{Token: token, Color: c.Color, IssuedAt: c.IssuedAt.Truncate(time.Second), ExpiresAt: c.ExpiresAt.Truncate(time.Second)}, nil
}

// VerifyInput is a scan at a checkpoint.
type VerifyInput struct {
	Token       string   `json:"token"`
	Temperature *float64 `json:"temperature,omitempty"` // °C, recorded as a fact
	// ScannedAt dates a scan a checkpoint made offline and queued
	// (scanned.go): the token is judged as of then, the temperature
	// recorded at then, the colour answered as of now.
	ScannedAt *time.Time `json:"scanned_at,omitempty"`
}

// Verification is the verdict shown to checkpoint staff.
type Verification struct {
	Valid      bool             `json:"valid"`
	Kind       string           `json:"kind,omitempty"`    // what was scanned: code, foreign, pass, eu-dcc, id_number (KindCode, …)
	Reason     string           `json:"reason,omitempty"`  // why invalid: malformed, unknown_issuer, bad_signature, expired, not_yet_valid, unknown_code, revoked (a paper pass), no_such_person (a look-up), eu_… (eucert.go)
	Message    string           `json:"message,omitempty"` // the reason in the caller's language, where the catalogue has it (Localize)
	Pass       bool             `json:"pass"`
	Color      healthcode.Color `json:"color,omitempty"`       // the live colour
	TokenColor healthcode.Color `json:"token_color,omitempty"` // the colour when the token was signed
	Issuer     string           `json:"issuer,omitempty"`
	ExpiresAt  time.Time        `json:"expires_at,omitzero"`
	Name       string           `json:"name,omitempty"`    // masked
	IDTail     string           `json:"id_tail,omitempty"` // last four characters
	Why        *healthcode.Text `json:"why,omitempty"`     // the status reason, for checkpoint keys only
	Fever      bool             `json:"fever,omitempty"`   // the temperature given is a fever
	// Certificate is what an EU certificate (kind eu-dcc) states.
	Certificate *Certificate `json:"certificate,omitempty"`
	// ValidUntil and PassID are a paper pass's expiry and opaque id.
	ValidUntil time.Time `json:"valid_until,omitzero"`
	PassID     string    `json:"pass_id,omitempty"`

	// Foreign codes: where the colour comes from ("local", "issuer" read
	// live, or "token": the issuer was unreachable), when it was read,
	// and the age of the token whose colour is shown; Notice says so in
	// words, TemperatureNotice why a temperature given was not recorded.
	Live              bool             `json:"live,omitempty"`
	CheckedAt         time.Time        `json:"checked_at,omitzero"`
	Source            string           `json:"source,omitempty"`
	TokenAgeSeconds   int64            `json:"token_age_seconds,omitempty"`
	IssuerName        string           `json:"issuer_name,omitempty"`
	Notice            *healthcode.Text `json:"notice,omitempty"`
	TemperatureNotice *healthcode.Text `json:"temperature_notice,omitempty"`
}

// Temperatures outside this range are typing errors, not measurements.
const minCelsius, maxCelsius = 34.0, 43.0

// checkCelsius adds to p why t is not a body temperature: NaN is what a
// form passes for text that is not a number.
func checkCelsius(field string, t float64, p *healthcode.Problems) {
	switch {
	case math.IsNaN(t):
		p.Add(field, "must be a number such as 36.5")
	case t < minCelsius || t > maxCelsius:
		p.Add(field, "must be a body temperature in °C between 34 and 43")
	}
}

// Verify checks a scanned token (the GB/T 38963 "code verification
// request"): signature, issuer and expiry, then the holder's live status.
// Anyone may verify; recording a temperature needs a checkpoint key. A
// fever is recorded as a fact and re-colours the holder at once.
func (s *Checkpoint) Verify(ctx context.Context, who *healthcode.Principal, in VerifyInput) (*Verification, error) {
	var problems healthcode.Problems
	if in.Token == "" {
		problems.Add("token", "is required: the text of the scanned code")
	}
	if in.Temperature != nil {
		checkCelsius("temperature", *in.Temperature, &problems)
	}
	now := s.core.Clock()
	checkScannedAt(in, now, &problems)
	if err := problems.Err(); err != nil {
		return nil, err
	}
	if in.Temperature != nil && !permission.Can(who, permission.RecordTemperature, "") {
		return nil, healthcode.Errorf(healthcode.EFORBIDDEN, "Recording a temperature needs a checkpoint key.")
	}
	if strings.HasPrefix(in.Token, dcc.Prefix) {
		return s.verifyEU(in)
	}
	at := scanTime(in, now)
	claims, err := s.keys.Verify(in.Token, at)
	if errors.Is(err, healthqr.ErrUnknownIssuer) && s.foreign != nil {
		return s.verifyForeign(ctx, in, at) // another region's code (foreign.go)
	}
	if err != nil {
		if reason := healthqr.Reason(err); reason != "" {
			return &Verification{Reason: reason}, nil
		}
		return nil, err
	}
	p, err := s.store.PersonByCode(ctx, claims.CodeID[:])
	if healthcode.ErrorCode(err) == healthcode.ENOTFOUND {
		return s.verifyPass(ctx, who, in, claims, now) // no person's code: a paper pass's, or unknown_code
	} else if err != nil {
		return nil, err
	}
	v, err := s.Holder(ctx, who, p, in.Temperature, at, now)
	if err != nil {
		return nil, err
	}
	v.Kind, v.Source, v.TokenColor, v.Issuer, v.ExpiresAt = KindCode, "local", claims.Color, claims.Issuer, claims.ExpiresAt
	return v, nil
}

// recordTemperature records celsius as measured at (now, or a queued
// scan's time) and re-evaluates p as of now.
func (s *Checkpoint) recordTemperature(ctx context.Context, who *healthcode.Principal, p *healthcode.Person, celsius float64, at, now time.Time) (*healthcode.Person, error) {
	var locked *healthcode.Person
	err := s.store.Update(ctx, func(tx healthcode.Tx) error {
		var err error
		if locked, err = tx.LockPerson(ctx, p.ID); err != nil {
			return err
		}
		f := &healthcode.Fact{PersonID: p.ID, Kind: healthcode.FactTemperature, At: at, RecordedAt: now,
			Source: who.Name, Author: who.Author(),
			Temperature: &healthcode.TemperatureFact{Celsius: celsius, Checkpoint: who.Name}}
		if err := tx.AddFact(ctx, f); err != nil {
			return err
		}
		_, err = s.core.Evaluate(ctx, tx, locked, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return locked, nil
}
