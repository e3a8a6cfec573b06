package core

import (
	"context"
	"time"

	"healthcode"
)

// EvaluateLocked re-evaluates persons the transaction holds, with one
// statement for each read and write of the whole set, and returns how many
// changed colour. A status that comes out the Same is not written again.
func (s *Core) EvaluateLocked(ctx context.Context, tx healthcode.Tx, ps []*healthcode.Person, ids []int64,
	now time.Time) (int, error) {
	if len(ps) == 0 {
		return 0, nil
	}
	facts, err := tx.FactsOf(ctx, ids)
	if err != nil {
		return 0, err
	}
	return s.EvaluateFacts(ctx, tx, ps, facts, now)
}

// EvaluateFacts is EvaluateLocked with each person's facts read already,
// in the order the store gives them.
func (s *Core) EvaluateFacts(ctx context.Context, tx healthcode.Tx, ps []*healthcode.Person,
	facts map[int64][]healthcode.Fact, now time.Time) (int, error) {
	statuses := make(map[int64]*healthcode.Status, len(ps))
	var entries []*healthcode.HistoryEntry
	for _, p := range ps {
		st, e := s.decide(ctx, p, facts[p.ID], now)
		if e != nil {
			entries = append(entries, e)
		}
		if p.Status == nil || !p.Status.Same(&st) {
			statuses[p.ID] = &st
		}
	}
	if err := tx.AppendHistories(ctx, entries); err != nil {
		return 0, err
	}
	logged := make([]*healthcode.LogEntry, len(entries))
	for i, e := range entries {
		logged[i] = healthcode.LogOfHistory(e, SystemAuthor, facts[e.PersonID])
	}
	if err := tx.AppendLog(ctx, logged...); err != nil {
		return 0, err
	}
	if err := tx.PutStatuses(ctx, statuses); err != nil {
		return 0, err
	}
	return len(entries), nil
}
