package storetest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"healthcode"
)

// PairOpener returns two stores over one new, empty database, as two
// servers of a deployment would open it; both are closed when the test
// ends.
type PairOpener func(t *testing.T) (healthcode.Store, healthcode.Store)

// RunShared runs the tests of what servers sharing one database must
// agree on.
func RunShared(t *testing.T, open PairOpener) {
	t.Run("RateLimitsHoldAcrossServers", func(t *testing.T) {
		a, b := open(t)
		testRatesAcrossStores(t, a, b)
	})
}

func testRateBucket(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	five := healthcode.Rate{N: 5, Per: time.Hour} // a token back every 12 minutes
	take := func(key string, now time.Time) time.Duration {
		t.Helper()
		wait, err := s.TakeRate(ctx, []byte(key), five, now)
		if err != nil {
			t.Fatal(err)
		}
		return wait
	}
	for i := range 5 {
		if wait := take("phone", at); wait != 0 {
			t.Fatalf("request %d of a burst of 5 refused, wait %v", i+1, wait)
		}
	}
	steps := []struct {
		key      string
		at       time.Duration
		wantWait time.Duration
	}{
		{"phone", 0, 12 * time.Minute},
		{"phone", time.Minute, 11 * time.Minute}, // refused requests take nothing
		{"phone", 12*time.Minute - time.Microsecond, time.Microsecond},
		{"other", 0, 0}, // another key has its own bucket
		{"phone", 12 * time.Minute, 0},
		{"phone", 12 * time.Minute, 12 * time.Minute},
		{"phone", 24 * time.Minute, 0},
	}
	for _, st := range steps {
		if got := take(st.key, at.Add(st.at)); got != st.wantWait {
			t.Errorf("%s at +%v: wait %v, want %v", st.key, st.at, got, st.wantWait)
		}
	}
}

func testRateConcurrent(t *testing.T, s healthcode.Store) {
	if n := concurrentTakes(t, []healthcode.Store{s}, 10); n != 10 {
		t.Errorf("%d requests allowed by a limit of 10", n)
	}
}

func testRatesAcrossStores(t *testing.T, a, b healthcode.Store) {
	if n := concurrentTakes(t, []healthcode.Store{a, b}, 10); n != 10 {
		t.Errorf("%d requests allowed by a limit of 10 across two servers", n)
	}
}

// concurrentTakes has 40 callers, spread over the stores, each take 5
// requests at one instant from one bucket of limit, and returns how many
// were allowed.
func concurrentTakes(t *testing.T, stores []healthcode.Store, limit int) int64 {
	t.Helper()
	r := healthcode.Rate{N: limit, Per: time.Hour}
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for i := range 40 {
		s := stores[i%len(stores)]
		wg.Go(func() {
			for range 5 {
				wait, err := s.TakeRate(context.Background(), []byte("address"), r, at)
				if err != nil {
					t.Error(err)
					return
				}
				if wait == 0 {
					allowed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return allowed.Load()
}

func testPurgeRates(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	minute := healthcode.Rate{N: 1, Per: time.Minute}
	hour := healthcode.Rate{N: 1, Per: time.Hour}
	for _, k := range []struct {
		key string
		r   healthcode.Rate
	}{{"brief", minute}, {"long", hour}} {
		if _, err := s.TakeRate(ctx, []byte(k.key), k.r, at); err != nil {
			t.Fatal(err)
		}
	}
	later := at.Add(2 * time.Minute)
	n, err := s.PurgeRates(ctx, later)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("purged %d buckets, want the 1 full again", n)
	}
	if wait, err := s.TakeRate(ctx, []byte("long"), hour, later); err != nil || wait == 0 {
		t.Errorf("a bucket still in use was purged: wait %v, err %v", wait, err)
	}
	if wait, err := s.TakeRate(ctx, []byte("brief"), minute, later); err != nil || wait != 0 {
		t.Errorf("a purged bucket is not full: wait %v, err %v", wait, err)
	}
}
