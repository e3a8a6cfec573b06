package policy

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"healthcode"
)

// Scenario tests: each is a timeline of facts, named after the seed rule it
// checks, with the colour expected at several instants. Times count from t0
// (10:00 China time); d(n) is n days.

var t0 = time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)

func d(n float64) time.Duration { return time.Duration(n * float64(24*time.Hour)) }

func h(n float64) time.Duration { return time.Duration(n * float64(time.Hour)) }

// fb builds facts; each gets the next id.
type fb struct{ facts []healthcode.Fact }

func (b *fb) add(at time.Duration, f healthcode.Fact) *fb {
	f.ID, f.At, f.RecordedAt = int64(len(b.facts)+1), t0.Add(at), t0.Add(at)
	f.Kind = kindOf(&f)
	b.facts = append(b.facts, f)
	return b
}

func kindOf(f *healthcode.Fact) healthcode.FactKind {
	for _, k := range healthcode.FactKinds {
		g := healthcode.Fact{Kind: k}
		*(&g) = *f
		g.Kind = k
		if _, err := g.MarshalBody(); err == nil {
			return k
		}
	}
	panic("fact without payload")
}

func (b *fb) declare(at time.Duration, answers ...string) *fb {
	decl := healthcode.Declaration{Commitment: true}
	reapply := false
	for _, a := range answers {
		switch a {
		case "fever":
			decl.Fever = true
		case "cough":
			decl.Cough = true
		case "contact":
			decl.ContactCases = true
		case "abroad":
			decl.Abroad14d = true
		case "left":
			decl.LeftRegion14d = true
		case "reapply":
			reapply = true
		}
	}
	return b.add(at, healthcode.Fact{Declaration: &healthcode.DeclarationFact{Declaration: decl, Region: "330106", Reapply: reapply}})
}

func (b *fb) caseOf(at time.Duration, typ healthcode.CaseType) *fb {
	return b.add(at, healthcode.Fact{Case: &healthcode.CaseFact{Type: typ, Onset: t0.Add(at - d(2))}})
}

func (b *fb) closed(at time.Duration, o healthcode.CaseOutcome) *fb {
	return b.add(at, healthcode.Fact{CaseClosed: &healthcode.CaseClosedFact{Outcome: o}})
}

func (b *fb) contact(at time.Duration, typ healthcode.ContactType, exposure time.Duration, confined bool) *fb {
	return b.add(at, healthcode.Fact{Contact: &healthcode.ContactFact{Type: typ, Exposure: t0.Add(exposure), Confined: confined}})
}

func (b *fb) entry(at time.Duration) *fb {
	return b.add(at, healthcode.Fact{Entry: &healthcode.EntryFact{Port: "PVG", Country: "FR"}})
}

// still marks a stay that has not ended.
const still = time.Duration(math.MinInt64)

// stay records a stay from..to (to == still: still there), known at at.
func (b *fb) stay(at time.Duration, level healthcode.AreaLevel, from, to time.Duration) *fb {
	s := &healthcode.AreaStayFact{Area: "310101", Level: level, From: t0.Add(from)}
	if to != still {
		s.To = t0.Add(to)
	}
	return b.add(at, healthcode.Fact{AreaStay: s})
}

// trip records a telecom's report ref of a stay from..to with no level,
// known at at.
func (b *fb) trip(at time.Duration, ref string, from, to time.Duration) *fb {
	b.stay(at, "", from, to)
	f := &b.facts[len(b.facts)-1]
	f.Source, f.SourceRef = "telecom", ref
	return b
}

// designated records the stay a designation at level made of trip ref,
// from..to, known at at.
func (b *fb) designated(at time.Duration, ref string, level healthcode.AreaLevel, from, to time.Duration) *fb {
	b.stay(at, level, from, to)
	f := &b.facts[len(b.facts)-1]
	f.Source, f.SourceRef = "hq", "D-1|telecom|"+ref
	f.AreaStay.Trip = &healthcode.TripRef{Source: "telecom", Ref: ref}
	return b
}

func (b *fb) isolation(at time.Duration, s healthcode.IsolationSetting, e healthcode.IsolationEvent) *fb {
	return b.add(at, healthcode.Fact{Isolation: &healthcode.IsolationFact{Setting: s, Event: e}})
}

// test records a result arriving at at for a sample taken at sampled.
func (b *fb) test(at, sampled time.Duration, r healthcode.TestResult) *fb {
	return b.add(at, healthcode.Fact{Test: &healthcode.TestFact{Sampled: t0.Add(sampled), Result: r, Lab: "lab"}})
}

// negatives records negative results sampled on the given days at 09:00
// and known at 15:00.
func (b *fb) negatives(days ...float64) *fb {
	for _, n := range days {
		b.test(d(n)+h(5), d(n)-h(1), healthcode.TestNegative)
	}
	return b
}

func (b *fb) checkin(at time.Duration, celsius float64, symptoms bool) *fb {
	date := t0.Add(at).In(ChinaTime).Format("2006-01-02")
	return b.add(at, healthcode.Fact{CheckIn: &healthcode.CheckInFact{Date: date, Celsius: celsius, Symptoms: symptoms}})
}

// checkins records normal daily check-ins on days from..to at 08:00.
func (b *fb) checkins(from, to int) *fb {
	for n := from; n <= to; n++ {
		b.checkin(d(float64(n))-h(2), 36.5, false)
	}
	return b
}

func (b *fb) temperature(at time.Duration, celsius float64) *fb {
	return b.add(at, healthcode.Fact{Temperature: &healthcode.TemperatureFact{Celsius: celsius, Checkpoint: "gate"}})
}

func (b *fb) transfer(at time.Duration, to healthcode.Color) *fb {
	return b.add(at, healthcode.Fact{Transfer: &healthcode.TransferFact{To: to, Workflow: "error_correction"}})
}

func (b *fb) foreign(at time.Duration, region string, c healthcode.Color, lifted bool) *fb {
	return b.add(at, healthcode.Fact{ForeignCode: &healthcode.ForeignCodeFact{Region: region, Color: c, Lifted: lifted}})
}

func (b *fb) falseDeclaration(at time.Duration) *fb {
	return b.add(at, healthcode.Fact{FalseDeclaration: &healthcode.FalseDeclarationFact{Finding: "left the city"}})
}

// check is an expectation at t0+at: the colour, and the rule's last part
// when given.
type check struct {
	at    time.Duration
	color healthcode.Color
	rule  string
}

type scenario struct {
	name   string
	seed   string // the sentence of the seed it checks
	facts  *fb
	checks []check
}

const (
	green  = healthcode.Green
	yellow = healthcode.Yellow
	red    = healthcode.Red
)

func runScenarios(t *testing.T, packName string, scenarios []scenario) {
	t.Helper()
	p, err := LoadShipped(packName)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			if sc.seed == "" {
				t.Fatal("a scenario must quote the seed rule it checks")
			}
			for _, c := range sc.checks {
				st := p.Evaluate(sc.facts.facts, t0.Add(c.at))
				if st.Color != c.color {
					t.Errorf("at +%v: colour %v (%s: %s), want %v", c.at, st.Color, st.Rule, st.Reason.En, c.color)
					continue
				}
				if c.rule != "" && !strings.HasSuffix(st.Rule, c.rule) {
					t.Errorf("at +%v: rule %s, want …%s", c.at, st.Rule, c.rule)
				}
				checkExplained(t, c.at, st)
			}
		})
	}
}

// checkExplained holds every status to the promise: a rule, facts behind a
// colour that is not green, and both languages.
func checkExplained(t *testing.T, at time.Duration, st healthcode.Status) {
	t.Helper()
	if st.Rule == "" || st.Reason.Zh == "" || st.Reason.En == "" || st.Next.Zh == "" || st.Next.En == "" {
		t.Errorf("at +%v: status not explained: %+v", at, st)
	}
	if st.Color != healthcode.Green && len(st.FactIDs) == 0 {
		t.Errorf("at +%v: %v names no facts", at, st.Color)
	}
	if !st.NextEvalAt.IsZero() && !st.NextEvalAt.After(st.EvaluatedAt) {
		t.Errorf("at +%v: next evaluation %v is not in the future", at, st.NextEvalAt)
	}
	if slices.Contains(st.FactIDs, 0) {
		t.Errorf("at +%v: fact id 0 in %v", at, st.FactIDs)
	}
}
