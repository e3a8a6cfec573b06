package policy

import (
	"testing"

	"healthcode"
)

// Seed 002: the Hangzhou health code of February 2020.
func TestHangzhou2020(t *testing.T) {
	const (
		redRule    = "显示红码者，要实施14天的集中或居家隔离，在连续申报健康打卡14天正常后，将转为绿码"
		yellowRule = "显示黄码者要进行7天以内的集中或居家隔离，在连续申报健康打卡不超过7天正常后将转为绿码。"
		feverRule  = "有发热、咳嗽等症状的市民应尽快到就近医院就诊，同时后台会根据就诊结果，自动转换成对应的健康码。"
		falseRule  = "一旦发现弄虚作假，将一律严肃处理，不但立即转为红码，还将视情节和后果纳入个人诚信管理系统。"
	)
	runScenarios(t, "zhejiang-hangzhou-2020", []scenario{
		{
			name:   "a clean declaration is green",
			seed:   "显示绿码者，市内亮码通行，进出杭州扫码通行",
			facts:  new(fb).declare(0),
			checks: []check{{0, green, "green"}, {d(3), green, "green"}},
		},
		{
			name:  "red: 14 days and 14 consecutive days of normal check-ins turn green",
			seed:  redRule,
			facts: new(fb).declare(0, "contact").checkins(1, 14),
			checks: []check{
				{0, red, "declared-contact/isolation"},
				{d(13), red, "declared-contact/isolation"},
				{d(14) - h(1), red, "declared-contact/isolation"}, // 14 check-ins done, 14 days not yet
				{d(14), green, "green"},
			},
		},
		{
			name:  "a close contact reported by a feed is red as a declared one: 14 days and 14 check-ins turn green",
			seed:  "绿、黄、红“三码”是后台对申请人员进行自动审核、自动转换后产生。 / " + redRule,
			facts: new(fb).declare(0).contact(d(2), healthcode.ContactClose, d(1), false).checkinsAt(3, 16, h(2)),
			checks: []check{
				{d(2) - h(1), green, "green"},
				{d(2), red, "reported-contact/isolation"},
				{d(16) + h(1), red, "reported-contact/isolation"}, // 14 days, 13 check-ins
				{d(16) + h(3), green, "green"},
			},
		},
		{
			name:   "sub-close contacts and companions, unknown in 2020, leave the code green",
			seed:   "绿、黄、红“三码”是后台对申请人员进行自动审核、自动转换后产生。",
			facts:  new(fb).declare(0).contact(d(2), healthcode.ContactSubClose, d(1), false).contact(d(3), healthcode.ContactCompanion, d(2), true),
			checks: []check{{d(4), green, "green"}},
		},
		{
			name:  "red: 14 days of isolation without check-ins is not enough",
			seed:  redRule,
			facts: new(fb).declare(0, "contact"),
			checks: []check{
				{d(14), red, "declared-contact/isolation"},
				{d(40), red, "declared-contact/isolation"},
			},
		},
		{
			name:  "red: a missed day breaks the streak of check-ins",
			seed:  "在连续申报健康打卡14天正常后，将转为绿码",
			facts: new(fb).declare(0, "contact").checkins(1, 6).checkins(8, 21),
			checks: []check{
				{d(14), red, "declared-contact/isolation"},
				{d(21) - h(3), red, "declared-contact/isolation"},
				{d(21) - h(1), green, "green"}, // 14th consecutive day: day 8 to day 21
			},
		},
		{
			name: "red: a check-in with symptoms breaks the streak",
			seed: "在连续申报健康打卡14天正常后，将转为绿码",
			facts: new(fb).declare(0, "contact").checkins(1, 6).checkin(d(7)-h(2), 37.8, true).
				checkins(8, 21),
			checks: []check{
				{d(7), red, "declared-contact/isolation"},
				{d(15), red, "declared-contact/isolation"},
				{d(21) - h(3), red, "declared-contact/isolation"},
				{d(21) - h(1), green, "green"},
			},
		},
		{
			name: "yellow: normal check-ins turn green in under 7 days",
			seed: yellowRule,
			// The declaration at 10:00, check-ins at noon on days 0 to 6.
			facts: new(fb).declare(0, "fever").checkinsAt(0, 6, h(2)),
			checks: []check{
				{0, yellow, "declared-symptoms/isolation"},
				{d(6) + h(1), yellow, "declared-symptoms/isolation"},
				{d(6) + h(2), green, "green"},
			},
		},
		{
			name:  "yellow: no longer than 7 days, even without check-ins (check-in is not compulsory)",
			seed:  "健康打卡仅用于每日进行健康情况反馈和记录，并不强制要求每日填写，也不是审批的唯一因素。 / 显示黄码者要进行7天以内的集中或居家隔离",
			facts: new(fb).declare(0, "cough"),
			checks: []check{
				{d(7) - h(1), yellow, "declared-symptoms/isolation"},
				{d(7), green, "green"},
			},
		},
		{
			name:  "fever clinic: yellow while awaiting the diagnosis, green when it is ruled out",
			seed:  feverRule,
			facts: new(fb).declare(0).caseOf(d(1), healthcode.CaseFeverClinic).closed(d(2), healthcode.OutcomeExcluded),
			checks: []check{
				{d(1) - h(1), green, "green"},
				{d(1), yellow, "fever-clinic/awaiting-diagnosis"},
				{d(2) - h(1), yellow, "fever-clinic/awaiting-diagnosis"},
				{d(2), green, "green"},
			},
		},
		{
			name:  "fever clinic: red when the visit ends in a confirmed diagnosis",
			seed:  feverRule,
			facts: new(fb).declare(0).caseOf(d(1), healthcode.CaseFeverClinic).caseOf(d(3), healthcode.CaseConfirmed),
			checks: []check{
				{d(2), yellow, "fever-clinic/awaiting-diagnosis"},
				{d(3), red, "case/treatment"},
				{d(30), red, "case/treatment"},
			},
		},
		{
			name: "confirmed case: red in hospital, then 14 days and 14 check-ins after discharge",
			seed: feverRule + " / " + redRule,
			facts: new(fb).declare(0).caseOf(d(1), healthcode.CaseConfirmed).closed(d(10), healthcode.OutcomeCured).
				checkins(11, 24),
			checks: []check{
				{d(2), red, "case/treatment"},
				{d(10), red, "case/isolation"},
				{d(24) - h(1), red, "case/isolation"},
				{d(24), green, "green"},
			},
		},
		{
			name:  "false declaration: red at once, and check-ins do not end it",
			seed:  falseRule,
			facts: new(fb).declare(0).falseDeclaration(d(2)).checkins(3, 30),
			checks: []check{
				{d(2) - h(1), green, "green"},
				{d(2), red, "false-declaration/red"},
				{d(30), red, "false-declaration/red"},
			},
		},
		{
			name:  "false declaration: only an official transfer ends it",
			seed:  falseRule + " / 对获得的“杭州健康码申请”存在疑义的市民，可通过复核通道提交申请，等候所在区、县(市)进行反馈和答复。",
			facts: new(fb).declare(0).falseDeclaration(d(2)).transferBy(d(10), green, "review"),
			checks: []check{
				{d(10) - h(1), red, "false-declaration/red"},
				{d(10), green, "green"},
				{d(60), green, "green"},
			},
		},
		{
			name:  "re-application replaces a wrongly filled declaration",
			seed:  "只要是第一次申请成功的，点开“杭州健康码申请”然后选择“重新申请”就可以重新填写你的信息了。需要注意的是，每人只有1次重新填写的机会",
			facts: new(fb).declare(0, "contact").declare(d(1), "reapply"),
			checks: []check{
				{h(1), red, "declared-contact/isolation"},
				{d(1), green, "green"},
				{d(20), green, "green"},
			},
		},
		{
			name:  "re-application with symptoms gives the colour of the new declaration",
			seed:  "只要是第一次申请成功的，点开“杭州健康码申请”然后选择“重新申请”就可以重新填写你的信息了。",
			facts: new(fb).declare(0, "contact").declare(d(1), "reapply", "fever"),
			checks: []check{
				{h(1), red, "declared-contact/isolation"},
				{d(1), yellow, "declared-symptoms/isolation"},
				{d(8), green, "green"},
			},
		},
		{
			name:  "re-applying does not undo the red of a false declaration",
			seed:  falseRule + " / 每人只有1次重新填写的机会，请谨慎填写，填写不实信息，将会被追究法律责任。",
			facts: new(fb).declare(0).falseDeclaration(d(2)).declare(d(3), "reapply"),
			checks: []check{
				{d(3), red, "false-declaration/red"},
				{d(20), red, "false-declaration/red"},
			},
		},
		{
			name: "a check-in with symptoms turns green yellow; normal check-ins turn it back",
			seed: "健康打卡仅用于每日进行健康情况反馈和记录……但填写后有助于健康情况跟踪了解从而进行码状态调整。",
			// Symptoms reported at 20:00 on day 2; normal check-ins at
			// 08:00 on days 3 to 9: the 7th ends the yellow before 7 days.
			facts: new(fb).declare(0).checkin(d(2)+h(10), 37.0, true).checkins(3, 9),
			checks: []check{
				{d(2) + h(9), green, "green"},
				{d(2) + h(10), yellow, "checkin-symptoms/isolation"},
				{d(9) - h(3), yellow, "checkin-symptoms/isolation"},
				{d(9) - h(1), green, "green"},
			},
		},
		{
			name:  "a check-in with symptoms and no check-ins after it: yellow for 7 days",
			seed:  yellowRule,
			facts: new(fb).declare(0).checkin(d(2)+h(10), 37.0, true),
			checks: []check{
				{d(9), yellow, "checkin-symptoms/isolation"},
				{d(9) + h(10), green, "green"},
			},
		},
		{
			name:   "no validity: green stays green for 60 days without check-ins or temperatures",
			seed:   "因此申请到的健康码颜色也不是永久不变的，也不存在24小时时效限制的说法。",
			facts:  new(fb).declare(0),
			checks: []check{{d(1) + h(1), green, "green"}, {d(7), green, "green"}, {d(60), green, "green"}},
		},
		{
			name:  "the colour is judged again when new data arrives",
			seed:  "因为杭州健康码申请的后台数据是实时更新的，是一个动态监测过程，因此申请到的健康码颜色也不是永久不变的",
			facts: new(fb).declare(0).caseOf(d(5), healthcode.CaseSuspected).closed(d(7), healthcode.OutcomeExcluded),
			checks: []check{
				{d(5) - h(1), green, "green"},
				{d(5), red, "case/treatment"},
				{d(7), red, "case/isolation"}, // 14 days and 14 check-ins after the exclusion
			},
		},
	})
}

// An official transfer decides a colour (SPEC D): a review that turns a red
// code yellow leaves the person yellow, not green.
func TestHangzhou2020TransferToYellow(t *testing.T) {
	runScenarios(t, "zhejiang-hangzhou-2020", []scenario{{
		name:  "a review that turns a false-declaration red code yellow gives yellow",
		seed:  "对获得的“杭州健康码申请”存在疑义的市民，可通过复核通道提交申请，等候所在区、县(市)进行反馈和答复。",
		facts: new(fb).declare(0).falseDeclaration(d(2)).transferBy(d(10), yellow, "review"),
		checks: []check{
			{d(10) - h(1), red, "false-declaration/red"},
			{d(10), yellow, ""},
		},
	}})
}

func TestHangzhou2020Settings(t *testing.T) {
	p, err := LoadShipped("zhejiang-hangzhou-2020")
	if err != nil {
		t.Fatal(err)
	}
	s := p.Settings()
	// Q8: "每人只有1次重新填写的机会": re-application is allowed, once.
	if s.NoReapply {
		t.Error("Hangzhou allows one re-application (Q8), but NoReapply is set")
	}
	// Q17: a phone login manages the codes of elderly people and children.
	if !s.Relatives {
		t.Error("Hangzhou lets a phone login apply for elderly people and children (Q17), but Relatives is false")
	}
	// No validity: green has nothing to renew and nothing to wait for.
	if p.GreenValidity != nil {
		t.Errorf("Hangzhou green has no 24 h validity (Q15), but the pack sets %+v", *p.GreenValidity)
	}
	st := p.Evaluate(new(fb).declare(0).facts, t0.Add(d(60)))
	if st.Color != green || !st.NextEvalAt.IsZero() || len(st.Needs) != 0 {
		t.Errorf("green after 60 days: %v, next evaluation %v, needs %v; want green, none, none", st.Color, st.NextEvalAt, st.Needs)
	}
}

// A day on which symptoms were reported is not a day of normal check-ins,
// whether the normal check-in came before or after the symptomatic one.
func TestHangzhou2020SymptomDayBreaksStreak(t *testing.T) {
	const seed = "显示红码者，要实施14天的集中或居家隔离，在连续申报健康打卡14天正常后，将转为绿码"
	// Normal at 08:00, symptoms at 20:00 on day 7: days 8 to 21 are the
	// 14 consecutive normal days.
	runScenarios(t, "zhejiang-hangzhou-2020", []scenario{{
		name: "a normal check-in then symptoms on day 7: the streak starts again on day 8",
		seed: seed,
		facts: new(fb).declare(0, "contact").checkins(1, 7).checkin(d(7)+h(10), 37.9, true).
			checkins(8, 21),
		checks: []check{
			{d(20), red, "declared-contact/isolation"},
			{d(21) - h(3), red, "declared-contact/isolation"},
			{d(21) - h(1), green, "green"},
		},
	}})
	runScenarios(t, "zhejiang-hangzhou-2020", []scenario{{
		name: "symptoms then a normal check-in on day 7: the streak starts again on day 8",
		seed: seed,
		facts: new(fb).declare(0, "contact").checkins(1, 6).checkin(d(7)-h(3), 37.9, true).
			checkins(7, 21),
		checks: []check{
			{d(20), red, "declared-contact/isolation"},
			{d(21) - h(3), red, "declared-contact/isolation"},
			{d(21) - h(1), green, "green"},
		},
	}})
}
