package signin

import (
	"context"
	"fmt"

	"healthcode/internal/service/onetime"
)

// PurgeExpired deletes expired one-time codes, sessions and guess windows;
// the scheduler calls it so the tables stay bounded.
func (s *Sessions) PurgeExpired(ctx context.Context) (int64, error) {
	now := s.clock()
	n, err := s.store.Purge(ctx, now, now.Add(-onetime.GuessWindow))
	if err != nil {
		return 0, fmt.Errorf("purge expired codes and sessions: %w", err)
	}
	return n, nil
}
