// Package officials holds officials' accounts (docs/officials.md): their
// appointment by an administrator or the operator within a scope of the
// division hierarchy, login with a password and a TOTP code, lockout
// after repeated failures, and what officials see of the persons in their
// scope: a masked file, and a person's identity in clear only with a
// reason, recorded and logged. Sessions open here resolve in
// signin.Authenticate.
package officials

import (
	"context"
	"log/slog"
	"time"

	"healthcode"
	"healthcode/internal/secret"
	"healthcode/internal/service/core"
)

// Store is what officials read and write.
type Store interface {
	Official(ctx context.Context, id int64) (*healthcode.Official, error)
	Officials(ctx context.Context, within string) ([]healthcode.Official, error)
	Person(ctx context.Context, id int64) (*healthcode.Person, error)
	PersonsInDivision(ctx context.Context, division string, after int64, n int) ([]*healthcode.Person, error)
	History(ctx context.Context, personID int64) ([]healthcode.HistoryEntry, error)
	Update(ctx context.Context, fn func(healthcode.Tx) error) error
}

// SessionTTL is how long an official stays logged in: a working day.
const SessionTTL = 8 * time.Hour

// Lockout: LockAfter failed logins within LockWindow lock the account for
// LockFor.
const (
	LockAfter  = 5
	LockWindow = 15 * time.Minute
	LockFor    = 15 * time.Minute
)

// Officials manages officials' accounts and serves what officials see.
// It is safe for concurrent use.
type Officials struct {
	store  Store
	core   *core.Core
	box    *secret.Box
	issuer string // the TOTP issuer authenticator apps show: the deployment's region
	log    *slog.Logger
	clock  func() time.Time
}

// New returns Officials; issuer names the deployment in authenticator
// apps.
func New(store Store, c *core.Core, box *secret.Box, issuer string, log *slog.Logger) *Officials {
	return &Officials{store: store, core: c, box: box, issuer: issuer, log: log, clock: c.Clock}
}

// purposeTOTP seals TOTP secrets apart from identity values.
const purposeTOTP = "totp"
