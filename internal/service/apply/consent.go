package apply

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"healthcode"
	"healthcode/identity"
	"healthcode/internal/service/core"
	"healthcode/internal/service/onetime"
)

// ErrConsentRequired is the answer to an application for a relative with
// a phone of their own that carries no consent code: ask for one first
// (RequestConsent), then apply again with it.
var ErrConsentRequired = &healthcode.Error{Code: healthcode.EINVALID,
	Message: "The relative must consent: ask for a code to be sent to their phone, then submit it with the application.",
	Fields: []healthcode.FieldError{{Field: "consent_code",
		Reason: "is required for a relative with a phone of their own: POST /api/v1/persons/consent sends it to that phone"}}}

var errWrongConsent = &healthcode.Error{Code: healthcode.EINVALID, Message: "Wrong or expired consent code.",
	Fields: []healthcode.FieldError{{Field: "consent_code", Reason: "wrong or expired; ask for a new one"}}}

// ConsentInput asks for a relative's consent code. For an application it
// is the application's relation and identity; for a change of a managed
// relative's name or phone, PersonID names them and their document is
// taken from the stored person.
type ConsentInput struct {
	PersonID int64               `json:"person_id,omitempty"`
	Relation healthcode.Relation `json:"relation"`
	Identity healthcode.Identity `json:"identity"`
	Region   string              `json:"region"`
}

// RequestConsent sends a relative's phone the code with which they agree
// to have their health code managed by the caller, once their name,
// document and phone have passed the real-name check. The text names the
// caller's phone, masked. Errors as Apply (EINVALID, EFORBIDDEN, ELIMIT,
// EUNAVAILABLE); it says nothing of codes already stored.
func (s *Applications) RequestConsent(ctx context.Context, who *healthcode.Principal, in ConsentInput) (*onetime.Result, error) {
	if err := core.RequireCitizen(who); err != nil {
		return nil, err
	}
	now := s.core.Clock()
	if in.PersonID != 0 {
		if err := s.fillFromPerson(ctx, who, &in); err != nil {
			return nil, err
		}
	}
	var problems healthcode.Problems
	if in.Relation == healthcode.RelationSelf || !in.Relation.Valid() {
		problems.Add("relation", "must be one of spouse, parent, child, other: consent is for relatives")
	}
	id := checkIdentity(in.Identity, now, &problems)
	region := core.CheckRegion(in.Region, &problems)
	if err := problems.Err(); err != nil {
		return nil, err
	}
	set, err := s.settingsFor(in.Relation, region)
	if err != nil {
		return nil, err
	}
	if in.PersonID == 0 {
		if err := relativesLeft(ctx, s.store, who, set); err != nil {
			return nil, err
		}
	}
	kind, acct, err := s.proveIdentity(ctx, who, in.Relation, id, set, now)
	if err != nil {
		return nil, err
	}
	if kind != claimConsent {
		return nil, core.Invalid("identity.phone", "is your own phone: a relative registered on it needs no consent code")
	}
	loginPhone, err := s.box.Open(core.PurposePhone, acct.PhoneSealed)
	if err != nil {
		return nil, fmt.Errorf("open the login's phone: %w", err)
	}
	res, err := s.codes.Send(ctx, s.consentCode(who.AccountID, id, identity.MaskPhone(loginPhone)))
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "consent code sent", "account", who.AccountID, "to", res.SentTo)
	return res, nil
}

// fillFromPerson completes a consent request for a managed relative with
// their stored document, relation and region.
func (s *Applications) fillFromPerson(ctx context.Context, who *healthcode.Principal, in *ConsentInput) error {
	p, err := s.store.Person(ctx, in.PersonID)
	if err = core.NotYours(p, who, in.PersonID, err); err != nil {
		return err
	}
	number, err := s.box.Open(core.PurposeID, p.IDSealed)
	if err != nil {
		return fmt.Errorf("open person %d's document: %w", p.ID, err)
	}
	in.Relation, in.Identity.DocType, in.Identity.Number = p.Relation, p.DocType, number
	if in.Region == "" {
		in.Region = p.Region
	}
	if in.Identity.Name == "" {
		if in.Identity.Name, err = s.box.Open(core.PurposeName, p.NameSealed); err != nil {
			return fmt.Errorf("open person %d's name: %w", p.ID, err)
		}
	}
	return nil
}

// consentCode is the code that asks a relative's phone for consent, bound
// to the account asking and the identity asked about: a code sent for one
// application cannot approve another.
func (s *Applications) consentCode(accountID int64, id checkedIdentity, requester string) onetime.Code {
	bound := ":" + strconv.FormatInt(accountID, 10) + ":" + id.identityKey()
	return onetime.Code{Phone: id.phone, Key: s.box.Hash("consent", id.phone), Purpose: healthcode.CodeConsent,
		Requester: requester,
		Hash:      func(code string) []byte { return s.box.Hash("otp", "consent:"+id.phone+":"+code+bound) }}
}

// checkConsent checks a relative's consent code in the application's
// transaction; wrong reports a wrong code, whose guess the caller commits.
func (s *Applications) checkConsent(ctx context.Context, tx healthcode.Tx, who *healthcode.Principal, id checkedIdentity,
	code string, now time.Time) (wrong bool, err error) {
	right, err := s.codes.Check(ctx, tx, s.consentCode(who.AccountID, id, ""), code, now)
	return !right && err == nil, err
}
