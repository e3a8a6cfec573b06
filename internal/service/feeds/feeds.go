// Package feeds holds what data providers send: rows of facts about
// persons (test results, vaccinations, trips…) stored a batch to a
// transaction with the colours they lead to, whole files streamed batch by
// batch (IngestStream), and risk-area designations that colour everyone
// who stayed in the areas.
package feeds

import (
	"context"

	"healthcode"
	"healthcode/internal/secret"
	"healthcode/internal/service/core"
)

// Store is what feeds read and write.
type Store interface {
	Designations(ctx context.Context, areas []string) ([]healthcode.Designation, error)
	StayerIDs(ctx context.Context, area string) ([]int64, error)
	Update(ctx context.Context, fn func(healthcode.Tx) error) error
}

// Feeds stores feed rows and designations. It is safe for concurrent use.
type Feeds struct {
	store Store
	core  *core.Core
	box   *secret.Box
}

// New returns Feeds evaluating with c and finding the persons rows name by
// their identity's lookup hash under box.
func New(store Store, c *core.Core, box *secret.Box) *Feeds {
	return &Feeds{store: store, core: c, box: box}
}
