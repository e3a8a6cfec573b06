package policy

import "healthcode"

// workflowTitles name the officials' workflows a transfer comes from.
var workflowTitles = map[string]healthcode.Text{
	string(healthcode.WorkflowAppeal):          {Zh: "复核", En: "Appeal"},
	string(healthcode.WorkflowHomeRelease):     {Zh: "解除居家隔离", En: "Release from home isolation"},
	string(healthcode.WorkflowErrorCorrection): {Zh: "纠错", En: "Error correction"},
}

// officerTitles name officials by role, never by name (SPEC E2: a
// decision is traceable to its author's office).
var officerTitles = map[healthcode.Role]healthcode.Text{
	healthcode.RoleCommunity: {Zh: "社区", En: "a community officer"},
	healthcode.RoleStreet:    {Zh: "街道", En: "a street officer"},
	healthcode.RoleDistrict:  {Zh: "区县", En: "a district officer"},
	healthcode.RoleIsolation: {Zh: "隔离点", En: "an isolation-point officer"},
}

// transferText says which workflow made a transfer and the offices of the
// two officials behind it: "复核：区县审核、区县复核批准", "Appeal: decided
// by a district officer, approved by a second district officer".
func transferText(t *healthcode.TransferFact) healthcode.Text {
	title, ok := workflowTitles[t.Workflow]
	if !ok {
		title = healthcode.Text{Zh: "官方流程", En: "Official workflow"}
	}
	by, okBy := officerTitles[t.ProposedBy]
	ap, okAp := officerTitles[t.ApprovedBy]
	if !okBy || !okAp {
		return title
	}
	second := ap.En
	if t.ApprovedBy == t.ProposedBy {
		second = "a second " + ap.En[len("a "):]
	}
	return healthcode.Text{
		Zh: title.Zh + "：" + by.Zh + "审核、" + ap.Zh + "复核批准",
		En: title.En + ": decided by " + by.En + ", approved by " + second,
	}
}

// greenTransfer is the index of the official transfer to green that ended
// what coloured the person last, the green resting on it; -1 for none.
func (ev *evaluation) greenTransfer() int {
	for k := len(ev.transfers) - 1; k >= 0; k-- {
		f := &ev.facts[ev.transfers[k]]
		if f.Transfer.To != healthcode.Green || f.At.After(ev.now) {
			continue
		}
		for i := range ev.episodes {
			if ep := &ev.episodes[i]; ep.phase < 0 && ep.end.Equal(f.At) {
				return ev.transfers[k]
			}
		}
		return -1
	}
	return -1
}

// explainTransferGreen is the reason of a green an official transfer gave.
func (ev *evaluation) explainTransferGreen(st *healthcode.Status, i int) {
	f := &ev.facts[i]
	if !containsID(st.FactIDs, f.ID) {
		st.FactIDs = append([]int64{f.ID}, st.FactIDs...)
	}
	text, at := transferText(f.Transfer), stamp(f.At)
	st.Reason = healthcode.Text{
		Zh: text.Zh + "，" + at + " 转为绿码。",
		En: text.En + "; green since " + at + ".",
	}
}
