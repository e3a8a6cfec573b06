package core

import (
	"context"
	"slices"
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

// AddFacts stores facts about persons the transaction holds (locked, of
// whom the facts' persons must be), skipping those stored already
// (Tx.AddFacts), and evaluates again the persons that got a new one: the
// one path by which what arrives about people — a feed's rows, an
// isolation point's release list, an officer's finding — lands together
// with the colours it leads to. It returns the facts added and how many
// persons changed colour; locked is reordered.
func (s *Core) AddFacts(ctx context.Context, tx healthcode.Tx, locked []*healthcode.Person, facts []*healthcode.Fact,
	now time.Time) (added []*healthcode.Fact, recoloured int, err error) {
	if added, err = tx.AddFacts(ctx, facts); err != nil {
		return nil, 0, err
	}
	changed := Touched(added)
	recoloured, err = s.EvaluateLocked(ctx, tx, Among(locked, changed), changed, now)
	return added, recoloured, err
}

// Among keeps, in place, the persons whose id is in ids (sorted), sorted:
// those a batch gave new facts, of those it locked.
func Among(ps []*healthcode.Person, ids []int64) []*healthcode.Person {
	return slices.DeleteFunc(ps, func(p *healthcode.Person) bool {
		_, found := slices.BinarySearch(ids, p.ID)
		return !found
	})
}

// Touched lists the persons facts are about, in id order.
func Touched(facts []*healthcode.Fact) []int64 {
	ids := make([]int64, 0, len(facts))
	for _, f := range facts {
		ids = append(ids, f.PersonID)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}
