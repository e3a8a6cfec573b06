package healthcode

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Rate is a rate limit: a burst of N requests, refilled evenly over Per
// (a token bucket). So 5 per hour lets 5 through at once and then one
// every 12 minutes; unlike counting in fixed windows, it never lets 2N
// through around a window's edge.
type Rate struct {
	N   int
	Per time.Duration
}

// Interval is the time one request's token takes to come back.
func (r Rate) Interval() time.Duration { return r.Per / time.Duration(r.N) }

// String writes the rate as ParseLimits reads it: 20/1h, 10/15m.
func (r Rate) String() string {
	per := r.Per.String()
	if strings.HasSuffix(per, "m0s") {
		per = per[:len(per)-2]
	}
	if strings.HasSuffix(per, "h0m") {
		per = per[:len(per)-2]
	}
	return strconv.Itoa(r.N) + "/" + per
}

// Validate reports what is wrong with the rate, or "".
func (r Rate) Validate() string {
	switch {
	case r.N < 1:
		return "want at least 1 request"
	case r.Per < time.Second || r.Per > 24*time.Hour:
		return "the period must be between 1s and 24h"
	case r.Interval() < time.Microsecond:
		return "more than one request a microsecond"
	}
	return ""
}

// LimitClass names a kind of request that rate limits apply to. The web
// and page route tables give each limited route its class.
type LimitClass string

// Limit classes.
const (
	LimitOTP     LimitClass = "otp"     // asking for a one-time code
	LimitLogin   LimitClass = "login"   // logging in with one
	LimitApply   LimitClass = "apply"   // applications and re-applications
	LimitCheckIn LimitClass = "checkin" // daily check-ins
	LimitVisit   LimitClass = "visit"   // venue visits
	LimitFeed    LimitClass = "feed"    // feed batches
	// LimitUnmask bounds how many persons' identities an official sees in
	// clear: each unmasking is logged, and the limit keeps one official
	// from reading a whole district's in an afternoon.
	LimitUnmask LimitClass = "unmask"
	// LimitLookup bounds a checkpoint's look-ups by ID number: each names
	// a person from a typed number, so a key cannot walk the numbers.
	LimitLookup LimitClass = "lookup"
)

// LimitScope is who a limit counts requests of.
type LimitScope string

// Limit scopes.
const (
	ScopeAddr    LimitScope = "addr"    // the client's address (an IPv6 client's /64)
	ScopePhone   LimitScope = "phone"   // the phone a code is asked for or used with
	ScopeAccount LimitScope = "account" // the logged-in citizen's account
	ScopeKey     LimitScope = "key"     // the API key
)

var (
	limitClasses = []LimitClass{LimitOTP, LimitLogin, LimitApply, LimitCheckIn, LimitVisit, LimitFeed, LimitUnmask, LimitLookup}
	limitScopes  = []LimitScope{ScopeAddr, ScopePhone, ScopeAccount, ScopeKey}
)

// LimitKey names one limit: a class counted per scope, "otp.phone".
type LimitKey struct {
	Class LimitClass
	Scope LimitScope
}

func (k LimitKey) String() string { return string(k.Class) + "." + string(k.Scope) }

// Limits are the rate limits in force; a key not in the map is not
// limited.
type Limits map[LimitKey]Rate

// DefaultLimits are the limits a server starts with. Per-address limits
// are generous because a carrier's NAT puts many phones behind one
// address; per-phone and per-account limits hold the line.
func DefaultLimits() Limits {
	return Limits{
		{LimitOTP, ScopePhone}:       {5, time.Hour},
		{LimitOTP, ScopeAddr}:        {20, time.Hour},
		{LimitLogin, ScopePhone}:     {10, 15 * time.Minute},
		{LimitLogin, ScopeAddr}:      {30, 15 * time.Minute},
		{LimitApply, ScopeAccount}:   {30, time.Hour},
		{LimitApply, ScopeAddr}:      {60, time.Hour},
		{LimitCheckIn, ScopeAccount}: {30, time.Hour},
		{LimitCheckIn, ScopeAddr}:    {120, time.Hour},
		{LimitVisit, ScopeAccount}:   {60, time.Hour},
		{LimitVisit, ScopeAddr}:      {240, time.Hour},
		{LimitFeed, ScopeKey}:        {120, time.Minute},
		{LimitUnmask, ScopeAccount}:  {30, time.Hour},
		{LimitLookup, ScopeKey}:      {60, time.Hour},
		{LimitLookup, ScopeAddr}:     {120, time.Hour},
	}
}

// String lists the limits in ParseLimits' syntax, sorted.
func (l Limits) String() string {
	parts := make([]string, 0, len(l))
	for k, r := range l {
		parts = append(parts, k.String()+"="+r.String())
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}

// ParseLimits applies spec to a copy of base and returns it. spec is
// "CLASS.SCOPE=N/PERIOD,…" (otp.addr=50/1h), an entry's value "off"
// lifts that limit, and spec "off" lifts them all. Every bad entry is
// reported.
func ParseLimits(spec string, base Limits) (Limits, error) {
	out := Limits{}
	spec = strings.TrimSpace(spec)
	if spec == "off" {
		return out, nil
	}
	for k, r := range base {
		out[k] = r
	}
	if spec == "" {
		return out, nil
	}
	var errs []error
	for entry := range strings.SplitSeq(spec, ",") {
		k, r, err := parseLimit(strings.TrimSpace(entry))
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%q: %w", entry, err))
		case r.N == 0:
			delete(out, k)
		default:
			out[k] = r
		}
	}
	return out, errors.Join(errs...)
}

func parseLimit(entry string) (LimitKey, Rate, error) {
	name, value, ok := strings.Cut(entry, "=")
	class, scope, ok2 := strings.Cut(name, ".")
	if !ok || !ok2 {
		return LimitKey{}, Rate{}, errors.New("want CLASS.SCOPE=N/PERIOD or CLASS.SCOPE=off")
	}
	k := LimitKey{LimitClass(class), LimitScope(scope)}
	if !slices.Contains(limitClasses, k.Class) {
		return k, Rate{}, fmt.Errorf("unknown class %q (known: %v)", class, limitClasses)
	}
	if !slices.Contains(limitScopes, k.Scope) {
		return k, Rate{}, fmt.Errorf("unknown scope %q (known: %v)", scope, limitScopes)
	}
	if value == "off" {
		return k, Rate{}, nil
	}
	n, per, ok := strings.Cut(value, "/")
	count, err := strconv.Atoi(n)
	if !ok || err != nil {
		return k, Rate{}, errors.New("want N/PERIOD, such as 20/1h")
	}
	d, err := time.ParseDuration(per)
	if err != nil {
		return k, Rate{}, fmt.Errorf("period: %w", err)
	}
	r := Rate{N: count, Per: d}
	if reason := r.Validate(); reason != "" {
		return k, Rate{}, errors.New(reason)
	}
	return k, r, nil
}

// Limiter takes requests from rate limits' buckets. Implementations keep
// the buckets where every server of a deployment sees them, so a limit
// holds however many servers share the database.
type Limiter interface {
	// Allow takes one request from key's bucket under r. It returns 0
	// when the request may go ahead, else how long until one may.
	Allow(ctx context.Context, key []byte, r Rate) (wait time.Duration, err error)
}

// RateStore keeps rate limits' buckets, each one row: the store part of
// a Limiter. Store includes it.
type RateStore interface {
	// TakeRate takes one request from the bucket of key under r at now,
	// in one atomic statement, so that callers on any number of
	// connections or servers never get more than r allows. A request
	// refused takes nothing. It returns 0 when the request may go ahead,
	// else how long until one may.
	TakeRate(ctx context.Context, key []byte, r Rate, now time.Time) (wait time.Duration, err error)
	// PurgeRates deletes the buckets that are full again at now, which
	// are the same as none, and returns how many; the table then holds
	// only the keys seen within the longest period.
	PurgeRates(ctx context.Context, now time.Time) (int64, error)
}

type clientAddrKey struct{}

// NewContextWithClientAddr returns ctx carrying the address the request
// came from, as the edge worked it out (behind trusted proxies, the
// address they were asked by).
func NewContextWithClientAddr(ctx context.Context, addr netip.Addr) context.Context {
	return context.WithValue(ctx, clientAddrKey{}, addr)
}

// ClientAddrFromContext returns the request's client address, if the edge
// set one.
func ClientAddrFromContext(ctx context.Context) (netip.Addr, bool) {
	a, ok := ctx.Value(clientAddrKey{}).(netip.Addr)
	return a, ok
}
