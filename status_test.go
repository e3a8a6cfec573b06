package healthcode

import (
	"testing"
	"time"
)

func TestStatusSameIgnoresOnlyEvaluationTime(t *testing.T) {
	at := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
	base := func() *Status {
		return &Status{Color: Yellow, Since: at, Policy: "p 1", Rule: "r", Category: "c", Phase: "ph",
			FactIDs: []int64{1, 2}, Reason: Text{Zh: "因", En: "why"}, Next: Text{Zh: "下", En: "next"},
			Needs:      []Need{{Kind: "tests", Until: at.Add(time.Hour), Have: 1, Want: 2}},
			NextEvalAt: at.Add(time.Hour), EvaluatedAt: at, HeadSeq: 3, HeadHash: []byte{1}}
	}
	shanghai := time.FixedZone("CST", 8*3600)
	tests := []struct {
		name   string
		change func(*Status)
		same   bool
	}{
		{"identical", func(*Status) {}, true},
		{"evaluated later", func(s *Status) { s.EvaluatedAt = at.Add(time.Minute) }, true},
		{"times in another location", func(s *Status) {
			s.Since, s.NextEvalAt, s.Needs[0].Until = at.In(shanghai), s.NextEvalAt.In(shanghai), s.Needs[0].Until.In(shanghai)
		}, true},
		{"no facts", func(s *Status) { s.FactIDs = nil }, false},
		{"colour", func(s *Status) { s.Color = Green }, false},
		{"since", func(s *Status) { s.Since = at.Add(time.Second) }, false},
		{"rule", func(s *Status) { s.Rule = "r2" }, false},
		{"phase", func(s *Status) { s.Phase = "ph2" }, false},
		{"facts", func(s *Status) { s.FactIDs = []int64{1, 3} }, false},
		{"reason", func(s *Status) { s.Reason.En = "because" }, false},
		{"next", func(s *Status) { s.Next.Zh = "再" }, false},
		{"need count", func(s *Status) { s.Needs[0].Have = 2 }, false},
		{"need deadline", func(s *Status) { s.Needs[0].Until = at }, false},
		{"needs", func(s *Status) { s.Needs = nil }, false},
		{"next evaluation", func(s *Status) { s.NextEvalAt = time.Time{} }, false},
		{"history head", func(s *Status) { s.HeadSeq, s.HeadHash = 4, []byte{2} }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base()
			tt.change(s)
			if got := base().Same(s); got != tt.same {
				t.Errorf("Same = %v, want %v", got, tt.same)
			}
		})
	}
}

func TestStatusSameTakesNoFactsAsEmpty(t *testing.T) {
	// A store may give back an empty list where the policy left nil.
	if !(&Status{FactIDs: []int64{}}).Same(&Status{}) {
		t.Error("a status with an empty fact list differs from one with none")
	}
}

func TestStatusDueAtItsNextEvaluationOrWhenAListedWaitIsOver(t *testing.T) {
	at := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
	wait := []Need{{Kind: NeedWait, Until: at.Add(time.Hour)}, {Kind: NeedTests, Have: 1, Want: 2}}
	tests := []struct {
		name string
		st   Status
		now  time.Time
		due  bool
	}{
		{"nothing due", Status{}, at, false},
		{"before the next evaluation", Status{NextEvalAt: at.Add(time.Hour)}, at, false},
		{"at the next evaluation", Status{NextEvalAt: at.Add(time.Hour)}, at.Add(time.Hour), true},
		{"a listed wait still running", Status{Needs: wait}, at, false},
		// A status decided before waits that are over were left out.
		{"a listed wait over", Status{Needs: wait}, at.Add(time.Hour), true},
		{"a block's end is not a wait", Status{Needs: []Need{{Kind: NeedBlock, Until: at}}}, at.Add(time.Hour), false},
	}
	for _, tt := range tests {
		if got := tt.st.Due(tt.now); got != tt.due {
			t.Errorf("%s: Due = %v, want %v", tt.name, got, tt.due)
		}
	}
}
