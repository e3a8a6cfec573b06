package service

import (
	"context"
	"time"
)

// readyTimeout bounds a readiness probe: a database slower than this to
// answer an empty statement is as good as unreachable for requests.
const readyTimeout = 2 * time.Second

// Ready reports whether the service can serve requests: its database
// answers. Anyone may call it; it is cheap. Errors: EUNAVAILABLE.
func (s *Service) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	return s.store.Ping(ctx)
}
