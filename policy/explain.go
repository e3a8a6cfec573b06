package policy

import (
	"fmt"
	"strings"
	"time"

	"healthcode"
)

// explain turns the state at now into a status: the colour, what decided
// it, the facts used, what is needed next and when to look again.
func (ev *evaluation) explain(tl *timeline) healthcode.Status {
	st := healthcode.Status{
		Color: tl.color, Since: tl.since, Policy: ev.pack.PolicyName(), EvaluatedAt: ev.now,
	}
	st.NextEvalAt = ev.nextEval(tl)
	switch {
	case tl.color == 0:
		st.Color, st.Since, st.Rule = healthcode.Green, ev.now, ev.rule("no-record")
		st.Reason = healthcode.Text{Zh: "未查询到记录。", En: "No record was found."}
		st.Next = healthcode.Text{Zh: "绿码可通行。", En: "Green: you may pass."}
	case tl.lock >= 0:
		ev.explainLock(&st, &ev.locks[tl.lock])
	case tl.lapsed:
		ev.explainLapse(&st, tl)
	case tl.held >= 0:
		ev.explainBlock(&st, tl)
	case tl.raw > healthcode.Green:
		ev.explainEpisode(&st, ev.decider(tl.raw))
	default:
		ev.explainGreen(&st, tl)
	}
	return st
}

func (ev *evaluation) rule(parts ...string) string {
	return ev.pack.Name + "/" + strings.Join(parts, "/")
}

// decider is the span in force now that explains colour c: the earliest
// category in precedence order, the latest started among equals.
func (ev *evaluation) decider(c healthcode.Color) *span {
	var best *span
	for i := range ev.spans {
		s := &ev.spans[i]
		if s.color != c || !s.activeAt(ev.now) {
			continue
		}
		if best == nil {
			best = s
			continue
		}
		sc, bc := ev.episodes[s.ep].cat, ev.episodes[best.ep].cat
		if sc >= 0 && (bc < 0 || sc < bc || (sc == bc && s.start.After(best.start))) {
			best = s
		}
	}
	return best
}

func (ev *evaluation) explainEpisode(st *healthcode.Status, s *span) {
	ep := &ev.episodes[s.ep]
	phases := ev.phases(ep)
	ph := &phases[s.phase]
	title := healthcode.Text{Zh: "官方流程", En: "Official workflow"} // an official colour
	st.Category = "official-transfer"
	if ep.cat >= 0 {
		c := &ev.pack.Categories[ep.cat]
		title, st.Category = c.Title, c.ID
	}
	st.Phase = ph.ID
	st.Rule = ev.rule(st.Category, ph.ID)
	st.FactIDs = ev.usedFacts(ep, ph, s.start)
	trigger := &ev.facts[ep.fact]
	st.Reason = healthcode.Text{
		Zh: fmt.Sprintf("%s（%s 记录）：%s，自 %s 起。", title.Zh, stamp(trigger.At), ph.Measure.Zh, stamp(s.start)),
		En: fmt.Sprintf("%s (recorded %s): %s since %s.", title.En, stamp(trigger.At), ph.Measure.En, stamp(s.start)),
	}
	st.Needs = ev.needs(ep, ph, s.start)
	st.Next = nextText(st.Needs, phases[s.phase+1:])
}

// usedFacts names the trigger and the facts counted towards the phase's
// exits.
func (ev *evaluation) usedFacts(ep *episode, ph *Phase, start time.Time) []int64 {
	ids := []int64{ev.facts[ep.fact].ID}
	for x := range ph.Until {
		e := &ph.Until[x]
		if e.Tests != nil {
			ids = ev.appendSince(ids, ev.tests, start)
		}
		if e.CheckIns > 0 {
			ids = ev.appendSince(ids, ev.checkIns, start)
		}
	}
	return ids
}

func (ev *evaluation) appendSince(ids []int64, idx []int, start time.Time) []int64 {
	for _, i := range idx {
		if f := &ev.facts[i]; !f.At.Before(start) && !containsID(ids, f.ID) {
			ids = append(ids, f.ID)
		}
	}
	return ids
}

func containsID(ids []int64, id int64) bool {
	for _, v := range ids {
		if v == id {
			return true
		}
	}
	return false
}

// needs lists, as data, what each exit of the phase still asks for.
func (ev *evaluation) needs(ep *episode, ph *Phase, start time.Time) []healthcode.Need {
	if len(ph.Until) == 0 {
		return []healthcode.Need{{Kind: healthcode.NeedTransfer}}
	}
	var ns []healthcode.Need
	for x := range ph.Until {
		e := &ph.Until[x]
		if e.After > 0 {
			from := start
			if e.From == AnchorAnchor {
				from = ep.anchor
			}
			ns = append(ns, healthcode.Need{Alternative: x, Kind: healthcode.NeedWait, Until: from.Add(e.After.D())})
		}
		if r := e.Tests; r != nil {
			ns = append(ns, healthcode.Need{Alternative: x, Kind: healthcode.NeedTests, Have: ev.testsHave(r, start), Want: r.Count,
				MinInterval: r.MinInterval.D().Hours(), Within: r.Within.D().Hours()})
		}
		if e.CheckIns > 0 {
			_, have := ev.checkInStreak(e.CheckIns, start)
			ns = append(ns, healthcode.Need{Alternative: x, Kind: healthcode.NeedCheckIns, Have: have, Want: e.CheckIns})
		}
		if e.Released != "" {
			ns = append(ns, healthcode.Need{Alternative: x, Kind: healthcode.NeedRelease, Setting: string(e.Released)})
		}
		if e.Closed != "" {
			ns = append(ns, healthcode.Need{Alternative: x, Kind: healthcode.NeedClosed, Setting: string(e.Closed)})
		}
	}
	return ns
}

func (ev *evaluation) explainBlock(st *healthcode.Status, tl *timeline) {
	bs := &ev.blocks[tl.held]
	b := &ev.pack.Blocks[bs.block]
	st.Category, st.Rule = "block", ev.rule("block", b.ID)
	st.FactIDs = []int64{ev.facts[bs.fact].ID}
	st.Reason = healthcode.Text{
		Zh: fmt.Sprintf("暂不转码：%s（本可转为%s）。", b.Title.Zh, colorZh(tl.raw)),
		En: fmt.Sprintf("Not transferable for now: %s (the code would otherwise be %s).", b.Title.En, tl.raw),
	}
	st.Needs = []healthcode.Need{{Kind: healthcode.NeedBlock, Until: bs.end, Setting: b.ID}}
	if bs.end.IsZero() {
		st.Next = healthcode.Text{Zh: "待该情形解除后自动转码。", En: "The code changes by itself once this no longer applies."}
	} else {
		st.Next = healthcode.Text{
			Zh: fmt.Sprintf("%s 后自动转码。", stamp(bs.end)),
			En: fmt.Sprintf("The code changes by itself after %s.", stamp(bs.end)),
		}
	}
}

func (ev *evaluation) explainLock(st *healthcode.Status, l *lockSpan) {
	f := &ev.facts[l.fact]
	region := f.ForeignCode.Region
	st.Category, st.Rule = "authority-lock", ev.rule("authority-lock")
	st.FactIDs = []int64{f.ID}
	st.Reason = healthcode.Text{
		Zh: fmt.Sprintf("%s 由赋码地区 %s 赋%s。", stamp(f.At), region, colorZh(l.color)),
		En: fmt.Sprintf("Region %s assigned %s at %s.", region, l.color, stamp(f.At)),
	}
	st.Needs = []healthcode.Need{{Kind: healthcode.NeedRegion, Setting: region}}
	st.Next = healthcode.Text{
		Zh: fmt.Sprintf("只有赋码地区 %s 可以转码，本地无权更改。", region),
		En: fmt.Sprintf("Only region %s, which assigned this colour, can change it; this region has no authority to.", region),
	}
}

func (ev *evaluation) explainLapse(st *healthcode.Status, tl *timeline) {
	lapse := tl.renewed.Add(ev.pack.GreenValidity.Duration.D())
	st.Category, st.Rule = "green-validity", ev.rule("green-validity")
	if tl.renewFact >= 0 {
		st.FactIDs = []int64{ev.facts[tl.renewFact].ID}
	}
	st.Reason = healthcode.Text{
		Zh: fmt.Sprintf("绿码有效期于 %s 截止前无测温健康记录，转为黄码。", stamp(lapse)),
		En: fmt.Sprintf("No temperature record before the green code's validity ended at %s, so it turned yellow.", stamp(lapse)),
	}
	st.Needs = []healthcode.Need{{Kind: healthcode.NeedRecord}}
	st.Next = healthcode.Text{
		Zh: "在卡口测温或健康打卡记录正常体温后恢复绿码。",
		En: "Record a normal temperature at a checkpoint or in the daily check-in to turn green again.",
	}
}

func (ev *evaluation) explainGreen(st *healthcode.Status, tl *timeline) {
	st.Rule = ev.rule("green")
	for i := range ev.episodes { // what ran its course
		if ep := &ev.episodes[i]; ep.phase < 0 && len(st.FactIDs) < 8 {
			st.FactIDs = append(st.FactIDs, ev.facts[ep.fact].ID)
		}
	}
	st.Reason = healthcode.Text{Zh: "未发现需要管控的风险。", En: "No risk that calls for a measure was found."}
	st.Next = healthcode.Text{Zh: "绿码可通行。", En: "Green: you may pass."}
	if v := ev.pack.GreenValidity; v != nil {
		until := tl.renewed.Add(v.Duration.D())
		st.Needs = []healthcode.Need{{Kind: healthcode.NeedRecord, Until: until}}
		st.Next = healthcode.Text{
			Zh: fmt.Sprintf("绿码可通行，有效期至 %s；测温或打卡记录正常体温可延续。", stamp(until)),
			En: fmt.Sprintf("Green: you may pass. Valid until %s; a normal temperature record renews it.", stamp(until)),
		}
	}
}

// nextText says in words what the needs ask for, then what follows.
func nextText(needs []healthcode.Need, then []Phase) healthcode.Text {
	var zh, en []string
	alt := -1
	for _, n := range needs {
		z, e := needText(n)
		if n.Alternative != alt && alt >= 0 {
			z, e = "或"+z, "or "+e
		}
		alt = n.Alternative
		zh, en = append(zh, z), append(en, e)
	}
	for _, ph := range then {
		zh = append(zh, fmt.Sprintf("随后%s：%s", colorZh(ph.Color), ph.Measure.Zh))
		en = append(en, fmt.Sprintf("then %s: %s", ph.Color, ph.Measure.En))
	}
	zh, en = append(zh, "随后转为绿码。"), append(en, "then green.")
	return healthcode.Text{Zh: strings.Join(zh, "；"), En: strings.Join(en, "; ")}
}

func needText(n healthcode.Need) (zh, en string) {
	switch n.Kind {
	case healthcode.NeedWait:
		return fmt.Sprintf("至 %s 期满", stamp(n.Until)), fmt.Sprintf("until %s", stamp(n.Until))
	case healthcode.NeedTests:
		zh = fmt.Sprintf("还需 %d 次核酸检测阴性", n.Want-n.Have)
		en = fmt.Sprintf("%d more negative nucleic-acid tests", n.Want-n.Have)
		if n.MinInterval > 0 {
			zh += fmt.Sprintf("（采样间隔≥%g小时）", n.MinInterval)
			en += fmt.Sprintf(", samples ≥ %g h apart", n.MinInterval)
		}
		if n.Within > 0 {
			zh += fmt.Sprintf("（%g小时内完成）", n.Within)
			en += fmt.Sprintf(", all within %g h", n.Within)
		}
		return zh, en
	case healthcode.NeedCheckIns:
		return fmt.Sprintf("还需连续 %d 天健康打卡正常", n.Want-n.Have),
			fmt.Sprintf("%d more consecutive days of normal check-ins", n.Want-n.Have)
	case healthcode.NeedRelease:
		if n.Setting == string(healthcode.IsolationCentralized) {
			return "隔离点报送解除集中隔离（无需个人申请）", "release from centralized isolation, filed by the isolation point (no application needed)"
		}
		return "社区报送解除居家隔离", "release from home isolation, filed by the community"
	case healthcode.NeedClosed:
		if n.Setting == string(healthcode.OutcomeCured) {
			return "治愈出院", "discharge after cure"
		}
		return "排除诊断", "the diagnosis ruled out"
	case healthcode.NeedTransfer:
		return "经复核或纠错等官方流程转码", "an official transfer (review or error correction)"
	}
	return string(n.Kind), string(n.Kind)
}

func colorZh(c healthcode.Color) string {
	switch c {
	case healthcode.Green:
		return "绿码"
	case healthcode.Yellow:
		return "黄码"
	case healthcode.Red:
		return "红码"
	}
	return "无码"
}

// nextEval is the earliest future instant at which time alone could change
// the status: a wait whose other requirements are met, the end of a
// holding block, or the lapse of green.
func (ev *evaluation) nextEval(tl *timeline) time.Time {
	var next time.Time
	consider := func(t time.Time) {
		if t.After(ev.now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for i := range ev.episodes {
		ep := &ev.episodes[i]
		if ep.phase < 0 {
			continue
		}
		ph := &ev.phases(ep)[ep.phase]
		for x := range ph.Until {
			if at, ok := ev.exitMet(&ph.Until[x], ep, ep.phaseStart); !ok && !at.IsZero() {
				consider(at)
			}
		}
	}
	for i := range ev.blocks {
		if b := &ev.blocks[i]; b.activeAt(ev.now) {
			consider(b.end)
		}
	}
	if v := ev.pack.GreenValidity; v != nil && tl.local == healthcode.Green && !tl.lapsed {
		consider(tl.renewed.Add(v.Duration.D()))
	}
	return next
}

// stamp formats an instant the way a citizen reads it: China time, to the
// minute.
func stamp(t time.Time) string { return t.In(ChinaTime).Format("2006-01-02 15:04") }
