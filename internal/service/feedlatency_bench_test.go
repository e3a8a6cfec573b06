package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/web"
)

// BenchmarkFeedToVerify sends a laboratory's results at a steady 1000 rows
// a second, in requests of 100 every 100 ms, to the feed API of a real
// HTTP server on PostgreSQL, for HEALTHCODE_BENCH_SECONDS (default 10).
// Each result is a sub-close contact's second negative test, which turns
// them from red to green. As soon as a request is acknowledged, every
// person in it has their code verified, as if each at a checkpoint of
// their own, again until it answers green. It reports the 50th and 99th percentile of the time from
// sending a request to its acknowledgement (ack-p50-ms, ack-p99-ms), of
// the time from the acknowledgement to /verify answering the new colour
// (green-p99-ms, target < 1000), and the rows a second achieved.
//
//	go test -run '^$' -bench FeedToVerify -benchtime 1x ./internal/service/
func BenchmarkFeedToVerify(b *testing.B) {
	seconds := 10
	if v := os.Getenv("HEALTHCODE_BENCH_SECONDS"); v != "" {
		var err error
		if seconds, err = strconv.Atoi(v); err != nil || seconds < 1 {
			b.Fatalf("HEALTHCODE_BENCH_SECONDS=%q: want a positive count", v)
		}
	}
	const perRequest, every = 100, 100 * time.Millisecond
	requests := seconds * int(time.Second/every)
	for range b.N {
		f := newLatencyFixture(b, requests*perRequest)
		var mu sync.Mutex
		var acks, greens []time.Duration
		var wg sync.WaitGroup
		tick := time.NewTicker(every)
		start := time.Now()
		for r := range requests {
			wg.Go(func() {
				ack, green := f.sendAndVerify(b, r*perRequest, perRequest)
				mu.Lock()
				acks, greens = append(acks, ack), append(greens, green...)
				mu.Unlock()
			})
			<-tick.C
		}
		wg.Wait()
		tick.Stop()
		took := time.Since(start)
		b.ReportMetric(ms(percentile(acks, 50)), "ack-p50-ms")
		b.ReportMetric(ms(percentile(acks, 99)), "ack-p99-ms")
		b.ReportMetric(ms(percentile(greens, 99)), "green-p99-ms")
		b.ReportMetric(float64(requests*perRequest)/took.Seconds(), "rows/s")
	}
}

// latencyFixture is a server with n contacts awaiting their second
// negative test, a feed key and each contact's code.
type latencyFixture struct {
	url     string
	feedKey string
	pop     labPopulation
	tokens  []string // of contact i, the population's person 10i
}

func newLatencyFixture(b *testing.B, contacts int) *latencyFixture {
	b.Helper()
	ctx := context.Background()
	store, conn := openBenchPostgres(b)
	now := time.Now().UTC().Truncate(time.Microsecond)
	svc := benchService(b, store, now)
	pop := labPopulation{n: 10 * contacts, now: now}
	if err := pop.seed(ctx, conn); err != nil {
		b.Fatal(err)
	}
	key, _, err := svc.CreateFeedKey(ctx, "lab-1", "330100", []string{"lab"})
	if err != nil {
		b.Fatal(err)
	}
	owner := &healthcode.Principal{Role: healthcode.RoleCitizen, AccountID: 1} // the seeded persons' account
	f := &latencyFixture{feedKey: key, pop: pop, tokens: make([]string, contacts)}
	for i := range contacts {
		code, err := svc.Code(ctx, owner, int64(10*i+1))
		if err != nil {
			b.Fatal(err)
		}
		f.tokens[i] = code.Token
	}
	srv := httptest.NewServer(web.NewServer(slog.New(slog.NewTextHandler(io.Discard, nil)), svc))
	b.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

// sendAndVerify sends contacts [first, first+n) their results, then
// verifies each of their codes until it is green. It returns the time the
// request took to be acknowledged and, for each person, the time from the
// acknowledgement to the green answer.
func (f *latencyFixture) sendAndVerify(b *testing.B, first, n int) (time.Duration, []time.Duration) {
	var csv strings.Builder
	csv.WriteString("source_ref,doc_number,at,sampled,result\n")
	at, sampled := f.pop.now.Add(-time.Hour).Format(time.RFC3339), f.pop.now.Add(-6*time.Hour).Format(time.RFC3339)
	for i := first; i < first+n; i++ {
		fmt.Fprintf(&csv, "NA-%d,%s,%s,%s,negative\n", i, f.pop.number(10*i), at, sampled)
	}
	sent := time.Now()
	var rep struct{ Added, Recoloured int }
	if code := f.post(b, "/api/v1/feeds/lab", f.feedKey, "text/csv", []byte(csv.String()), &rep); code != http.StatusOK ||
		rep.Added != n || rep.Recoloured != n {
		b.Errorf("feed: status %d, %+v; want %d added and recoloured", code, rep, n)
	}
	acked := time.Now()
	greens := make([]time.Duration, n)
	var wg sync.WaitGroup
	for i := range n { // as checkpoints would: each on its own
		wg.Go(func() { greens[i] = f.untilGreen(b, first+i, acked) })
	}
	wg.Wait()
	return acked.Sub(sent), greens
}

// untilGreen verifies contact i's code until it answers green, and
// returns how long after acked that was.
func (f *latencyFixture) untilGreen(b *testing.B, i int, acked time.Time) time.Duration {
	body, _ := json.Marshal(map[string]string{"token": f.tokens[i]})
	for {
		var v struct{ Color healthcode.Color }
		if code := f.post(b, "/api/v1/verify", "", "application/json", body, &v); code != http.StatusOK {
			b.Errorf("verify: status %d", code)
			return 0
		}
		if v.Color == healthcode.Green {
			return time.Since(acked)
		}
		if time.Since(acked) > 10*time.Second {
			b.Errorf("contact %d still %v 10 s after the acknowledgement", i, v.Color)
			return 0
		}
	}
}

func (f *latencyFixture) post(b *testing.B, path, key, contentType string, body []byte, out any) int {
	req, err := http.NewRequest("POST", f.url+path, bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Error(err)
		return 0
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		b.Error(err)
	}
	return res.StatusCode
}

func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
