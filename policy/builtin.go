package policy

import (
	"fmt"
	"slices"
	"time"

	"healthcode"
)

// Builtin is the minimal policy of the core, after Hangzhou 2020 (seed 002)
// for declarations and Hubei 2020 (seed 004) for checkpoint fevers:
//
//   - declared contact with confirmed or suspected cases: red, 14 days of
//     isolation;
//   - declared fever, cough or other symptoms: yellow, 7 days;
//   - fever (≥ 37.3 °C) measured at a checkpoint: yellow, 7 days;
//   - otherwise green.
//
// The most severe period in force wins. An answer in a modification stays in
// force for its whole period even if a later modification withdraws it
// (seed 003 Q5: wrong answers affect the colour; correcting them is the
// error-correction workflow's job); only a re-application (SPEC A5)
// replaces the declarations before it.
type Builtin struct {
	Rules Settings
}

// NewBuiltin returns the built-in policy with the default settings: one
// modification a day, relatives allowed.
func NewBuiltin() *Builtin {
	return &Builtin{Rules: Settings{ModifyLimit: 1, ModifyPerDay: true, Relatives: true}}
}

// PolicyName implements Policy.
func (*Builtin) PolicyName() string { return "builtin-2026.1" }

// Settings implements Policy.
func (b *Builtin) Settings() Settings { return b.Rules }

// Rule ids, stable: they are stored in statuses and history.
const (
	RuleNoRisk          = "builtin/no-risk"
	RuleDeclaredContact = "hangzhou-2020/declared-contact"
	RuleDeclaredSymptom = "hangzhou-2020/declared-symptoms"
	RuleCheckpointFever = "hubei-2020/checkpoint-fever"
)

// period is a stretch of time during which one fact holds a colour.
type period struct {
	color      healthcode.Color
	start, end time.Time
	rule       string
	fact       int64
	why        healthcode.Text
}

func (p period) activeAt(t time.Time) bool { return !t.Before(p.start) && t.Before(p.end) }

// Evaluate implements Policy.
func (b *Builtin) Evaluate(facts []healthcode.Fact, now time.Time) healthcode.Status {
	periods, decl, first := periodsOf(facts, now)
	st := healthcode.Status{Color: healthcode.Green, Policy: b.PolicyName(), Rule: RuleNoRisk, EvaluatedAt: now}
	var active []period
	for _, p := range periods {
		if p.activeAt(now) {
			active = append(active, p)
		}
	}
	if len(active) == 0 {
		st.Since = sinceOf(periods, first, now, healthcode.Green)
		st.FactIDs = greenFacts(periods, decl, now)
		st.Reason = healthcode.Text{
			Zh: "未发现风险记录。",
			En: "No risk record was found.",
		}
		st.Next = healthcode.Text{Zh: "绿码可通行，请如实申报健康状况。", En: "Green: you may pass. Keep your declaration truthful."}
		return st
	}
	worst := active[0]
	greenAt := active[0].end
	st.NextEvalAt = active[0].end
	for _, p := range active[1:] {
		if p.color > worst.color || (p.color == worst.color && p.end.After(worst.end)) {
			worst = p
		}
		if p.end.After(greenAt) {
			greenAt = p.end
		}
		if p.end.Before(st.NextEvalAt) {
			st.NextEvalAt = p.end
		}
	}
	st.Color, st.Rule = worst.color, worst.rule
	st.Since = sinceOf(periods, first, now, worst.color)
	for _, p := range active {
		if p.color == worst.color {
			st.FactIDs = append(st.FactIDs, p.fact)
		}
	}
	st.Reason = worst.why
	st.Next = healthcode.Text{
		Zh: fmt.Sprintf("请按要求隔离或居家观察；如无新的风险记录，将于 %s 自动转为绿码。", stamp(greenAt)),
		En: fmt.Sprintf("Stay in isolation or home observation as required; with no new risk record the code turns green automatically at %s.", stamp(greenAt)),
	}
	return st
}

// periodsOf derives the colour periods from the facts. It also returns the
// effective declaration (the newest) and the time of the first fact, from
// which a person is green unless a period says otherwise.
func periodsOf(facts []healthcode.Fact, now time.Time) (ps []period, decl *healthcode.Fact, first time.Time) {
	from := 0 // a re-application replaces every declaration before it
	for i, f := range facts {
		if f.Kind == healthcode.FactDeclaration && f.Declaration != nil && f.Declaration.Reapply {
			from = i
		}
	}
	for i := range facts {
		f := &facts[i]
		if f.At.After(now) {
			continue
		}
		if first.IsZero() {
			first = f.At
		}
		switch {
		case f.Kind == healthcode.FactDeclaration && f.Declaration != nil:
			if i < from {
				continue
			}
			decl = f
			ps = append(ps, declarationPeriods(f)...)
		case f.Kind == healthcode.FactTemperature && f.Temperature != nil && f.Temperature.Fever():
			ps = append(ps, period{
				color: healthcode.Yellow, start: f.At, end: f.At.Add(7 * 24 * time.Hour),
				rule: RuleCheckpointFever, fact: f.ID,
				why: healthcode.Text{
					Zh: fmt.Sprintf("%s 在卡口测得体温 %.1f°C（≥37.3°C），按湖北规则转为黄码。", stamp(f.At), f.Temperature.Celsius),
					En: fmt.Sprintf("A temperature of %.1f °C (≥ 37.3 °C) was measured at a checkpoint at %s; by the Hubei rule the code turns yellow.", f.Temperature.Celsius, stamp(f.At)),
				},
			})
		}
	}
	return ps, decl, first
}

func declarationPeriods(f *healthcode.Fact) []period {
	d := f.Declaration
	var ps []period
	if d.ContactCases {
		ps = append(ps, period{
			color: healthcode.Red, start: f.At, end: f.At.Add(14 * 24 * time.Hour),
			rule: RuleDeclaredContact, fact: f.ID,
			why: healthcode.Text{
				Zh: fmt.Sprintf("%s 申报曾接触确诊或疑似病例，按杭州规则赋红码，需隔离 14 天。", stamp(f.At)),
				En: fmt.Sprintf("You declared contact with confirmed or suspected cases at %s; by the Hangzhou rule the code is red for 14 days of isolation.", stamp(f.At)),
			},
		})
	}
	if d.Symptomatic() {
		ps = append(ps, period{
			color: healthcode.Yellow, start: f.At, end: f.At.Add(7 * 24 * time.Hour),
			rule: RuleDeclaredSymptom, fact: f.ID,
			why: healthcode.Text{
				Zh: fmt.Sprintf("%s 申报有发热、咳嗽等症状，按杭州规则赋黄码，需隔离观察不超过 7 天。", stamp(f.At)),
				En: fmt.Sprintf("You declared fever, cough or other symptoms at %s; by the Hangzhou rule the code is yellow for up to 7 days of isolation.", stamp(f.At)),
			},
		})
	}
	return ps
}

// colorAt is the colour in force at t: the most severe period, or green
// once the person is known.
func colorAt(periods []period, first, t time.Time) healthcode.Color {
	c := healthcode.Color(0)
	if !t.Before(first) {
		c = healthcode.Green
	}
	for _, p := range periods {
		if p.activeAt(t) && p.color > c {
			c = p.color
		}
	}
	return c
}

// sinceOf finds when the current colour began: the earliest boundary from
// which the colour has stayed cur up to now.
func sinceOf(periods []period, first, now time.Time, cur healthcode.Color) time.Time {
	bounds := []time.Time{first}
	for _, p := range periods {
		bounds = append(bounds, p.start, p.end)
	}
	slices.SortFunc(bounds, func(a, b time.Time) int { return b.Compare(a) })
	since := now
	for _, b := range bounds {
		if b.After(now) {
			continue
		}
		if colorAt(periods, first, b) != cur {
			break
		}
		since = b
	}
	return since
}

// greenFacts names what a green status rests on: the declaration in force
// and the facts whose periods have run out.
func greenFacts(periods []period, decl *healthcode.Fact, now time.Time) []int64 {
	var ids []int64
	if decl != nil {
		ids = append(ids, decl.ID)
	}
	for _, p := range periods {
		if !p.end.After(now) && !slices.Contains(ids, p.fact) {
			ids = append(ids, p.fact)
		}
	}
	return ids
}

// stamp formats an instant the way a citizen reads it: China time, to the
// minute.
func stamp(t time.Time) string { return t.In(ChinaTime).Format("2006-01-02 15:04") }
