package service_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"healthcode/internal/ingest"
	"healthcode/internal/service"
)

// labCSV is a lab feed of n good rows, with a bad result on the rows
// whose index is in bad.
func labCSV(n int, bad ...int) string {
	var b strings.Builder
	b.WriteString("source_ref,doc_number,at,sampled,result\n")
	for i := range n {
		result := "negative"
		for _, j := range bad {
			if i == j {
				result = "maybe"
			}
		}
		fmt.Fprintf(&b, "R-%d,11010519491231002X,2026-03-14 10:00,2026-03-13 16:30,%s\n", i, result)
	}
	return b.String()
}

func TestIngestStreamStoresEveryBatchAndCountsRejections(t *testing.T) {
	dec, err := ingest.NewDecoder("lab", ingest.CSV, strings.NewReader(labCSV(2500, 7, 2001)), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var stored atomic.Int64
	var lines []int
	res, rejected, err := service.IngestStream(context.Background(), dec, service.Stream{
		Batch: 1000, Workers: 3,
		Store: func(_ context.Context, rows []ingest.Row) (service.IngestResult, error) {
			stored.Add(int64(len(rows)))
			return service.IngestResult{Rows: len(rows), Added: len(rows)}, nil
		},
		Rejected: func(r ingest.Rejection) { lines = append(lines, r.Line) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 2498 || res.Added != 2498 || stored.Load() != 2498 {
		t.Errorf("stored %d rows, result %+v; want the 2498 good rows", stored.Load(), res)
	}
	if rejected != 2 || fmt.Sprint(lines) != "[9 2003]" {
		t.Errorf("rejected %d, on lines %v; want 2, on lines 9 and 2003", rejected, lines)
	}
}

func TestIngestStreamStopsAtTheFirstFailedBatch(t *testing.T) {
	dec, err := ingest.NewDecoder("lab", ingest.CSV, strings.NewReader(labCSV(100_000)), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int64
	broken := errors.New("database gone")
	res, _, err := service.IngestStream(context.Background(), dec, service.Stream{
		Batch: 100,
		Store: func(_ context.Context, rows []ingest.Row) (service.IngestResult, error) {
			if calls.Add(1) == 3 {
				return service.IngestResult{}, broken
			}
			return service.IngestResult{Rows: len(rows), Added: len(rows)}, nil
		},
	})
	if !errors.Is(err, broken) {
		t.Fatalf("err = %v, want the failed batch's", err)
	}
	// Batches in flight when the third failed may finish; nothing after.
	if n := calls.Load(); n > 5 {
		t.Errorf("%d batches were offered after a failure, want the reading to stop", n)
	}
	if res.Added > 400 {
		t.Errorf("result %+v counts batches that were not stored", res)
	}
}

func TestIngestStreamFailsWhenTheCallerGivesUp(t *testing.T) {
	dec, err := ingest.NewDecoder("lab", ingest.CSV, strings.NewReader(labCSV(100_000)), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int64
	_, _, err = service.IngestStream(ctx, dec, service.Stream{
		Batch: 100,
		Store: func(_ context.Context, rows []ingest.Row) (service.IngestResult, error) {
			if calls.Add(1) == 2 {
				cancel() // Ctrl-C, or the client hanging up, while batches are stored
			}
			return service.IngestResult{Rows: len(rows), Added: len(rows)}, nil
		},
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v after %d of 1000 batches, want the cancellation: rows were left unread", err, calls.Load())
	}
}
