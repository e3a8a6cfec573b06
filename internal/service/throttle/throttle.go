// Package throttle holds the service's rate limits: it takes a request
// from the buckets of its client address, account, API key or phone, and
// answers ELIMIT with the wait when one is empty. The web and page route
// tables call Limit; sign-in and one-time codes call LimitPhone.
package throttle

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"strconv"
	"time"

	"healthcode"
	"healthcode/internal/secret"
)

// purposeRate keys the hashes of what rate limits count: a phone or an
// address is personal data, and an unkeyed hash of a phone number is
// undone by trying them all.
const purposeRate = "rate"

// Throttle applies the configured limits. It is safe for concurrent use.
type Throttle struct {
	limits  healthcode.Limits
	limiter healthcode.Limiter
	box     *secret.Box
	log     *slog.Logger
}

// New returns a Throttle keeping limits in limiter's buckets, keyed by
// box; nil limits limit nothing.
func New(limits healthcode.Limits, limiter healthcode.Limiter, box *secret.Box, log *slog.Logger) *Throttle {
	return &Throttle{limits: limits, limiter: limiter, box: box, log: log}
}

// Limit takes one request of class from the rate limits of its client
// address (set in ctx by the edge) and, when who is given, of the
// citizen's account or the API key. The web and page route tables call it
// for every limited route. Errors: ELIMIT carrying RetryAfter.
func (s *Throttle) Limit(ctx context.Context, class healthcode.LimitClass, who *healthcode.Principal) error {
	if addr, ok := healthcode.ClientAddrFromContext(ctx); ok {
		if err := s.limit(ctx, class, healthcode.ScopeAddr, addrKey(addr)); err != nil {
			return err
		}
	}
	switch {
	case who == nil:
		return nil
	case who.AccountID != 0:
		return s.limit(ctx, class, healthcode.ScopeAccount, strconv.FormatInt(who.AccountID, 10))
	case who.OfficialID != 0: // an account of a person, but no citizen's: apart from theirs
		return s.limit(ctx, class, healthcode.ScopeAccount, "official:"+strconv.FormatInt(who.OfficialID, 10))
	default:
		return s.limit(ctx, class, healthcode.ScopeKey, strconv.FormatInt(who.KeyID, 10))
	}
}

// LimitPhone takes one request of class from the bucket of a phone, in
// canonical form, if there is such a limit: for what sends a text or checks
// a code. Errors as Limit.
func (s *Throttle) LimitPhone(ctx context.Context, class healthcode.LimitClass, phone string) error {
	return s.limit(ctx, class, healthcode.ScopePhone, phone)
}

// limit takes one request from the bucket of value under the limit
// class.scope, if there is such a limit.
func (s *Throttle) limit(ctx context.Context, class healthcode.LimitClass, scope healthcode.LimitScope, value string) error {
	k := healthcode.LimitKey{Class: class, Scope: scope}
	r, ok := s.limits[k]
	if !ok {
		return nil
	}
	wait, err := s.limiter.Allow(ctx, s.box.Hash(purposeRate, k.String()+":"+value), r)
	if err != nil {
		return fmt.Errorf("rate limit %s: %w", k, err)
	}
	if wait == 0 {
		return nil
	}
	s.log.DebugContext(ctx, "rate limited", "limit", k.String(), "retry_after", wait)
	e := tooMany(wait)
	e.RetryAfter = wait
	return e
}

// addrKey is what an address is counted as: an IPv6 client by its /64,
// the least a subscriber is given, so that walking through one's own
// addresses gains nothing.
func addrKey(a netip.Addr) string {
	switch {
	case !a.IsValid():
		return "unknown"
	case a.Is4():
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// tooMany says a wait in whole seconds or minutes, rounded up.
func tooMany(d time.Duration) *healthcode.Error {
	if s := int((d + time.Second - 1) / time.Second); s < 60 {
		return healthcode.Errorf(healthcode.ELIMIT, "Too many requests; try again in %d seconds.", s)
	}
	return healthcode.Errorf(healthcode.ELIMIT, "Too many requests; try again in %d minutes.", int((d+time.Minute-1)/time.Minute))
}
