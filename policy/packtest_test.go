package policy

import (
	"strings"
	"testing"
	"time"
)

// TestShippedPacksPassTheirTests runs the test file shipped beside every
// pack, as `healthcode policy test NAME` does.
func TestShippedPacksPassTheirTests(t *testing.T) {
	for _, name := range Shipped() {
		t.Run(name, func(t *testing.T) {
			p, err := LoadShipped(name)
			if err != nil {
				t.Fatal(err)
			}
			tf, err := LoadShippedTests(p)
			if err != nil {
				t.Fatal(err)
			}
			outcomes := tf.Run(p)
			checked := 0
			for _, o := range outcomes {
				checked += o.Checked
				for _, f := range o.Failures {
					t.Errorf("%s:%d: %s: %s", tf.File, f.Line, o.Name, f.Text)
				}
			}
			if len(outcomes) < 5 {
				t.Errorf("%d tests: a shipped pack's test file should cover its seed's main timelines", len(outcomes))
			}
			t.Logf("%d tests, %d expectations", len(outcomes), checked)
		})
	}
}

func TestShippedListsPacksNotTheirTests(t *testing.T) {
	for _, name := range Shipped() {
		if strings.HasSuffix(name, ".test") {
			t.Errorf("Shipped lists %q, a test file", name)
		}
	}
}

// TestABrokenExpectationFails: a test that expects what the pack does not
// say fails, and says what it expected and what it got, by colour, rule,
// since and needs.
func TestABrokenExpectationFails(t *testing.T) {
	p, err := LoadShipped("zhejiang-hangzhou-2020")
	if err != nil {
		t.Fatal(err)
	}
	const file = `
tests:
  - name: contact
    facts:
      - {kind: declaration, at: "2026-03-01 10:00", contact_cases: true}
      - {kind: checkin, at: "2026-03-02 08:00", celsius: 36.5, repeat: {count: 14, every: 1d}}
    expect:
      - {at: "2026-03-05 09:00", color: yellow, rule: declared-symptoms/isolation}
      - {at: "2026-03-05 09:00", color: red, rule: green}
      - {at: "2026-03-05 09:00", color: red, since: "2026-03-02 10:00"}
      - {at: "2026-03-05 09:00", color: red, needs: [{kind: checkins, have: 5}]}
      - {at: "2026-03-15 10:00", color: green}
`
	tf, err := ParseTests("t.yaml", []byte(file), p)
	if err != nil {
		t.Fatal(err)
	}
	outcomes := tf.Run(p)
	if len(outcomes) != 1 || outcomes[0].Passed() || outcomes[0].Checked != 5 {
		t.Fatalf("outcomes = %+v, want one failed test of 5 expectations", outcomes)
	}
	want := []struct {
		line int
		text string
	}{
		{8, "at 2026-03-05 09:00: expected yellow by rule declared-symptoms/isolation, got red by rule declared-contact/isolation ("},
		{9, "at 2026-03-05 09:00: expected red by rule green, got red by rule declared-contact/isolation ("},
		{10, "at 2026-03-05 09:00: expected red since 2026-03-02 10:00, got since 2026-03-01 10:00"},
		{11, "at 2026-03-05 09:00: expected needs [{kind: checkins, have: 5}], got [{alternative: 0, kind: wait, until: \"2026-03-15 10:00\"}, {alternative: 0, kind: checkins, have: 4, want: 14}]"},
	}
	got := outcomes[0].Failures
	if len(got) != len(want) {
		t.Fatalf("failures = %+v, want %d", got, len(want))
	}
	for i, w := range want {
		if got[i].Line != w.line || !strings.HasPrefix(got[i].Text, w.text) {
			t.Errorf("failure %d = line %d %q, want line %d %q…", i, got[i].Line, got[i].Text, w.line, w.text)
		}
	}
	if got := tf.Run(p, "no such test"); len(got) != 0 {
		t.Errorf("running a test that is not in the file: %+v", got)
	}
}

// TestBadTestFilesNameEveryProblem: a test file is checked whole, each
// problem with its line and path, before anything runs.
func TestBadTestFilesNameEveryProblem(t *testing.T) {
	p, err := LoadShipped("zhejiang-hangzhou-2020")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, file string
		want       []string
	}{
		{"empty", "", []string{"t.yaml: the file is empty"}},
		{"not a mapping", "- a\n", []string{"t.yaml:1: a test file must be a mapping"}},
		{"no tests", "region: \"330100\"\n", []string{"t.yaml: tests: a test file needs at least one test"}},
		{"unknown key and bad values", `tests:
  - name: x
    colour: red
    expect:
      - {at: "March", color: blue}
`, []string{
			`t.yaml:3: tests[0]: unknown field "colour" (known fields: name, seed, region, facts, expect)`,
			`t.yaml:5: tests[0].expect[0].at: "March" is not a time`,
			`t.yaml:5: tests[0].expect[0].color: must be green, yellow or red, got "blue"`,
		}},
		{"facts", `tests:
  - name: x
    facts:
      - {kind: checkins, at: "2026-03-01"}
      - {kind: test, at: "2026-03-01", result: positve, sampled: 3}
      - {kind: checkin}
      - {kind: contact, at: "2026-03-01", type: close, colour: red}
      - {kind: checkin, at: "2026-03-01", date: "2026-03-01", repeat: {count: 2, every: 1d}}
      - {kind: checkin, at: "2026-03-01", repeat: {count: 2, every: 1.5d}}
      - {kind: vaccination, at: "2026-03-01", dose: first}
    expect:
      - {at: "2026-03-01 10:00", color: green}
  - name: x
    expect: []
`, []string{
			`t.yaml:4: tests[0].facts[0].kind: "checkins" is not a fact kind: one of declaration, temperature, checkin,`,
			`t.yaml:5: tests[0].facts[1].sampled: must be a time such as 2026-03-01 10:00 (China time), got 3`,
			`t.yaml:5: tests[0].facts[1].result: "positve" is not one of negative, positive`,
			`t.yaml:6: tests[0].facts[2].at: is required`,
			`t.yaml:7: tests[0].facts[3].colour: unknown field of a contact fact (its fields: kind, at, source, source_ref, repeat, type, exposure, confined)`,
			`t.yaml:8: tests[0].facts[4].date: leave it out with repeat`,
			`t.yaml:9: tests[0].facts[5].repeat: every: must be a duration`,
			`t.yaml:10: tests[0].facts[6].dose: must be a whole number, got "first"`,
			`t.yaml:13: tests[1].name: "x" is also the name of the test at line 2`,
			`t.yaml:13: tests[1].expect: is required`,
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTests("t.yaml", []byte(tt.file), p)
			if err == nil {
				t.Fatal("no error")
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.want) {
				t.Fatalf("%d problems, want %d:\n%v", len(lines), len(tt.want), err)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(lines[i], w) {
					t.Errorf("problem %d = %q, want %q…", i, lines[i], w)
				}
			}
		})
	}
}

// TestUnquotedTimesAreChinaTime: YAML reads an unquoted 2026-03-01 10:00:00
// as UTC; a test file reads it as China time, as it does quoted.
func TestUnquotedTimesAreChinaTime(t *testing.T) {
	p, err := LoadShipped("zhejiang-hangzhou-2020")
	if err != nil {
		t.Fatal(err)
	}
	const file = `
tests:
  - name: unquoted
    facts:
      - &contact {kind: declaration, at: 2026-03-01 10:00:00, contact_cases: true}
      - {kind: checkin, at: 2026-03-02, celsius: 36.5}
    expect:
      - {at: 2026-03-01 10:00:00, color: red, since: 2026-03-01 10:00:00}
`
	tf, err := ParseTests("t.yaml", []byte(file), p)
	if err != nil {
		t.Fatal(err)
	}
	facts := tf.Tests[0].facts
	if want := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC); !facts[0].At.Equal(want) {
		t.Errorf("unquoted at = %v, want %v", facts[0].At.UTC(), want)
	}
	if got := facts[1].CheckIn.Date; got != "2026-03-02" {
		t.Errorf("check-in date = %s, want 2026-03-02", got)
	}
	for _, o := range tf.Run(p) {
		if !o.Passed() {
			t.Errorf("%s: %v", o.Name, o.Failures)
		}
	}
}
