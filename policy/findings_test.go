package policy

import (
	"slices"
	"strings"
	"testing"

	"healthcode"
)

// A colour that follows a release from centralized isolation names the
// release among its facts: the isolation point's list is what moved the
// code, and the status must be traceable to it (SPEC D2, E2).
func TestAPhaseAfterAReleaseNamesTheRelease(t *testing.T) {
	p, err := LoadShipped("transfer-rules-2022")
	if err != nil {
		t.Fatal(err)
	}
	facts := new(fb).declare(0).contact(h(1), healthcode.ContactClose, 0, false).
		isolation(d(3), healthcode.IsolationCentralized, healthcode.IsolationRelease).facts
	contact, release := facts[1].ID, facts[2].ID
	red := p.Evaluate(facts, t0.Add(d(2)))
	yellow := p.Evaluate(facts, t0.Add(d(4)))
	if red.Color != healthcode.Red || slices.Contains(red.FactIDs, release) {
		t.Errorf("before the release: %v, facts %v; want red, not naming the release to come", red.Color, red.FactIDs)
	}
	if yellow.Color != healthcode.Yellow || !slices.Contains(yellow.FactIDs, contact) || !slices.Contains(yellow.FactIDs, release) {
		t.Errorf("after the release: %v (%s), facts %v; want yellow naming the contact %d and the release %d",
			yellow.Color, yellow.Rule, yellow.FactIDs, contact, release)
	}
}

// A false declaration found says, in both languages, why the code is red
// (a false declaration, a credit record, as seeds 001 and 002 put it) and
// what ends it (seed 001: 14 days and check-ins; seed 002: an official
// review), so that the person knows where to look and what to do.
func TestAFalseDeclarationSaysWhyAndWhatToDo(t *testing.T) {
	tests := []struct {
		pack           string
		whyZh, whyEn   string
		nextZh, nextEn string
	}{
		{"zhejiang-hangzhou-2020", "诚信", "credit", "复核", "review"},
		{"zhejiang-lishui-2020", "征信", "credit", "打卡", "check-ins"},
	}
	for _, tt := range tests {
		t.Run(tt.pack, func(t *testing.T) {
			p, err := LoadShipped(tt.pack)
			if err != nil {
				t.Fatal(err)
			}
			st := p.Evaluate(new(fb).declare(0).falseDeclaration(d(1)).facts, t0.Add(d(1)+h(1)))
			if st.Color != healthcode.Red || !strings.Contains(st.Rule, "false-declaration") {
				t.Fatalf("%v by %s, want red by the false declaration", st.Color, st.Rule)
			}
			for _, c := range []struct{ text, want string }{
				{st.Reason.Zh, tt.whyZh}, {st.Reason.En, tt.whyEn}, {st.Next.Zh, tt.nextZh}, {st.Next.En, tt.nextEn},
			} {
				if !strings.Contains(c.text, c.want) {
					t.Errorf("%q does not say %q", c.text, c.want)
				}
			}
		})
	}
}
