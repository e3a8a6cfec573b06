package findings

import (
	"context"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"healthcode"
	"healthcode/internal/permission"
	"healthcode/internal/service/core"
)

// SourceFinding is the source of the false-declaration facts findings
// make; their SourceRef is the credit record's id.
const SourceFinding = "finding"

// Bounds of a finding's words, in characters: long enough to say what
// was declared and what the investigation found instead.
const (
	minFinding  = 20
	maxFinding  = 1000
	maxEvidence = 128
)

// Finding is what a district officer found: a description of the false
// declaration and, optionally, a reference to the evidence, such as the
// investigation report's number.
type Finding struct {
	Finding  string `json:"finding"`
	Evidence string `json:"evidence"`
}

// FindingResult is a recorded finding: the credit record and the status
// it led to.
type FindingResult struct {
	Record healthcode.CreditRecord `json:"record"`
	Status *healthcode.Status      `json:"status"`
}

// RecordFinding records a false declaration found about a person in the
// officer's scope (SPEC B7): a credit record the person can read and a
// false-declaration fact, which turns the code red at once, evaluated in
// the same transaction, with a public-log entry naming the officer by
// role and id. Errors: EUNAUTHORIZED; EFORBIDDEN for anyone without
// RecordFindings, or for a person outside their scope; EINVALID naming the
// fields at fault; ENOTFOUND for no such person.
func (s *Findings) RecordFinding(ctx context.Context, who *healthcode.Principal, personID int64, in Finding) (*FindingResult, error) {
	if who == nil {
		return nil, healthcode.Errorf(healthcode.EUNAUTHORIZED, "Log in first: send Authorization: Bearer <token>.")
	}
	if !permission.Can(who, permission.RecordFindings, "") {
		return nil, healthcode.Errorf(healthcode.EFORBIDDEN, "Findings are recorded by district officers.")
	}
	if err := checkFinding(&in); err != nil {
		return nil, err
	}
	now := s.core.Clock()
	res := &FindingResult{}
	err := s.store.Update(ctx, func(tx healthcode.Tx) error {
		p, err := tx.LockPerson(ctx, personID)
		if err := core.OutOfScope(p, who, permission.RecordFindings, personID, err); err != nil {
			return err
		}
		res.Record = healthcode.CreditRecord{PersonID: p.ID, Finding: in.Finding, Evidence: in.Evidence,
			RecordedBy: who.Author(), At: now}
		if err := tx.AddCreditRecord(ctx, &res.Record); err != nil {
			return err
		}
		f := &healthcode.Fact{PersonID: p.ID, Kind: healthcode.FactFalseDeclaration, At: now, RecordedAt: now,
			Source: SourceFinding, SourceRef: strconv.FormatInt(res.Record.ID, 10), Author: who.Author(),
			FalseDeclaration: &healthcode.FalseDeclarationFact{Finding: in.Finding}}
		if _, _, err := s.core.AddFacts(ctx, tx, []*healthcode.Person{p}, []*healthcode.Fact{f}, now); err != nil {
			return err
		}
		if err := tx.AppendLog(ctx, healthcode.LogOfFinding(&res.Record, who.Region, healthcode.LogAuthorOf(who), now)); err != nil {
			return err
		}
		fresh, err := tx.Person(ctx, p.ID)
		res.Status = fresh.Status
		return err
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "finding recorded", "person", personID, "official", who.OfficialID, "record", res.Record.ID,
		"color", res.Status.Color)
	return res, nil
}

// checkFinding trims the finding's words and reports every field at
// fault.
func checkFinding(in *Finding) error {
	var p healthcode.Problems
	in.Finding, in.Evidence = strings.TrimSpace(in.Finding), strings.TrimSpace(in.Evidence)
	switch n := utf8.RuneCountInString(in.Finding); {
	case healthcode.Visible(in.Finding) < minFinding:
		p.Addf("finding", "must say what was declared and what was found instead, in at least %d characters", minFinding)
	case n > maxFinding:
		p.Addf("finding", "must be at most %d characters", maxFinding)
	}
	switch {
	case utf8.RuneCountInString(in.Evidence) > maxEvidence:
		p.Addf("evidence", "must be at most %d characters", maxEvidence)
	case strings.ContainsFunc(in.Evidence, unicode.IsControl):
		p.Add("evidence", "must not contain control characters such as line breaks or tabs")
	}
	return p.Err()
}

// CreditRecords returns a person's credit records, oldest first: to the
// citizen who manages the person, and to officials who may view persons
// in the person's division. Errors: EUNAUTHORIZED; ENOTFOUND for another
// citizen's person, as for any person a citizen does not manage;
// EFORBIDDEN for anyone else.
func (s *Findings) CreditRecords(ctx context.Context, who *healthcode.Principal, personID int64) ([]healthcode.CreditRecord, error) {
	if who == nil {
		return nil, healthcode.Errorf(healthcode.EUNAUTHORIZED, "Log in first: send Authorization: Bearer <token>.")
	}
	if permission.Can(who, permission.ManagePersons, "") {
		if _, err := s.core.Owned(ctx, who, personID); err != nil {
			return nil, err
		}
	} else if err := s.inScope(ctx, who, personID); err != nil {
		return nil, err
	}
	cs, err := s.store.CreditRecords(ctx, personID)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		cs = []healthcode.CreditRecord{}
	}
	return cs, nil
}

// inScope checks that an official may view the person.
func (s *Findings) inScope(ctx context.Context, who *healthcode.Principal, personID int64) error {
	if !permission.Can(who, permission.ViewPersons, "") {
		return healthcode.Errorf(healthcode.EFORBIDDEN, "Credit records are read by the person's own login or by officials of their division.")
	}
	p, err := s.store.Person(ctx, personID)
	return core.OutOfScope(p, who, permission.ViewPersons, personID, err)
}
