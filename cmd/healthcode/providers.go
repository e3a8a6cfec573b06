package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"healthcode"
	"healthcode/internal/provider"
)

// providers are the outside services a server needs: the real-name check
// and the SMS gateway.
type providers struct {
	identity healthcode.IdentityChecker
	sms      healthcode.SMSSender
}

// providerFlags are serve's flags for them.
type providerFlags struct {
	identity string
	sms      string
}

func (f *providerFlags) bind(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&f.identity, "identity-check", getenv("HEALTHCODE_IDENTITY_CHECK"),
		"the real-name check: `https://…` (a provider; secret in $HEALTHCODE_IDENTITY_SECRET) or file:PATH "+
			"(a CSV register doc_type,doc_number,name,phone); required but with --dev ($HEALTHCODE_IDENTITY_CHECK)")
	fs.StringVar(&f.sms, "sms", getenv("HEALTHCODE_SMS"),
		"the SMS gateway for one-time codes, `https://…` (secret in $HEALTHCODE_SMS_SECRET); required but with --dev ($HEALTHCODE_SMS)")
}

// open builds the providers the flags name. Outside --dev both are
// required: without them anyone could claim anyone's identity, or the
// codes would only reach the log.
func (f *providerFlags) open(dev bool, getenv func(string) string, log *slog.Logger) (*providers, error) {
	var errs []error
	p := &providers{}
	switch {
	case f.identity == "" && dev:
		p.identity = provider.AcceptAnyone{}
		log.Warn("--dev without --identity-check: every identity is accepted without a real-name check; never run this in production")
	case f.identity == "":
		errs = append(errs, errors.New("--identity-check: required (https://… or file:PATH); only --dev runs without a real-name check"))
	default:
		var err error
		if p.identity, err = openChecker(f.identity, getenv, log); err != nil {
			errs = append(errs, fmt.Errorf("--identity-check: %w", err))
		}
	}
	switch {
	case f.sms == "" && dev:
		p.sms = provider.LogSender{Log: log}
		log.Warn("--dev without --sms: one-time codes are written to this log and returned in API answers; never run this in production")
	case f.sms == "":
		errs = append(errs, errors.New("--sms: required (https://…); only --dev runs without an SMS gateway"))
	default:
		client, err := providerClient(f.sms, getenv("HEALTHCODE_SMS_SECRET"), "HEALTHCODE_SMS_SECRET")
		if err != nil {
			errs = append(errs, fmt.Errorf("--sms: %w", err))
		} else {
			p.sms = &provider.SMSGateway{Client: client, Log: log}
		}
	}
	return p, errors.Join(errs...)
}

func openChecker(spec string, getenv func(string) string, log *slog.Logger) (healthcode.IdentityChecker, error) {
	if path, ok := strings.CutPrefix(spec, "file:"); ok {
		reg, err := provider.LoadRegister(path, time.Now())
		if err != nil {
			return nil, err
		}
		log.Info("real-name check against a register file", "path", path, "rows", reg.Len())
		return reg, nil
	}
	client, err := providerClient(spec, getenv("HEALTHCODE_IDENTITY_SECRET"), "HEALTHCODE_IDENTITY_SECRET")
	if err != nil {
		return nil, err
	}
	return &provider.IdentityService{Client: client, Log: log}, nil
}

func providerClient(url, secret, secretVar string) (*provider.Client, error) {
	if secret == "" {
		return nil, fmt.Errorf("$%s must hold the secret shared with the provider (16 bytes or more)", secretVar)
	}
	return provider.NewClient(url, []byte(secret))
}

// offline are the providers of the operator's commands (keys, ingest,
// policy): they neither apply anyone nor send texts, and say so if asked.
func offline() *providers { return &providers{identity: refuse{}, sms: refuse{}} }

type refuse struct{}

var errOffline = healthcode.Errorf(healthcode.EUNAVAILABLE, "This command does not apply anyone or send texts.")

func (refuse) CheckIdentity(context.Context, healthcode.IdentityClaim) error { return errOffline }
func (refuse) SendCode(context.Context, healthcode.CodeMessage) error        { return errOffline }
