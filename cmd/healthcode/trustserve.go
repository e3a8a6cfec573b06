package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"healthcode/internal/datadir"
	"healthcode/internal/federation"
)

// trustFlags are serve's flags for recognising other regions' codes.
type trustFlags struct {
	roots, source, mode, hub, national string
	refresh, timeout                   time.Duration
}

func (f *trustFlags) bind(fs *flag.FlagSet, getenv func(string) string) {
	dur := func(name string, def time.Duration) time.Duration {
		if d, err := time.ParseDuration(getenv(name)); err == nil {
			return d
		}
		return def
	}
	fs.StringVar(&f.roots, "trust-root", getenv("HEALTHCODE_TRUST_ROOT"), "root verifier `VKEY[,VKEY]` the trust list must be signed by ($HEALTHCODE_TRUST_ROOT)")
	fs.StringVar(&f.source, "trust", getenv("HEALTHCODE_TRUST"), "the signed trust list: `URL|FILE`; empty: no other region's codes ($HEALTHCODE_TRUST)")
	fs.DurationVar(&f.refresh, "trust-refresh", dur("HEALTHCODE_TRUST_REFRESH", 5*time.Minute), "how often the trust list is fetched again ($HEALTHCODE_TRUST_REFRESH)")
	fs.DurationVar(&f.timeout, "foreign-timeout", dur("HEALTHCODE_FOREIGN_TIMEOUT", federation.DefaultLiveTimeout), "how long to wait for another region's live colour ($HEALTHCODE_FOREIGN_TIMEOUT)")
	fs.StringVar(&f.mode, "federation-mode", getenv("HEALTHCODE_FEDERATION_MODE"), "`peer|hub|national` (SPEC F2); empty: peer ($HEALTHCODE_FEDERATION_MODE)")
	fs.StringVar(&f.hub, "federation-hub", getenv("HEALTHCODE_FEDERATION_HUB"), "the national hub's base `URL`, in hub mode ($HEALTHCODE_FEDERATION_HUB)")
	fs.StringVar(&f.national, "national-region", getenv("HEALTHCODE_NATIONAL_REGION"), "the trust list's `CODE` of the national code, in national mode ($HEALTHCODE_NATIONAL_REGION)")
}

// open returns the foreign-code checker these flags describe, its trust
// list read from the last good copy in dir and then the source; nil when
// no trust list is configured.
func (f *trustFlags) open(ctx context.Context, dir, self string, log *slog.Logger) (*federation.Foreign, error) {
	mode, err := federation.ParseMode(f.mode)
	var errs []error
	if err != nil {
		errs = append(errs, fmt.Errorf("--federation-mode: %w", err))
	}
	if f.source == "" {
		if f.roots != "" || mode != federation.Peer {
			errs = append(errs, errors.New("--trust: required with --trust-root or a federation mode: the signed trust list's URL or file"))
		}
		return nil, errors.Join(errs...)
	}
	roots, err := federation.Roots(strings.Split(f.roots, ","))
	if err != nil {
		errs = append(errs, fmt.Errorf("--trust-root: %w", err))
	}
	if f.refresh < time.Second {
		errs = append(errs, errors.New("--trust-refresh: must be at least 1s"))
	}
	if f.timeout <= 0 || f.timeout > 30*time.Second {
		errs = append(errs, errors.New("--foreign-timeout: must be between 1ms and 30s"))
	}
	if mode == federation.Hub {
		if err := federation.CheckURL(f.hub); err != nil {
			errs = append(errs, fmt.Errorf("--federation-hub: %w", err))
		}
	}
	if mode == federation.National && f.national == "" {
		errs = append(errs, errors.New("--national-region: required in national mode: the trust list's region of the national code"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := datadir.Ensure(dir); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	trust, err := federation.New(federation.Config{Roots: roots, Source: f.source, Dir: dir, Log: log})
	if err != nil {
		return nil, err
	}
	if err := trust.Refresh(ctx); err != nil {
		log.Warn("trust list: the source could not be used at start; keeping the last good copy", "err", err, "have_copy", trust.List() != nil)
	}
	return &federation.Foreign{Trust: trust, Mode: mode, National: f.national, Self: self,
		Asker: &federation.Asker{Client: &http.Client{}, Timeout: f.timeout, Mode: mode, HubURL: f.hub}}, nil
}
