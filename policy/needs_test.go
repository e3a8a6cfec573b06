package policy

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"healthcode"
)

// The needs of a status are what a citizen reads as "what is needed next":
// their times are in China time whatever the zone of the facts (UTC here),
// and a wait already over is not listed as still needed.
func TestNeedsAreInChinaTimeAndLeaveOutWaitsThatAreOver(t *testing.T) {
	// A close contact (seed 003 §2): red until 14 days from the exposure
	// with two negative results, or a release. One negative so far.
	facts := new(fb).declare(0).contact(d(2), healthcode.ContactClose, d(1), false).negatives(5).facts
	waitEnds := t0.Add(d(15))
	tests := []struct {
		name     string
		at       time.Duration
		wantWait bool
	}{
		{"during the 14 days", d(10), true},
		{"a minute before the 14 days end", d(15) - time.Minute, true},
		{"the 14 days are over, a test is missing", d(16), false},
	}
	p := mustShipped(t, "transfer-rules-2022")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := p.Evaluate(facts, t0.Add(tt.at))
			if st.Color != red || st.Rule != "transfer-rules-2022/close-contact/centralized" {
				t.Fatalf("%v by %s, want red by the close-contact rule", st.Color, st.Rule)
			}
			var kinds []healthcode.NeedKind
			for _, n := range st.Needs {
				kinds = append(kinds, n.Kind)
				if n.Kind == healthcode.NeedWait && !n.Until.Equal(waitEnds) {
					t.Errorf("wait until %v, want %v", n.Until, waitEnds)
				}
			}
			want := []healthcode.NeedKind{healthcode.NeedTests, healthcode.NeedRelease}
			if tt.wantWait {
				want = append([]healthcode.NeedKind{healthcode.NeedWait}, want...)
			}
			if !equalKinds(kinds, want) {
				t.Errorf("needs %v, want %v", kinds, want)
			}
			if mentions := strings.Contains(st.Next.En, "until "+stamp(waitEnds)); mentions != tt.wantWait {
				t.Errorf("next %q: mentions the wait %v, want %v", st.Next.En, mentions, tt.wantWait)
			}
			checkChinaTime(t, st.Needs)
		})
	}
}

// A listed wait ends at a known instant: the status is due then, so that
// it stops listing it, though the colour stays.
func TestAStatusIsDueWhenAListedWaitEnds(t *testing.T) {
	facts := new(fb).declare(0).contact(d(2), healthcode.ContactClose, d(1), false).facts
	st := mustShipped(t, "transfer-rules-2022").Evaluate(facts, t0.Add(d(10)))
	if want := t0.Add(d(15)); !st.NextEvalAt.Equal(want) {
		t.Errorf("next evaluation %v, want the end of the wait %v", st.NextEvalAt, want)
	}
}

// Every need that names a time, of every kind, names it in China time.
func TestEveryNeedTimeIsInChinaTime(t *testing.T) {
	tests := []struct {
		pack  string
		facts *fb
		at    time.Duration
		kind  healthcode.NeedKind
	}{
		{"zhejiang-shaoxing-2020", new(fb).declare(0, "contact"), d(1), healthcode.NeedWait},
		{"hubei-2020", new(fb).declare(0).temperature(h(1), 36.5), h(2), healthcode.NeedRecord},
		{"transfer-rules-2022", new(fb).declare(0).contact(d(1), healthcode.ContactCompanion, d(1), false).
			declare(d(2), "fever").negatives(3, 4, 5), d(6), healthcode.NeedBlock},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			st := mustShipped(t, tt.pack).Evaluate(tt.facts.facts, t0.Add(tt.at))
			if len(st.Needs) == 0 || st.Needs[0].Kind != tt.kind || st.Needs[0].Until.IsZero() {
				t.Fatalf("needs %+v (%s), want a %s with a time", st.Needs, st.Rule, tt.kind)
			}
			checkChinaTime(t, st.Needs)
		})
	}
}

func checkChinaTime(t *testing.T, needs []healthcode.Need) {
	t.Helper()
	b, err := json.Marshal(needs)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range needs {
		if _, off := n.Until.Zone(); !n.Until.IsZero() && off != 8*60*60 {
			t.Errorf("need %s until %v: offset %ds, want China time", n.Kind, n.Until, off)
		}
	}
	if strings.Contains(string(b), "Z\"") {
		t.Errorf("needs written with another offset: %s", b)
	}
}

func equalKinds(a, b []healthcode.NeedKind) bool {
	return strings.Join(stringsOf(a...), ",") == strings.Join(stringsOf(b...), ",")
}

func mustShipped(t *testing.T, name string) *Pack {
	t.Helper()
	p, err := LoadShipped(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// An authority lock names the region that holds it as people read it,
// never as a bare code; the need keeps the code for machines.
func TestAnAuthorityLockNamesItsRegion(t *testing.T) {
	facts := new(fb).declare(0).foreign(d(1), "420100", healthcode.Yellow, false).facts
	st := mustShipped(t, "transfer-rules-2022").Evaluate(facts, t0.Add(d(2)))
	for text, name := range map[string]string{st.Reason.Zh: "湖北省武汉市", st.Next.Zh: "湖北省武汉市",
		st.Reason.En: "Wuhan, Hubei", st.Next.En: "Wuhan, Hubei"} {
		if !strings.Contains(text, name) || strings.Contains(text, "420100") {
			t.Errorf("%q: want the region by name, %s", text, name)
		}
	}
	if len(st.Needs) != 1 || st.Needs[0].Setting != "420100" {
		t.Errorf("needs %+v, want the region's code", st.Needs)
	}
}
