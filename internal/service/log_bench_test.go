package service_test

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/publiclog"
	"healthcode/internal/service"
)

// BenchmarkColourChangesLog is BenchmarkEvaluateDue (every due person's
// colour changes: a history entry each) with the public log on — each
// change's log entry written in its transaction, and the sequencer
// placing and signing them meanwhile every publiclog.SequenceEvery, the
// clock stopping only once a signed head covers every change — and off:
// the same store with AppendLog a no-op, which only a benchmark can do.
// Compare people/s of the pair from one run (docs/log.md).
func BenchmarkColourChangesLog(b *testing.B) {
	for _, kind := range benchStores {
		for _, mode := range []string{"log", "nolog"} {
			b.Run(kind.name+"/"+mode, func(b *testing.B) {
				store, seed := kind.open(b)
				if mode == "nolog" {
					benchEvaluateDue(b, noLogStore{store}, seed, service.Config{}, nil)
					return
				}
				cfg, svc := sequenced(b, store)
				benchEvaluateDue(b, store, seed, cfg, headCovers(store, svc))
			})
		}
	}
}

// sequenced is a config with a log key and, until the benchmark ends, a
// sequencer running on store as a server runs it.
func sequenced(b *testing.B, store healthcode.Store) (service.Config, *service.Service) {
	b.Helper()
	signer, vkey, err := publiclog.LoadOrCreateKey(filepath.Join(b.TempDir(), "keys"), "healthcode-bench")
	if err != nil {
		b.Fatal(err)
	}
	cfg := service.Config{LogSigner: signer, LogVerifier: vkey}
	svc := benchServiceWith(b, store, time.Now(), cfg)
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { svc.RunSequencer(ctx, publiclog.SequenceEvery) })
	b.Cleanup(func() { stop(); wg.Wait() })
	return cfg, svc
}

// headCovers returns benchEvaluateDue's settled for the log: before the
// clock starts it waits for the sequencer to place everything written so
// far and notes the head's size; after, it runs rounds until a head
// covers every change, as the sequencer would on its next ticks: the
// benchmark pays for all the sequencing, but not for the idle rest of a
// period a server's last entries would wait (BenchmarkLogHeadDelay
// measures that).
func headCovers(store healthcode.Store, svc *service.Service) func(b *testing.B, changed int) {
	var size int64
	return func(b *testing.B, changed int) {
		ctx := context.Background()
		if changed == 0 {
			for {
				placed, err := svc.SequenceLog(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if placed == 0 {
					break
				}
			}
			size = logSize(b, store)
			return
		}
		for logSize(b, store) < size+int64(changed) {
			placed, err := svc.SequenceLog(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if placed == 0 { // the server's sequencer holds the log, or the last entries are committing
				time.Sleep(time.Millisecond)
			}
		}
	}
}

// noLogStore is a store whose transactions drop the public log's entries.
type noLogStore struct{ healthcode.Store }

func (s noLogStore) Update(ctx context.Context, fn func(healthcode.Tx) error) error {
	return s.Store.Update(ctx, func(tx healthcode.Tx) error { return fn(noLogTx{tx}) })
}

type noLogTx struct{ healthcode.Tx }

func (noLogTx) AppendLog(context.Context, ...*healthcode.LogEntry) error { return nil }

// BenchmarkLogHeadDelay measures the delay from an entry's commit to the
// first signed head that covers it, with the sequencer running every
// publiclog.SequenceEvery as in a server, and a watcher reading the head
// every 2 ms timing each entry when a head first covers it. It reports
// the delay's p50 and p99 under two loads, for two seconds an iteration:
// steady, one entry committed every 7 ms (so commits fall all over the
// period); burst, 5 000 entries committed at once, in five transactions
// of 1 000 (a designation colouring a district), every second: a backlog
// of five rounds.
func BenchmarkLogHeadDelay(b *testing.B) {
	loads := []struct {
		name   string
		every  time.Duration
		batch  int
		writes int
	}{
		{"steady", 7 * time.Millisecond, 1, 1},
		{"burst", time.Second, 1000, 5},
	}
	for _, kind := range benchStores {
		for _, load := range loads {
			b.Run(kind.name+"/"+load.name, func(b *testing.B) {
				store, _ := kind.open(b)
				_, _ = sequenced(b, store)
				var delays []time.Duration
				for range b.N {
					delays = append(delays, headDelays(b, store, 2*time.Second, load.every, load.writes, load.batch)...)
				}
				slices.Sort(delays)
				at := func(q float64) float64 { return float64(delays[int(q*float64(len(delays)-1))].Microseconds()) / 1000 }
				b.ReportMetric(at(0.5), "p50-ms")
				b.ReportMetric(at(0.99), "p99-ms")
				b.ReportMetric(float64(len(delays)), "entries")
			})
		}
	}
}

// headDelays commits, every period for d, writes transactions of batch
// entries each, and returns, for each entry, the time from its commit to
// a head covering it.
func headDelays(b *testing.B, store healthcode.Store, d, every time.Duration, writes, batch int) []time.Duration {
	ctx := context.Background()
	var mu sync.Mutex
	committed := map[string]time.Time{}
	var wrote int
	done := make(chan struct{})
	go func() {
		defer close(done)
		for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(every) {
			for range writes {
				es := make([]*healthcode.LogEntry, batch)
				for i := range es {
					es[i] = benchLogEntry(wrote + i)
				}
				if err := store.Update(ctx, func(tx healthcode.Tx) error { return tx.AppendLog(ctx, es...) }); err != nil {
					b.Error(err)
					return
				}
				mu.Lock()
				for _, e := range es {
					committed[string(e.History.Hash)] = time.Now()
				}
				wrote += batch
				mu.Unlock()
			}
		}
	}()
	var delays []time.Duration
	size := logSize(b, store)
	for finished := false; ; time.Sleep(2 * time.Millisecond) {
		select {
		case <-done:
			finished = true
		default:
		}
		n := logSize(b, store)
		if n > size {
			recs, err := store.LogEntries(ctx, size, int(n-size))
			if err != nil {
				b.Fatal(err)
			}
			seen := time.Now()
			mu.Lock()
			for _, r := range recs {
				if t, ok := committed[string(r.HistoryHash)]; ok {
					delays = append(delays, seen.Sub(t))
				}
			}
			mu.Unlock()
			size = n
		}
		mu.Lock()
		all := finished && len(delays) == wrote
		mu.Unlock()
		if all || b.Failed() {
			return delays
		}
	}
}

func logSize(b *testing.B, store healthcode.Store) int64 {
	head, err := store.LogHead(context.Background())
	if healthcode.ErrorCode(err) == healthcode.ENOTFOUND {
		return 0
	}
	if err != nil {
		b.Fatal(err)
	}
	return head.Size
}

// benchLogEntry is a colour change numbered i, distinct from the others
// of its run.
func benchLogEntry(i int) *healthcode.LogEntry {
	h := &healthcode.HistoryEntry{PersonID: int64(i) + 1, From: healthcode.Green, To: healthcode.Yellow, Rule: "bench/fever",
		FactIDs: []int64{int64(i) + 1}, Author: healthcode.AuthorSystem, At: time.Now()}
	h.Seal(0, nil)
	return healthcode.LogOfHistory(h, healthcode.LogAuthor{Role: healthcode.RoleSystem}, nil)
}
