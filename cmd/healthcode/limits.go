package main

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"

	"healthcode"
	"healthcode/internal/web"
)

// front is serve's anti-automation settings: --rate-limits over
// healthcode.DefaultLimits and --trusted-proxy, with defaults from
// HEALTHCODE_RATE_LIMITS and HEALTHCODE_TRUSTED_PROXY.
type front struct {
	limitSpec, proxySpec string
	limits               healthcode.Limits
	proxies              []netip.Prefix
}

func (f *front) bind(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&f.limitSpec, "rate-limits", getenv("HEALTHCODE_RATE_LIMITS"),
		"rate limits over the defaults, `CLASS.SCOPE=N/PERIOD,…` (otp.addr=50/1h; =off lifts one; \"off\" lifts all); defaults: "+
			healthcode.DefaultLimits().String()+" ($HEALTHCODE_RATE_LIMITS)")
	fs.StringVar(&f.proxySpec, "trusted-proxy", getenv("HEALTHCODE_TRUSTED_PROXY"),
		"reverse proxies, `CIDR,…`, whose X-Forwarded-For names the client for rate limits; from anyone else the header is ignored ($HEALTHCODE_TRUSTED_PROXY)")
}

// validate parses both settings, reporting every problem.
func (f *front) validate() error {
	var errs []error
	var err error
	if f.limits, err = healthcode.ParseLimits(f.limitSpec, healthcode.DefaultLimits()); err != nil {
		errs = append(errs, fmt.Errorf("--rate-limits: %w", err))
	}
	if f.proxies, err = web.ParseProxies(f.proxySpec); err != nil {
		errs = append(errs, fmt.Errorf("--trusted-proxy: %w", err))
	}
	return errors.Join(errs...)
}
