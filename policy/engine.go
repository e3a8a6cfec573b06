package policy

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"healthcode"
)

// PolicyName implements Policy: "name@version", recorded in statuses.
func (p *Pack) PolicyName() string { return p.Name + "@" + p.Version }

// Settings implements Policy.
func (p *Pack) Settings() Settings { return p.Rules }

// Evaluate implements Policy: it replays the facts known at now through the
// pack's categories, phases and blocks and explains the colour at now.
//
// Each fact that matches a category starts an episode, which moves through
// the category's phases as their exits are met; official transfers cut
// episodes short. The colour at any instant is the most severe phase in
// force (green once the person is known); blocks hold a colour from
// getting less severe, green validity lapses to yellow without a
// temperature record, and a foreign region's colour is a floor.
func (p *Pack) Evaluate(facts []healthcode.Fact, now time.Time) healthcode.Status {
	ev := scratch.Get().(*evaluation)
	defer ev.release()
	ev.pack, ev.now = p, now
	ev.index(facts)
	ev.startEpisodes()
	for i := range ev.episodes {
		ev.run(i)
	}
	ev.blockSpans()
	ev.lockSpans()
	tl := ev.sweep()
	return ev.explain(&tl)
}

// evaluation is the working state of one Evaluate call.
type evaluation struct {
	pack  *Pack
	now   time.Time
	facts []healthcode.Fact // those known at now, in order

	// Indexes into facts, by what the engine looks for.
	tests, checkIns, isolations, closings, transfers, renewals, foreign []int
	cases, stays, symptoms                                              []int
	first                                                               time.Time
	reapply                                                             int // the last re-application, or -1
	declared                                                            int // the newest declaration, or -1

	episodes []episode
	spans    []span
	blocks   []blockSpan
	locks    []lockSpan
	points   []time.Time
}

// scratch recycles evaluations: their slices are the engine's working
// memory, and a scheduler evaluating millions of people would otherwise
// allocate them for each. Nothing in a returned Status points into them.
var scratch = sync.Pool{New: func() any { return new(evaluation) }}

// release empties ev, keeping its slices' memory, and returns it to the pool.
func (ev *evaluation) release() {
	*ev = evaluation{
		tests: ev.tests[:0], checkIns: ev.checkIns[:0], isolations: ev.isolations[:0], closings: ev.closings[:0],
		transfers: ev.transfers[:0], renewals: ev.renewals[:0], foreign: ev.foreign[:0],
		cases: ev.cases[:0], stays: ev.stays[:0], symptoms: ev.symptoms[:0],
		episodes: ev.episodes[:0], spans: ev.spans[:0], blocks: ev.blocks[:0], locks: ev.locks[:0],
		points: ev.points[:0],
	}
	scratch.Put(ev)
}

// episode is one run of a category, started by one fact.
type episode struct {
	cat        int // index into the pack's categories; below 0: officialCategory(colour)
	fact       int // the trigger, an index into facts
	start      time.Time
	anchor     time.Time
	phase      int       // the phase in force at now, or -1 when over
	phaseStart time.Time // when that phase began
	end        time.Time // when the episode ended, if over
}

// span is a stretch of one phase's colour; a zero end: still in force.
type span struct {
	color      healthcode.Color
	start, end time.Time
	ep, phase  int
}

func (s *span) activeAt(t time.Time) bool {
	return !t.Before(s.start) && (s.end.IsZero() || t.Before(s.end))
}

// officialPhases are the phases of a colour decided by an official
// workflow (SPEC D): held until another official transfer.
var officialPhases = map[healthcode.Color][]Phase{
	healthcode.Red: {{ID: "official", Color: healthcode.Red, Measure: healthcode.Text{
		Zh: "经官方流程转为红码", En: "turned red by an official workflow"}}},
	healthcode.Yellow: {{ID: "official", Color: healthcode.Yellow, Measure: healthcode.Text{
		Zh: "经官方流程转为黄码", En: "turned yellow by an official workflow"}}},
}

// officialCategory is the episode category of an official colour.
func officialCategory(c healthcode.Color) int { return -int(c) }

func (ev *evaluation) phases(ep *episode) []Phase {
	if ep.cat < 0 {
		return officialPhases[healthcode.Color(-ep.cat)]
	}
	return ev.pack.Categories[ep.cat].Phases
}

// index keeps the facts known at now and files them by kind. A
// re-application voids the declarations before it (SPEC A5).
func (ev *evaluation) index(facts []healthcode.Fact) {
	if !sortedByTime(facts) {
		facts = slices.Clone(facts)
		slices.SortStableFunc(facts, byTime)
	}
	n, _ := slices.BinarySearchFunc(facts, ev.now, func(f healthcode.Fact, t time.Time) int {
		if f.At.After(t) {
			return 1
		}
		return -1
	})
	ev.facts = facts[:n]
	ev.reapply, ev.declared = -1, -1
	validity := ev.pack.GreenValidity
	for i := range ev.facts {
		f := &ev.facts[i]
		if i == 0 {
			ev.first = f.At
		}
		switch {
		case f.Test != nil:
			ev.tests = append(ev.tests, i)
		case f.CheckIn != nil:
			ev.checkIns = append(ev.checkIns, i)
		case f.Isolation != nil:
			ev.isolations = append(ev.isolations, i)
		case f.CaseClosed != nil:
			ev.closings = append(ev.closings, i)
		case f.Transfer != nil && !ev.pack.NoTransfers:
			ev.transfers = append(ev.transfers, i)
		case f.ForeignCode != nil:
			ev.foreign = append(ev.foreign, i)
		case f.Case != nil:
			ev.cases = append(ev.cases, i)
		case f.AreaStay != nil:
			ev.stays = append(ev.stays, i)
		case f.Declaration != nil && f.Declaration.Reapply:
			ev.reapply = i
		}
		if f.Declaration != nil {
			ev.declared = i
		}
		if symptomatic(f) {
			ev.symptoms = append(ev.symptoms, i)
		}
		if validity != nil && renews(f, validity) {
			ev.renewals = append(ev.renewals, i)
		}
	}
}

// sortedByTime checks the order stores give, through pointers: a Fact is
// too big to copy twice per comparison.
func sortedByTime(facts []healthcode.Fact) bool {
	for i := 1; i < len(facts); i++ {
		a, b := &facts[i-1], &facts[i]
		if c := a.At.Compare(b.At); c > 0 || (c == 0 && a.ID > b.ID) {
			return false
		}
	}
	return true
}

func byTime(a, b healthcode.Fact) int {
	if c := a.At.Compare(b.At); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// transferAt is the official transfer at t, the fact behind the colour it
// decided.
func (ev *evaluation) transferAt(t time.Time) int {
	for _, i := range ev.transfers {
		if ev.facts[i].At.Equal(t) {
			return i
		}
	}
	return -1
}

// renews reports whether f is a normal temperature record of a kind the
// green validity accepts.
func renews(f *healthcode.Fact, v *Validity) bool {
	return slices.Contains(v.RenewedBy, f.Kind) && !fever(f) && !(f.CheckIn != nil && f.CheckIn.Symptoms)
}

// superseded reports an area stay replaced by a later report. A stay as
// reported is replaced by a later report of the same area from the same
// time, whatever its level, typically once its end is known: or a stay
// reported while still there would never end. A stay a designation made
// of a trip lasts as long as that trip's report does.
func (ev *evaluation) superseded(i int) bool {
	s := ev.facts[i].AreaStay
	if s == nil {
		return false
	}
	if s.Trip != nil {
		trip := ev.reportOf(s.Trip)
		return trip >= 0 && ev.superseded(trip)
	}
	for _, j := range ev.stays {
		if t := ev.facts[j].AreaStay; j > i && t.Trip == nil && t.Area == s.Area && t.From.Equal(s.From) {
			return true
		}
	}
	return false
}

// reportOf finds the reported stay ref names, or -1.
func (ev *evaluation) reportOf(ref *healthcode.TripRef) int {
	for _, j := range ev.stays {
		if f := &ev.facts[j]; f.AreaStay.Trip == nil && f.Source == ref.Source && f.SourceRef == ref.Ref {
			return j
		}
	}
	return -1
}

// voided reports a declaration replaced by a later re-application.
func (ev *evaluation) voided(i int) bool {
	return i < ev.reapply && ev.facts[i].Declaration != nil
}

func (ev *evaluation) startEpisodes() {
	for i := range ev.facts {
		f := &ev.facts[i]
		if f.Transfer != nil && f.Transfer.To > healthcode.Green && !ev.pack.NoTransfers {
			ev.episodes = append(ev.episodes, episode{cat: officialCategory(f.Transfer.To), fact: i, start: f.At, anchor: f.At})
			continue
		}
		if ev.superseded(i) {
			continue
		}
		for _, ci := range ev.pack.categoriesFor(f.Kind) {
			c := &ev.pack.Categories[ci]
			if c.When.matches(f) && !ev.voided(i) {
				ev.episodes = append(ev.episodes, episode{cat: ci, fact: i, start: f.At, anchor: anchorTime(f, c.When.From)})
			}
		}
	}
}

// run moves episode i through its phases up to now.
func (ev *evaluation) run(i int) {
	ep := &ev.episodes[i]
	phases := ev.phases(ep)
	t, k := ep.start, 0
	for k < len(phases) {
		ph := &phases[k]
		end, ok := ev.phaseEnd(ph, ep, t)
		if cut, to, found := ev.interruption(ph.Color, t, end, ok); found {
			ev.addSpan(ph.Color, t, cut, i, k)
			next := -1
			for j := k + 1; j < len(phases) && to > healthcode.Green; j++ {
				if phases[j].Color <= to {
					next = j
					break
				}
			}
			switch {
			case next >= 0:
				k, t = next, cut
			case to > healthcode.Green: // no phase of that colour: the workflow's colour holds
				ep.cat, ep.fact = officialCategory(to), ev.transferAt(cut)
				phases, k, t = ev.phases(ep), 0, cut
			default:
				ep.phase, ep.end = -1, cut
				return
			}
			continue
		}
		if !ok {
			ev.addSpan(ph.Color, t, time.Time{}, i, k)
			ep.phase, ep.phaseStart = k, t
			return
		}
		ev.addSpan(ph.Color, t, end, i, k)
		t, k = end, k+1
	}
	ep.phase, ep.end = -1, t
}

func (ev *evaluation) addSpan(c healthcode.Color, start, end time.Time, ep, phase int) {
	if !end.IsZero() && !end.After(start) {
		return
	}
	ev.spans = append(ev.spans, span{color: c, start: start, end: end, ep: ep, phase: phase})
}

// phaseEnd is when the first of a phase's exits was met.
func (ev *evaluation) phaseEnd(ph *Phase, ep *episode, start time.Time) (time.Time, bool) {
	var best time.Time
	for x := range ph.Until {
		if at, ok := ev.exitMet(&ph.Until[x], ep, start); ok && (best.IsZero() || at.Before(best)) {
			best = at
		}
	}
	return best, !best.IsZero()
}

// interruption finds the first official transfer to a less severe colour
// during a phase of colour c from start to end (to now if not ended).
func (ev *evaluation) interruption(c healthcode.Color, start, end time.Time, ended bool) (time.Time, healthcode.Color, bool) {
	for _, i := range ev.transfers {
		f := &ev.facts[i]
		if f.At.Before(start) || (ended && !f.At.Before(end)) {
			continue
		}
		if f.Transfer.To < c {
			return f.At, f.Transfer.To, true
		}
	}
	return time.Time{}, 0, false
}
