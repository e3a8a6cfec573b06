package service

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"healthcode"
	"healthcode/healthqr"
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

// ErrConsentRequired is the answer to an application for a relative with
// a phone of their own that carries no consent code: ask for one first
// (RequestConsent), then apply again with it.
var ErrConsentRequired = &healthcode.Error{Code: healthcode.EINVALID,
	Message: "The relative must consent: ask for a code to be sent to their phone, then submit it with the application.",
	Fields: []healthcode.FieldError{{Field: "consent_code",
		Reason: "is required for a relative with a phone of their own: POST /api/v1/persons/consent sends it to that phone"}}}

var errWrongConsent = &healthcode.Error{Code: healthcode.EINVALID, Message: "Wrong or expired consent code.",
	Fields: []healthcode.FieldError{{Field: "consent_code", Reason: "wrong or expired; ask for a new one"}}}

// proveIdentity runs the real-name check for an identity applied for with
// relation rel, under the region's settings, and tells which claim it is.
// It runs before any transaction: the check may be a remote call.
func (s *Service) proveIdentity(ctx context.Context, who *healthcode.Principal, rel healthcode.Relation,
	id checkedIdentity, set policy.Settings, now time.Time) (claim, *healthcode.Account, error) {
	acct, err := s.store.Account(ctx, who.AccountID)
	if err != nil {
		return 0, nil, err
	}
	onLoginPhone := bytes.Equal(s.phoneKey(id.phone), acct.PhoneHash)
	kind := claimSelf
	switch {
	case rel == healthcode.RelationSelf && !onLoginPhone:
		return 0, nil, invalid("identity.phone", "must be the phone you logged in with when applying for yourself")
	case rel != healthcode.RelationSelf && onLoginPhone:
		if err := proxyAllowed(id, set, now); err != nil {
			return 0, nil, err
		}
		kind = claimProxy
	case rel != healthcode.RelationSelf:
		kind = claimConsent
	}
	check := healthcode.IdentityClaim{Identity: healthcode.Identity{DocType: id.docType, Number: id.number, Name: id.name, Phone: id.phone}}
	if kind == claimProxy {
		// The phone is the applicant's, not the relative's.
		check.Phone, check.Guardian = "", id.phone
	}
	if err := s.cfg.Identity.CheckIdentity(ctx, check); err != nil {
		var e *healthcode.Error
		if !errors.As(err, &e) {
			s.log.ErrorContext(ctx, "real-name check failed", "err", err)
			err = healthcode.ErrIdentityUnavailable
		}
		return 0, nil, err
	}
	return kind, acct, nil
}

// proxyAllowed tells whether a relative may be registered on the
// applicant's phone: where the region allows it, for a child or an
// elderly person, whose age only a resident ID tells.
func proxyAllowed(id checkedIdentity, set policy.Settings, now time.Time) error {
	if !set.Proxy {
		return invalid("identity.phone", "must be the relative's own phone: this region does not register relatives on yours")
	}
	born, ok := identity.BirthDate(id.number)
	if id.docType != healthcode.DocResidentID || !ok || !set.ProxyAge(ageAt(born, now)) {
		under, from := set.ProxyAges()
		return invalid("identity.phone", fmt.Sprintf("must be the relative's own phone: only children under %d and people of %d or over "+
			"with a resident ID are registered on yours", under, from))
	}
	return nil
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

// consentCode is the code that asks a relative's phone for consent, bound
// to the account asking and the identity asked about: a code sent for one
// application cannot approve another.
func (s *Service) consentCode(accountID int64, id checkedIdentity, requester string) oneTimeCode {
	bound := ":" + strconv.FormatInt(accountID, 10) + ":" + id.identityKey()
	return oneTimeCode{phone: id.phone, key: s.box.Hash("consent", id.phone), purpose: healthcode.CodeConsent,
		requester: requester,
		hash:      func(code string) []byte { return s.box.Hash("otp", "consent:"+id.phone+":"+code+bound) }}
}

// checkConsent checks a relative's consent code in the application's
// transaction; wrong reports a wrong code, whose guess the caller commits.
func (s *Service) checkConsent(ctx context.Context, tx healthcode.Tx, who *healthcode.Principal, id checkedIdentity,
	code string, now time.Time) (wrong bool, err error) {
	right, err := s.checkCode(ctx, tx, s.consentCode(who.AccountID, id, ""), code, now)
	return !right && err == nil, err
}

// relativesLeft refuses one relative more than the region allows a login.
func relativesLeft(ctx context.Context, r healthcode.Reader, who *healthcode.Principal, set policy.Settings) error {
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
func (s *Service) RequestConsent(ctx context.Context, who *healthcode.Principal, in ConsentInput) (*OTPResult, error) {
	if err := requireCitizen(who); err != nil {
		return nil, err
	}
	now := s.clock()
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
	region := checkRegion(in.Region, &problems)
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
		return nil, invalid("identity.phone", "is your own phone: a relative registered on it needs no consent code")
	}
	loginPhone, err := s.box.Open(purposePhone, acct.PhoneSealed)
	if err != nil {
		return nil, fmt.Errorf("open the login's phone: %w", err)
	}
	res, err := s.sendCode(ctx, s.consentCode(who.AccountID, id, maskPhone(loginPhone)))
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "consent code sent", "account", who.AccountID, "to", res.SentTo)
	return res, nil
}

// fillFromPerson completes a consent request for a managed relative with
// their stored document, relation and region.
func (s *Service) fillFromPerson(ctx context.Context, who *healthcode.Principal, in *ConsentInput) error {
	p, err := s.store.Person(ctx, in.PersonID)
	if err = notYours(p, who, in.PersonID, err); err != nil {
		return err
	}
	number, err := s.box.Open(purposeID, p.IDSealed)
	if err != nil {
		return fmt.Errorf("open person %d's document: %w", p.ID, err)
	}
	in.Relation, in.Identity.DocType, in.Identity.Number = p.Relation, p.DocType, number
	if in.Region == "" {
		in.Region = p.Region
	}
	if in.Identity.Name == "" {
		if in.Identity.Name, err = s.box.Open(purposeName, p.NameSealed); err != nil {
			return fmt.Errorf("open person %d's name: %w", p.ID, err)
		}
	}
	return nil
}

var errNoRelatives = healthcode.Errorf(healthcode.EFORBIDDEN, "This region does not allow applying for relatives.")

// claimEnded is the rule of the history entry that records an identity
// taken back from a wrong claim by its verified owner.
const claimEnded = "identity/claim-ended"

// reclaim hands a person held by another login to the caller, who has
// just passed the real-name check for the identity on their own phone:
// the wrong claim ends, the other login loses the code, and the person's
// history records why, naming the new declaration fact.
func (s *Service) reclaim(ctx context.Context, tx healthcode.Tx, who *healthcode.Principal, held, claimed *healthcode.Person,
	region string, decl healthcode.Declaration, now time.Time) (*healthcode.Status, error) {
	p, err := tx.LockPerson(ctx, held.ID)
	if err != nil {
		return nil, err
	}
	// Found before the lock: the holder may have re-applied it to another
	// identity, or given it up, while this waited.
	if !bytes.Equal(p.IDHash, claimed.IDHash) || p.OwnerID != held.OwnerID {
		return nil, healthcode.Errorf(healthcode.ECONFLICT, "The record of this identity changed just now; apply again.")
	}
	from := p.OwnerID
	// A new code id: tokens the wrong claim was shown stop verifying.
	code, err := healthqr.NewCodeID()
	if err != nil {
		return nil, err
	}
	p.CodeID = code[:]
	p.OwnerID, p.Relation = who.AccountID, healthcode.RelationSelf
	p.IDHash, p.IDSealed, p.IDTail, p.DocType = claimed.IDHash, claimed.IDSealed, claimed.IDTail, claimed.DocType
	p.NameSealed, p.NameMasked, p.PhoneHash, p.PhoneSealed = claimed.NameSealed, claimed.NameMasked, claimed.PhoneHash, claimed.PhoneSealed
	p.Region, p.UpdatedAt = region, now
	p.Reapplied, p.Modified, p.ModifiedOn, p.ModifiedThatDay = false, 0, "", 0
	if err := tx.UpdatePerson(ctx, p); err != nil {
		return nil, err
	}
	// What the wrong claim said itself (its declarations, check-ins,
	// visits) is not the owner's word: set aside, kept for investigators.
	// Feeds' facts name the identity and stay; so do checkpoints'
	// measurements, which officials may review.
	fromAuthor := (&healthcode.Principal{AccountID: from}).Author()
	voided, err := tx.VoidFacts(ctx, p.ID, sourceCitizen, fromAuthor, claimEnded, now)
	if err != nil {
		return nil, err
	}
	f, err := s.addDeclaration(ctx, tx, p, who, region, decl, false, now)
	if err != nil {
		return nil, err
	}
	if err := s.recordClaimEnded(ctx, tx, p, who, f.ID, now); err != nil {
		return nil, err
	}
	st, err := s.evaluate(ctx, tx, p, now)
	if err != nil {
		return nil, err
	}
	*claimed = *p
	s.log.InfoContext(ctx, "identity taken back by its verified owner", "person", p.ID, "from_account", from,
		"to_account", who.AccountID, "facts_voided", voided)
	return st, nil
}

// recordClaimEnded appends the history entry of a reclaimed identity:
// the colour stays what it was, the reason is the rule.
func (s *Service) recordClaimEnded(ctx context.Context, tx healthcode.Tx, p *healthcode.Person, who *healthcode.Principal,
	factID int64, now time.Time) error {
	e := &healthcode.HistoryEntry{PersonID: p.ID, Rule: claimEnded, FactIDs: []int64{factID}, Author: who.Author(), At: now}
	var prevSeq int64
	var prevHash []byte
	if p.Status != nil {
		e.From, e.To = p.Status.Color, p.Status.Color
		prevSeq, prevHash = p.Status.HeadSeq, p.Status.HeadHash
	}
	e.Seal(prevSeq, prevHash)
	if err := tx.AppendHistory(ctx, e); err != nil {
		return err
	}
	if p.Status != nil {
		p.Status.HeadSeq, p.Status.HeadHash = e.Seq, e.Hash
	}
	return nil
}
