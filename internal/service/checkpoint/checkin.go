package checkpoint

import (
	"context"
	"slices"
	"time"

	"healthcode"
	"healthcode/internal/service/core"
	"healthcode/policy"
)

// CheckInInput is a daily health check-in (打卡).
type CheckInInput struct {
	Celsius  *float64 `json:"celsius,omitempty"` // optional self-measured temperature
	Symptoms *bool    `json:"symptoms"`          // fever, cough or other symptoms today
}

// CheckInResult is the recorded check-in and the status it led to.
type CheckInResult struct {
	Date   string             `json:"date"` // China-time calendar date
	Status *healthcode.Status `json:"status"`
}

// CheckIn records today's health check-in for a person the caller manages
// (seed 002 Q9: consecutive normal check-ins count towards green) and
// evaluates them again. One a China-time day: a second is an ECONFLICT
// that says it is already done. Errors: EINVALID naming the bad field,
// ENOTFOUND for anyone else's person.
func (s *Checkpoint) CheckIn(ctx context.Context, who *healthcode.Principal, personID int64, in CheckInInput) (*CheckInResult, error) {
	if err := core.RequireCitizen(who); err != nil {
		return nil, err
	}
	var problems healthcode.Problems
	if in.Symptoms == nil {
		problems.Add("symptoms", "is required: answer true or false")
	}
	if in.Celsius != nil {
		checkCelsius("celsius", *in.Celsius, &problems)
	}
	if err := problems.Err(); err != nil {
		return nil, err
	}
	now := s.core.Clock()
	today := chinaDate(now)
	fact := &healthcode.CheckInFact{Date: today, Symptoms: *in.Symptoms}
	if in.Celsius != nil {
		fact.Celsius = *in.Celsius
	}
	res := &CheckInResult{Date: today}
	err := s.store.Update(ctx, func(tx healthcode.Tx) error {
		p, err := core.LockOwned(ctx, tx, who, personID)
		if err != nil {
			return err
		}
		facts, err := tx.Facts(ctx, p.ID)
		if err != nil {
			return err
		}
		if checkedInOn(facts, today) {
			return healthcode.Errorf(healthcode.ECONFLICT, "Already checked in today (%s); check in again tomorrow.", today)
		}
		f := &healthcode.Fact{PersonID: p.ID, Kind: healthcode.FactCheckIn, At: now, RecordedAt: now,
			Source: core.SourceCitizen, Author: who.Author(), CheckIn: fact}
		if err := tx.AddFact(ctx, f); err != nil {
			return err
		}
		res.Status, err = s.core.Evaluate(ctx, tx, p, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "checked in", "person", personID, "color", res.Status.Color)
	return res, nil
}

// Health is the state shown beside a code (SPEC C8): the nucleic-acid
// results, the vaccine doses, and whether today's check-in is done.
type Health struct {
	// Tests are the nucleic-acid results, the newest sample first: the
	// code page's 24/48/72-hour badge counts from the first of them.
	Tests        []TestRecord `json:"tests"`
	VaccineDoses int          `json:"vaccine_doses"`
	// VaccineComplete says the doses reach the primary course of the
	// product last given (全程接种).
	VaccineComplete bool `json:"vaccine_complete"`
	CheckedInToday  bool `json:"checked_in_today"`
}

// TestRecord is one nucleic-acid result and when it arrived.
type TestRecord struct {
	healthcode.TestFact
	ReportedAt time.Time `json:"reported_at"`
}

// Health summarises the facts of a person the caller manages. Errors:
// ENOTFOUND for anyone else's person.
func (s *Checkpoint) Health(ctx context.Context, who *healthcode.Principal, personID int64) (*Health, error) {
	p, err := s.core.Owned(ctx, who, personID)
	if err != nil {
		return nil, err
	}
	facts, err := s.store.Facts(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	return Summarise(facts, s.core.Clock()), nil
}

// Summarise is the Health of a person's facts at now; paper passes check
// the same summary.
func Summarise(facts []healthcode.Fact, now time.Time) *Health {
	h := &Health{CheckedInToday: checkedInOn(facts, chinaDate(now))}
	product := ""
	for _, f := range facts {
		switch {
		case f.Test != nil:
			h.Tests = append(h.Tests, TestRecord{TestFact: *f.Test, ReportedAt: f.At})
		case f.Vaccination != nil && f.Vaccination.Dose >= h.VaccineDoses:
			h.VaccineDoses, product = f.Vaccination.Dose, f.Vaccination.Product
		}
	}
	h.VaccineComplete = h.VaccineDoses > 0 && h.VaccineDoses >= healthcode.PrimaryCourse(product)
	// Facts come in the order they arrived; a result reported late may
	// be of an earlier sample.
	slices.SortStableFunc(h.Tests, func(a, b TestRecord) int { return b.Sampled.Compare(a.Sampled) })
	return h
}

func checkedInOn(facts []healthcode.Fact, date string) bool {
	for _, f := range facts {
		if f.CheckIn != nil && f.CheckIn.Date == date {
			return true
		}
	}
	return false
}

// chinaDate is the calendar date in China, where the seeds' days turn.
func chinaDate(t time.Time) string { return t.In(policy.ChinaTime).Format("2006-01-02") }
