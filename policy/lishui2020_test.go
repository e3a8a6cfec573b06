package policy

import (
	"testing"

	"healthcode"
)

// Seed 001: the Lishui health code of 2020, on the provincial standard.
func TestLishui2020(t *testing.T) {
	const (
		standard  = "各色健康码认定标准 按照省定标准执行。"
		automatic = "绿、黄、红“三码”系后台对申请人员进行自动审核、自动转换后产生，人工无法干预或修改结果。"
		basis     = "我已经隔离了14天，为什么还没有变成绿码？……隔离时长只是一个基础条件，还需要其他信息综合判断。"
		falseRule = "信息填报后将进行后台核验，一旦发现谎报瞒报等情况，一律判为“红码”，申报情况将纳入征信机制"
	)
	runScenarios(t, "zhejiang-lishui-2020", []scenario{
		{
			name:   "provincial standard: a clean declaration is green",
			seed:   standard + " / 根据系统判断规则向用户返回绿、黄、红三种状态码。",
			facts:  new(fb).declare(0),
			checks: []check{{0, green, "green"}, {d(2), green, "green"}},
		},
		{
			name:   "no validity: green stays green for 60 days without any record",
			seed:   "健康码是动态监测的，因此不存在有效期的概念。",
			facts:  new(fb).declare(0),
			checks: []check{{d(1) + h(1), green, "green"}, {d(60), green, "green"}},
		},
		{
			name:  "provincial standard: declared contact is red; 14 days and 14 normal check-ins turn it green",
			seed:  standard + " / " + basis,
			facts: new(fb).declare(0, "contact").checkins(1, 14),
			checks: []check{
				{0, red, "declared-contact/isolation"},
				{d(14) - h(1), red, "declared-contact/isolation"},
				{d(14), green, "green"},
			},
		},
		{
			name: "14 days of isolation alone is not enough without check-ins",
			seed: basis,
			facts: new(fb).declare(0, "contact").isolation(0, healthcode.IsolationHome, healthcode.IsolationStart).
				isolation(d(14), healthcode.IsolationHome, healthcode.IsolationRelease),
			checks: []check{
				{d(14), red, "declared-contact/isolation"},
				{d(30), red, "declared-contact/isolation"},
			},
		},
		{
			name: "14 days of isolation, then 14 days of check-ins: green on the 14th",
			seed: basis,
			facts: new(fb).declare(0, "contact").isolation(0, healthcode.IsolationHome, healthcode.IsolationStart).
				isolation(d(14), healthcode.IsolationHome, healthcode.IsolationRelease).checkins(15, 28),
			checks: []check{
				{d(27), red, "declared-contact/isolation"},
				{d(28) - h(3), red, "declared-contact/isolation"},
				{d(28) - h(1), green, "green"},
			},
		},
		{
			name:  "close contact: red 14 days from the exposure and 14 days of check-ins",
			seed:  standard + " / " + basis,
			facts: new(fb).declare(0).contact(d(3), healthcode.ContactClose, d(1), false).checkins(3, 16),
			checks: []check{
				{d(3), red, "close-contact/isolation"},
				{d(15), red, "close-contact/isolation"}, // 14 days from the exposure, 12 check-ins
				{d(16) - h(3), red, "close-contact/isolation"},
				{d(16) - h(1), green, "green"},
			},
		},
		{
			name:  "declared symptoms: yellow, 7 days and 7 check-ins",
			seed:  standard + " / 持黄码、红码人员暂不符合通行条件，执行相应措施且系统判断符合条件后会自动转化为绿码。",
			facts: new(fb).declare(0, "cough").checkins(1, 7),
			checks: []check{
				{0, yellow, "declared-symptoms/isolation"},
				{d(7) - h(1), yellow, "declared-symptoms/isolation"},
				{d(7), green, "green"},
			},
		},
		{
			name:   "declared symptoms without check-ins stay yellow after 7 days",
			seed:   basis,
			facts:  new(fb).declare(0, "fever"),
			checks: []check{{d(7), yellow, "declared-symptoms/isolation"}, {d(20), yellow, "declared-symptoms/isolation"}},
		},
		{
			name: "confirmed case: red in hospital, then 14 days and 14 check-ins after discharge",
			seed: standard + " / 持黄码、红码人员暂不符合通行条件，执行相应措施且系统判断符合条件后会自动转化为绿码。",
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
			name:  "false declaration: red at once, and no transfer lifts it",
			seed:  falseRule + " / " + automatic,
			facts: new(fb).declare(0).falseDeclaration(d(1)).transferBy(d(3), green, "review"),
			checks: []check{
				{d(1) - h(1), green, "green"},
				{d(1), red, "false-declaration/red"},
				{d(3), red, "false-declaration/red"},
				{d(30), red, "false-declaration/red"},
			},
		},
		{
			name:  "false declaration: green after 14 days and 14 normal check-ins",
			seed:  falseRule + " / " + basis,
			facts: new(fb).declare(0).falseDeclaration(d(1)).checkins(2, 15),
			checks: []check{
				{d(1), red, "false-declaration/red"},
				{d(15) - h(1), red, "false-declaration/red"},
				{d(15), green, "green"},
			},
		},
		{
			name:  "an official transfer to green changes nothing",
			seed:  "我不认可这个状态，需要你们人工重新审核一次，给我修改过来。答：……" + automatic,
			facts: new(fb).declare(0, "contact").transferBy(d(2), green, "review"),
			checks: []check{
				{d(2) - h(1), red, "declared-contact/isolation"},
				{d(2), red, "declared-contact/isolation"},
				{d(20), red, "declared-contact/isolation"},
			},
		},
		{
			name:   "an official transfer to red changes nothing either",
			seed:   automatic,
			facts:  new(fb).declare(0).transferBy(d(2), red, "error_correction"),
			checks: []check{{d(2), green, "green"}, {d(10), green, "green"}},
		},
		{
			name:  "the green after submission is only the initial state",
			seed:  "提交后获得的绿码仅为系统判断的初始状态，之后系统会不定时更新，可能之后会出现码颜色变化的情况。请您以当前码状态为准。",
			facts: new(fb).declare(0).contact(d(3), healthcode.ContactClose, d(2), false),
			checks: []check{
				{d(3) - h(1), green, "green"},
				{d(3), red, "close-contact/isolation"},
			},
		},
	})
}

func TestLishui2020Settings(t *testing.T) {
	p, err := LoadShipped("zhejiang-lishui-2020")
	if err != nil {
		t.Fatal(err)
	}
	if !p.NoTransfers {
		t.Error("Lishui: \"人工无法干预或修改结果\", but official transfers are not ignored")
	}
	if p.GreenValidity != nil {
		t.Errorf("Lishui: \"不存在有效期的概念\", but the pack sets a validity %+v", *p.GreenValidity)
	}
	st := p.Evaluate(new(fb).declare(0).facts, t0.Add(d(60)))
	if st.Color != green || !st.NextEvalAt.IsZero() {
		t.Errorf("green after 60 days: %v, next evaluation %v; want green and none", st.Color, st.NextEvalAt)
	}
	// Every phase has a way out by rule: with no transfers, a phase without
	// exits would never end.
	for _, c := range p.Categories {
		for _, ph := range c.Phases {
			if len(ph.Until) == 0 {
				t.Errorf("%s/%s has no exit, and Lishui ignores the transfers that would end it", c.ID, ph.ID)
			}
		}
	}
}
