package demo

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"healthcode/internal/ingest"
	"healthcode/internal/service"
)

// decodeFeed decodes a feed as the service's callers do, failing on any
// rejected row, and returns the document numbers of a person feed.
func decodeFeed(t *testing.T, f Feed, now time.Time) []string {
	t.Helper()
	dec, err := ingest.NewDecoder(f.Kind, ingest.CSV, bytes.NewReader(f.CSV), now)
	if err != nil {
		t.Fatal(err)
	}
	if f.Kind == "designation" {
		ds, err := dec.Designations(func(r ingest.Rejection) { t.Errorf("designation rejected: %s", r) })
		if err != nil || len(ds) != 1 {
			t.Fatalf("%d designations, %v", len(ds), err)
		}
		return nil
	}
	var numbers []string
	for {
		row, rej, err := dec.Next()
		if err != nil {
			break
		}
		if rej != nil {
			t.Errorf("%s row rejected: %s", f.Kind, rej)
			continue
		}
		if row.Fact.At.After(now) {
			t.Errorf("%s row at %v, after the step's time %v", f.Kind, row.Fact.At, now)
		}
		numbers = append(numbers, row.Number)
	}
	return numbers
}

// TestStreamStepsDecodeAndReachNewPeople runs two rounds of the stream:
// each step's feeds are accepted whole, the steps come in their order,
// the first lab and contact steps begin with Positive and Contact, and no
// one is reached twice while people remain.
func TestStreamStepsDecodeAndReachNewPeople(t *testing.T) {
	pop, err := NewPopulation(3, "330100")
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewStream(pop, 1000)
	if err != nil {
		t.Fatal(err)
	}
	wantKinds := [][]string{LabStep: {"lab"}, ContactStep: {"contact"}, AreaStep: {"trip", "designation"}, CaseStep: {"case"}}
	now := time.Date(2026, 12, 2, 12, 30, 15, 0, chinaTime)
	seen := map[string]bool{}
	for k := range 2 * StepsPerRound {
		step := s.Next(now)
		var kinds []string
		for i, f := range step.Feeds {
			kinds = append(kinds, f.Kind)
			numbers := decodeFeed(t, f, now)
			if k == LabStep && i == 0 && numbers[0] != pop.At(s.Positive()).Number {
				t.Errorf("the first lab step begins with %s, not Positive", numbers[0])
			}
			if k == ContactStep && numbers[0] != pop.At(s.Contact()).Number {
				t.Errorf("the first contact step begins with %s, not Contact", numbers[0])
			}
			for _, n := range numbers {
				if seen[n] {
					t.Errorf("step %d reaches %s a second time", k, n)
				}
				seen[n] = true
			}
		}
		if want := wantKinds[k%StepsPerRound]; !slices.Equal(kinds, want) {
			t.Errorf("step %d (%s) sends %v, want %v", k, step.What, kinds, want)
		}
	}
	for _, i := range []int{s.Contact(), s.Positive()} {
		if pop.declares(i) != declaredNothing {
			t.Errorf("featured person %d declared something: not green before the stream", i)
		}
	}
}

// TestApplyCoversThePopulationInBatches checks that Apply hands every
// person to the service once, in batches of ApplyBatch, with progress
// after each.
func TestApplyCoversThePopulationInBatches(t *testing.T) {
	pop, err := NewPopulation(1, "330100")
	if err != nil {
		t.Fatal(err)
	}
	const n = 2*ApplyBatch + 7
	var sizes, progress []int
	seen := map[string]bool{}
	res, err := Apply(context.Background(), pop, n, func(_ context.Context, as []service.Applicant) (service.ManyResult, error) {
		sizes = append(sizes, len(as))
		for _, a := range as {
			seen[a.Identity.Number], seen[a.Identity.Phone] = true, true
		}
		return service.ManyResult{Applied: len(as)}, nil
	}, func(done int) { progress = append(progress, done) })
	if err != nil || res.Applied != n {
		t.Fatalf("Apply = %+v, %v; want %d applied", res, err, n)
	}
	if want := []int{ApplyBatch, ApplyBatch, 7}; !slices.Equal(sizes, want) {
		t.Errorf("batches of %v, want %v", sizes, want)
	}
	if want := []int{ApplyBatch, 2 * ApplyBatch, n}; !slices.Equal(progress, want) {
		t.Errorf("progress %v, want %v", progress, want)
	}
	if len(seen) != 2*n {
		t.Errorf("%d distinct numbers and phones, want %d", len(seen), 2*n)
	}
}
