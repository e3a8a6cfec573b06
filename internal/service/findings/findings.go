// Package findings holds what officials find about people and the
// colours it leads to, with no application by the person: an isolation
// point's list of the people it released from centralized isolation
// (SPEC D2), red → yellow for each; and a false declaration found by a
// district officer (SPEC B7), red at once with a credit record the person
// can read. Both land through the evaluation core in the transaction that
// stores them, with their public-log entries.
package findings

import (
	"context"
	"log/slog"

	"healthcode"
	"healthcode/internal/secret"
	"healthcode/internal/service/core"
)

// Store is what findings read and write.
type Store interface {
	Person(ctx context.Context, id int64) (*healthcode.Person, error)
	ReleaseLists(ctx context.Context, scope string, n int) ([]healthcode.ReleaseList, error)
	CreditRecords(ctx context.Context, personID int64) ([]healthcode.CreditRecord, error)
	Update(ctx context.Context, fn func(healthcode.Tx) error) error
}

// Findings applies release lists and records findings. It is safe for
// concurrent use.
type Findings struct {
	store Store
	core  *core.Core
	box   *secret.Box
	log   *slog.Logger
}

// New returns Findings evaluating with c and finding the persons a list
// names by their identity's lookup hash under box, as feeds do.
func New(store Store, c *core.Core, box *secret.Box, log *slog.Logger) *Findings {
	return &Findings{store: store, core: c, box: box, log: log}
}
