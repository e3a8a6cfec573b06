package policy

import (
	"slices"
	"time"

	"healthcode"
)

// blockSpan is a stretch during which a block applies; a zero end: still
// applying at now.
type blockSpan struct {
	block      int // index into the pack's blocks
	start, end time.Time
	fact       int
}

func (b *blockSpan) activeAt(t time.Time) bool {
	return !t.Before(b.start) && (b.end.IsZero() || t.Before(b.end))
}

// openCaseTypes are the cases that block until closed (seed 003 Q8 (1)).
var openCaseTypes = []healthcode.CaseType{
	healthcode.CaseConfirmed, healthcode.CaseClinical, healthcode.CaseAsymptomatic, healthcode.CaseSuspected,
}

// blockSpans finds when each of the pack's blocks applied.
func (ev *evaluation) blockSpans() {
	for bi := range ev.pack.Blocks {
		b := &ev.pack.Blocks[bi]
		for _, i := range ev.sources(b.Kind) {
			if start, end, ok := ev.blockOf(b, i); ok {
				ev.blocks = append(ev.blocks, blockSpan{block: bi, start: start, end: end, fact: i})
			}
		}
	}
}

// sources are the facts that may make a block of kind k apply.
func (ev *evaluation) sources(k BlockKind) []int {
	switch k {
	case BlockOpenCase:
		return ev.cases
	case BlockIsolation:
		return ev.isolations
	case BlockSymptoms:
		return ev.symptoms
	case BlockInRiskArea:
		return ev.stays
	}
	return nil
}

// blockOf says whether fact i makes block b apply, and from when to when.
func (ev *evaluation) blockOf(b *Block, i int) (start, end time.Time, ok bool) {
	f := &ev.facts[i]
	switch b.Kind {
	case BlockOpenCase:
		if f.Case == nil || !slices.Contains(openCaseTypes, f.Case.Type) {
			return
		}
		return f.At, ev.firstAfter(ev.closings, f.At, nil), true
	case BlockIsolation:
		if f.Isolation == nil || f.Isolation.Event != healthcode.IsolationStart {
			return
		}
		setting := f.Isolation.Setting
		return f.At, ev.firstAfter(ev.isolations, f.At, func(g *healthcode.Fact) bool {
			return g.Isolation.Event == healthcode.IsolationRelease && g.Isolation.Setting == setting
		}), true
	case BlockSymptoms:
		if !symptomatic(f) || ev.voided(i) {
			return
		}
		return f.At, f.At.Add(b.Within.D()), true
	case BlockInRiskArea:
		if f.AreaStay == nil || !slices.Contains(b.Levels, f.AreaStay.Level) || ev.superseded(i) {
			return
		}
		return f.AreaStay.From, f.AreaStay.To, true
	}
	return
}

// firstAfter is the time of the first indexed fact at or after t that
// passes keep (nil: any), or zero.
func (ev *evaluation) firstAfter(idx []int, t time.Time, keep func(*healthcode.Fact) bool) time.Time {
	for _, i := range idx {
		f := &ev.facts[i]
		if !f.At.Before(t) && (keep == nil || keep(f)) {
			return f.At
		}
	}
	return time.Time{}
}

// lockSpan is a colour another region assigned, a floor for the colour
// here until that region lifts it (or, without the authority lock, until a
// local official transfer lowers it).
type lockSpan struct {
	color      healthcode.Color
	start, end time.Time
	fact       int
}

func (l *lockSpan) activeAt(t time.Time) bool {
	return !t.Before(l.start) && (l.end.IsZero() || t.Before(l.end))
}

func (ev *evaluation) lockSpans() {
	for _, i := range ev.foreign {
		f := &ev.facts[i]
		for j := range ev.locks { // a region's newer word replaces its older one
			l := &ev.locks[j]
			if l.end.IsZero() && ev.facts[l.fact].ForeignCode.Region == f.ForeignCode.Region {
				l.end = f.At
			}
		}
		if f.ForeignCode.Lifted {
			continue
		}
		l := lockSpan{color: f.ForeignCode.Color, start: f.At, fact: i}
		if !ev.pack.AuthorityLock {
			for _, t := range ev.transfers {
				g := &ev.facts[t]
				if !g.At.Before(f.At) && g.Transfer.To < l.color {
					l.end = g.At
					break
				}
			}
		}
		if l.end.IsZero() || l.end.After(l.start) {
			ev.locks = append(ev.locks, l)
		}
	}
}
