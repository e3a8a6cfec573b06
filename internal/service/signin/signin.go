// Package signin holds who may call the service: citizens' sessions opened
// with a one-time code texted to their phone, staff sessions opened with an
// API key and the tally of verdicts each keeps for its shift, the bearer
// tokens both resolve to (Authenticate), the purge of expired codes and
// sessions, the pages' form tokens, and the operators' registry of API
// keys (KeyRegistry).
package signin

import (
	"context"
	"time"

	"healthcode"
	"healthcode/internal/secret"
	"healthcode/internal/service/onetime"
	"healthcode/internal/service/throttle"
)

// Store is what sign-in reads and writes: accounts, sessions and the keys
// staff sessions are opened with.
type Store interface {
	Session(ctx context.Context, tokenHash []byte, now time.Time) (*healthcode.Session, error)
	StaffSession(ctx context.Context, tokenHash []byte, now time.Time) (*healthcode.StaffSession, error)
	APIKey(ctx context.Context, hash []byte) (*healthcode.APIKey, error)
	OfficialSession(ctx context.Context, tokenHash []byte, now time.Time) (*healthcode.OfficialSession, error)
	Official(ctx context.Context, id int64) (*healthcode.Official, error)
	Update(ctx context.Context, fn func(healthcode.Tx) error) error
	Purge(ctx context.Context, now, guessesBefore time.Time) (int64, error)
}

// Sessions opens, resolves and ends sessions. It is safe for concurrent
// use.
type Sessions struct {
	store      Store
	box        *secret.Box
	codes      *onetime.Codes
	throttle   *throttle.Throttle
	sessionTTL time.Duration
	clock      func() time.Time
}

// New returns Sessions that log citizens in with codes, counting guesses
// against the phone's login limit in throttle, for sessionTTL; clock gives
// the time at store precision.
func New(store Store, box *secret.Box, codes *onetime.Codes, throttle *throttle.Throttle,
	sessionTTL time.Duration, clock func() time.Time) *Sessions {
	return &Sessions{store: store, box: box, codes: codes, throttle: throttle, sessionTTL: sessionTTL, clock: clock}
}
