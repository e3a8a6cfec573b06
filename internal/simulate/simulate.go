// Package simulate evaluates a candidate policy pack over the whole stored
// population without writing anything, so a region sees how many people
// would change colour, from what to what, before switching a pack on.
package simulate

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"healthcode"
	"healthcode/policy"
)

// Report counts the colour changes a candidate pack would make.
type Report struct {
	Pack      string          `json:"pack"` // name@version of the candidate
	At        time.Time       `json:"at"`
	Persons   int             `json:"persons"`   // persons the candidate would govern
	Changed   int             `json:"changed"`   // of them, those whose colour differs
	Skipped   int             `json:"skipped"`   // persons outside the candidate's regions
	Transfers []Transfer      `json:"transfers"` // totals, most first
	Regions   []RegionSummary `json:"regions"`   // by person region, by code
}

// Transfer is how many persons would go from one colour to another.
type Transfer struct {
	From  healthcode.Color `json:"from"`
	To    healthcode.Color `json:"to"`
	Count int              `json:"count"`
}

// RegionSummary is one region's part of the report.
type RegionSummary struct {
	Region    string     `json:"region"`
	Persons   int        `json:"persons"`
	Changed   int        `json:"changed"`
	Transfers []Transfer `json:"transfers"`
}

// Options tune a run.
type Options struct {
	// Page is how many persons are read at a time (memory is bounded by
	// it); zero: 1000.
	Page int
	// All applies the candidate to every person, not only those in its
	// regions.
	All bool
	// Progress, if set, is called every Page persons with the count so far.
	Progress func(done int)
}

// Run compares, at the same instant, each person's colour under the pack
// that governs them now (current) and under the candidate.
func Run(ctx context.Context, store healthcode.Store, current func(region string) policy.Policy,
	candidate *policy.Pack, at time.Time, opt Options) (*Report, error) {
	if opt.Page <= 0 {
		opt.Page = 1000
	}
	var total counts
	regions := map[string]*counts{}
	seen := 0
	err := store.EachPerson(ctx, opt.Page, func(p *healthcode.Person, facts []healthcode.Fact) error {
		if seen++; opt.Progress != nil && seen%opt.Page == 0 {
			opt.Progress(seen)
		}
		if !opt.All && !governs(candidate, p.Region) {
			total.skipped++
			return nil
		}
		from := current(p.Region).Evaluate(facts, at).Color
		to := candidate.Evaluate(facts, at).Color
		rc := regions[p.Region]
		if rc == nil {
			rc = &counts{}
			regions[p.Region] = rc
		}
		total.add(from, to)
		rc.add(from, to)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("simulate %s: %w", candidate.PolicyName(), err)
	}
	if opt.Progress != nil {
		opt.Progress(seen)
	}
	r := &Report{Pack: candidate.PolicyName(), At: at, Persons: total.persons, Changed: total.changed,
		Skipped: total.skipped, Transfers: total.transfers()}
	for _, code := range slices.Sorted(maps.Keys(regions)) {
		c := regions[code]
		r.Regions = append(r.Regions, RegionSummary{Region: code, Persons: c.persons, Changed: c.changed, Transfers: c.transfers()})
	}
	return r, nil
}

// governs reports whether a person's region lies in one of the pack's.
func governs(p *policy.Pack, region string) bool {
	for _, r := range p.Regions {
		if healthcode.RegionWithin(region, r) {
			return true
		}
	}
	return false
}

// counts is a from→to matrix of the three colours.
type counts struct {
	persons, changed, skipped int
	matrix                    [4][4]int
}

func (c *counts) add(from, to healthcode.Color) {
	c.persons++
	if from != to {
		c.changed++
	}
	c.matrix[from][to]++
}

// transfers lists the changes, most first; unchanged persons are left out.
func (c *counts) transfers() []Transfer {
	var ts []Transfer
	for from := range c.matrix {
		for to, n := range c.matrix[from] {
			if n > 0 && from != to {
				ts = append(ts, Transfer{From: healthcode.Color(from), To: healthcode.Color(to), Count: n})
			}
		}
	}
	// Most first; ties in colour order, so reports are stable.
	slices.SortStableFunc(ts, func(a, b Transfer) int { return b.Count - a.Count })
	return ts
}

// Text renders a report for the command line.
func (r *Report) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "simulated %s at %s\n", r.Pack, r.At.Format(time.RFC3339))
	fmt.Fprintf(&b, "%d persons governed, %d would change colour, %d outside the pack's regions\n", r.Persons, r.Changed, r.Skipped)
	for _, t := range r.Transfers {
		fmt.Fprintf(&b, "  %s → %s: %d\n", t.From, t.To, t.Count)
	}
	for _, rs := range r.Regions {
		if rs.Changed == 0 {
			continue
		}
		fmt.Fprintf(&b, "region %s: %d of %d change", rs.Region, rs.Changed, rs.Persons)
		for _, t := range rs.Transfers {
			fmt.Fprintf(&b, "; %s → %s %d", t.From, t.To, t.Count)
		}
		b.WriteString("\n")
	}
	return b.String()
}
