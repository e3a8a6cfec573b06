package apply

import (
	"bytes"
	"context"
	"time"

	"healthcode"
	"healthcode/healthqr"
	"healthcode/internal/service/core"
)

// claimEnded is the rule of the history entry that records an identity
// taken back from a wrong claim by its verified owner.
const claimEnded = "identity/claim-ended"

// reclaim hands a person held by another login to the caller, who has
// just passed the real-name check for the identity on their own phone:
// the wrong claim ends, the other login loses the code, and the person's
// history records why, naming the new declaration fact.
func (s *Applications) reclaim(ctx context.Context, tx healthcode.Tx, who *healthcode.Principal, held, claimed *healthcode.Person,
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
	p.Region, p.Community, p.UpdatedAt = region, claimed.Community, now
	p.Reapplied, p.Modified, p.ModifiedOn, p.ModifiedThatDay = false, 0, "", 0
	if err := tx.UpdatePerson(ctx, p); err != nil {
		return nil, err
	}
	// What the wrong claim said itself (its declarations, check-ins,
	// visits) is not the owner's word: set aside, kept for investigators.
	// Feeds' facts name the identity and stay; so do checkpoints'
	// measurements, which officials may review.
	fromAuthor := (&healthcode.Principal{AccountID: from}).Author()
	voided, err := tx.VoidFacts(ctx, p.ID, core.SourceCitizen, fromAuthor, claimEnded, now)
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
	st, err := s.core.Evaluate(ctx, tx, p, now)
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
func (s *Applications) recordClaimEnded(ctx context.Context, tx healthcode.Tx, p *healthcode.Person, who *healthcode.Principal,
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
	if err := tx.AppendLog(ctx, healthcode.LogOfHistory(e, healthcode.LogAuthorOf(who), nil)); err != nil {
		return err
	}
	if p.Status != nil {
		p.Status.HeadSeq, p.Status.HeadHash = e.Seq, e.Hash
	}
	return nil
}
