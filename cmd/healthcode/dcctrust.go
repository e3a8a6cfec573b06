package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"healthcode/internal/dcc"
	"healthcode/internal/service/checkpoint"
)

// dccFlags are serve's settings for EU Digital COVID Certificates.
type dccFlags struct {
	trust string // the EU gateway's DSC list, JSON
	at    string // dev only: verify EU certificates as at this instant
}

func (d *dccFlags) bind(fs *flag.FlagSet, getenv func(string) string) {
	d.trust = getenv("HEALTHCODE_DCC_TRUST")
	fs.StringVar(&d.trust, "dcc-trust", d.trust, "EU DSC trust list `FILE` (the EU gateway's JSON list: kid, country, rawData) "+
		"for HC1 certificates at /api/v1/verify and /checkpoint; reread on SIGHUP; empty: HC1 codes are answered invalid ($HEALTHCODE_DCC_TRUST)")
	fs.StringVar(&d.at, "dcc-at", "", "development only (--dev): verify EU certificates as at `TIME` (RFC 3339), for the public test data, "+
		"whose certificates have all expired; nothing else sees this clock")
}

// open loads the trust list and returns the verifier serve hands the
// service, or nil without --dcc-trust.
func (d *dccFlags) open(dev bool) (*checkpoint.EU, error) {
	var now func() time.Time
	if d.at != "" {
		if !dev {
			return nil, errors.New("--dcc-at: development only; add --dev")
		}
		at, err := time.Parse(time.RFC3339, d.at)
		if err != nil {
			return nil, fmt.Errorf("--dcc-at: %w", err)
		}
		now = func() time.Time { return at }
	}
	if d.trust == "" {
		return nil, nil
	}
	eu := checkpoint.NewEU(now)
	tl, _, err := loadDCCTrust(d.trust)
	if err != nil {
		return nil, fmt.Errorf("--dcc-trust: %w", err)
	}
	eu.SetTrust(tl)
	return eu, nil
}

// loadDCCTrust reads an EU DSC list file, returning how many certificates
// it holds.
func loadDCCTrust(path string) (dcc.TrustList, int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return dcc.TrustList{}, 0, err
	}
	tl, err := dcc.ParseTrustList(data)
	if err != nil {
		return dcc.TrustList{}, 0, err
	}
	return tl, tl.Len(), nil
}

// reloadOnHangup rereads the trust list on every SIGHUP until ctx ends,
// keeping the last good list when the file cannot be read or parsed.
func (d *dccFlags) reloadOnHangup(ctx context.Context, eu *checkpoint.EU, log *slog.Logger) {
	if eu == nil {
		return
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				tl, n, err := loadDCCTrust(d.trust)
				if err != nil {
					log.Warn("EU trust list not reloaded; keeping the last good one", "file", d.trust, "err", err)
					continue
				}
				eu.SetTrust(tl)
				log.Info("EU trust list reloaded", "file", d.trust, "certificates", n)
			}
		}
	}()
}
