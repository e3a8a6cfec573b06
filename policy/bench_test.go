package policy

import (
	"slices"
	"testing"

	"healthcode"
)

// benchTimeline is one person's realistic 20-fact timeline: a declaration, a
// close contact found the next day, centralized isolation, 8 negative tests
// and 8 daily check-ins during it, and the release.
func benchTimeline() []healthcode.Fact {
	b := new(fb).declare(0).
		contact(d(1), healthcode.ContactClose, d(0.5), false).
		isolation(d(1)+h(2), healthcode.IsolationCentralized, healthcode.IsolationStart).
		negatives(2, 3, 5, 7, 9, 11, 13, 14).
		checkins(2, 9).
		isolation(d(15), healthcode.IsolationCentralized, healthcode.IsolationRelease)
	// In the order Evaluate expects, so that the benchmark measures the
	// evaluation and not a defensive sort.
	slices.SortStableFunc(b.facts, byTime)
	return b.facts
}

func BenchmarkEvaluate(b *testing.B) {
	facts := benchTimeline()
	if len(facts) != 20 {
		b.Fatalf("%d facts, want 20", len(facts))
	}
	at := t0.Add(d(15) + h(1)) // just after the release
	for _, name := range []string{"transfer-rules-2022", "hubei-2020"} {
		b.Run(name, func(b *testing.B) {
			p, err := LoadShipped(name)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			var st healthcode.Status
			for b.Loop() {
				st = p.Evaluate(facts, at)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "evals/s")
			if st.Rule == "" {
				b.Fatal("no rule")
			}
		})
	}
}
