package service

import (
	"context"
	"time"

	"healthcode"
)

// evaluate runs the policy over a locked person's facts, stores the status
// and, when the colour changes, appends a sealed history entry naming the
// rule, the facts and the author. Policy decisions are the system's.
func (s *Service) evaluate(ctx context.Context, tx healthcode.Tx, p *healthcode.Person, now time.Time) (*healthcode.Status, error) {
	facts, err := tx.Facts(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	st := s.policy.Evaluate(facts, now)
	prev := p.Status
	if prev != nil {
		st.HeadHash = prev.HeadHash
	}
	if prev == nil || prev.Color != st.Color {
		e := &healthcode.HistoryEntry{PersonID: p.ID, To: st.Color, Rule: st.Rule, FactIDs: st.FactIDs,
			Author: healthcode.AuthorSystem, At: now}
		var last *healthcode.HistoryEntry
		if prev != nil {
			e.From = prev.Color
			if last, err = s.lastEntry(ctx, tx, p.ID); err != nil {
				return nil, err
			}
		}
		e.Seal(last)
		if err := tx.AppendHistory(ctx, e); err != nil {
			return nil, err
		}
		st.HeadHash = e.Hash
		s.log.InfoContext(ctx, "colour changed", "person", p.ID, "from", e.From, "to", e.To, "rule", e.Rule)
	}
	if err := tx.PutStatus(ctx, p.ID, &st); err != nil {
		return nil, err
	}
	p.Status = &st
	return &st, nil
}

func (s *Service) lastEntry(ctx context.Context, tx healthcode.Tx, personID int64) (*healthcode.HistoryEntry, error) {
	hs, err := tx.History(ctx, personID)
	if err != nil || len(hs) == 0 {
		return nil, err
	}
	return &hs[len(hs)-1], nil
}

// current returns a person with a status that is up to date at now: a
// status whose next evaluation is due is evaluated again first, so a reader
// never sees a colour whose time has run out, scheduler or not.
func (s *Service) current(ctx context.Context, p *healthcode.Person, now time.Time) (*healthcode.Person, error) {
	if p.Status != nil && !p.Status.Due(now) {
		return p, nil
	}
	var fresh *healthcode.Person
	err := s.store.Update(ctx, func(tx healthcode.Tx) error {
		var err error
		if fresh, err = tx.LockPerson(ctx, p.ID); err != nil {
			return err
		}
		if fresh.Status != nil && !fresh.Status.Due(now) {
			return nil // another request got here first
		}
		_, err = s.evaluate(ctx, tx, fresh, now)
		return err
	})
	return fresh, err
}
