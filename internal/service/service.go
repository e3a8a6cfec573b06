// Package service is healthcode's application layer: it checks input,
// authorises the caller, runs the policy over a person's facts, records
// every colour change and signs codes. It holds no SQL and no HTTP; the
// store, the policy and the keys are passed in.
package service

import (
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"healthcode"
	"healthcode/healthqr"
	"healthcode/internal/ratelimit"
	"healthcode/internal/secret"
	"healthcode/policy"
)

// Config holds the service's settings; zero values take the defaults.
type Config struct {
	// Issuer is the 6-digit region code this deployment signs codes as.
	Issuer string
	// TokenTTL is how long a shown code stays valid: short, so a
	// screenshot is useless by the time it is passed on (SPEC C2).
	TokenTTL time.Duration
	// SessionTTL is how long a citizen stays logged in.
	SessionTTL time.Duration
	// Dev returns one-time codes in API responses so scripts can log in.
	// Never set it in production.
	Dev bool
	// Identity is the real-name check every application passes before
	// anything about the person is stored. Required: a service without
	// one would let anyone claim anyone's identity.
	Identity healthcode.IdentityChecker
	// Limits are the rate limits (Limit); nil limits nothing. Servers
	// start with healthcode.DefaultLimits.
	Limits healthcode.Limits
}

// Defaults for Config.
const (
	DefaultIssuer     = "330100"
	DefaultTokenTTL   = 60 * time.Second
	DefaultSessionTTL = 7 * 24 * time.Hour
)

// Service implements the citizen and checkpoint operations.
type Service struct {
	cfg      Config
	store    healthcode.Store
	box      *secret.Box
	keys     *healthqr.Keyring
	policies policy.Chooser
	sender   healthcode.SMSSender
	log      *slog.Logger
	now      func() time.Time
	limiter  healthcode.Limiter

	// pastNextWarned is set once the policy was caught asking for a next
	// evaluation that is not in the future (decide).
	pastNextWarned atomic.Bool
}

// New returns a Service. now may be nil for the wall clock; tests pass a
// fake clock to move through isolation periods.
func New(cfg Config, store healthcode.Store, box *secret.Box, keys *healthqr.Keyring,
	policies policy.Chooser, sender healthcode.SMSSender, log *slog.Logger, now func() time.Time) (*Service, error) {
	if cfg.Issuer == "" {
		cfg.Issuer = DefaultIssuer
	}
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = DefaultTokenTTL
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = DefaultSessionTTL
	}
	if reason := healthcode.ValidateRegion(cfg.Issuer); reason != "" {
		return nil, fmt.Errorf("issuer region %q: %s", cfg.Issuer, reason)
	}
	if cfg.Identity == nil {
		return nil, errors.New("no real-name checker (Config.Identity): applications cannot be verified")
	}
	if sender == nil {
		return nil, errors.New("no SMS sender: one-time codes cannot be delivered")
	}
	if cfg.TokenTTL < time.Second {
		return nil, fmt.Errorf("token lifetime %v: must be at least 1s", cfg.TokenTTL)
	}
	if now == nil {
		now = time.Now
	}
	s := &Service{cfg: cfg, store: store, box: box, keys: keys, policies: policies, sender: sender, log: log, now: now}
	s.limiter = ratelimit.New(store, log, s.clock)
	return s, nil
}

// clock returns the current time at the precision the stores keep, so that
// what is hashed into history is exactly what is read back.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Keys returns the public keys other verifiers need to check codes offline.
func (s *Service) Keys() []healthqr.PublicKey { return s.keys.Public() }

// Issuer returns the region this deployment signs as.
func (s *Service) Issuer() string { return s.cfg.Issuer }
