package service_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/healthqr"
	"healthcode/internal/provider"
	"healthcode/internal/secret"
	"healthcode/internal/service"
	"healthcode/internal/storetest"
	"healthcode/policy"
)

// BenchmarkEvaluateDue measures the scheduler on each store: how many due
// persons a second EvaluateDue(ctx, 1000) re-evaluates, and the peak
// resident memory of the process while it does. Each iteration first
// seeds HEALTHCODE_BENCH_PEOPLE (default 20000) new due persons, untimed
// (by COPY on PostgreSQL, through the store on SQLite), then times one
// EvaluateDue over all of them; with a million people run one iteration
// (-benchtime 1x), as README.md's Benchmarks section shows.
func BenchmarkEvaluateDue(b *testing.B) {
	for _, kind := range benchStores {
		b.Run(kind.name, func(b *testing.B) {
			store, seed := kind.open(b)
			benchEvaluateDue(b, store, seed, service.Config{}, nil)
		})
	}
}

// benchEvaluateDue is BenchmarkEvaluateDue on store, seeded by seedWith.
// cfg gives the service its public log key, if any.
// settled, when not nil, is called before the clock starts and again,
// with the clock running, after the re-evaluation, with the number of
// persons it changed: the log's benchmark waits there for the sequencer.
func benchEvaluateDue(b *testing.B, store healthcode.Store, seedWith func(context.Context, benchSeed) error, cfg service.Config,
	settled func(b *testing.B, changed int)) {
	n := benchPeople(b)
	ctx := context.Background()
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	// Every seeded status is due by then: declarations end a day after
	// base, isolations 14 days and an hour after that.
	now := base.Add(16 * 24 * time.Hour)
	svc := benchServiceWith(b, store, now, cfg)

	var evaluated int
	var peakKB int64
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		seed := benchSeed{base: base, first: int64(i*n) + 1, n: n}
		if err := seedWith(ctx, seed); err != nil {
			b.Fatal(err)
		}
		// Measure the scheduler's memory, not the seeding's.
		runtime.GC()
		debug.FreeOSMemory()
		resetPeakRSS(b)
		if settled != nil {
			settled(b, 0)
		}
		b.StartTimer()
		got, err := svc.EvaluateDue(ctx, 1000)
		if settled != nil && err == nil {
			settled(b, got)
		}
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if got != n {
			b.Fatalf("EvaluateDue re-evaluated %d persons, want %d", got, n)
		}
		evaluated += got
		peakKB = max(peakKB, peakRSSKB(b))
		checkTurnedGreen(b, store, seed.first, seed.first+int64(n)-1)
		b.StartTimer()
	}
	b.ReportMetric(float64(evaluated)/b.Elapsed().Seconds(), "people/s")
	b.ReportMetric(float64(peakKB)/1024, "peak-RSS-MB")
}

// benchService is the service as serve builds it, with the shipped packs,
// on a clock stopped at now.
func benchService(b *testing.B, store healthcode.Store, now time.Time) *service.Service {
	b.Helper()
	return benchServiceWith(b, store, now, service.Config{})
}

// benchServiceWith is benchService with cfg's public log key.
func benchServiceWith(b *testing.B, store healthcode.Store, now time.Time, cfg service.Config) *service.Service {
	b.Helper()
	box, err := secret.New(make([]byte, secret.KeySize))
	if err != nil {
		b.Fatal(err)
	}
	signing, err := healthqr.GenerateKey("330100", now, 24*time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	keys, err := healthqr.NewKeyring(signing)
	if err != nil {
		b.Fatal(err)
	}
	policies, err := policy.ShippedRegistry("330100", nil)
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.Issuer, cfg.Identity = "330100", provider.AcceptAnyone{}
	svc, err := service.New(cfg, store, box, keys, policies, provider.LogSender{Log: log},
		log, func() time.Time { return now })
	if err != nil {
		b.Fatal(err)
	}
	return svc
}

// checkTurnedGreen spot-checks the first and last seeded persons: green,
// with a second history entry that chains on.
func checkTurnedGreen(b *testing.B, store healthcode.Store, ids ...int64) {
	b.Helper()
	ctx := context.Background()
	for _, id := range ids {
		p, err := store.Person(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		hs, err := store.History(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		if p.Status.Color != healthcode.Green || len(hs) != 2 || healthcode.VerifyChain(hs, p.Status.HeadHash) != nil {
			b.Fatalf("person %d: %v with %d history entries; want green, red then green, chained", id, p.Status.Color, len(hs))
		}
	}
}

// resetPeakRSS restarts the kernel's count of the process's peak resident
// memory (VmHWM), so that the peak read next is the timed part's.
func resetPeakRSS(b *testing.B) {
	b.Helper()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("cannot reset the peak RSS (%v): it includes the seeding", err)
	}
}

// peakRSSKB reads VmHWM, the peak resident memory, in kB.
func peakRSSKB(b *testing.B) int64 {
	b.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Logf("no peak RSS: %v", err)
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err == nil {
				return kb
			}
		}
	}
	b.Logf("no VmHWM in /proc/self/status")
	return 0
}

// BenchmarkSimulate measures a policy simulation over HEALTHCODE_BENCH_PEOPLE
// (default 20000) stored persons on PostgreSQL: persons a second, and the
// peak resident memory, which must not grow with the population (the walk
// reads 1000 persons at a time).
//
//	HEALTHCODE_BENCH_PEOPLE=1000000 go test -run '^$' -bench Simulate -benchtime 1x -timeout 60m ./internal/service/
func BenchmarkSimulate(b *testing.B) {
	n := benchPeople(b)
	ctx := context.Background()
	store, conn := openBenchPostgres(b)
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	if err := (benchSeed{base: base, first: 1, n: n}).write(ctx, conn); err != nil {
		b.Fatal(err)
	}
	now := base.Add(5 * 24 * time.Hour)
	svc := benchService(b, store, now)
	candidate, err := policy.LoadShipped("hubei-2020")
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS(b)
	b.ResetTimer()
	for range b.N {
		r, err := svc.SimulatePack(ctx, candidate, now, true, nil)
		if err != nil {
			b.Fatal(err)
		}
		// Declared contacts: red for 14 days in Shaoxing, yellow in Hubei.
		if r.Persons != n || r.Changed != n {
			b.Fatalf("report: %d persons, %d changed; want %d and %d", r.Persons, r.Changed, n, n)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "people/s")
	b.ReportMetric(float64(peakRSSKB(b))/1024, "peak-RSS-MB")
}

// benchPeople is HEALTHCODE_BENCH_PEOPLE, default 20000.
func benchPeople(b *testing.B) int { return benchPeopleOr(b, 20000) }

// benchPeopleOr is HEALTHCODE_BENCH_PEOPLE, or n when it is not set.
func benchPeopleOr(b *testing.B, n int) int { return storetest.BenchPeople(b, n) }
