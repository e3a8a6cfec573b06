package policy

import (
	"slices"
	"testing"

	"healthcode"
)

// A positive nucleic-acid result makes a green person red at once in every
// shipped pack (seed 003 §1: an asymptomatic infection is identified by a
// positive test; the 2020 packs treat a positive as at least a suspected
// case), and the status names the result.
func TestEveryShippedPackTurnsAPositiveResultRedAtOnce(t *testing.T) {
	arrives := d(1) + h(2)
	facts := new(fb).declare(0).temperature(d(1), 36.5).test(arrives, d(1), healthcode.TestPositive).facts
	result := facts[len(facts)-1].ID
	for _, name := range Shipped() {
		t.Run(name, func(t *testing.T) {
			p, err := LoadShipped(name)
			if err != nil {
				t.Fatal(err)
			}
			if st := p.Evaluate(facts, t0.Add(arrives-1)); st.Color != green {
				t.Fatalf("just before the result: %v by %s, want green", st.Color, st.Rule)
			}
			st := p.Evaluate(facts, t0.Add(arrives))
			if st.Color != red || !st.Since.Equal(t0.Add(arrives)) || !slices.Contains(st.FactIDs, result) {
				t.Errorf("at the result: %v since %v by %s naming %v; want red since %v naming fact %d",
					st.Color, st.Since, st.Rule, st.FactIDs, t0.Add(arrives), result)
			}
		})
	}
}

// positive records a positive result sampled a day before it arrives.
func (b *fb) positive(at float64) *fb {
	return b.test(d(at), d(at-1), healthcode.TestPositive)
}

// ruledOutThenCheckIns is the Zhejiang red code after a positive ruled out:
// 14 days and 14 normal check-ins, then green.
func ruledOutThenCheckIns(seed string) scenario {
	return scenario{
		name:  "ruled out: the red code's 14 days and 14 normal check-ins, then green",
		seed:  seed,
		facts: new(fb).declare(0).positive(2).closed(d(4), healthcode.OutcomeExcluded).checkins(5, 18),
		checks: []check{
			{d(4), red, "positive-test/isolation"},
			{d(18) - h(1), red, "positive-test/isolation"},
			{d(18), green, "green"},
		},
	}
}

// Seed 002 (Hangzhou): a positive is at least a suspected case, and the
// background re-colours by the diagnosis.
func TestHangzhou2020PositiveResult(t *testing.T) {
	const (
		byDiagnosis = "有发热、咳嗽等症状的市民应尽快到就近医院就诊，同时后台会根据就诊结果，自动转换成对应的健康码。"
		redRule     = "显示红码者，要实施14天的集中或居家隔离，在连续申报健康打卡14天正常后，将转为绿码"
	)
	runScenarios(t, "zhejiang-hangzhou-2020", []scenario{
		{
			name:  "a positive result turns green red at once, and negatives alone do not end it",
			seed:  byDiagnosis,
			facts: new(fb).declare(0).positive(2).negatives(3, 4, 5),
			checks: []check{
				{d(2) - 1, green, "green"},
				{d(2), red, "positive-test/diagnosis"},
				{d(30), red, "positive-test/diagnosis"},
			},
		},
		ruledOutThenCheckIns(byDiagnosis + " / " + redRule),
		{
			name:   "a case record, once there is one, explains the colour",
			seed:   byDiagnosis,
			facts:  new(fb).declare(0).positive(2).caseOf(d(3), healthcode.CaseConfirmed),
			checks: []check{{d(2), red, "positive-test/diagnosis"}, {d(3), red, "case/treatment"}},
		},
	})
}

// Seed 004 (Hubei): red for confirmed, suspected and fever cases; a
// positive is at least a suspected case, and leaves red the way one does.
func TestHubei2020PositiveResult(t *testing.T) {
	const (
		redRule     = "“红码”：系统审核比对发现申请人记录为确诊（含临床诊断）、疑似、发热病例，制发红色健康码。"
		excludeRule = "疑似、发热病人经诊断，排除新冠肺炎病例，并经14天隔离期流调无新冠肺炎症状，发放“黄码”。"
	)
	runScenarios(t, "hubei-2020", []scenario{
		{
			name:  "a positive result turns green red at once, whatever the temperatures",
			seed:  redRule,
			facts: new(fb).declare(0).test(h(5), h(2), healthcode.TestPositive).temperatures(1, 5, 0, 36.5),
			checks: []check{
				{h(4), green, "green"},
				{h(5), red, "positive-test/diagnosis"},
				{d(20), red, "positive-test/diagnosis"},
			},
		},
		{
			name:  "ruled out: 14 days of isolation, then yellow, then green",
			seed:  redRule + " / " + excludeRule,
			facts: new(fb).declare(0).positive(1).closed(d(3), healthcode.OutcomeExcluded),
			checks: []check{
				{d(3), red, "positive-test/isolation"},
				{d(17) - h(1), red, "positive-test/isolation"},
				{d(17), yellow, "positive-test/home-isolation"},
				{d(31) + h(1), green, "green"},
			},
		},
		{
			name:   "a case record, once there is one, explains the colour",
			seed:   redRule,
			facts:  new(fb).declare(0).positive(1).caseOf(d(2), healthcode.CaseConfirmed),
			checks: []check{{d(1), red, "positive-test/diagnosis"}, {d(2), red, "confirmed-case/treatment"}},
		},
	})
}

// Seed 000 (Shaoxing): red is hospital or 14 days of hard isolation.
func TestShaoxing2020PositiveResult(t *testing.T) {
	const redRule = "those who display the red code are sent to a designated hospital for treatment or 14 days of centralized and home hard isolation medical observation"
	runScenarios(t, "zhejiang-shaoxing-2020", []scenario{
		{
			name:   "a positive result turns green red at once, and negatives alone do not end it",
			seed:   redRule,
			facts:  new(fb).declare(0).positive(2).negatives(3, 4),
			checks: []check{{d(2) - 1, green, "green"}, {d(2), red, "positive-test/hospital"}, {d(10), red, "positive-test/hospital"}},
		},
		{
			name:  "ruled out: 14 days of hard isolation, then green",
			seed:  redRule,
			facts: new(fb).declare(0).positive(2).closed(d(3), healthcode.OutcomeExcluded),
			checks: []check{
				{d(3), red, "positive-test/isolation"},
				{d(17) - h(1), red, "positive-test/isolation"},
				{d(17), green, "green"},
			},
		},
	})
}

// Seed 001 (Lishui): the provincial standard, colours changed only by the
// rules.
func TestLishui2020PositiveResult(t *testing.T) {
	const (
		standard  = "各色健康码认定标准 按照省定标准执行。"
		automatic = "绿、黄、红“三码”系后台对申请人员进行自动审核、自动转换后产生，人工无法干预或修改结果。"
	)
	runScenarios(t, "zhejiang-lishui-2020", []scenario{
		{
			name:   "a positive result turns green red at once; no hand can turn it back",
			seed:   standard + " / " + automatic,
			facts:  new(fb).declare(0).positive(2).transfer(d(3), healthcode.Green),
			checks: []check{{d(2) - 1, green, "green"}, {d(2), red, "positive-test/diagnosis"}, {d(4), red, "positive-test/diagnosis"}},
		},
		ruledOutThenCheckIns(standard + " / 持黄码、红码人员暂不符合通行条件，执行相应措施且系统判断符合条件后会自动转化为绿码。"),
	})
}

// Seed 003 §1 (transfer rules 2022): an asymptomatic infection, found by a
// positive result, is red in centralized isolation, then yellow at home.
func TestTransferRules2022PositiveResult(t *testing.T) {
	const (
		asymptomatic = "Asymptomatic infected persons in centralized isolation during medical observation, assigned to the red code"
		thenYellow   = "centralized isolation during the nucleic acid test are negative to the yellow code, the implementation of 14 days of medical observation at home; medical observation at home during the nucleic acid test are negative, to the green code."
		ruledOut     = "suspected cases that have not been ruled out"
	)
	runScenarios(t, "transfer-rules-2022", []scenario{
		{
			name:   "1 asymptomatic infection: a positive result turns green red at once",
			seed:   asymptomatic,
			facts:  new(fb).declare(0).positive(2),
			checks: []check{{d(2) - 1, green, "green"}, {d(2), red, "positive-test/centralized"}, {d(30), red, "positive-test/centralized"}},
		},
		{
			name:  "1 negative in centralized isolation: yellow, 14 days at home; negative: green",
			seed:  asymptomatic + "; " + thenYellow,
			facts: new(fb).declare(0).positive(2).negatives(10, 12, 20, 25),
			checks: []check{
				{d(16) - h(1), red, "positive-test/centralized"},
				{d(16), yellow, "positive-test/home-observation"},
				{d(30) - h(1), yellow, "positive-test/home-observation"},
				{d(30), green, "green"},
			},
		},
		{
			name:   "Q8: a positive ruled out is transferable at once",
			seed:   ruledOut,
			facts:  new(fb).declare(0).positive(2).closed(d(4), healthcode.OutcomeExcluded),
			checks: []check{{d(4) - 1, red, "positive-test/centralized"}, {d(4), green, "green"}},
		},
		{
			name:   "a case record, once there is one, explains the colour",
			seed:   asymptomatic,
			facts:  new(fb).declare(0).positive(2).caseOf(d(3), healthcode.CaseConfirmed),
			checks: []check{{d(2), red, "positive-test/centralized"}, {d(3), red, "confirmed-case/treatment"}},
		},
	})
}
