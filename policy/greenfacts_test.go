package policy

import (
	"slices"
	"testing"
	"time"
)

// Green names the application it rests on, its newest declaration: what
// a first application, a re-application or a modification that turned the
// code green came with (SPEC E2: every decision traceable to its data).
func TestGreenNamesTheDeclarationInForce(t *testing.T) {
	tests := []struct {
		name  string
		facts *fb
		at    time.Duration
		want  []int64
	}{
		{"a first application", new(fb).declare(0), h(1), []int64{1}},
		{"a re-application that voided a declared contact", new(fb).declare(0, "contact").declare(d(1), "reapply"), d(1), []int64{2}},
		{"a modification after declared symptoms ran their course, and that course",
			new(fb).declare(0, "cough").declare(d(15)), d(15), []int64{2, 1}},
		{"the declaration that ran its course, once", new(fb).declare(0, "cough"), d(15), []int64{1}},
	}
	p := mustShipped(t, "zhejiang-shaoxing-2020")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := p.Evaluate(tt.facts.facts, t0.Add(tt.at))
			if st.Color != green || !slices.Equal(st.FactIDs, tt.want) {
				t.Errorf("%v by %s naming %v, want green naming %v", st.Color, st.Rule, st.FactIDs, tt.want)
			}
		})
	}
}
