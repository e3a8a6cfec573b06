// Package service is healthcode's application layer: it checks input,
// authorises the caller, runs the policy over a person's facts, records
// every colour change and signs codes. It holds no SQL and no HTTP; the
// store, the policy and the keys are passed in.
//
// The work is done by one subpackage per capability around a shared
// evaluation core (core), each built with only what it uses: signin
// (sessions, API keys, form tokens), apply (applications, relatives,
// real-name claims and the views of persons), checkpoint (codes, Verify,
// check-ins), feeds (feed rows and designations), findings (officials'
// release lists and false declarations found), schedule (due
// re-evaluation and simulation), venues, workflows (appeals, home
// releases, error corrections), passes (paper passes and look-ups by ID
// number) and officials (officials' accounts, their
// logins and what they see of persons); onetime and throttle are the
// one-time codes and rate limits some of them share. This package only
// wires them: New builds the parts and Service carries their methods, and
// the types callers use are aliased here.
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"golang.org/x/mod/sumdb/note"

	"healthcode"
	"healthcode/healthqr"
	"healthcode/internal/federation"
	"healthcode/internal/publiclog"
	"healthcode/internal/ratelimit"
	"healthcode/internal/secret"
	"healthcode/internal/service/apply"
	"healthcode/internal/service/checkpoint"
	"healthcode/internal/service/core"
	"healthcode/internal/service/feeds"
	"healthcode/internal/service/findings"
	"healthcode/internal/service/officials"
	"healthcode/internal/service/onetime"
	"healthcode/internal/service/passes"
	"healthcode/internal/service/schedule"
	"healthcode/internal/service/signin"
	"healthcode/internal/service/throttle"
	"healthcode/internal/service/venues"
	"healthcode/internal/service/workflows"
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
	// LogSigner signs the public log's heads and LogVerifier is its
	// verifier key (publiclog.LoadOrCreateKey); without a signer the log
	// is written and read but never sequenced here.
	LogSigner   note.Signer
	LogVerifier string
	// RedAlert is the public log's live alert (publiclog.RedAlert); zero:
	// off.
	RedAlert publiclog.RedAlert
	// EU verifies EU Digital COVID Certificates (HC1:) at Verify; nil:
	// every HC1 code is answered invalid, eu_no_trust_list.
	EU *checkpoint.EU
	// AnswerWithin is how long the district has to answer an appeal or an
	// error correction (0: workflows.DefaultAnswerWithin, 72 h).
	AnswerWithin time.Duration
	// Foreign checks other regions' codes against a signed trust list
	// (package federation); nil: only this region's codes verify.
	Foreign *federation.Foreign
}

// Defaults for Config.
const (
	DefaultIssuer     = "330100"
	DefaultTokenTTL   = 60 * time.Second
	DefaultSessionTTL = 7 * 24 * time.Hour
)

// Service is the whole application layer, one part per capability (see
// the package comment), each built with only what it uses. Callers reach
// every part's methods on it directly (svc.Apply, svc.Verify, …): no two
// parts have a method of the same name.
type Service struct {
	*signin.Sessions
	*signin.KeyRegistry
	*apply.Applications
	*checkpoint.Checkpoint
	*feeds.Feeds
	*findings.Findings
	*schedule.Scheduler
	*venues.Venues
	*officials.Officials
	*publiclog.Log
	*workflows.Workflows
	*passes.Passes

	store    healthcode.Store // for Ready
	throttle *throttle.Throttle
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
	c := core.New(store, policies, log, now)
	th := throttle.New(cfg.Limits, ratelimit.New(store, log, c.Clock), box, log)
	codes := onetime.New(store, box, sender, th, log, c.Clock, cfg.Dev)
	plog := publiclog.New(store, cfg.LogSigner, cfg.LogVerifier, c.Clock, log)
	plog.WatchReds(cfg.RedAlert)
	check := checkpoint.New(store, c, keys, cfg.Issuer, cfg.TokenTTL, cfg.Foreign, log)
	checkpoint.UseEU(check, cfg.EU)
	return &Service{
		Sessions:     signin.New(store, box, codes, th, cfg.SessionTTL, c.Clock),
		KeyRegistry:  signin.NewKeyRegistry(store, c.Clock),
		Applications: apply.New(store, c, policies, box, cfg.Identity, codes, plog, log),
		Checkpoint:   check,
		Feeds:        feeds.New(store, c, box),
		Findings:     findings.New(store, c, box, log),
		Scheduler:    schedule.New(store, c, policies, log),
		Venues:       venues.New(store, box, log, c.Clock),
		Officials:    officials.New(store, c, box, cfg.Issuer, log),
		Log:          plog,
		Workflows:    workflows.New(store, c, policies, cfg.AnswerWithin, log),
		Passes:       passes.New(store, c, box, keys, cfg.Issuer, policies, check, log),
		store:        store,
		throttle:     th,
	}, nil
}

// Limit takes one request of class from the rate limits of its client
// address (set in ctx by the edge) and, when who is given, of the
// citizen's account or the API key. The web and page route tables call it
// for every limited route. Errors: ELIMIT carrying RetryAfter.
func (s *Service) Limit(ctx context.Context, class healthcode.LimitClass, who *healthcode.Principal) error {
	return s.throttle.Limit(ctx, class, who)
}
