package schedule

import (
	"context"
	"fmt"

	"healthcode"
)

// inForce is a Chooser that can say which packs it applies (the registry
// a server runs; a test's single policy cannot).
type inForce interface {
	InForce() []healthcode.LogPack
}

// RecordPolicy writes the policy in force to the public log, as a server
// starts: whoever switches a pack, or edits one, leaves an entry before
// the first colour it decides. home is the deployment's region.
func (s *Scheduler) RecordPolicy(ctx context.Context, home string) error {
	f, ok := s.policies.(inForce)
	if !ok {
		return fmt.Errorf("record policy: %T cannot list its packs", s.policies)
	}
	entry := healthcode.LogOfPolicy(&healthcode.LogPolicy{Home: home, Packs: f.InForce()}, s.core.Clock())
	if err := s.store.Update(ctx, func(tx healthcode.Tx) error { return tx.AppendLog(ctx, entry) }); err != nil {
		return fmt.Errorf("record policy: %w", err)
	}
	return nil
}
