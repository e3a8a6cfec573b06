package core

import (
	"context"
	"time"

	"healthcode"
	"healthcode/policy"
)

// decide is the pure half of an evaluation: the status the policy gives
// a person's facts at now, chained to the previous status's history head,
// and the history entry to append when the colour changed (nil when it did
// not). Policy decisions are the system's, so entries are authored by it,
// and each names the facts the change came from (changedBy).
// A NextEvalAt at or before now would leave the person due for ever, so it
// is dropped and ok is false.
func decide(pol policy.Policy, personID int64, facts []healthcode.Fact, prev *healthcode.Status,
	now time.Time) (st healthcode.Status, e *healthcode.HistoryEntry, ok bool) {
	st = pol.Evaluate(facts, now)
	ok = st.NextEvalAt.IsZero() || st.NextEvalAt.After(now)
	if !ok {
		st.NextEvalAt = time.Time{}
	}
	if prev != nil {
		st.HeadSeq, st.HeadHash = prev.HeadSeq, prev.HeadHash
		if prev.Color == st.Color {
			return st, nil, ok
		}
	}
	e = &healthcode.HistoryEntry{PersonID: personID, To: st.Color, Rule: st.Rule, FactIDs: changedBy(&st, facts, now),
		Author: healthcode.AuthorSystem, At: now}
	if prev != nil {
		e.From = prev.Color
	}
	e.Seal(st.HeadSeq, st.HeadHash)
	st.HeadSeq, st.HeadHash = e.Seq, e.Hash
	return st, e, ok
}

// changedBy names the facts a colour change came from: those the status
// used or, when it used none (a policy's green resting on no fact), the
// newest fact known at now, which is what was just added and set the
// change off: the declaration of a re-application, say. Only a person
// without any fact gets none, and a store refuses that entry
// (HistoryEntry.Validate).
func changedBy(st *healthcode.Status, facts []healthcode.Fact, now time.Time) []int64 {
	if len(st.FactIDs) > 0 {
		return st.FactIDs
	}
	newest := -1
	for i := range facts {
		if f := &facts[i]; !f.At.After(now) && (newest < 0 || !f.At.Before(facts[newest].At)) {
			newest = i
		}
	}
	if newest < 0 {
		return nil
	}
	return []int64{facts[newest].ID}
}

// SystemAuthor is how the public log names the author of what the policy
// decided by itself.
var SystemAuthor = healthcode.LogAuthor{Role: healthcode.RoleSystem}

// decide runs the pure decide and warns, once per core, about a policy
// asking to be called again in the past: that is a bug in the policy, and
// a warning per person would flood the log.
func (s *Core) decide(ctx context.Context, p *healthcode.Person, facts []healthcode.Fact,
	now time.Time) (healthcode.Status, *healthcode.HistoryEntry) {
	st, e, ok := decide(s.policies.For(p.Region), p.ID, facts, p.Status, now)
	if !ok && s.pastNextWarned.CompareAndSwap(false, true) {
		s.log.WarnContext(ctx, "policy asked for a next evaluation that is not in the future; ignored",
			"policy", st.Policy, "rule", st.Rule)
	}
	return st, e
}

// Evaluate decides a locked person's status from their facts and writes
// it, with a history entry when the colour changes, and sets p.Status.
func (s *Core) Evaluate(ctx context.Context, tx healthcode.Tx, p *healthcode.Person, now time.Time) (*healthcode.Status, error) {
	facts, err := tx.Facts(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	st, e := s.decide(ctx, p, facts, now)
	if e != nil {
		if err := tx.AppendHistory(ctx, e); err != nil {
			return nil, err
		}
		if err := tx.AppendLog(ctx, healthcode.LogOfHistory(e, SystemAuthor, facts)); err != nil {
			return nil, err
		}
		s.log.InfoContext(ctx, "colour changed", "person", p.ID, "from", e.From, "to", e.To, "rule", e.Rule)
	}
	if err := tx.PutStatus(ctx, p.ID, &st); err != nil {
		return nil, err
	}
	p.Status = &st
	return &st, nil
}

// Current returns a person with a status that is up to date at now: a
// status whose next evaluation is due, or that another policy than the
// one governing the person decided, is evaluated again first. A reader
// never sees a colour whose time has run out, scheduler or not, nor one an
// older version of the region's pack gave: after an upgrade that makes a
// stored positive result red, the next scan sees red.
func (s *Core) Current(ctx context.Context, p *healthcode.Person, now time.Time) (*healthcode.Person, error) {
	if !s.stale(p, now) {
		return p, nil
	}
	var fresh *healthcode.Person
	err := s.store.Update(ctx, func(tx healthcode.Tx) error {
		var err error
		if fresh, err = tx.LockPerson(ctx, p.ID); err != nil {
			return err
		}
		if !s.stale(fresh, now) {
			return nil // another request got here first
		}
		_, err = s.Evaluate(ctx, tx, fresh, now)
		return err
	})
	return fresh, err
}

// stale reports a person whose status must be decided again before it is
// read at now.
func (s *Core) stale(p *healthcode.Person, now time.Time) bool {
	return p.Status == nil || p.Status.Due(now) || p.Status.Policy != s.policies.For(p.Region).PolicyName()
}
