package service_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"healthcode"
	"healthcode/healthqr"
	"healthcode/internal/provider"
	"healthcode/internal/secret"
	"healthcode/internal/service"
	"healthcode/internal/store"
	"healthcode/internal/store/pgtest"
)

// limited is a test configuration with the given rate limits.
func limited(l healthcode.Limits) envOption {
	return withConfig(service.Config{Issuer: "330100", Limits: l})
}

func wantLimited(t *testing.T, err error, retryAfter time.Duration) {
	t.Helper()
	if healthcode.ErrorCode(err) != healthcode.ELIMIT {
		t.Fatalf("error %v, want ELIMIT", err)
	}
	if got := healthcode.ErrorRetryAfter(err); got != retryAfter {
		t.Errorf("retry after %v, want %v", got, retryAfter)
	}
}

func TestOTPRequestsAreLimitedPerPhoneHoweverItIsWritten(t *testing.T) {
	e := newEnv(t, limited(healthcode.Limits{{Class: healthcode.LimitOTP, Scope: healthcode.ScopePhone}: {N: 3, Per: time.Hour}}))
	ctx := context.Background()
	for _, phone := range []string{"13812345678", "+86 138 1234 5678", "138-1234-5678"} {
		if _, err := e.svc.RequestOTP(ctx, phone); err != nil {
			t.Fatalf("RequestOTP(%s): %v", phone, err)
		}
		e.clock.Advance(2 * time.Minute) // past the resend pause
	}
	_, err := e.svc.RequestOTP(ctx, "8613812345678")
	wantLimited(t, err, 20*time.Minute-6*time.Minute) // a token back every 20 minutes, the first at +20m
	if _, err := e.svc.RequestOTP(ctx, "13900000000"); err != nil {
		t.Errorf("another phone was limited too: %v", err)
	}
	if n := e.sender.count(); n != 4 {
		t.Errorf("%d codes sent, want 4: a limited request sends nothing", n)
	}
}

func TestLoginsAreLimitedPerPhone(t *testing.T) {
	e := newEnv(t, limited(healthcode.Limits{{Class: healthcode.LimitLogin, Scope: healthcode.ScopePhone}: {N: 2, Per: 15 * time.Minute}}))
	ctx := context.Background()
	for range 2 {
		_, err := e.svc.Login(ctx, "13812345678", "000000")
		if healthcode.ErrorCode(err) != healthcode.EUNAUTHORIZED {
			t.Fatalf("a login within the limit: %v, want EUNAUTHORIZED (no code asked for)", err)
		}
	}
	_, err := e.svc.Login(ctx, "13812345678", "000000")
	wantLimited(t, err, 7*time.Minute+30*time.Second)
}

func TestLimitCountsAddressesAccountsAndKeys(t *testing.T) {
	e := newEnv(t, limited(healthcode.Limits{
		{Class: healthcode.LimitApply, Scope: healthcode.ScopeAddr}:    {N: 2, Per: time.Hour},
		{Class: healthcode.LimitApply, Scope: healthcode.ScopeAccount}: {N: 1, Per: time.Hour},
		{Class: healthcode.LimitFeed, Scope: healthcode.ScopeKey}:      {N: 1, Per: time.Minute},
	}))
	from := func(addr string) context.Context {
		return healthcode.NewContextWithClientAddr(context.Background(), netip.MustParseAddr(addr))
	}
	alice := &healthcode.Principal{Role: healthcode.RoleCitizen, AccountID: 1}
	bob := &healthcode.Principal{Role: healthcode.RoleCitizen, AccountID: 2}
	lab := &healthcode.Principal{Role: healthcode.RoleFeed, KeyID: 1}
	steps := []struct {
		name  string
		ctx   context.Context
		class healthcode.LimitClass
		who   *healthcode.Principal
		want  string
	}{
		{"first from an address", from("203.0.113.7"), healthcode.LimitApply, alice, ""},
		{"the account's second", from("198.51.100.1"), healthcode.LimitApply, alice, healthcode.ELIMIT},
		{"another account, same address", from("203.0.113.7"), healthcode.LimitApply, bob, ""},
		{"the address's third", from("203.0.113.7"), healthcode.LimitApply, nil, healthcode.ELIMIT},
		{"an IPv6 client", from("2001:db8:1:2::1"), healthcode.LimitApply, nil, ""},
		{"its /64 neighbour", from("2001:db8:1:2:ffff::9"), healthcode.LimitApply, nil, ""},
		{"the /64's third", from("2001:db8:1:2::77"), healthcode.LimitApply, nil, healthcode.ELIMIT},
		{"the next /64", from("2001:db8:1:3::1"), healthcode.LimitApply, nil, ""},
		{"an unlimited class", from("203.0.113.7"), healthcode.LimitCheckIn, alice, ""},
		{"a feed key", context.Background(), healthcode.LimitFeed, lab, ""},
		{"the key again", context.Background(), healthcode.LimitFeed, lab, healthcode.ELIMIT},
	}
	for _, st := range steps {
		if got := healthcode.ErrorCode(e.svc.Limit(st.ctx, st.class, st.who)); got != st.want {
			t.Errorf("%s: error %q, want %q", st.name, got, st.want)
		}
	}
}

func TestNoLimitsLimitNothing(t *testing.T) {
	e := newEnv(t)
	ctx := healthcode.NewContextWithClientAddr(context.Background(), netip.MustParseAddr("203.0.113.7"))
	for range 100 {
		if err := e.svc.Limit(ctx, healthcode.LimitOTP, nil); err != nil {
			t.Fatal(err)
		}
	}
}

// Two services on one PostgreSQL database stand for two servers.
func TestLimitsHoldAcrossServersOnOnePostgreSQL(t *testing.T) {
	lim := healthcode.Limits{{Class: healthcode.LimitLogin, Scope: healthcode.ScopeAddr}: {N: 5, Per: 15 * time.Minute}}
	a, b := twoServers(t, service.Config{Issuer: "330100", Limits: lim})
	ctx := healthcode.NewContextWithClientAddr(context.Background(), netip.MustParseAddr("203.0.113.7"))
	allowed := 0
	for i := range 40 {
		svc := []*service.Service{a, b}[i%2]
		switch err := svc.Limit(ctx, healthcode.LimitLogin, nil); healthcode.ErrorCode(err) {
		case "":
			allowed++
		case healthcode.ELIMIT:
		default:
			t.Fatal(err)
		}
	}
	if allowed != 5 {
		t.Errorf("%d allowed across two servers, want 5", allowed)
	}
}

// twoServers returns two services, each with its own connection pool and
// limiter, on one new PostgreSQL database.
func twoServers(t *testing.T, cfg service.Config) (*service.Service, *service.Service) {
	t.Helper()
	dsn := pgtest.NewDatabase(t)
	box, err := secret.New(bytes.Repeat([]byte{7}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	signing, err := healthqr.GenerateKey("330100", start, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := healthqr.NewKeyring(signing)
	if err != nil {
		t.Fatal(err)
	}
	var svcs [2]*service.Service
	for i := range svcs {
		store, err := store.OpenPostgres(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		log := slog.New(slog.DiscardHandler)
		cfg.Identity = provider.AcceptAnyone{}
		if svcs[i], err = service.New(cfg, store, box, keys, nil, &captureSender{}, log, nil); err != nil {
			t.Fatal(err)
		}
	}
	return svcs[0], svcs[1]
}
