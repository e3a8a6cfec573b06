package policy

import (
	"fmt"
	"slices"

	"healthcode"
)

// The values a trigger's types may take, by fact kind.
var (
	caseTypes = stringsOf(healthcode.CaseConfirmed, healthcode.CaseClinical, healthcode.CaseAsymptomatic,
		healthcode.CaseSuspected, healthcode.CaseFeverClinic)
	contactTypes      = stringsOf(healthcode.ContactClose, healthcode.ContactSubClose, healthcode.ContactCompanion)
	areaLevels        = stringsOf(healthcode.AreaHigh, healthcode.AreaMedium, healthcode.AreaSealed, healthcode.AreaControl)
	isolationSettings = stringsOf(healthcode.IsolationCentralized, healthcode.IsolationHome)
	testResults       = stringsOf(healthcode.TestNegative, healthcode.TestPositive)
	caseOutcomes      = stringsOf(healthcode.OutcomeCured, healthcode.OutcomeExcluded)

	typesOf = map[healthcode.FactKind]struct {
		what   string
		values []string
	}{
		healthcode.FactCase:      {"a case type", caseTypes},
		healthcode.FactContact:   {"a contact type", contactTypes},
		healthcode.FactAreaStay:  {"an area level", areaLevels},
		healthcode.FactIsolation: {"an isolation setting", isolationSettings},
		healthcode.FactTest:      {"a test result", testResults},
	}
	answersOf = map[healthcode.FactKind][]string{
		healthcode.FactDeclaration: {"symptoms", "contact_cases", "abroad_14d", "left_region_14d"},
		healthcode.FactCheckIn:     {"symptoms"},
	}
	// anchorsOf lists the fact kinds an anchor exists for; nil: every kind.
	anchorsOf = map[Anchor][]healthcode.FactKind{
		AnchorFact:          nil,
		AnchorExposure:      {healthcode.FactContact},
		AnchorOnset:         {healthcode.FactCase},
		AnchorFirstPositive: {healthcode.FactCase},
		AnchorStayEnd:       {healthcode.FactAreaStay},
	}
	// triggerKinds are the fact kinds that may start an episode: all but
	// those that inform and never colour.
	triggerKinds = stringsOf(slices.DeleteFunc(slices.Clone(healthcode.FactKinds),
		func(k healthcode.FactKind) bool {
			return k == healthcode.FactVaccination || k == healthcode.FactVenueVisit
		})...)
)

func (v *validator) category(c *Category, path string, ids map[string]string) {
	v.id(path+".id", c.Line, c.ID)
	v.unique(path+".id", c.Line, c.ID, ids)
	v.text(path+".title", c.Line, c.Title)
	v.seed(path+".seed", c.Line, c.Seed)
	v.trigger(&c.When, path+".when", c.Line)
	if len(c.Phases) == 0 {
		v.report(path+".phases", c.Line, "at least one phase is required")
	}
	phaseIDs := map[string]string{}
	for j := range c.Phases {
		ph := &c.Phases[j]
		pp := fmt.Sprintf("%s.phases[%d]", path, j)
		if ph.ID == "" {
			ph.ID = fmt.Sprintf("p%d", j+1)
		}
		v.id(pp+".id", ph.Line, ph.ID)
		v.unique(pp+".id", ph.Line, ph.ID, phaseIDs)
		v.phase(ph, pp)
		if len(ph.Until) == 0 && j < len(c.Phases)-1 {
			v.report(pp+".until", ph.Line, "phase %s has no exits, so it lasts until an official transfer; "+
				"only the last phase may: give it an until, or make it the last phase", ph.ID)
		}
		if j > 0 {
			prev := c.Phases[j-1]
			if ph.Color.Valid() && prev.Color.Valid() && ph.Color > prev.Color {
				v.report(pp+".color", ph.Line, "phase %s is %s after %s: phases may only get less severe",
					ph.ID, ph.Color, prev.Color)
			}
		}
	}
}

func (v *validator) trigger(t *Trigger, path string, line int) {
	kind := t.Fact
	switch {
	case kind == "":
		v.report(path+".fact", line, "required: the fact kind that starts an episode (%s)", orList(triggerKinds))
		return // the rest depends on the kind
	case kind == healthcode.FactVaccination:
		v.report(path+".fact", line, "vaccination informs, it does not colour: it cannot start an episode")
		return
	case !kind.Valid():
		v.report(path+".fact", line, "unknown fact kind %q (want %s)", string(kind), orList(triggerKinds))
		return
	}
	if ts, ok := typesOf[kind]; ok {
		for i, typ := range t.Types {
			tp := fmt.Sprintf("%s.types[%d]", path, i)
			if typ == "" {
				v.report(tp, line, "empty: want %s", orList(ts.values))
			}
			v.oneOf(tp, line, ts.what, typ, ts.values)
		}
	} else if len(t.Types) > 0 {
		v.report(path+".types", line, "a %s fact has no types to match: remove types", kind)
	}
	if as, ok := answersOf[kind]; ok {
		for i, a := range t.Answers {
			ap := fmt.Sprintf("%s.answers[%d]", path, i)
			if a == "" {
				v.report(ap, line, "empty: want %s", orList(as))
			}
			v.oneOf(ap, line, "an answer of a "+string(kind), a, as)
		}
	} else if len(t.Answers) > 0 {
		v.report(path+".answers", line, "only declaration and checkin facts have answers, not %s", kind)
	}
	if t.Fever && kind != healthcode.FactTemperature && kind != healthcode.FactCheckIn {
		v.report(path+".fever", line, "only temperature and checkin facts have a fever, not %s", kind)
	}
	if t.Confined != nil && kind != healthcode.FactContact {
		v.report(path+".confined", line, "only contact facts are confined or not, not %s", kind)
	}
	if r := t.ExposureAge; r != nil {
		switch {
		case kind != healthcode.FactContact && kind != healthcode.FactAreaStay:
			v.report(path+".exposure_age", line, "only contact and area_stay facts have an exposure, not %s", kind)
		case r.Min < 0 || r.Max < 0:
			v.report(path+".exposure_age", line, "min and max must not be negative")
		case r.Max > 0 && r.Min >= r.Max:
			v.report(path+".exposure_age", line, "min must be less than max (the range is min ≤ age < max; leave max out for no limit)")
		}
	}
	v.anchor(t.From, kind, path+".from", line)
}

// anchor checks a trigger's anchor against its fact kind.
func (v *validator) anchor(a Anchor, kind healthcode.FactKind, path string, line int) {
	if a == "" {
		return
	}
	kinds, ok := anchorsOf[a]
	switch {
	case a == AnchorPhase:
		v.report(path, line, "phase is where an exit counts from, not a trigger's anchor: "+
			"leave from out to count from the fact")
	case !ok:
		v.report(path, line, "unknown anchor %q (want fact, exposure, onset, first_positive or stay_end)", string(a))
	case kinds != nil && !slices.Contains(kinds, kind):
		v.report(path, line, "a %s fact has no %s: only %s facts do", kind, a, orList(stringsOf(kinds...)))
	}
}

func (v *validator) phase(ph *Phase, path string) {
	if ph.Color == 0 {
		v.report(path+".color", ph.Line, "required: green, yellow or red")
	} else if !ph.Color.Valid() {
		v.report(path+".color", ph.Line, "must be green, yellow or red")
	}
	v.text(path+".measure", ph.Line, ph.Measure)
	for k := range ph.Until {
		v.exit(&ph.Until[k], fmt.Sprintf("%s.until[%d]", path, k))
	}
}

func (v *validator) exit(x *Exit, path string) {
	if x.After == 0 && x.Tests == nil && x.CheckIns == 0 && x.Released == "" && x.Closed == "" {
		v.report(path, x.Line, "an exit needs at least one requirement: after, tests, checkins, released or closed")
	}
	if x.After < 0 {
		v.report(path+".after", x.Line, "must not be negative")
	}
	if x.From != "" && x.From != AnchorPhase && x.From != AnchorAnchor {
		v.report(path+".from", x.Line, "%q: want phase (count from the phase's start, the default) "+
			"or anchor (count from the category's when.from)", string(x.From))
	}
	if t := x.Tests; t != nil {
		switch {
		case t.Count < 1:
			v.report(path+".tests.count", x.Line, "must be at least 1, got %d", t.Count)
		case t.MinInterval < 0:
			v.report(path+".tests.min_interval", x.Line, "must not be negative")
		case t.Within < 0:
			v.report(path+".tests.within", x.Line, "must not be negative")
		case t.Within > 0 && t.Within < Duration(t.Count-1)*t.MinInterval:
			v.report(path+".tests.within", x.Line, "%d samples at least %s apart need at least %s: "+
				"make within longer or min_interval shorter", t.Count, showDuration(t.MinInterval), showDuration(Duration(t.Count-1)*t.MinInterval))
		}
	}
	if x.CheckIns < 0 {
		v.report(path+".checkins", x.Line, "must be 0 or more, got %d", x.CheckIns)
	}
	v.oneOf(path+".released", x.Line, "an isolation setting", string(x.Released), isolationSettings)
	v.oneOf(path+".closed", x.Line, "a case outcome", string(x.Closed), caseOutcomes)
}

// showDuration writes a duration for a message.
func showDuration(d Duration) string {
	if s, err := d.format(); err == nil {
		return s
	}
	return d.D().String()
}
