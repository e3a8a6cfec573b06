// Package pager walks every person of a store in keyset pages, the loop
// both stores' EachPerson share: memory stays bounded by one page however
// many people there are.
package pager

import (
	"context"

	"healthcode"
)

// Page reads up to n persons with ids above after, in id order.
type Page func(ctx context.Context, after int64, n int) ([]*healthcode.Person, error)

// FactsOf reads the facts of several persons at once.
type FactsOf func(ctx context.Context, ids []int64) (map[int64][]healthcode.Fact, error)

// Walk calls fn for every person with their facts, page persons at a time.
func Walk(ctx context.Context, size int, page Page, factsOf FactsOf, fn func(*healthcode.Person, []healthcode.Fact) error) error {
	size = max(size, 1)
	for after := int64(0); ; {
		ps, err := page(ctx, after, size)
		if err != nil || len(ps) == 0 {
			return err
		}
		ids := make([]int64, len(ps))
		for i, p := range ps {
			ids[i] = p.ID
		}
		facts, err := factsOf(ctx, ids)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if err := fn(p, facts[p.ID]); err != nil {
				return err
			}
		}
		if len(ps) < size {
			return nil
		}
		after = ps[len(ps)-1].ID
	}
}
