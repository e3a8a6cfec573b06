package policy

import (
	"testing"

	"healthcode"
)

// Seed 004: the Hubei health code 1.0 of 2020, section 四 (SPEC B3).
func TestHubei2020(t *testing.T) {
	const (
		greenRule   = "“绿码”：群众在省健康登记平台自主申报，健康登记记录一次或多次后，可提请健康码制发审核比对，未查询到记录即为审核通过，制发绿色健康码。"
		yellowRule  = "“黄码”：系统审核比对发现申请人记录为密切接触者，居家隔离且尚未复核新冠肺炎症状，或集中隔离未满14天，制发黄色健康码。"
		redRule     = "“红码”：系统审核比对发现申请人记录为确诊（含临床诊断）、疑似、发热病例，制发红色健康码。"
		curedRule   = "“红码”转“黄码”：确诊病例治愈出院，并经14天隔离期流调无复发症状"
		excludeRule = "疑似、发热病人经诊断，排除新冠肺炎病例，并经14天隔离期流调无新冠肺炎症状，发放“黄码”。"
		contactRule = "“黄码”转“绿码”：密切接触者经流调无新冠肺炎症状，且隔离期满14天，“黄码”转为“绿码”。"
		lapseRule   = "“绿码”转“黄码”：“绿码”有效期截止前，无测温健康记录，转为“黄码”"
		feverRule   = "“绿码”人员经测温发现有发热症状，转为“黄码”。"
		checkpoint  = "遇到卡口或测温点现场测温，需配合测量体温，无发热症状的给予放行，有发热症状的调整健康码颜色，不予放行"
	)
	runScenarios(t, "hubei-2020", []scenario{
		{
			name:   "no record found: green",
			seed:   greenRule,
			facts:  new(fb),
			checks: []check{{0, green, "no-record"}, {d(10), green, "no-record"}},
		},
		{
			name:   "a declaration that finds no record: green",
			seed:   greenRule,
			facts:  new(fb).declare(0),
			checks: []check{{0, green, "green"}, {d(1) - h(1), green, "green"}},
		},
		{
			name:  "green lapses to yellow when its 24 h validity ends without a temperature record",
			seed:  lapseRule,
			facts: new(fb).declare(0).temperature(h(1), 36.5),
			checks: []check{
				{d(1) + h(1) - 1, green, "green"},
				{d(1) + h(1), yellow, "green-validity"},
				{d(5), yellow, "green-validity"},
			},
		},
		{
			name:  "a lapsed green comes back with the next normal checkpoint temperature, for another 24 h",
			seed:  lapseRule + " / " + checkpoint,
			facts: new(fb).declare(0).temperature(h(1), 36.5).temperature(d(2), 36.5),
			checks: []check{
				{d(1.5), yellow, "green-validity"},
				{d(2), green, "green"},
				{d(3) - h(1), green, "green"},
				{d(3), yellow, "green-validity"},
			},
		},
		{
			name:  "a lapsed green comes back with a normal daily check-in",
			seed:  lapseRule + " / 用户完成健康码申请后，可根据实际身体状况通过打卡功能变更健康信息",
			facts: new(fb).declare(0).checkin(h(1), 36.6, false).checkin(d(2), 36.6, false),
			checks: []check{
				{d(1.5), yellow, "green-validity"},
				{d(2), green, "green"},
				{d(3), yellow, "green-validity"},
			},
		},
		{
			name:  "temperatures taken twice a day keep green valid",
			seed:  "卡口测温有效时间按当地防疫指挥部要求自行设定，如武汉市执行“双测温”，每日两次测温。",
			facts: new(fb).declare(0).temperatures(1, 10, -h(1), 36.5).temperatures(1, 10, h(8), 36.4),
			checks: []check{
				{d(1) - h(2), green, "green"},
				{d(5) + h(12), green, "green"},
				{d(11) + h(7), green, "green"},
				{d(11) + h(8), yellow, "green-validity"}, // 24 h after the last one
			},
		},
		{
			name:  "a fever at a checkpoint turns green yellow at once",
			seed:  feverRule + " / " + checkpoint,
			facts: new(fb).declare(0).temperature(h(3), 38.0),
			checks: []check{
				{h(2), green, "green"},
				{h(3), yellow, "checkpoint-fever/observation"},
				{d(10), yellow, "checkpoint-fever/observation"},
			},
		},
		{
			name:  "37.3 °C is a fever; 37.2 °C is normal and renews green",
			seed:  feverRule,
			facts: new(fb).declare(0).temperature(h(20), 37.2).temperature(d(1)+h(10), 37.3),
			checks: []check{
				{d(1) + h(5), green, "green"}, // renewed at +20h by 37.2 °C
				{d(1) + h(10), yellow, "checkpoint-fever/observation"},
			},
		},
		{
			name:   "a fever reported in the daily check-in turns green yellow",
			seed:   feverRule + " / 用户完成健康码申请后，可根据实际身体状况通过打卡功能变更健康信息",
			facts:  new(fb).declare(0).checkin(h(5), 37.9, false),
			checks: []check{{h(4), green, "green"}, {h(5), yellow, "checkin-fever/observation"}},
		},
		{
			name: "close contact: yellow under 14 days, green after 14 days without symptoms",
			seed: yellowRule + " / " + contactRule,
			facts: new(fb).declare(0).contact(d(2), healthcode.ContactClose, d(1), false).
				temperatures(1, 20, -h(1), 36.5),
			checks: []check{
				{d(2), yellow, "close-contact/isolation"},
				{d(15) - h(2), yellow, "close-contact/isolation"},
				{d(15), green, "green"}, // 14 days from the exposure
				{d(20), green, "green"},
			},
		},
		{
			name: "close contact in centralized isolation under 14 days: yellow, not red",
			seed: yellowRule,
			facts: new(fb).declare(0).contact(d(2), healthcode.ContactClose, d(2), false).
				isolation(d(2), healthcode.IsolationCentralized, healthcode.IsolationStart),
			checks: []check{{d(2), yellow, "close-contact/isolation"}, {d(10), yellow, "close-contact/isolation"}},
		},
		{
			name:  "declared contact: yellow for 14 days, then green",
			seed:  yellowRule + " / " + contactRule,
			facts: new(fb).declare(0, "contact"),
			checks: []check{
				{0, yellow, "declared-contact/isolation"},
				{d(14) - h(1), yellow, "declared-contact/isolation"},
				{d(14), green, "green"},
				{d(15) - h(1), green, "green"},
			},
		},
		{
			name: "confirmed case: red until cured and discharged + 14 days, then yellow",
			seed: redRule + " / " + curedRule,
			facts: new(fb).declare(0).caseOf(d(1), healthcode.CaseConfirmed).
				closed(d(20), healthcode.OutcomeCured),
			checks: []check{
				{d(1), red, "confirmed-case/treatment"},
				{d(20) - h(1), red, "confirmed-case/treatment"},
				{d(20), red, "confirmed-case/isolation"},
				{d(34) - h(1), red, "confirmed-case/isolation"},
				{d(34), yellow, "confirmed-case/home-isolation"},
				{d(48), green, "green"}, // the pack's 14 days of home isolation
			},
		},
		{
			name:   "clinically diagnosed case: red",
			seed:   redRule,
			facts:  new(fb).declare(0).caseOf(d(1), healthcode.CaseClinical),
			checks: []check{{d(1), red, "confirmed-case/treatment"}, {d(30), red, "confirmed-case/treatment"}},
		},
		{
			name: "suspected case: red; ruled out + 14 days, then yellow",
			seed: redRule + " / " + excludeRule,
			facts: new(fb).declare(0).caseOf(d(1), healthcode.CaseSuspected).
				closed(d(4), healthcode.OutcomeExcluded),
			checks: []check{
				{d(2), red, "suspected-or-fever-case/diagnosis"},
				{d(4), red, "suspected-or-fever-case/isolation"},
				{d(18) - h(1), red, "suspected-or-fever-case/isolation"},
				{d(18), yellow, "suspected-or-fever-case/home-isolation"},
			},
		},
		{
			name: "fever case: red; ruled out + 14 days, then yellow",
			seed: redRule + " / " + excludeRule,
			facts: new(fb).declare(0).caseOf(d(1), healthcode.CaseFeverClinic).
				closed(d(2), healthcode.OutcomeExcluded),
			checks: []check{
				{d(1), red, "suspected-or-fever-case/diagnosis"},
				{d(2), red, "suspected-or-fever-case/isolation"},
				{d(16), yellow, "suspected-or-fever-case/home-isolation"},
			},
		},
		{
			name:   "a suspected case not yet ruled out stays red",
			seed:   redRule,
			facts:  new(fb).declare(0).caseOf(d(1), healthcode.CaseSuspected),
			checks: []check{{d(30), red, "suspected-or-fever-case/diagnosis"}},
		},
	})
}

func TestHubei2020SuspectedThenConfirmed(t *testing.T) {
	runScenarios(t, "hubei-2020", []scenario{{
		name: "a suspected case confirmed, cured and discharged + 14 days turns yellow",
		seed: "“红码”转“黄码”：确诊病例治愈出院，并经14天隔离期流调无复发症状",
		facts: new(fb).declare(0).caseOf(d(1), healthcode.CaseSuspected).caseOf(d(3), healthcode.CaseConfirmed).
			closed(d(20), healthcode.OutcomeCured),
		checks: []check{
			{d(2), red, "suspected-or-fever-case/diagnosis"},
			{d(20), red, "confirmed-case/isolation"},
			{d(34), yellow, "confirmed-case/home-isolation"},
		},
	}})
}

func TestHubei2020LapseNamesFacts(t *testing.T) {
	const lapseRule = "“绿码”转“黄码”：“绿码”有效期截止前，无测温健康记录，转为“黄码”"
	runScenarios(t, "hubei-2020", []scenario{
		{
			name:   "a declaration and no temperature record: yellow after 24 h, naming the declaration",
			seed:   lapseRule,
			facts:  new(fb).declare(0),
			checks: []check{{d(1) - 1, green, "green"}, {d(1), yellow, "green-validity"}},
		},
		{
			name:   "green after a close-contact episode lapses after 24 h without a temperature record",
			seed:   lapseRule,
			facts:  new(fb).declare(0, "contact"),
			checks: []check{{d(14), green, "green"}, {d(15), yellow, "green-validity"}},
		},
	})
}

func TestHubei2020Relapse(t *testing.T) {
	runScenarios(t, "hubei-2020", []scenario{{
		name: "a fever during the 14 days after discharge keeps the code red",
		seed: "“红码”转“黄码”：确诊病例治愈出院，并经14天隔离期流调无复发症状",
		facts: new(fb).declare(0).caseOf(d(1), healthcode.CaseConfirmed).closed(d(20), healthcode.OutcomeCured).
			checkin(d(30), 38.1, true),
		checks: []check{
			{d(30), red, "confirmed-case/isolation"},
			{d(34) + h(1), red, ""},
		},
	}})
}

func TestHubei2020Settings(t *testing.T) {
	p, err := LoadShipped("hubei-2020")
	if err != nil {
		t.Fatal(err)
	}
	s := p.Settings()
	// "用户有1次修改信息的机会": one modification in all, not one a day.
	if s.ModifyLimit != 1 || s.ModifyPerDay {
		t.Errorf("Hubei allows one modification in all, got limit %d per day %v", s.ModifyLimit, s.ModifyPerDay)
	}
	// "用户可代为同居住地的亲属办理健康码".
	if !s.Relatives {
		t.Error("Hubei lets a user apply for relatives at the same address, but Relatives is false")
	}
	if p.GreenValidity == nil || p.GreenValidity.Duration.D() != d(1) {
		t.Fatalf("Hubei green is valid 24 h without a temperature record, got %+v", p.GreenValidity)
	}
	// The scheduler must look again when green lapses.
	facts := new(fb).declare(0).temperature(h(12), 36.6).facts
	if st := p.Evaluate(facts, t0.Add(h(1))); !st.NextEvalAt.Equal(t0.Add(d(1))) {
		t.Errorf("green after the declaration: next evaluation %v, want %v", st.NextEvalAt, t0.Add(d(1)))
	}
	if st := p.Evaluate(facts, t0.Add(h(13))); !st.NextEvalAt.Equal(t0.Add(d(1) + h(12))) {
		t.Errorf("green after a temperature: next evaluation %v, want %v", st.NextEvalAt, t0.Add(d(1)+h(12)))
	}
}
