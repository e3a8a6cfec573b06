// Package apply holds a citizen's applications for health codes, for
// themself and for relatives: the real-name check every identity passes,
// a relative's consent by a code sent to their phone, taking an identity
// back from a wrong claim, re-application and modification, and the views
// a citizen reads of the persons they manage (Persons, Person, Status,
// History).
package apply

import (
	"context"
	"log/slog"

	"healthcode"
	"healthcode/internal/publiclog"
	"healthcode/internal/secret"
	"healthcode/internal/service/core"
	"healthcode/internal/service/onetime"
	"healthcode/policy"
)

// Store is what applications read and write.
type Store interface {
	owners
	Person(ctx context.Context, id int64) (*healthcode.Person, error)
	Account(ctx context.Context, id int64) (*healthcode.Account, error)
	History(ctx context.Context, personID int64) ([]healthcode.HistoryEntry, error)
	CreditRecords(ctx context.Context, personID int64) ([]healthcode.CreditRecord, error)
	Update(ctx context.Context, fn func(healthcode.Tx) error) error
}

// owners lists the persons an account manages, from the store or inside
// a transaction.
type owners interface {
	PersonsByOwner(ctx context.Context, accountID int64) ([]*healthcode.Person, error)
}

// Applications takes and changes applications. It is safe for concurrent
// use.
type Applications struct {
	store    Store
	core     *core.Core
	policies policy.Chooser
	box      *secret.Box
	checker  healthcode.IdentityChecker
	codes    *onetime.Codes
	plog     *publiclog.Log
	log      *slog.Logger
}

// New returns Applications evaluating with c under the application rules
// of the regions' packs in policies, sealing identities with box, checking
// them with checker, sending consent codes with codes, and showing
// histories with their place in plog.
func New(store Store, c *core.Core, policies policy.Chooser, box *secret.Box, checker healthcode.IdentityChecker,
	codes *onetime.Codes, plog *publiclog.Log, log *slog.Logger) *Applications {
	return &Applications{store: store, core: c, policies: policies, box: box, checker: checker, codes: codes, plog: plog, log: log}
}
