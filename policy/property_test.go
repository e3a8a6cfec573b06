package policy

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"healthcode"
)

// Properties every pack must have, over random fact sequences: 2000
// sequences of 5–25 facts of every kind over 40 days, for each shipped pack.
//
// The colour is looked at once a day, at each fact and just before it.
//
//	(a) determinism: the same facts at the same instant give the same status,
//	    also from a shuffled-then-sorted copy and from a shuffled copy;
//	(b) when the colour changes between two instants, the later status names
//	    a rule and, unless green, a fact of the input;
//	(c) NextEvalAt is zero or after the evaluation;
//	(d) facts after T do not change the status at T;
//	(e) Evaluate never panics;
//	(f) between facts, the colour and rule do not change before NextEvalAt
//	    (nothing changes at all when it is zero): the scheduler relies on it;
//	(g) Evaluate does not modify its input, and every fact it names was
//	    known at T.

const (
	propSequences = 2000
	propDays      = 40
)

func TestPropertiesRandomFacts(t *testing.T) {
	for _, name := range Shipped() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, err := LoadShipped(name)
			if err != nil {
				t.Fatal(err)
			}
			n := propSequences
			if testing.Short() {
				n /= 10
			}
			pc := propChecker{t: t, p: p}
			for seq := range n {
				rng := rand.New(rand.NewPCG(uint64(seq), 0x9c2ea97f))
				pc.sequence(rng, randomFacts(rng))
				if pc.failures >= 10 {
					t.Fatalf("stopping after %d failures", pc.failures)
				}
			}
		})
	}
}

type propChecker struct {
	t        *testing.T
	p        *Pack
	failures int
}

func (pc *propChecker) fail(facts []healthcode.Fact, at time.Time, format string, args ...any) {
	pc.t.Helper()
	pc.failures++
	pc.t.Errorf("at %s: %s\nfacts:\n%s", stampProp(at), fmt.Sprintf(format, args...), describeFacts(facts))
}

// evaluate runs Evaluate, turning a panic into a failure (e).
func (pc *propChecker) evaluate(facts []healthcode.Fact, at time.Time) (st healthcode.Status, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			pc.fail(facts, at, "Evaluate panicked: %v", r)
			ok = false
		}
	}()
	return pc.p.Evaluate(facts, at), true
}

func (pc *propChecker) sequence(rng *rand.Rand, facts []healthcode.Fact) {
	pristine := cloneFacts(facts)
	instants := propInstants(facts, time.Duration(rng.Int64N(int64(24*time.Hour))))
	var prev healthcode.Status
	for k, at := range instants {
		st, ok := pc.evaluate(facts, at)
		if !ok {
			return
		}
		pc.status(facts, at, st)

		// (d): only the facts known at at, just before each fact (where
		// the next one is nearest) and at one grid instant in four.
		if known := countUpTo(facts, at); known < len(facts) && (facts[known].At.Sub(at) == time.Nanosecond || k%4 == 0) {
			if alone, ok := pc.evaluate(slices.Clip(facts[:known]), at); ok && !reflect.DeepEqual(st, alone) {
				pc.fail(facts, at, "facts after T change the status:\nall facts: %s\nknown:     %s", brief(st), brief(alone))
			}
		}

		if k > 0 {
			pc.transition(facts, instants[k-1], prev, at, st)
		}
		prev = st
	}
	if !reflect.DeepEqual(facts, pristine) { // (g)
		pc.fail(pristine, instants[len(instants)-1], "Evaluate modified its input")
		return
	}

	// (a) at a few instants: again, from a shuffled-then-sorted copy, and
	// from a shuffled copy.
	for range 3 {
		at := instants[rng.IntN(len(instants))]
		st, _ := pc.evaluate(facts, at)
		again, _ := pc.evaluate(facts, at)
		shuffled := cloneFacts(facts)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		unsorted, _ := pc.evaluate(shuffled, at)
		slices.SortStableFunc(shuffled, byTime)
		sorted, _ := pc.evaluate(shuffled, at)
		for _, c := range []struct {
			what string
			st   healthcode.Status
		}{{"again", again}, {"shuffled then sorted", sorted}, {"shuffled", unsorted}} {
			if !reflect.DeepEqual(st, c.st) {
				pc.fail(facts, at, "not deterministic (%s):\n%s\n%s", c.what, brief(st), brief(c.st))
			}
		}
	}
}

// status checks what holds of any single status: (c) and (g).
func (pc *propChecker) status(facts []healthcode.Fact, at time.Time, st healthcode.Status) {
	if !st.Color.Valid() {
		pc.fail(facts, at, "invalid colour %d", st.Color)
	}
	if !st.EvaluatedAt.Equal(at) || st.Since.After(at) {
		pc.fail(facts, at, "evaluated at %v, since %v", st.EvaluatedAt, st.Since)
	}
	if !st.NextEvalAt.IsZero() && !st.NextEvalAt.After(at) { // (c)
		pc.fail(facts, at, "next evaluation %v is not after the evaluation", st.NextEvalAt)
	}
	for _, id := range st.FactIDs { // (g)
		i := slices.IndexFunc(facts, func(f healthcode.Fact) bool { return f.ID == id })
		if i < 0 || facts[i].At.After(at) {
			pc.fail(facts, at, "status names fact %d, not known at T: %s", id, brief(st))
		}
	}
}

// transition checks (b) and (f) between two consecutive instants.
func (pc *propChecker) transition(facts []healthcode.Fact, t1 time.Time, s1 healthcode.Status, t2 time.Time, s2 healthcode.Status) {
	if s2.Color != s1.Color { // (b)
		switch {
		case s2.Rule == "":
			pc.fail(facts, t2, "colour changed %v → %v with no rule", s1.Color, s2.Color)
		case s2.Color != healthcode.Green && len(s2.FactIDs) == 0:
			pc.fail(facts, t2, "colour changed %v → %v naming no fact: %s", s1.Color, s2.Color, brief(s2))
		}
	}
	// (f): nothing new between t1 and t2, and no re-evaluation due by t2.
	if countUpTo(facts, t1) != countUpTo(facts, t2) {
		return
	}
	if !s1.NextEvalAt.IsZero() && !s1.NextEvalAt.After(t2) {
		return
	}
	if s2.Color != s1.Color || s2.Rule != s1.Rule {
		pc.fail(facts, t2, "changed by time alone before its next evaluation (%v):\nat %s: %s\nat %s: %s",
			s1.NextEvalAt, stampProp(t1), brief(s1), stampProp(t2), brief(s2))
	}
}

// countUpTo is the number of facts (in time order) with At ≤ at.
func countUpTo(facts []healthcode.Fact, at time.Time) int {
	n := 0
	for n < len(facts) && !facts[n].At.After(at) {
		n++
	}
	return n
}

// propInstants: once a day from a day before t0 to 45 days after, at the
// time of day phase, each fact's time, and just before it.
func propInstants(facts []healthcode.Fact, phase time.Duration) []time.Time {
	var ts []time.Time
	for at := t0.Add(phase - d(1)); at.Before(t0.Add(d(45))); at = at.Add(24 * time.Hour) {
		ts = append(ts, at)
	}
	for _, f := range facts {
		ts = append(ts, f.At, f.At.Add(-time.Nanosecond))
	}
	slices.SortFunc(ts, time.Time.Compare)
	return slices.CompactFunc(ts, time.Time.Equal)
}

// randomFacts makes 5–25 facts of random kinds over propDays days, sorted
// by time and id; about one in ten shares the time of an earlier fact.
func randomFacts(rng *rand.Rand) []healthcode.Fact {
	n := 5 + rng.IntN(21)
	facts := make([]healthcode.Fact, 0, n)
	for i := range n {
		at := t0.Add(time.Duration(rng.IntN(propDays*24*60)) * time.Minute)
		if i > 0 && rng.IntN(10) == 0 {
			at = facts[rng.IntN(i)].At
		}
		f := randomFact(rng, at)
		f.ID, f.At, f.RecordedAt, f.PersonID = int64(i+1), at, at, 1
		facts = append(facts, f)
	}
	slices.SortStableFunc(facts, byTime)
	return facts
}

func randomFact(rng *rand.Rand, at time.Time) healthcode.Fact {
	pick := func(n int) int { return rng.IntN(n) }
	chance := func(p float64) bool { return rng.Float64() < p }
	before := func(max time.Duration) time.Time { return at.Add(-time.Duration(rng.Int64N(int64(max)))) }
	celsius := func() float64 {
		if chance(0.1) {
			return healthcode.FeverCelsius
		}
		return 36 + float64(rng.IntN(26))/10
	}
	kind := healthcode.FactKinds[pick(len(healthcode.FactKinds))]
	f := healthcode.Fact{Kind: kind, Source: "random"}
	switch kind {
	case healthcode.FactDeclaration:
		f.Declaration = &healthcode.DeclarationFact{Region: "330106", Reapply: chance(0.1), Declaration: healthcode.Declaration{
			Fever: chance(0.15), Cough: chance(0.15), OtherSymptoms: chance(0.1), LeftRegion14d: chance(0.2),
			Abroad14d: chance(0.15), ContactCases: chance(0.15), Commitment: true,
		}}
	case healthcode.FactTemperature:
		f.Temperature = &healthcode.TemperatureFact{Celsius: celsius(), Checkpoint: "gate"}
	case healthcode.FactCheckIn:
		day := at
		if chance(0.1) {
			day = at.Add(-24 * time.Hour)
		}
		f.CheckIn = &healthcode.CheckInFact{Date: day.In(ChinaTime).Format("2006-01-02"), Celsius: celsius(), Symptoms: chance(0.15)}
	case healthcode.FactCase:
		types := []healthcode.CaseType{healthcode.CaseConfirmed, healthcode.CaseClinical, healthcode.CaseAsymptomatic,
			healthcode.CaseSuspected, healthcode.CaseFeverClinic}
		c := &healthcode.CaseFact{Type: types[pick(len(types))]}
		if chance(0.6) {
			c.Onset = before(d(6))
		}
		if chance(0.4) {
			c.FirstPositive = before(d(4))
		}
		f.Case = c
	case healthcode.FactCaseClosed:
		f.CaseClosed = &healthcode.CaseClosedFact{Outcome: []healthcode.CaseOutcome{healthcode.OutcomeCured, healthcode.OutcomeExcluded}[pick(2)]}
	case healthcode.FactContact:
		types := []healthcode.ContactType{healthcode.ContactClose, healthcode.ContactSubClose, healthcode.ContactCompanion}
		c := &healthcode.ContactFact{Type: types[pick(len(types))], Confined: chance(0.3)}
		if chance(0.9) {
			c.Exposure = before(d(25))
		}
		f.Contact = c
	case healthcode.FactEntry:
		f.Entry = &healthcode.EntryFact{Port: "PVG", Country: "FR"}
	case healthcode.FactAreaStay:
		levels := []healthcode.AreaLevel{healthcode.AreaHigh, healthcode.AreaMedium, healthcode.AreaSealed, healthcode.AreaControl}
		s := &healthcode.AreaStayFact{Area: "310101", Level: levels[pick(len(levels))], From: before(d(30))}
		if chance(0.7) {
			s.To = s.From.Add(time.Duration(rng.Int64N(int64(d(40)))))
		}
		f.AreaStay = s
	case healthcode.FactIsolation:
		f.Isolation = &healthcode.IsolationFact{
			Setting: []healthcode.IsolationSetting{healthcode.IsolationCentralized, healthcode.IsolationHome}[pick(2)],
			Event:   []healthcode.IsolationEvent{healthcode.IsolationStart, healthcode.IsolationRelease}[pick(2)],
		}
	case healthcode.FactTest:
		r := healthcode.TestNegative
		if chance(0.15) {
			r = healthcode.TestPositive
		}
		f.Test = &healthcode.TestFact{Sampled: before(3 * 24 * time.Hour), Result: r, Lab: "lab"}
	case healthcode.FactVaccination:
		f.Vaccination = &healthcode.VaccinationFact{Dose: 1 + pick(3)}
	case healthcode.FactFalseDeclaration:
		f.FalseDeclaration = &healthcode.FalseDeclarationFact{Finding: "random"}
	case healthcode.FactTransfer:
		f.Transfer = &healthcode.TransferFact{To: healthcode.Color(1 + pick(3)), Workflow: "error_correction"}
	case healthcode.FactForeignCode:
		f.ForeignCode = &healthcode.ForeignCodeFact{Region: []string{"310000", "320000"}[pick(2)],
			Color: healthcode.Color(1 + pick(3)), Lifted: chance(0.3)}
	case healthcode.FactVenueVisit:
		f.VenueVisit = &healthcode.VenueVisitFact{Venue: "v1", Name: "market", Region: "330106"}
	default:
		panic("randomFact: a fact kind without a generator: " + string(kind))
	}
	return f
}

// cloneFacts copies facts deeply: every payload is a struct of values.
func cloneFacts(facts []healthcode.Fact) []healthcode.Fact {
	out := make([]healthcode.Fact, len(facts))
	for i, f := range facts {
		f.Declaration, f.Temperature, f.CheckIn = clonePtr(f.Declaration), clonePtr(f.Temperature), clonePtr(f.CheckIn)
		f.Case, f.CaseClosed, f.Contact, f.Entry = clonePtr(f.Case), clonePtr(f.CaseClosed), clonePtr(f.Contact), clonePtr(f.Entry)
		f.AreaStay, f.Isolation, f.Test = clonePtr(f.AreaStay), clonePtr(f.Isolation), clonePtr(f.Test)
		f.Vaccination, f.FalseDeclaration = clonePtr(f.Vaccination), clonePtr(f.FalseDeclaration)
		f.Transfer, f.ForeignCode = clonePtr(f.Transfer), clonePtr(f.ForeignCode)
		f.VenueVisit = clonePtr(f.VenueVisit)
		out[i] = f
	}
	return out
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

func brief(st healthcode.Status) string {
	return fmt.Sprintf("%v since %s rule %s facts %v next %s", st.Color, stampProp(st.Since), st.Rule, st.FactIDs, stampProp(st.NextEvalAt))
}

func stampProp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return fmt.Sprintf("+%v", t.Sub(t0))
}

func describeFacts(facts []healthcode.Fact) string {
	var b strings.Builder
	for _, f := range facts {
		body, _ := f.MarshalBody()
		fmt.Fprintf(&b, "  #%d %s %s %s\n", f.ID, stampProp(f.At), f.Kind, body)
	}
	return b.String()
}
