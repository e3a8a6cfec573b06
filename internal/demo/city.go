package demo

import (
	"context"
	"fmt"
	"math/rand/v2"

	"healthcode"
	"healthcode/internal/service"
)

// At returns the i-th person, named as in the persons.csv Write writes
// for the same seed.
func (p *Population) At(i int) Person {
	return p.Person(i, rand.New(rand.NewPCG(p.seed, uint64(i))))
}

// Rates of answers in the applications of Applicant, per person: a city
// where a few people declare what they should.
const (
	symptomsRate = 0.003 // fever or a cough: yellow under the shipped packs
	declaredRate = 0.001 // contact with cases: red
)

// Applicant returns the i-th person applying for themself, from their
// district, with their declaration: clean but for a few symptoms and
// declared contacts.
func (p *Population) Applicant(i int) service.Applicant {
	per := p.At(i)
	no, yes := false, true
	d := service.DeclarationInput{Fever: &no, Cough: &no, OtherSymptoms: &no, LeftRegion14d: &no, Abroad14d: &no,
		ContactCases: &no, Commitment: &yes}
	switch p.declares(i) {
	case declaredContact:
		d.ContactCases = &yes
	case declaredCough:
		d.Cough = &yes
	}
	return service.Applicant{
		Identity:    healthcode.Identity{DocType: healthcode.DocResidentID, Number: per.Number, Name: per.Name, Phone: per.Phone},
		Region:      per.Region,
		Declaration: d,
	}
}

// What an applicant declares besides the commitment.
const (
	declaredNothing = iota
	declaredContact
	declaredCough
)

// declares draws what the i-th applicant declares.
func (p *Population) declares(i int) int {
	switch u := rand.New(rand.NewPCG(p.seed^0x5eed_dec1, uint64(i))).Float64(); {
	case u < declaredRate:
		return declaredContact
	case u < declaredRate+symptomsRate:
		return declaredCough
	}
	return declaredNothing
}

// ApplyBatch is how many people Apply sends to the service at once: one
// transaction each.
const ApplyBatch = 2000

// Apply applies for the first n people of the population through apply
// (the service's ApplyMany), ApplyBatch at a time, and calls progress, if
// not nil, after each batch with the number of people done.
func Apply(ctx context.Context, pop *Population, n int,
	apply func(context.Context, []service.Applicant) (service.ManyResult, error), progress func(done int)) (service.ManyResult, error) {
	var total service.ManyResult
	batch := make([]service.Applicant, 0, min(n, ApplyBatch))
	for lo := 0; lo < n; lo += ApplyBatch {
		batch = batch[:0]
		for i := lo; i < min(lo+ApplyBatch, n); i++ {
			batch = append(batch, pop.Applicant(i))
		}
		res, err := apply(ctx, batch)
		if err != nil {
			return total, fmt.Errorf("people %d to %d: %w", lo, lo+len(batch)-1, err)
		}
		total.Applied += res.Applied
		total.Skipped += res.Skipped
		if progress != nil {
			progress(lo + len(batch))
		}
	}
	return total, nil
}
