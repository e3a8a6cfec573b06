package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"healthcode"
	"healthcode/healthqr"
	"healthcode/internal/datadir"
	"healthcode/internal/federation"
	"healthcode/internal/publiclog"
	"healthcode/internal/secret"
	"healthcode/internal/service"
	"healthcode/internal/service/checkpoint"
	"healthcode/internal/store"
	"healthcode/policy"
)

// config is every setting of a server, from flags with environment
// defaults (HEALTHCODE_*), checked all at once by validate.
type config struct {
	Addr     string
	Data     string
	Keys     string
	DB       string
	Region   string
	TokenTTL time.Duration
	Policy   string
	Dev      bool
	// Limits are serve's rate limits (front); other commands limit nothing.
	Limits healthcode.Limits
	// RedAlert is a server's live red alert (--alert-red); other commands
	// sequence nothing and watch nothing.
	RedAlert publiclog.RedAlert
	// Foreign checks other regions' codes (serve's --trust); nil: none.
	Foreign *federation.Foreign
	// EU verifies HC1 certificates (serve's --dcc-trust); nil: none.
	EU *checkpoint.EU
}

// bind registers the flags on fs, with defaults from the environment.
func (c *config) bind(fs *flag.FlagSet, getenv func(string) string) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&c.Addr, "addr", env("HEALTHCODE_ADDR", "127.0.0.1:8080"), "listen address `HOST:PORT` ($HEALTHCODE_ADDR)")
	fs.StringVar(&c.Data, "data", env("HEALTHCODE_DATA", "./data"), "data `DIR`: SQLite database and keys ($HEALTHCODE_DATA)")
	fs.StringVar(&c.Keys, "keys", env("HEALTHCODE_KEYS", ""), "signing keys `DIR`; empty: keys/ in the data directory ($HEALTHCODE_KEYS)")
	fs.StringVar(&c.DB, "db", env("HEALTHCODE_DB", ""), "PostgreSQL `URL` (postgres://…); empty: SQLite in the data directory ($HEALTHCODE_DB)")
	fs.StringVar(&c.Region, "region", env("HEALTHCODE_REGION", service.DefaultIssuer), "6-digit `CODE` of the region this deployment issues codes for ($HEALTHCODE_REGION)")
	fs.DurationVar(&c.TokenTTL, "token-ttl", service.DefaultTokenTTL, "how long a shown code stays valid")
	fs.StringVar(&c.Policy, "policy", env("HEALTHCODE_POLICY", ""), "packs for regions, `REGION=PACK,…` (a shipped name or a file), over the shipped packs' own regions ($HEALTHCODE_POLICY)")
	fs.BoolVar(&c.Dev, "dev", false, "development mode: one-time codes are returned in API responses")
}

func (c *config) validate() error {
	var errs []error
	if c.Data == "" {
		errs = append(errs, errors.New("--data: must name a directory"))
	}
	if c.DB != "" && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
		errs = append(errs, errors.New("--db: must be a postgres:// URL (leave empty for SQLite)"))
	}
	if reason := healthcode.ValidateRegion(c.Region); reason != "" {
		errs = append(errs, fmt.Errorf("--region: %s", reason))
	}
	if c.TokenTTL < time.Second || c.TokenTTL > 24*time.Hour {
		errs = append(errs, errors.New("--token-ttl: must be between 1s and 24h"))
	}
	return errors.Join(errs...)
}

// parse parses args into a config, reporting every problem; the command
// takes no positional arguments.
func parse(name string, args []string, getenv func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (*config, error) {
	c, rest, err := parseWith(name, args, getenv, stderr, extra)
	if err != nil {
		return nil, err
	}
	return c, unexpected(name, rest)
}

// parseWith is parse for a command with positional arguments, which it
// returns; flags may stand before, between or after them.
func parseWith(name string, args []string, getenv func(string) string, stderr io.Writer,
	extra func(*flag.FlagSet)) (*config, []string, error) {
	fs := newFlags(name, stderr)
	c := &config{}
	c.bind(fs, getenv)
	if extra != nil {
		extra(fs)
	}
	rest, err := parseArgs(fs, args)
	if err != nil {
		return nil, nil, err
	}
	return c, rest, c.validate()
}

// openStore opens PostgreSQL when a URL is given, else the SQLite file in
// the data directory.
func openStore(ctx context.Context, c *config) (healthcode.Store, string, error) {
	if c.DB != "" {
		db, err := store.OpenPostgres(ctx, c.DB)
		return db, "postgres", err
	}
	if err := datadir.Ensure(c.Data); err != nil {
		return nil, "", fmt.Errorf("data directory: %w", err)
	}
	path := filepath.Join(c.Data, "healthcode.db")
	db, err := store.OpenSQLite(ctx, path)
	return db, "sqlite " + path, err
}

// openExisting is openStore for a command that reads or changes a
// deployment but must not make one: with no SQLite database in the data
// directory it names the directory instead of creating an empty one.
func openExisting(ctx context.Context, c *config) (healthcode.Store, string, error) {
	if c.DB == "" {
		path := filepath.Join(c.Data, "healthcode.db")
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, "", fmt.Errorf("no database in %s: start the server there once (healthcode serve --data %s), or name the data directory with --data or the database with --db", c.Data, c.Data)
		}
	}
	return openStore(ctx, c)
}

// openServed opens the providers prov names, the store and the service
// on them, for a server: close closes the store once the service is done.
func openServed(ctx context.Context, c *config, prov *providerFlags, getenv func(string) string, log *slog.Logger) (
	svc *service.Service, where string, close func() error, err error) {
	p, err := prov.open(c.Dev, getenv, log)
	if err != nil {
		return nil, "", nil, err
	}
	store, where, err := openStore(ctx, c)
	if err != nil {
		return nil, "", nil, err
	}
	if svc, err = openService(c, store, getenv, log, p); err != nil {
		store.Close()
		return nil, "", nil, err
	}
	// Before the first request: a switched or edited pack is in the public
	// log before any colour it decides.
	if err := svc.RecordPolicy(ctx, c.Region); err != nil {
		store.Close()
		return nil, "", nil, err
	}
	return svc, where, store.Close, nil
}

// openService wires a service on an open store, with the outside
// providers p (nil for the operator's commands, which neither apply nor
// text anyone).
func openService(c *config, store healthcode.Store, getenv func(string) string, log *slog.Logger, p *providers) (*service.Service, error) {
	box, err := openSecret(c, getenv)
	if err != nil {
		return nil, err
	}
	dir := c.keysDir()
	keys, err := healthqr.LoadOrCreate(dir, c.Region, time.Now())
	if err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	logSigner, logKey, err := publiclog.LoadOrCreateKey(dir, "healthcode-"+c.Region)
	if err != nil {
		return nil, fmt.Errorf("public log key: %w", err)
	}
	if p == nil {
		p = offline()
	}
	cfg := service.Config{Issuer: c.Region, TokenTTL: c.TokenTTL, Dev: c.Dev, Identity: p.identity,
		Limits: c.Limits, LogSigner: logSigner, LogVerifier: logKey, RedAlert: c.RedAlert, EU: c.EU,
		Foreign: c.Foreign}
	policies, err := openPolicies(c)
	if err != nil {
		return nil, err
	}
	return service.New(cfg, store, box, keys, policies, p.sms, log, nil)
}

// keysDir is where the signing keys are: --keys, or keys/ in the data
// directory.
func (c *config) keysDir() string {
	if c.Keys != "" {
		return c.Keys
	}
	return filepath.Join(c.Data, "keys")
}

// openSecret takes the identity key from HEALTHCODE_SECRET_KEY (every
// server of a PostgreSQL deployment needs the same key) or the data
// directory.
func openSecret(c *config, getenv func(string) string) (*secret.Box, error) {
	if v := getenv("HEALTHCODE_SECRET_KEY"); v != "" {
		key, err := secret.ParseKey(v)
		if err != nil {
			return nil, fmt.Errorf("HEALTHCODE_SECRET_KEY: %w", err)
		}
		return secret.New(key)
	}
	return secret.LoadOrCreate(c.Data)
}

// openPolicies serves the shipped packs for their regions, with --policy
// on top, and the pack for the deployment's own region for everyone else.
func openPolicies(c *config) (*policy.Registry, error) {
	overrides, err := policy.ParseAssignments(c.Policy)
	if err != nil {
		return nil, fmt.Errorf("--policy: %w", err)
	}
	return policy.ShippedRegistry(c.Region, overrides)
}
