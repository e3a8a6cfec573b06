package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"healthcode/internal/ingest"
	"healthcode/internal/service"
)

// ingestBatch is how many rows go into one transaction from the command
// line, as from the API.
const ingestBatch = 1000

// ingestCmd loads feed files from disk: healthcode ingest KIND FILE…
// Every row carries its source's record id, so running the same files
// again after a crash picks up where it stopped: rows already stored are
// recognised and skipped.
func ingestCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var source string
	var allOrNothing bool
	use := fmt.Sprintf("usage: healthcode ingest KIND FILE… [--source NAME] [--all-or-nothing] [--data DIR] [--db URL] (kinds: %s)",
		strings.Join(ingest.Kinds(), ", "))
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintln(stdout, use)
		return nil
	}
	c, rest, err := parseWith("ingest", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&source, "source", "cli", "the provider's `NAME`: record ids are unique per source")
		fs.BoolVar(&allOrNothing, "all-or-nothing", false, "store nothing if any row is rejected")
	})
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return errors.New(use)
	}
	kind, files := rest[0], rest[1:]
	if len(files) == 0 {
		return errors.New("ingest: name at least one FILE")
	}
	// A wrong kind or a missing file is said before the store is opened,
	// so a mistyped command leaves no data directory behind.
	for _, file := range files {
		f, _, _, err := openFeed(kind, file)
		if err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
		f.Close()
	}
	if allOrNothing {
		rejected, err := checkFiles(kind, files, stderr)
		if err != nil {
			return err
		}
		if rejected > 0 {
			return fmt.Errorf("ingest: %d rows rejected; --all-or-nothing stored nothing", rejected)
		}
	}
	store, _, err := openExisting(ctx, c)
	if err != nil {
		return err
	}
	defer store.Close()
	svc, err := openService(c, store, getenv, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), nil)
	if err != nil {
		return err
	}
	var total service.IngestResult
	rejected := 0
	for _, file := range files {
		res, rej, err := ingestFile(ctx, svc, kind, source, file, stderr)
		total.Add(res)
		rejected += rej
		if err != nil {
			return fmt.Errorf("%s: %w (rows before the problem are stored; running again is safe)", file, err)
		}
	}
	fmt.Fprintf(stdout, "%d rows: %d added, %d pending (not applied yet), %d duplicates, %d rejected; %d area stays made; %d colour changes\n",
		total.Rows+rejected, total.Added, total.Pending, total.Duplicates, rejected, total.Stays, total.Recoloured)
	return nil
}

// ingestFile streams one file in batches, reporting rejected rows and
// progress on stderr.
func ingestFile(ctx context.Context, svc *service.Service, kind, source, file string, stderr io.Writer) (service.IngestResult, int, error) {
	f, size, dec, err := openFeed(kind, file)
	if err != nil {
		return service.IngestResult{}, 0, err
	}
	defer f.Close()
	if kind == "designation" {
		return designateFile(ctx, svc, source, file, dec, stderr)
	}
	start := time.Now()
	total, rejected, err := service.IngestStream(ctx, dec, service.Stream{
		Batch: ingestBatch,
		Store: func(ctx context.Context, rows []ingest.Row) (service.IngestResult, error) {
			return svc.IngestAs(ctx, source, "cli:"+source, rows)
		},
		Rejected: func(rej ingest.Rejection) { fmt.Fprintf(stderr, "\r%s: %s\n", file, rej) },
		Stored: func(total service.IngestResult, rejected int) {
			progress(stderr, file, total.Rows+rejected, f.read.Load(), size, start)
		},
	})
	fmt.Fprintln(stderr)
	return total, rejected, err
}

// designateFile reads a designation file whole, then stores and applies
// it, reporting rejected rows on stderr.
func designateFile(ctx context.Context, svc *service.Service, source, file string, dec *ingest.Decoder,
	stderr io.Writer) (service.IngestResult, int, error) {
	rejected := 0
	rows, err := dec.Designations(func(rej ingest.Rejection) {
		rejected++
		fmt.Fprintf(stderr, "%s: %s\n", file, rej)
	})
	if err != nil {
		return service.IngestResult{}, rejected, err
	}
	fmt.Fprintf(stderr, "%s: applying %d designations…\n", file, len(rows))
	res, err := svc.DesignateAs(ctx, source, "cli:"+source, rows)
	fmt.Fprintf(stderr, "%s: %d new designations, %d duplicates; %d area stays made\n", file, res.Added, res.Duplicates, res.Stays)
	return service.IngestResult{Rows: res.Rows, Added: res.Added, Duplicates: res.Duplicates, Stays: res.Stays,
		Recoloured: res.Recoloured}, rejected, err
}

// checkFiles decodes every file without storing anything and counts the
// rejected rows, for --all-or-nothing.
func checkFiles(kind string, files []string, stderr io.Writer) (int, error) {
	rejected := 0
	for _, file := range files {
		f, _, dec, err := openFeed(kind, file)
		if err != nil {
			return 0, err
		}
		err = eachRejection(dec, func(rej ingest.Rejection) {
			rejected++
			fmt.Fprintf(stderr, "%s: %s\n", file, rej)
		})
		if err != nil {
			f.Close()
			return 0, fmt.Errorf("%s: %w", file, err)
		}
		f.Close()
	}
	return rejected, nil
}

// eachRejection reads a whole feed, telling reject of each rejected row.
func eachRejection(dec *ingest.Decoder, reject func(ingest.Rejection)) error {
	if dec.Kind() == "designation" {
		_, err := dec.Designations(reject)
		return err
	}
	for {
		_, rej, err := dec.Next()
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return err
		case rej != nil:
			reject(*rej)
		}
	}
}

// countingFile counts the bytes read, for the progress bar's ETA, which
// the goroutines storing batches draw while the file is being read.
type countingFile struct {
	*os.File
	read atomic.Int64
}

func (c *countingFile) Read(p []byte) (int, error) {
	n, err := c.File.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// openFeed opens a feed file, its format told by its extension.
func openFeed(kind, file string) (*countingFile, int64, *ingest.Decoder, error) {
	format := ingest.CSV
	if ext := strings.ToLower(filepath.Ext(file)); ext == ".ndjson" || ext == ".jsonl" {
		format = ingest.NDJSON
	}
	osf, err := os.Open(file)
	if err != nil {
		return nil, 0, nil, err
	}
	info, err := osf.Stat()
	if err != nil {
		osf.Close()
		return nil, 0, nil, err
	}
	f := &countingFile{File: osf}
	dec, err := ingest.NewDecoder(kind, format, f, time.Now())
	if err != nil {
		osf.Close()
		return nil, 0, nil, err
	}
	return f, info.Size(), dec, nil
}

// progress draws "file: 120000 rows, 40%, 9500 rows/s, ETA 12s" in place.
func progress(w io.Writer, file string, rows int, read, size int64, start time.Time) {
	elapsed := time.Since(start).Seconds()
	rate := float64(rows) / max(elapsed, 1e-9)
	frac := float64(read) / float64(max(size, 1))
	eta := "?"
	if frac > 0 {
		eta = (time.Duration(elapsed*(1-frac)/frac) * time.Second).Round(time.Second).String()
	}
	fmt.Fprintf(w, "\r%s: %d rows, %.0f%%, %.0f rows/s, ETA %s   ", file, rows, 100*frac, rate, eta)
}
