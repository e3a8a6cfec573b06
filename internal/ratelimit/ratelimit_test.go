package ratelimit_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/ratelimit"
	"healthcode/internal/store"
)

var at = time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)

// counted is a real store that counts the statements the limiter sends.
type counted struct {
	healthcode.RateStore
	takes, purges atomic.Int64
}

func (c *counted) TakeRate(ctx context.Context, key []byte, r healthcode.Rate, now time.Time) (time.Duration, error) {
	c.takes.Add(1)
	return c.RateStore.TakeRate(ctx, key, r, now)
}

func (c *counted) PurgeRates(ctx context.Context, now time.Time) (int64, error) {
	c.purges.Add(1)
	return c.RateStore.PurgeRates(ctx, now)
}

func openStore(t *testing.T, path string) *counted {
	t.Helper()
	db, err := store.OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &counted{RateStore: db}
}

type clock struct{ now atomic.Pointer[time.Time] }

func newClock() *clock           { c := &clock{}; c.set(at); return c }
func (c *clock) set(t time.Time) { c.now.Store(&t) }
func (c *clock) Now() time.Time  { return *c.now.Load() }

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestFloodCostsTheStoreOneStatementPerRefusal(t *testing.T) {
	store := openStore(t, filepath.Join(t.TempDir(), "hc.db"))
	clk := newClock()
	l := ratelimit.New(store, discard, clk.Now)
	five := healthcode.Rate{N: 5, Per: time.Hour}
	allowed := 0
	for range 1000 {
		wait, err := l.Allow(context.Background(), []byte("addr"), five)
		if err != nil {
			t.Fatal(err)
		}
		if wait == 0 {
			allowed++
		} else if wait != 12*time.Minute {
			t.Fatalf("refused with wait %v, want 12m", wait)
		}
	}
	if allowed != 5 || store.takes.Load() != 6 {
		t.Errorf("%d allowed with %d statements, want 5 allowed with 6 (the 6th refusal remembered)", allowed, store.takes.Load())
	}
	clk.set(at.Add(12 * time.Minute))
	if wait, err := l.Allow(context.Background(), []byte("addr"), five); err != nil || wait != 0 {
		t.Errorf("once the token is back: wait %v, err %v", wait, err)
	}
	if store.takes.Load() != 7 {
		t.Errorf("the store was not asked once the remembered refusal ran out")
	}
}

func TestRememberedRefusalsHoldAcrossServers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hc.db")
	clk := newClock()
	servers := []*ratelimit.Limiter{
		ratelimit.New(openStore(t, path), discard, clk.Now),
		ratelimit.New(openStore(t, path), discard, clk.Now),
	}
	ten := healthcode.Rate{N: 10, Per: time.Hour}
	allowed := 0
	for i := range 200 {
		wait, err := servers[i%2].Allow(context.Background(), []byte("phone"), ten)
		if err != nil {
			t.Fatal(err)
		}
		if wait == 0 {
			allowed++
		}
	}
	if allowed != 10 {
		t.Errorf("%d allowed across two servers, want 10", allowed)
	}
}

func TestPurgesOnceAMinute(t *testing.T) {
	store := openStore(t, filepath.Join(t.TempDir(), "hc.db"))
	clk := newClock()
	l := ratelimit.New(store, discard, clk.Now)
	r := healthcode.Rate{N: 100, Per: time.Second}
	for i := range 180 {
		clk.set(at.Add(time.Duration(i) * time.Second))
		if _, err := l.Allow(context.Background(), []byte("k"), r); err != nil {
			t.Fatal(err)
		}
	}
	if n := store.purges.Load(); n != 3 {
		t.Errorf("purged %d times in 3 minutes, want 3", n)
	}
}
