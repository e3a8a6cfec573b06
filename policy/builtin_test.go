package policy

import (
	"slices"
	"testing"
	"time"

	"healthcode"
)

var bt0 = time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC) // 10:00 China time

const oneDay = 24 * time.Hour

func declared(id int64, at time.Time, d healthcode.Declaration, reapply bool) healthcode.Fact {
	d.Commitment = true
	return healthcode.Fact{ID: id, Kind: healthcode.FactDeclaration, At: at,
		Declaration: &healthcode.DeclarationFact{Declaration: d, Region: "330106", Reapply: reapply}}
}

func measured(id int64, at time.Time, celsius float64) healthcode.Fact {
	return healthcode.Fact{ID: id, Kind: healthcode.FactTemperature, At: at,
		Temperature: &healthcode.TemperatureFact{Celsius: celsius, Checkpoint: "gate"}}
}

func TestBuiltinColours(t *testing.T) {
	tests := []struct {
		name     string
		facts    []healthcode.Fact
		at       time.Time
		color    healthcode.Color
		rule     string
		since    time.Time
		nextEval time.Time
		factIDs  []int64
	}{
		{"clean declaration is green", []healthcode.Fact{declared(1, bt0, healthcode.Declaration{LeftRegion14d: true}, false)},
			bt0, healthcode.Green, RuleNoRisk, bt0, time.Time{}, []int64{1}},
		{"declared contact is red for 14 days", []healthcode.Fact{declared(1, bt0, healthcode.Declaration{ContactCases: true}, false)},
			bt0.Add(13 * oneDay), healthcode.Red, RuleDeclaredContact, bt0, bt0.Add(14 * oneDay), []int64{1}},
		{"declared contact turns green after 14 days", []healthcode.Fact{declared(1, bt0, healthcode.Declaration{ContactCases: true}, false)},
			bt0.Add(14 * oneDay), healthcode.Green, RuleNoRisk, bt0.Add(14 * oneDay), time.Time{}, []int64{1}},
		{"declared cough is yellow for 7 days", []healthcode.Fact{declared(1, bt0, healthcode.Declaration{Cough: true}, false)},
			bt0.Add(oneDay), healthcode.Yellow, RuleDeclaredSymptom, bt0, bt0.Add(7 * oneDay), []int64{1}},
		{"fever and contact: red wins, yellow follows", []healthcode.Fact{
			declared(1, bt0, healthcode.Declaration{Fever: true, ContactCases: true}, false)},
			bt0.Add(oneDay), healthcode.Red, RuleDeclaredContact, bt0, bt0.Add(7 * oneDay), []int64{1}},
		{"checkpoint fever turns green yellow at once", []healthcode.Fact{
			declared(1, bt0, healthcode.Declaration{}, false), measured(2, bt0.Add(time.Hour), 38.5)},
			bt0.Add(time.Hour), healthcode.Yellow, RuleCheckpointFever, bt0.Add(time.Hour), bt0.Add(time.Hour + 7*oneDay), []int64{2}},
		{"normal temperature changes nothing", []healthcode.Fact{
			declared(1, bt0, healthcode.Declaration{}, false), measured(2, bt0.Add(time.Hour), 37.2)},
			bt0.Add(time.Hour), healthcode.Green, RuleNoRisk, bt0, time.Time{}, []int64{1}},
		{"withdrawing an answer by modification keeps its period", []healthcode.Fact{
			declared(1, bt0, healthcode.Declaration{ContactCases: true}, false),
			declared(2, bt0.Add(time.Hour), healthcode.Declaration{}, false)},
			bt0.Add(2 * time.Hour), healthcode.Red, RuleDeclaredContact, bt0, bt0.Add(14 * oneDay), []int64{1}},
		{"re-application replaces earlier declarations", []healthcode.Fact{
			declared(1, bt0, healthcode.Declaration{ContactCases: true}, false),
			declared(2, bt0.Add(time.Hour), healthcode.Declaration{}, true)},
			bt0.Add(2 * time.Hour), healthcode.Green, RuleNoRisk, bt0, time.Time{}, []int64{2}},
		{"re-application keeps checkpoint fevers", []healthcode.Fact{
			measured(1, bt0, 39), declared(2, bt0.Add(time.Hour), healthcode.Declaration{}, true)},
			bt0.Add(2 * time.Hour), healthcode.Yellow, RuleCheckpointFever, bt0, bt0.Add(7 * oneDay), []int64{1}},
		{"yellow after red keeps since at the red's end", []healthcode.Fact{
			declared(1, bt0, healthcode.Declaration{ContactCases: true}, false),
			measured(2, bt0.Add(10*oneDay), 38)},
			bt0.Add(15 * oneDay), healthcode.Yellow, RuleCheckpointFever, bt0.Add(14 * oneDay), bt0.Add(17 * oneDay), []int64{2}},
	}
	p := NewBuiltin()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := p.Evaluate(tt.facts, tt.at)
			if got.Color != tt.color || got.Rule != tt.rule {
				t.Errorf("colour, rule = %v, %s; want %v, %s", got.Color, got.Rule, tt.color, tt.rule)
			}
			if !got.Since.Equal(tt.since) {
				t.Errorf("since = %v, want %v", got.Since, tt.since)
			}
			if !got.NextEvalAt.Equal(tt.nextEval) {
				t.Errorf("next eval = %v, want %v", got.NextEvalAt, tt.nextEval)
			}
			if !slices.Equal(got.FactIDs, tt.factIDs) {
				t.Errorf("facts = %v, want %v", got.FactIDs, tt.factIDs)
			}
			if got.Reason.Zh == "" || got.Reason.En == "" || got.Next.Zh == "" || got.Next.En == "" {
				t.Errorf("status is not explained in both languages: %+v", got)
			}
		})
	}
}

func TestBuiltinIsDeterministic(t *testing.T) {
	facts := []healthcode.Fact{
		declared(1, bt0, healthcode.Declaration{Cough: true, ContactCases: true}, false),
		measured(2, bt0.Add(3*oneDay), 38.1),
	}
	p := NewBuiltin()
	for at := bt0; at.Before(bt0.Add(20 * oneDay)); at = at.Add(7 * time.Hour) {
		a, b := p.Evaluate(facts, at), p.Evaluate(slices.Clone(facts), at)
		if a.Color != b.Color || !a.Since.Equal(b.Since) || a.Rule != b.Rule || a.Reason != b.Reason {
			t.Fatalf("at %v: %+v != %+v", at, a, b)
		}
	}
}

func TestBuiltinIgnoresFactsAfterNow(t *testing.T) {
	facts := []healthcode.Fact{declared(1, bt0, healthcode.Declaration{}, false), measured(2, bt0.Add(oneDay), 39)}
	if got := NewBuiltin().Evaluate(facts, bt0.Add(time.Hour)); got.Color != healthcode.Green {
		t.Errorf("colour = %v, want green: a future fact counted", got.Color)
	}
}
