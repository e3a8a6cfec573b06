package policy

import (
	"time"

	"healthcode"
)

// More fact builders for the region scenarios, beside those of
// scenario_test.go.

// checkinsAt records normal daily check-ins on days from..to, each at
// t0 + day + offset (t0 is 10:00 China time, so offset -2h is 08:00).
func (b *fb) checkinsAt(from, to int, offset time.Duration) *fb {
	for n := from; n <= to; n++ {
		b.checkin(d(float64(n))+offset, 36.5, false)
	}
	return b
}

// temperatures records a checkpoint temperature on days from..to, each at
// t0 + day + offset.
func (b *fb) temperatures(from, to int, offset time.Duration, celsius float64) *fb {
	for n := from; n <= to; n++ {
		b.temperature(d(float64(n))+offset, celsius)
	}
	return b
}

// transferBy records an official transfer through a named workflow.
func (b *fb) transferBy(at time.Duration, to healthcode.Color, workflow string) *fb {
	return b.add(at, healthcode.Fact{Transfer: &healthcode.TransferFact{To: to, Workflow: workflow}})
}
