package policy

import (
	"strings"
	"sync"

	"healthcode"
)

// ruleTitles are the plain titles of the rules every pack has, by the
// part of the rule id after the pack's name.
var ruleTitles = map[string]healthcode.Text{
	"no-record":         {Zh: "未查询到风险记录", En: "No risk on record"},
	"green":             {Zh: "符合绿码条件", En: "Meets the conditions for green"},
	"green-validity":    {Zh: "绿码有效期内没有测温记录", En: "No temperature record while the green code was valid"},
	"authority-lock":    {Zh: "由赋码地区赋码", En: "Colour given by the region that issued it"},
	"official-transfer": {Zh: "官方流程转码", En: "Changed by an official workflow"},
}

// byTheRules is the title of a rule no pack knows any more: a version
// since replaced dropped it.
var byTheRules = healthcode.Text{Zh: "按当时的规则", En: "By the rules then in force"}

// RuleTitle is a rule id this pack gave (a status's Rule, e.g.
// zhejiang-hangzhou-2020/declared-contact/isolation) in plain words, as a
// person reads it in their history: the category's title and the phase's
// measure, the block's title, or what the built-in rules mean. It reports
// false for a rule the pack does not know.
func (p *Pack) RuleTitle(rule string) (healthcode.Text, bool) {
	rest, ok := strings.CutPrefix(rule, p.Name+"/")
	if !ok {
		return healthcode.Text{}, false
	}
	head, tail, _ := strings.Cut(rest, "/")
	if t, ok := ruleTitles[head]; ok {
		return t, true
	}
	if head == "block" {
		for _, b := range p.Blocks {
			if b.ID == tail {
				return healthcode.Text{Zh: "暂不转码：" + b.Title.Zh, En: "Not transferable for now: " + b.Title.En}, true
			}
		}
		return healthcode.Text{}, false
	}
	for _, c := range p.Categories {
		if c.ID != head {
			continue
		}
		for _, ph := range c.Phases {
			if ph.ID == tail {
				return healthcode.Text{Zh: c.Title.Zh + "：" + ph.Measure.Zh, En: c.Title.En + ": " + ph.Measure.En}, true
			}
		}
		return c.Title, true
	}
	return healthcode.Text{}, false
}

// Title is a rule id in plain words: by the pack the region uses now, else
// by the shipped pack the id names (the person moved, or the region's pack
// changed), else a sentence saying it was the rules of the time.
func Title(c Chooser, region, rule string) healthcode.Text {
	if p, ok := c.For(region).(interface {
		RuleTitle(string) (healthcode.Text, bool)
	}); ok {
		if t, ok := p.RuleTitle(rule); ok {
			return t
		}
	}
	name, _, _ := strings.Cut(rule, "/")
	if p := shippedPacks()[name]; p != nil {
		if t, ok := p.RuleTitle(rule); ok {
			return t
		}
	}
	return byTheRules
}

// shippedPacks are the built-in packs by name, parsed once: the embedded
// files never change.
var shippedPacks = sync.OnceValue(func() map[string]*Pack {
	ps := map[string]*Pack{}
	for _, name := range Shipped() {
		if p, err := LoadShipped(name); err == nil {
			ps[name] = p
		}
	}
	return ps
})
