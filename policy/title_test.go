package policy

import (
	"testing"

	"healthcode"
)

func TestRulesReadAsPlainWords(t *testing.T) {
	hz, err := LoadShipped("zhejiang-hangzhou-2020")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		region, rule string
		want         healthcode.Text
	}{
		{"330106", "zhejiang-hangzhou-2020/declared-contact/isolation",
			healthcode.Text{Zh: "申报接触确诊或疑似病例：14天集中或居家隔离",
				En: "Declared contact with confirmed or suspected cases: 14 days of centralized or home isolation"}},
		{"330106", "zhejiang-hangzhou-2020/green", ruleTitles["green"]},
		{"330106", "zhejiang-hangzhou-2020/no-record", ruleTitles["no-record"]},
		{"330106", "zhejiang-hangzhou-2020/official-transfer/red", ruleTitles["official-transfer"]},
		{"330106", "zhejiang-hangzhou-2020/declared-contact/gone", healthcode.Text{Zh: "申报接触确诊或疑似病例",
			En: "Declared contact with confirmed or suspected cases"}},
		// Another pack's rule, by the shipped pack it names.
		{"330106", "hubei-2020/green-validity", ruleTitles["green-validity"]},
		{"330106", "nosuch-pack/case/isolation", byTheRules},
		{"330106", "zhejiang-hangzhou-2020/nosuch/x", byTheRules},
	}
	for _, tt := range tests {
		if got := Title(Single{hz}, tt.region, tt.rule); got != tt.want {
			t.Errorf("Title(%s) = %+v, want %+v", tt.rule, got, tt.want)
		}
	}
}

// TestEveryShippedRuleHasATitle: every rule a shipped pack can give reads
// as words in both languages.
func TestEveryShippedRuleHasATitle(t *testing.T) {
	for _, name := range Shipped() {
		p, err := LoadShipped(name)
		if err != nil {
			t.Fatal(err)
		}
		rules := []string{"green", "no-record", "green-validity", "authority-lock", "official-transfer/red"}
		for _, c := range p.Categories {
			for _, ph := range c.Phases {
				rules = append(rules, c.ID+"/"+ph.ID)
			}
		}
		for _, b := range p.Blocks {
			rules = append(rules, "block/"+b.ID)
		}
		for _, r := range rules {
			got, ok := p.RuleTitle(name + "/" + r)
			if !ok || got.Zh == "" || got.En == "" {
				t.Errorf("%s/%s reads %+v, %v", name, r, got, ok)
			}
		}
	}
}
