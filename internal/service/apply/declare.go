package apply

import (
	"context"
	"time"

	"healthcode"
	"healthcode/internal/service/core"
)

// declare records a declaration as a fact and evaluates the person.
func (s *Applications) declare(ctx context.Context, tx healthcode.Tx, p *healthcode.Person, who *healthcode.Principal,
	region string, d healthcode.Declaration, reapply bool, now time.Time) (*healthcode.Status, error) {
	if _, err := s.addDeclaration(ctx, tx, p, who, region, d, reapply, now); err != nil {
		return nil, err
	}
	return s.core.Evaluate(ctx, tx, p, now)
}

// addDeclaration records a declaration as a fact of p.
func (s *Applications) addDeclaration(ctx context.Context, tx healthcode.Tx, p *healthcode.Person, who *healthcode.Principal,
	region string, d healthcode.Declaration, reapply bool, now time.Time) (*healthcode.Fact, error) {
	f := &healthcode.Fact{PersonID: p.ID, Kind: healthcode.FactDeclaration, At: now, RecordedAt: now,
		Source: core.SourceCitizen, Author: who.Author(),
		Declaration: &healthcode.DeclarationFact{Declaration: d, Region: region, Reapply: reapply}}
	return f, tx.AddFact(ctx, f)
}
