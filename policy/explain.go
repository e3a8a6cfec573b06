package policy

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"healthcode"
	"healthcode/internal/division"
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
	st.NextEvalAt = waitsEnd(st.Needs, st.NextEvalAt)
	return st
}

// waitsEnd is next, or the end of a wait the needs list if sooner: the
// needs change then, as the wait is over and no longer listed, even when
// the colour does not.
func waitsEnd(needs []healthcode.Need, next time.Time) time.Time {
	for _, n := range needs {
		if n.Kind == healthcode.NeedWait && (next.IsZero() || n.Until.Before(next)) {
			next = n.Until
		}
	}
	return next
}

// inChina writes an instant a need names in China time, the one offset
// every time a citizen reads is given in; zero stays zero.
func inChina(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.In(ChinaTime)
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
	if t := ev.facts[ep.fact].Transfer; ep.cat < 0 && t != nil {
		title = transferText(t)
	}
	if ep.cat >= 0 {
		c := &ev.pack.Categories[ep.cat]
		title, st.Category = c.Title, c.ID
	}
	st.Phase = ph.ID
	st.Rule = ev.rule(st.Category, ph.ID)
	st.FactIDs = ev.usedFacts(ep, ph, s.start)
	if s.phase > 0 {
		st.FactIDs = ev.appendRelease(st.FactIDs, &phases[s.phase-1], s)
	}
	recorded, since := stamp(ev.facts[ep.fact].At), stamp(s.start)
	st.Reason = healthcode.Text{
		// Concatenation, not fmt: this runs for every person the scheduler
		// visits, and one concatenation is one allocation.
		Zh: title.Zh + "（" + recorded + " 记录）：" + ph.Measure.Zh + "，自 " + since + " 起。",
		En: title.En + " (recorded " + recorded + "): " + ph.Measure.En + " since " + since + ".",
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

// appendRelease names the release that ended the previous phase of s's
// episode, when one of its exits is a release and one came while it
// lasted: the isolation point's word (a release list) is then among the
// data the colour is traced to (SPEC E2), not only the case or contact
// behind it.
func (ev *evaluation) appendRelease(ids []int64, prev *Phase, s *span) []int64 {
	from := s.start
	for i := range ev.spans {
		if p := &ev.spans[i]; p.ep == s.ep && p.phase == s.phase-1 && p.end.Equal(s.start) {
			from = p.start
		}
	}
	for x := range prev.Until {
		setting := prev.Until[x].Released
		if setting == "" {
			continue
		}
		for _, i := range ev.isolations {
			f := &ev.facts[i]
			if f.Isolation.Event == healthcode.IsolationRelease && f.Isolation.Setting == setting &&
				!f.At.Before(from) && !f.At.After(s.start) {
				if !containsID(ids, f.ID) {
					ids = append(ids, f.ID)
				}
				break
			}
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

// needs lists, as data, what each exit of the phase still asks for: a
// wait already over is met, so it is not listed.
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
			if until := from.Add(e.After.D()); until.After(ev.now) {
				ns = append(ns, healthcode.Need{Alternative: x, Kind: healthcode.NeedWait, Until: inChina(until)})
			}
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
	st.Needs = []healthcode.Need{{Kind: healthcode.NeedBlock, Until: inChina(bs.end), Setting: b.ID}}
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
	// People read the region by name (湖北省武汉市), never as 420100.
	zh, en := division.Path(region, "zh"), division.Path(region, "en")
	st.Category, st.Rule = "authority-lock", ev.rule("authority-lock")
	st.FactIDs = []int64{f.ID}
	st.Reason = healthcode.Text{
		Zh: fmt.Sprintf("%s 由赋码地区 %s 赋%s。", stamp(f.At), zh, colorZh(l.color)),
		En: fmt.Sprintf("Region %s assigned %s at %s.", en, l.color, stamp(f.At)),
	}
	st.Needs = []healthcode.Need{{Kind: healthcode.NeedRegion, Setting: region}}
	st.Next = healthcode.Text{
		Zh: fmt.Sprintf("只有赋码地区 %s 可以转码，本地无权更改。", zh),
		En: fmt.Sprintf("Only region %s, which assigned this colour, can change it; this region has no authority to.", en),
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
	// Green rests on the application in force: its newest declaration,
	// which is also what a re-application or modification that turned the
	// code green came with.
	if ev.declared >= 0 {
		st.FactIDs = append(st.FactIDs, ev.facts[ev.declared].ID)
	}
	for i := range ev.episodes { // what ran its course
		if ep := &ev.episodes[i]; ep.phase < 0 && len(st.FactIDs) < 8 && !containsID(st.FactIDs, ev.facts[ep.fact].ID) {
			st.FactIDs = append(st.FactIDs, ev.facts[ep.fact].ID)
		}
	}
	st.Reason = healthcode.Text{Zh: "未发现需要管控的风险。", En: "No risk that calls for a measure was found."}
	if i := ev.greenTransfer(); i >= 0 {
		ev.explainTransferGreen(st, i)
	}
	st.Next = healthcode.Text{Zh: "绿码可通行。", En: "Green: you may pass."}
	if v := ev.pack.GreenValidity; v != nil {
		until := tl.renewed.Add(v.Duration.D())
		st.Needs = []healthcode.Need{{Kind: healthcode.NeedRecord, Until: inChina(until)}}
		u := stamp(until)
		st.Next = healthcode.Text{
			Zh: "绿码可通行，有效期至 " + u + "；测温或打卡记录正常体温可延续。",
			En: "Green: you may pass. Valid until " + u + "; a normal temperature record renews it.",
		}
	}
}

// nextText says in words what the needs ask for, then what follows.
func nextText(needs []healthcode.Need, then []Phase) healthcode.Text {
	var zh, en strings.Builder
	zh.Grow(256)
	en.Grow(256)
	alt := -1
	for i, n := range needs {
		if i > 0 {
			zh.WriteString("；")
			en.WriteString("; ")
		}
		if n.Alternative != alt && alt >= 0 {
			zh.WriteString("或")
			en.WriteString("or ")
		}
		alt = n.Alternative
		writeNeed(&zh, &en, n)
	}
	for _, ph := range then {
		zh.WriteString("；随后")
		zh.WriteString(colorZh(ph.Color))
		zh.WriteString("：")
		zh.WriteString(ph.Measure.Zh)
		en.WriteString("; then ")
		en.WriteString(ph.Color.String())
		en.WriteString(": ")
		en.WriteString(ph.Measure.En)
	}
	zh.WriteString("；随后转为绿码。")
	en.WriteString("; then green.")
	return healthcode.Text{Zh: zh.String(), En: en.String()}
}

// writeNeed says one need in both languages.
func writeNeed(zh, en *strings.Builder, n healthcode.Need) {
	left := strconv.Itoa(n.Want - n.Have)
	switch n.Kind {
	case healthcode.NeedWait:
		u := stamp(n.Until)
		zh.WriteString("至 " + u + " 期满")
		en.WriteString("until " + u)
	case healthcode.NeedTests:
		zh.WriteString("还需 " + left + " 次核酸检测阴性")
		en.WriteString(left + " more negative nucleic-acid tests")
		if n.MinInterval > 0 {
			h := hours(n.MinInterval)
			zh.WriteString("（采样间隔≥" + h + "小时）")
			en.WriteString(", samples ≥ " + h + " h apart")
		}
		if n.Within > 0 {
			h := hours(n.Within)
			zh.WriteString("（" + h + "小时内完成）")
			en.WriteString(", all within " + h + " h")
		}
	case healthcode.NeedCheckIns:
		zh.WriteString("还需连续 " + left + " 天健康打卡正常")
		en.WriteString(left + " more consecutive days of normal check-ins")
	case healthcode.NeedRelease:
		if n.Setting == string(healthcode.IsolationCentralized) {
			zh.WriteString("隔离点报送解除集中隔离（无需个人申请）")
			en.WriteString("release from centralized isolation, filed by the isolation point (no application needed)")
		} else {
			zh.WriteString("社区报送解除居家隔离")
			en.WriteString("release from home isolation, filed by the community")
		}
	case healthcode.NeedClosed:
		if n.Setting == string(healthcode.OutcomeCured) {
			zh.WriteString("治愈出院")
			en.WriteString("discharge after cure")
		} else {
			zh.WriteString("排除诊断")
			en.WriteString("the diagnosis ruled out")
		}
	case healthcode.NeedTransfer:
		zh.WriteString("经复核或纠错等官方流程转码")
		en.WriteString("an official transfer (review or error correction)")
	default:
		zh.WriteString(string(n.Kind))
		en.WriteString(string(n.Kind))
	}
}

func hours(h float64) string { return strconv.FormatFloat(h, 'g', -1, 64) }

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
// minute, "2006-01-02 15:04" — by hand, as it runs for every status.
func stamp(t time.Time) string {
	t = t.In(ChinaTime)
	y, mo, d := t.Date()
	h, mi, _ := t.Clock()
	var b [16]byte
	put := func(i, v, width int) {
		for k := i + width - 1; k >= i; k-- {
			b[k] = byte('0' + v%10)
			v /= 10
		}
	}
	put(0, y, 4)
	b[4] = '-'
	put(5, int(mo), 2)
	b[7] = '-'
	put(8, d, 2)
	b[10] = ' '
	put(11, h, 2)
	b[13] = ':'
	put(14, mi, 2)
	return string(b[:])
}
