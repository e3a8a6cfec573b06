// Package schedule holds the runs over everyone stored: the scheduler's
// re-evaluation of every person whose next evaluation has come
// (EvaluateDue), and the simulation of a candidate policy pack, which
// writes nothing.
package schedule

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"healthcode"
	"healthcode/internal/service/core"
	"healthcode/policy"
)

// Scheduler runs evaluations over everyone. It is safe for concurrent use.
type Scheduler struct {
	store    healthcode.Store
	core     *core.Core
	policies policy.Chooser
	log      *slog.Logger
}

// New returns a Scheduler evaluating with c; policies are the packs that
// govern each region now, which a simulation compares a candidate with.
// It takes the whole store: the simulation reads every person.
func New(store healthcode.Store, c *core.Core, policies policy.Chooser, log *slog.Logger) *Scheduler {
	return &Scheduler{store: store, core: c, policies: policies, log: log}
}

// EvaluateDue re-evaluates every person whose next evaluation has come,
// batch persons to a transaction, and returns how many it re-evaluated.
// Readers re-evaluate a due person anyway (core.Current); the scheduler makes
// the stored colour change on time for everyone else: checkpoints working
// offline, statistics, history.
//
// The run uses one instant throughout: every status it writes is due
// after that instant or never, so the run ends even for a policy that
// keeps asking to be called again. Persons another transaction holds are
// left to it. When a whole batch is held, the next batch looks past it:
// schedulers on several servers then split the queue between them instead
// of taking turns at its head.
func (s *Scheduler) EvaluateDue(ctx context.Context, batch int) (int, error) {
	if batch < 1 {
		return 0, errors.New("evaluate due: batch must be at least 1")
	}
	began, now := time.Now(), s.core.Clock()
	var evaluated, changed int
	skip := 0 // due persons at the head of the queue that others hold
	for {
		ids, err := s.store.DuePersons(ctx, now, skip+batch)
		if err != nil {
			return evaluated, err
		}
		if len(ids) <= skip {
			break // all that is left is being evaluated elsewhere
		}
		locked, n, c, err := s.evaluateBatch(ctx, ids[skip:], now)
		if err != nil {
			return evaluated, err
		}
		evaluated, changed = evaluated+n, changed+c
		if len(ids) < skip+batch {
			break // the end of the queue
		}
		if locked == 0 {
			skip = len(ids)
		} else {
			// Back to the head: whoever held it may have let go, and a
			// stale skip would step over persons nobody holds.
			skip = 0
		}
	}
	// Counts and a duration only: the log never names anyone. An idle run
	// is debug, or a quiet server would log twice a minute for nothing.
	level := slog.LevelInfo
	if evaluated == 0 {
		level = slog.LevelDebug
	}
	s.log.Log(ctx, level, "scheduled re-evaluation", "evaluated", evaluated, "colour_changes", changed,
		"took", time.Since(began).Round(time.Millisecond))
	return evaluated, nil
}

// evaluateBatch re-evaluates the persons among ids that it can lock and
// that are still due, in one transaction: every read and write is one
// statement for the whole batch. It returns how many persons it locked,
// evaluated and changed the colour of.
func (s *Scheduler) evaluateBatch(ctx context.Context, ids []int64, now time.Time) (locked, evaluated, changed int, err error) {
	err = s.store.Update(ctx, func(tx healthcode.Tx) error {
		ps, err := tx.LockPersons(ctx, ids)
		if err != nil {
			return err
		}
		locked = len(ps)
		// Someone may have evaluated a person since DuePersons looked.
		due := make([]*healthcode.Person, 0, len(ps))
		dueIDs := make([]int64, 0, len(ps))
		for _, p := range ps {
			if p.Status != nil && p.Status.Due(now) {
				due, dueIDs = append(due, p), append(dueIDs, p.ID)
			}
		}
		evaluated = len(due)
		changed, err = s.core.EvaluateLocked(ctx, tx, due, dueIDs, now)
		return err
	})
	if err != nil {
		return 0, 0, 0, err // rolled back: nothing was done
	}
	return locked, evaluated, changed, nil
}
