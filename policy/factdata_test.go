package policy

import (
	"os"
	"strings"
	"testing"
	"time"

	"healthcode"
)

// TestFactsAsData: each key of a fact written as data lands in its field;
// repeat moves every time of the copies along; a check-in's date and a
// declaration's region are filled in.
func TestFactsAsData(t *testing.T) {
	china := func(s string) time.Time {
		tm, err := ParseTime(s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	facts, problems := DecodeFacts([]map[string]any{
		{"kind": "declaration", "at": "2026-03-01 10:00", "fever": true},
		{"kind": "test", "at": "2026-03-02T15:00:00+08:00", "sampled": "2026-03-02 09:00", "result": "negative",
			"repeat": map[string]any{"count": 2.0, "every": "1d"}},
		{"kind": "checkin", "at": "2026-03-03 23:30", "celsius": 36.5},
		{"kind": "transfer", "at": "2026-03-04", "to": "green", "workflow": "review"},
	}, "330100")
	if problems != nil {
		t.Fatal(problems.Err())
	}
	if len(facts) != 5 {
		t.Fatalf("%d facts, want 5", len(facts))
	}
	for i, f := range facts {
		if f.ID != int64(i+1) || !f.RecordedAt.Equal(f.At) {
			t.Errorf("fact %d: id %d, recorded %v at %v; want ids from 1, recorded when they happened", i, f.ID, f.RecordedAt, f.At)
		}
	}
	if d := facts[0].Declaration; d == nil || !d.Fever || d.Region != "330100" {
		t.Errorf("declaration = %+v, want fever in the timeline's region", d)
	}
	if second := facts[2]; !second.At.Equal(china("2026-03-03 15:00")) || !second.Test.Sampled.Equal(china("2026-03-03 09:00")) {
		t.Errorf("the repeated test: at %v sampled %v, want a day after the first's", second.At, second.Test.Sampled)
	}
	if c := facts[3].CheckIn; c == nil || c.Date != "2026-03-03" || c.Celsius != 36.5 {
		t.Errorf("check-in = %+v, want the China-time date of its at", c)
	}
	if tr := facts[4].Transfer; tr == nil || tr.To != healthcode.Green || !facts[4].At.Equal(china("2026-03-04 00:00")) {
		t.Errorf("transfer = %+v at %v, want green at midnight China time", tr, facts[4].At)
	}
	_, problems = DecodeFacts([]map[string]any{{"kind": "checkin", "at": "2026-03-01", "repeat": map[string]any{"count": 20000.0, "every": "1m"}}}, "330100")
	if len(problems) == 0 || problems[0].Field != "facts[0].repeat" {
		t.Errorf("a repeat of 20000: %v, want it refused at facts[0].repeat", problems)
	}
}

func TestParseTimeReadsChinaTime(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"2026-03-01T10:00:00+08:00", "2026-03-01T02:00:00Z"},
		{"2026-03-01T02:00:00Z", "2026-03-01T02:00:00Z"},
		{"2026-03-01 10:00", "2026-03-01T02:00:00Z"},
		{"2026-03-01 10:00:30", "2026-03-01T02:00:30Z"},
		{"2026-03-01T10:00", "2026-03-01T02:00:00Z"},
		{"2026-03-01", "2026-02-28T16:00:00Z"},
	} {
		got, err := ParseTime(tt.in)
		if err != nil || got.UTC().Format(time.RFC3339) != tt.want {
			t.Errorf("ParseTime(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "March 1", "2026-13-01", "10:00"} {
		if _, err := ParseTime(bad); err == nil {
			t.Errorf("ParseTime(%q): no error", bad)
		}
	}
	if got := FormatChina(time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)); got != "2026-03-01 10:00" {
		t.Errorf("FormatChina = %q", got)
	}
}

// TestTheDocsListEveryFactField keeps the table of docs/policy-packs.md
// the fields the decoder reads.
func TestTheDocsListEveryFactField(t *testing.T) {
	doc, err := os.ReadFile("../docs/policy-packs.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(doc), "\n") {
		if cells := strings.Split(line, " | "); len(cells) == 2 && strings.HasPrefix(cells[0], "| `") {
			rows[strings.Trim(cells[0], "| `")] = cells[1]
		}
	}
	for _, k := range healthcode.FactKinds {
		row, ok := rows[string(k)]
		if !ok {
			t.Errorf("docs/policy-packs.md: no row for %s facts", k)
			continue
		}
		for _, f := range payloadFields[k] {
			if !strings.Contains(row, "`"+f.name+"`") {
				t.Errorf("docs/policy-packs.md: the %s row lacks `%s`", k, f.name)
			}
		}
	}
}
