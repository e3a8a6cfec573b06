package core

import (
	"context"
	"slices"
	"time"

	"healthcode"
)

// SourceCitizen is the source of the facts citizens state themselves
// (declarations, check-ins, venue visits): what a wrong claim on an
// identity said, set aside when the owner takes it back.
const SourceCitizen = "citizen"

// DesignatedStays returns the area stays that stored designations make of
// the levelless stays among facts: for a trip that arrives after its area
// was designated.
func DesignatedStays(ctx context.Context, tx healthcode.Tx, facts []*healthcode.Fact, now time.Time) ([]*healthcode.Fact, error) {
	var areas []string
	for _, f := range facts {
		if f.AreaStay != nil && f.AreaStay.Level == "" && !slices.Contains(areas, f.AreaStay.Area) {
			areas = append(areas, f.AreaStay.Area)
		}
	}
	if len(areas) == 0 {
		return nil, nil
	}
	ds, err := tx.Designations(ctx, areas)
	if err != nil {
		return nil, err
	}
	var made []*healthcode.Fact
	for _, f := range facts {
		for i := range ds {
			if ds[i].Applies(f) {
				stay := ds[i].Stay(f, now)
				made = append(made, &stay)
			}
		}
	}
	return made, nil
}
