package feeds

import (
	"context"
	"errors"
	"io"
	"sync"

	"healthcode/internal/ingest"
)

// Stream says how IngestStream stores a feed. Only Store is required.
type Stream struct {
	// Store commits one batch: Ingest for the API, IngestAs for the
	// command line.
	Store func(ctx context.Context, rows []ingest.Row) (IngestResult, error)
	// Batch is how many rows go into one transaction (default 1000).
	Batch int
	// Workers is how many batches are stored at once (default 2): while
	// one batch waits for the database, the next is evaluated, so the
	// database and the policy engine work side by side. Batches lock
	// their persons in id order, so batches sharing persons queue.
	Workers int
	// Rejected hears of each rejected row, and Stored the running totals
	// after each committed batch; never two calls at once. The decoder's
	// rejections come in file order, those of a batch (IngestResult's)
	// when it commits.
	Rejected func(ingest.Rejection)
	Stored   func(total IngestResult, rejected int)
}

// IngestStream decodes a feed and stores it batch by batch until the end,
// the first file problem or the first failed batch, and returns what was
// stored. Batches committed before a failure stay committed: every row
// carries its record id, so sending the feed again stores only the rest.
func IngestStream(ctx context.Context, dec *ingest.Decoder, st Stream) (IngestResult, int, error) {
	if st.Batch <= 0 {
		st.Batch = 1000
	}
	if st.Workers <= 0 {
		st.Workers = 2
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		total    IngestResult
		rejected int
		failed   error
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if failed == nil {
			failed = err
			cancel()
		}
	}
	reject := func(rej ingest.Rejection) { // with mu held
		rejected++
		if st.Rejected != nil {
			st.Rejected(rej)
		}
	}
	batches := make(chan []ingest.Row)
	var wg sync.WaitGroup
	for range st.Workers {
		wg.Go(func() {
			for rows := range batches {
				if ctx.Err() != nil {
					continue // a batch failed or the caller gave up: drain, so that the reader never blocks
				}
				res, err := st.Store(ctx, rows)
				if err != nil {
					fail(err)
					continue
				}
				mu.Lock()
				for _, rej := range res.Refused {
					reject(rej)
				}
				total.Add(res)
				if st.Stored != nil {
					st.Stored(total, rejected)
				}
				mu.Unlock()
			}
		})
	}
	readErr := readBatches(ctx, dec, st.Batch, batches, func(rej ingest.Rejection) {
		mu.Lock() // with Stored, so that callers hear one thing at a time
		defer mu.Unlock()
		reject(rej)
	})
	close(batches)
	wg.Wait()
	if failed != nil {
		return total, rejected, failed
	}
	return total, rejected, readErr
}

// readBatches sends the decoded rows in batches until the feed ends or ctx
// is cancelled, by a failed batch or by the caller (a closed connection,
// Ctrl-C), which it reports as ctx's error: rows were left unread. Each
// batch is a new slice: a worker may still hold the one before.
func readBatches(ctx context.Context, dec *ingest.Decoder, size int, out chan<- []ingest.Row, reject func(ingest.Rejection)) error {
	batch := make([]ingest.Row, 0, size)
	send := func() bool {
		if len(batch) == 0 {
			return true
		}
		if ctx.Err() != nil { // select would pick at random when both are ready
			return false
		}
		select {
		case out <- batch:
			batch = make([]ingest.Row, 0, size)
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		row, rej, err := dec.Next()
		switch {
		case errors.Is(err, io.EOF):
			if !send() {
				return ctx.Err()
			}
			return nil
		case err != nil:
			send() // the rows before a file problem are good
			return err
		case rej != nil:
			reject(*rej)
		default:
			if batch = append(batch, row); len(batch) == size && !send() {
				return ctx.Err()
			}
		}
	}
}
