// Package checkpoint holds what a health code is at the door: the signed
// token a citizen shows, its verification by whoever scans it (with a
// checkpoint's temperature reading), and what is shown beside a code: the
// daily health check-in and the health summary.
package checkpoint

import (
	"context"
	"log/slog"
	"time"

	"healthcode"
	"healthcode/healthqr"
	"healthcode/internal/federation"
	"healthcode/internal/service/core"
)

// Store is what codes and check-ins read and write.
type Store interface {
	PersonByCode(ctx context.Context, codeID []byte) (*healthcode.Person, error)
	Person(ctx context.Context, id int64) (*healthcode.Person, error)
	Pass(ctx context.Context, id []byte) (*healthcode.Pass, error)
	Facts(ctx context.Context, personID int64) ([]healthcode.Fact, error)
	Update(ctx context.Context, fn func(healthcode.Tx) error) error
}

// Checkpoint signs and verifies codes and records check-ins. It is safe
// for concurrent use.
type Checkpoint struct {
	store    Store
	core     *core.Core
	keys     *healthqr.Keyring
	issuer   string
	tokenTTL time.Duration
	log      *slog.Logger
	foreign  *federation.Foreign // nil: no trust list
	eu       *EU                 // HC1 codes; nil: none configured (UseEU)
}

// New returns a Checkpoint signing with keys as region issuer tokens valid
// for tokenTTL, evaluating with c; foreign (nil: none) checks other
// regions' codes against the trust list it holds.
func New(store Store, c *core.Core, keys *healthqr.Keyring, issuer string, tokenTTL time.Duration,
	foreign *federation.Foreign, log *slog.Logger) *Checkpoint {
	return &Checkpoint{store: store, core: c, keys: keys, issuer: issuer, tokenTTL: tokenTTL, foreign: foreign, log: log}
}

// Keys returns the public keys other verifiers need to check codes offline.
func (s *Checkpoint) Keys() []healthqr.PublicKey { return s.keys.Public() }

// Issuer returns the region this deployment signs as.
func (s *Checkpoint) Issuer() string { return s.issuer }
