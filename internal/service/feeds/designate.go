package feeds

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"healthcode"
	"healthcode/internal/ingest"
	"healthcode/internal/service/core"
)

// DesignationResult counts what a designation feed did.
type DesignationResult struct {
	Rows       int `json:"rows"`       // designations offered
	Added      int `json:"added"`      // new designations
	Duplicates int `json:"duplicates"` // already received from this source
	Stays      int `json:"stays"`      // area stays made of the trips in the areas
	Recoloured int `json:"recoloured"` // persons whose colour changed
}

// designateChunk is how many persons one transaction colours: small
// enough that a checkpoint waiting for one of them waits well under a
// second, large enough that each statement does a thousand rows' work.
// designateWorkers chunks are coloured at once: with four, the database
// and the policy engine keep both cores of the development machine busy
// (BenchmarkDesignatePostgres: 500 000 persons in 26–30 s, 39 s with two).
const (
	designateChunk   = 1000
	designateWorkers = 4
)

// Designate stores risk-area designations from a feed key and colours
// everyone whose trips fall in the areas and periods. Errors: EFORBIDDEN
// unless the caller is a feed key allowed designation feeds.
func (s *Feeds) Designate(ctx context.Context, who *healthcode.Principal, rows []ingest.Designation) (DesignationResult, error) {
	if err := s.FeedAllowed(who, "designation"); err != nil {
		return DesignationResult{Rows: len(rows)}, err
	}
	return s.DesignateAs(ctx, who.Name, who.Author(), rows)
}

// DesignateAs is Designate for the operator's command line.
//
// The designations are stored first, in a transaction of their own, so
// that a trip arriving while the stays are being coloured finds them
// (IngestAs). Then every designation sent is applied, new or not: one
// whose colouring a crash cut short is finished by sending it again, and
// the stays already made are recognised and skipped. The persons who
// stayed in an area are coloured a chunk at a time, several chunks at
// once, each chunk's stays and colours committed together.
func (s *Feeds) DesignateAs(ctx context.Context, source, author string, rows []ingest.Designation) (DesignationResult, error) {
	res := DesignationResult{Rows: len(rows)}
	now := s.core.Clock()
	ds := make([]*healthcode.Designation, len(rows))
	for i, r := range rows {
		ds[i] = &healthcode.Designation{Area: r.Area, Level: r.Level, From: r.From, To: r.To, Source: source,
			SourceRef: r.SourceRef, Author: author, RecordedAt: now}
	}
	err := s.store.Update(ctx, func(tx healthcode.Tx) (err error) {
		res.Added, err = tx.AddDesignations(ctx, ds)
		return err
	})
	if err != nil {
		return res, err
	}
	res.Duplicates = res.Rows - res.Added
	stored, err := s.storedAs(ctx, ds)
	if err != nil {
		return res, err
	}
	for _, d := range stored {
		stays, recoloured, err := s.applyDesignation(ctx, d, now)
		res.Stays, res.Recoloured = res.Stays+stays, res.Recoloured+recoloured
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// storedAs returns the designations stored under the records of ds, as
// first sent: a record sent again with other values is applied as stored,
// as the trips that arrive later will be.
func (s *Feeds) storedAs(ctx context.Context, ds []*healthcode.Designation) ([]*healthcode.Designation, error) {
	type record struct{ source, ref string }
	sent := make(map[record]bool, len(ds))
	var areas []string
	for _, d := range ds {
		sent[record{d.Source, d.SourceRef}] = true
		if !slices.Contains(areas, d.Area) {
			areas = append(areas, d.Area)
		}
	}
	all, err := s.store.Designations(ctx, areas)
	if err != nil {
		return nil, err
	}
	var stored []*healthcode.Designation
	for i := range all {
		if sent[record{all[i].Source, all[i].SourceRef}] {
			stored = append(stored, &all[i])
		}
	}
	return stored, nil
}

// applyDesignation colours the persons with a stay d applies to.
func (s *Feeds) applyDesignation(ctx context.Context, d *healthcode.Designation, now time.Time) (stays, recoloured int, err error) {
	ids, err := s.store.StayerIDs(ctx, d.Area)
	if err != nil {
		return 0, 0, err
	}
	var mu sync.Mutex
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(designateWorkers)
	for chunk := range slices.Chunk(ids, designateChunk) {
		g.Go(func() error {
			n, r, err := s.designateChunk(ctx, d, chunk, now)
			mu.Lock()
			stays, recoloured = stays+n, recoloured+r
			mu.Unlock()
			return err
		})
	}
	err = g.Wait()
	return stays, recoloured, err
}

// designateChunk makes the area stays of d for persons ids and evaluates
// the persons who got one, in one transaction.
func (s *Feeds) designateChunk(ctx context.Context, d *healthcode.Designation, ids []int64, now time.Time) (stays, recoloured int, err error) {
	err = s.store.Update(ctx, func(tx healthcode.Tx) error {
		ps, err := tx.LockAll(ctx, ids)
		if err != nil {
			return err
		}
		facts, err := tx.FactsOf(ctx, ids)
		if err != nil {
			return err
		}
		var made []*healthcode.Fact
		for _, p := range ps {
			for i := range facts[p.ID] {
				if f := &facts[p.ID][i]; d.Applies(f) {
					stay := d.Stay(f, now)
					made = append(made, &stay)
				}
			}
		}
		added, err := tx.AddFacts(ctx, made)
		if err != nil {
			return err
		}
		stays = len(added)
		for _, f := range added {
			facts[f.PersonID] = append(facts[f.PersonID], *f)
		}
		changed := core.Touched(added)
		ps = core.Among(ps, changed)
		for _, id := range changed {
			slices.SortStableFunc(facts[id], byTime)
		}
		recoloured, err = s.core.EvaluateFacts(ctx, tx, ps, facts, now)
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	return stays, recoloured, nil
}

// byTime is the order stores give facts in: as they happened, then as
// they were stored.
func byTime(a, b healthcode.Fact) int {
	if c := a.At.Compare(b.At); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}
