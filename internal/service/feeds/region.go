package feeds

import (
	"context"
	"time"

	"healthcode"
)

// recentRegion is how far back a person's declared regions count for a
// feed key's region: results from where someone declared they were in
// the last 14 days still reach them after they declare they moved, so a
// change of region does not outrun a test taken before it.
const recentRegion = 14 * 24 * time.Hour

// outsideRegion returns the persons a key for region may not send rows
// about: declared outside it now and in every declaration of the last
// recentRegion. Most persons are within at once; only the others' facts
// are read.
func outsideRegion(ctx context.Context, tx healthcode.Tx, persons []*healthcode.Person, region string,
	now time.Time) (map[int64]bool, error) {
	if region == "" {
		return nil, nil
	}
	var ids []int64
	for _, p := range persons {
		if !healthcode.RegionWithin(p.Region, region) {
			ids = append(ids, p.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	facts, err := tx.FactsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	outside := make(map[int64]bool, len(ids))
	for _, id := range ids {
		outside[id] = !declaredWithin(facts[id], region, now.Add(-recentRegion))
	}
	return outside, nil
}

// declaredWithin reports whether a declaration since since named a region
// within region.
func declaredWithin(facts []healthcode.Fact, region string, since time.Time) bool {
	for _, f := range facts {
		if f.Kind == healthcode.FactDeclaration && f.Declaration != nil && !f.At.Before(since) &&
			healthcode.RegionWithin(f.Declaration.Region, region) {
			return true
		}
	}
	return false
}
