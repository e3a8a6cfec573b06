// Package passes holds paper passes for people without a smartphone
// (SPEC C7, seed 003 Q9; docs/federation.md#paper-passes): a community
// worker checks the person in front of them — the identity document
// (its number typed and matched against the sealed identity, never kept),
// and what the region's policy pack asks: vaccination, a nucleic-acid
// result, a temperature — and issues a pass signed as a code (HCN1, its
// own random id), printed on an A6 page and revocable. Checkpoints verify
// it as they verify a code (checkpoint.Verify). It also holds the
// checkpoint's look-up of a person by ID number, logged as such.
package passes

import (
	"context"
	"crypto/hmac"
	"encoding/hex"
	"log/slog"
	"time"

	"healthcode"
	"healthcode/healthqr"
	"healthcode/identity"
	"healthcode/internal/permission"
	"healthcode/internal/secret"
	"healthcode/internal/service/checkpoint"
	"healthcode/internal/service/core"
	"healthcode/policy"
)

// Store is what passes read and write.
type Store interface {
	Person(ctx context.Context, id int64) (*healthcode.Person, error)
	PersonByIdentity(ctx context.Context, idHash []byte) (*healthcode.Person, error)
	Pass(ctx context.Context, id []byte) (*healthcode.Pass, error)
	PassesOf(ctx context.Context, personID int64) ([]healthcode.Pass, error)
	Update(ctx context.Context, fn func(healthcode.Tx) error) error
}

// Passes issues, revokes and prints paper passes and looks persons up by
// ID number. It is safe for concurrent use.
type Passes struct {
	store    Store
	core     *core.Core
	box      *secret.Box
	keys     *healthqr.Keyring
	issuer   string
	policies policy.Chooser
	check    *checkpoint.Checkpoint
	log      *slog.Logger
}

// New returns Passes signing with keys as region issuer, with the rules
// of policies, and answering look-ups with check's verdicts.
func New(store Store, c *core.Core, box *secret.Box, keys *healthqr.Keyring, issuer string, policies policy.Chooser,
	check *checkpoint.Checkpoint, log *slog.Logger) *Passes {
	return &Passes{store: store, core: c, box: box, keys: keys, issuer: issuer, policies: policies, check: check, log: log}
}

// IssueInput is what the community worker checked: the number on the
// identity document they hold, and the temperature they took.
type IssueInput struct {
	IDNumber    string   `json:"id_number"`
	Temperature *float64 `json:"temperature,omitempty"` // °C, when the pack needs it
}

// Pass is a paper pass as officials see it, with its token for printing.
type Pass struct {
	PassID     string           `json:"pass_id"`
	PersonID   int64            `json:"person_id"`
	Name       string           `json:"name"`    // masked
	IDTail     string           `json:"id_tail"` // last four characters
	Color      healthcode.Color `json:"color"`   // the colour signed into the token
	Community  string           `json:"community"`
	IssuedAt   time.Time        `json:"issued_at"`
	ValidUntil time.Time        `json:"valid_until"`
	RevokedAt  time.Time        `json:"revoked_at,omitzero"`
	Token      string           `json:"token,omitempty"` // HCN1, the printed QR code's text
}

// IssuePass issues a paper pass for a person in who's scope after the
// checks the person's region's pack names (policy.PaperPass), signed as a
// code valid for the pack's valid_for. The temperature is recorded as a
// fact first and re-colours the person; then the person's colour must
// pass. The pass and its log entry (no identity) are written in one
// transaction. Errors: EFORBIDDEN without IssuePasses or for a person
// outside who's scope; ECONFLICT in a region whose pack issues no
// passes; ENOTFOUND; EINVALID naming each check that failed: id_number (not the
// person's document), temperature (missing or a fever), vaccination,
// nucleic_acid, color (a code that does not pass).
func (s *Passes) IssuePass(ctx context.Context, who *healthcode.Principal, personID int64, in IssueInput) (*Pass, error) {
	p, rule, err := s.issuable(ctx, who, personID)
	if err != nil {
		return nil, err
	}
	now := s.core.Clock()
	var problems healthcode.Problems
	s.checkDocument(p, in.IDNumber, now, &problems)
	switch {
	case in.Temperature != nil:
		checkpoint.CheckCelsius("temperature", *in.Temperature, &problems)
	case rule.Need(policy.PassTemperature):
		problems.Add("temperature", "is required: take the person's temperature on the spot")
	}
	if err := problems.Err(); err != nil {
		return nil, err // nothing recorded: the document is not the person's, or the form is incomplete
	}
	id, err := healthqr.NewCodeID()
	if err != nil {
		return nil, err
	}
	ps := &healthcode.Pass{ID: id[:], PersonID: p.ID, OfficialID: who.OfficialID, Division: who.Region,
		IssuedAt: now, ExpiresAt: now.Add(rule.ValidFor.D()).Truncate(time.Second)}
	var locked *healthcode.Person
	err = s.store.Update(ctx, func(tx healthcode.Tx) error {
		if locked, err = tx.LockPerson(ctx, p.ID); err != nil {
			return err
		}
		if in.Temperature != nil {
			f := &healthcode.Fact{PersonID: p.ID, Kind: healthcode.FactTemperature, At: now, RecordedAt: now,
				Source: "community:" + who.Region, Author: who.Author(),
				Temperature: &healthcode.TemperatureFact{Celsius: *in.Temperature, Checkpoint: who.Region}}
			if err := tx.AddFact(ctx, f); err != nil {
				return err
			}
		}
		if _, err := s.core.Evaluate(ctx, tx, locked, now); err != nil {
			return err
		}
		facts, err := tx.Facts(ctx, p.ID)
		if err != nil {
			return err
		}
		checkHealth(rule, locked, in.Temperature, checkpoint.Summarise(facts, now), now, &problems)
		if problems.Err() != nil {
			return nil // the temperature taken stays on record; no pass
		}
		if err := tx.CreatePass(ctx, ps); err != nil {
			return err
		}
		return tx.AppendLog(ctx, healthcode.LogOfPass(healthcode.LogPassIssued, ps, healthcode.LogAuthorOf(who), now))
	})
	if err != nil {
		return nil, err
	}
	if err := problems.Err(); err != nil {
		s.log.InfoContext(ctx, "pass refused", "person", p.ID, "by", who.Author())
		return nil, err
	}
	s.log.InfoContext(ctx, "pass issued", "person", p.ID, "by", who.Author(), "until", ps.ExpiresAt)
	out := view(ps, locked)
	out.Color = locked.Status.Color
	if out.Token, err = s.sign(ps, out.Color); err != nil {
		return nil, err
	}
	return out, nil
}

// issuable reads a person who may issue passes for and their region's
// paper-pass rule.
func (s *Passes) issuable(ctx context.Context, who *healthcode.Principal, personID int64) (*healthcode.Person, *policy.PaperPass, error) {
	p, err := s.inScope(ctx, who, permission.IssuePasses, personID)
	if err != nil {
		return nil, nil, err
	}
	rule := policy.PaperPassOf(s.policies.For(p.Region))
	if rule == nil {
		return nil, nil, healthcode.Errorf(healthcode.ECONFLICT, "The policy of region %s issues no paper passes.", p.Region)
	}
	return p, rule, nil
}

func (s *Passes) inScope(ctx context.Context, who *healthcode.Principal, perm permission.Permission, personID int64) (*healthcode.Person, error) {
	if !permission.Can(who, perm, "") {
		return nil, core.Forbidden(who, perm)
	}
	p, err := s.store.Person(ctx, personID)
	if err := core.OutOfScope(p, who, perm, personID, err); err != nil {
		return nil, err
	}
	return p, nil
}

// checkDocument checks that number is the person's document number, as
// applying keys it: its lookup hash against the person's, never the
// number itself, which is neither kept nor logged.
func (s *Passes) checkDocument(p *healthcode.Person, number string, now time.Time, problems *healthcode.Problems) {
	if number == "" {
		problems.Add("id_number", "is required: type the number on the identity document you checked")
		return
	}
	n, err := identity.NormalizeDocument(p.DocType, number, now)
	if err != nil || !hmac.Equal(core.IDKey(s.box, p.DocType, n), p.IDHash) {
		problems.Add("id_number", "is not the number of this person's identity document")
	}
}

// checkHealth adds to problems each check of rule the person fails, and
// a colour that does not pass.
func checkHealth(rule *policy.PaperPass, p *healthcode.Person, celsius *float64, h *checkpoint.Health, now time.Time, problems *healthcode.Problems) {
	if celsius != nil && *celsius >= healthcode.FeverCelsius {
		problems.Add("temperature", "is a fever: no pass; the temperature is recorded")
	}
	if rule.Need(policy.PassVaccination) && !h.VaccineComplete {
		problems.Addf("vaccination", "the recorded doses (%d) do not complete the primary course", h.VaccineDoses)
	}
	if rule.Need(policy.PassNucleicAcid) {
		switch {
		case len(h.Tests) == 0 || h.Tests[0].Sampled.Before(now.Add(-rule.TestWithin.D())):
			problems.Addf("nucleic_acid", "no result sampled within the last %s", rule.TestWithin)
		case h.Tests[0].Result != healthcode.TestNegative:
			problems.Add("nucleic_acid", "the latest result is not negative")
		}
	}
	if !p.Status.Color.Passes() {
		problems.Addf("color", "the health code is %s: a pass is issued only to a code that passes", p.Status.Color)
	}
}

// sign makes a pass's token: its own id as the code id, the colour at
// issue, valid until the pass expires. Ed25519 is deterministic, so the
// page printed again shows the same token.
func (s *Passes) sign(ps *healthcode.Pass, color healthcode.Color) (string, error) {
	c := healthqr.Claims{Issuer: s.issuer, Color: color, IssuedAt: ps.IssuedAt, ExpiresAt: ps.ExpiresAt}
	copy(c.CodeID[:], ps.ID)
	return s.keys.Sign(c)
}

func view(ps *healthcode.Pass, p *healthcode.Person) *Pass {
	return &Pass{PassID: checkpoint.PassID(ps.ID), PersonID: ps.PersonID, Name: p.NameMasked, IDTail: p.IDTail,
		Community: ps.Division, IssuedAt: ps.IssuedAt.UTC().Truncate(time.Second),
		ValidUntil: ps.ExpiresAt.UTC().Truncate(time.Second), RevokedAt: ps.RevokedAt}
}

// PersonPasses lists the passes of a person in who's scope, newest first,
// without their tokens. Errors: as IssuePass's scope check, for
// ViewPersons.
func (s *Passes) PersonPasses(ctx context.Context, who *healthcode.Principal, personID int64) ([]Pass, error) {
	p, err := s.inScope(ctx, who, permission.ViewPersons, personID)
	if err != nil {
		return nil, err
	}
	ps, err := s.store.PassesOf(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	out := make([]Pass, len(ps))
	for i := range ps {
		out[i] = *view(&ps[i], p)
	}
	return out, nil
}

// pass reads a pass by its text id and checks who may act on its holder
// with perm. A malformed or unknown id is not found.
func (s *Passes) pass(ctx context.Context, who *healthcode.Principal, perm permission.Permission, passID string) (*healthcode.Pass, *healthcode.Person, error) {
	if !permission.Can(who, perm, "") {
		return nil, nil, core.Forbidden(who, perm)
	}
	id, err := hex.DecodeString(passID)
	if err != nil || len(id) != len(healthqr.CodeID{}) {
		return nil, nil, healthcode.Errorf(healthcode.ENOTFOUND, "No paper pass %s.", passID)
	}
	ps, err := s.store.Pass(ctx, id)
	if healthcode.ErrorCode(err) == healthcode.ENOTFOUND {
		return nil, nil, healthcode.Errorf(healthcode.ENOTFOUND, "No paper pass %s.", passID)
	} else if err != nil {
		return nil, nil, err
	}
	p, err := s.inScope(ctx, who, perm, ps.PersonID)
	if err != nil {
		return nil, nil, err
	}
	return ps, p, nil
}

// PassSheet returns a pass with its token, for printing again: signed
// with the holder's colour now (verifiers online read the live colour
// anyway). Errors: ENOTFOUND, EFORBIDDEN for a holder outside who's
// scope, and ECONFLICT for a revoked or expired pass, which is not
// printed.
func (s *Passes) PassSheet(ctx context.Context, who *healthcode.Principal, passID string) (*Pass, error) {
	ps, p, err := s.pass(ctx, who, permission.IssuePasses, passID)
	if err != nil {
		return nil, err
	}
	now := s.core.Clock()
	switch {
	case ps.Revoked():
		return nil, healthcode.Errorf(healthcode.ECONFLICT, "The pass was revoked; issue a new one.")
	case !now.Before(ps.ExpiresAt):
		return nil, healthcode.Errorf(healthcode.ECONFLICT, "The pass has expired; issue a new one.")
	}
	if p, err = s.core.Current(ctx, p, now); err != nil {
		return nil, err
	}
	out := view(ps, p)
	out.Color = p.Status.Color
	if out.Token, err = s.sign(ps, out.Color); err != nil {
		return nil, err
	}
	return out, nil
}

// RevokePass revokes a pass (lost, or no longer right): every online
// verifier refuses it from then on. The revocation and its log entry are
// written in one transaction. Errors: as PassSheet for IssuePasses, and
// ECONFLICT when it was revoked already.
func (s *Passes) RevokePass(ctx context.Context, who *healthcode.Principal, passID string) (*Pass, error) {
	ps, p, err := s.pass(ctx, who, permission.IssuePasses, passID)
	if err != nil {
		return nil, err
	}
	now := s.core.Clock()
	err = s.store.Update(ctx, func(tx healthcode.Tx) error {
		if err := tx.RevokePass(ctx, ps.ID, now, who.OfficialID); err != nil {
			return err
		}
		return tx.AppendLog(ctx, healthcode.LogOfPass(healthcode.LogPassRevoked, ps, healthcode.LogAuthorOf(who), now))
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "pass revoked", "person", p.ID, "by", who.Author())
	ps.RevokedAt, ps.RevokedBy = now, who.OfficialID
	return view(ps, p), nil
}
