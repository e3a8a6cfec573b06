// Package core is the evaluation core every part of the service shares:
// it decides a person's status from their facts under their region's
// policy, seals and appends the history entry of a colour change, brings
// a stale status up to date before anyone reads it, and re-evaluates
// persons after new facts. It also holds what every part needs: the clock
// at store precision, loading a person the caller manages, the lookup
// keys of identities and phones, and the input checks parts share. It
// imports no part of the service.
package core

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"healthcode"
	"healthcode/policy"
)

// Store is what the core reads and writes: a person, and transactions.
type Store interface {
	Person(ctx context.Context, id int64) (*healthcode.Person, error)
	Update(ctx context.Context, fn func(healthcode.Tx) error) error
}

// Core evaluates persons. It is safe for concurrent use.
type Core struct {
	store    Store
	policies policy.Chooser
	log      *slog.Logger
	now      func() time.Time

	// pastNextWarned is set once the policy was caught asking for a next
	// evaluation that is not in the future (decide).
	pastNextWarned atomic.Bool
}

// New returns a Core deciding with the region's policy from policies and
// reading the time from now.
func New(store Store, policies policy.Chooser, log *slog.Logger, now func() time.Time) *Core {
	return &Core{store: store, policies: policies, log: log, now: now}
}

// Clock returns the current time at the precision the stores keep, so that
// what is hashed into history is exactly what is read back.
func (c *Core) Clock() time.Time { return c.now().UTC().Truncate(time.Microsecond) }
