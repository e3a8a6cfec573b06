package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"healthcode"
	"healthcode/internal/datadir"
	"healthcode/internal/demo"
	"healthcode/internal/service"
	"healthcode/policy"
)

// demoFlags are demo run's settings.
type demoFlags struct {
	people int
	every  time.Duration
	feeds  int
	data   string
	addr   string
	seed   uint64
	policy string
}

func (f *demoFlags) bind(fs *flag.FlagSet) {
	fs.IntVar(&f.people, "people", 10_000, "how many `N` people live in the city, applied before the server starts")
	fs.DurationVar(&f.every, "every", 30*time.Second, "the `INTERVAL` between two feeds")
	fs.IntVar(&f.feeds, "feeds", 4*demo.StepsPerRound, "how many `N` feeds to send (lab results, contacts, a risk area, cases, and again); 0: none")
	fs.StringVar(&f.data, "data", "", "the data `DIR`: new, empty, or a demo's (started afresh); empty: a temporary directory, deleted at the end")
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "listen address `HOST:PORT`")
	fs.Uint64Var(&f.seed, "seed", 1, "the same `S` gives the same people")
	fs.StringVar(&f.policy, "policy", "", "packs for regions, `REGION=PACK,…`, over the shipped packs' own regions, as serve's")
}

func (f *demoFlags) validate() error {
	var errs []error
	if f.people < 2 || f.people > demo.MaxPeople {
		errs = append(errs, fmt.Errorf("--people: must be from 2 to %d", demo.MaxPeople))
	}
	if f.every < 10*time.Millisecond {
		errs = append(errs, errors.New("--every: must be at least 10ms"))
	}
	if f.feeds < 0 {
		errs = append(errs, errors.New("--feeds: must be 0 or more"))
	}
	return errors.Join(errs...)
}

// demoRun runs a city to look at: the server in --dev mode on a fresh
// SQLite store, a synthetic population already applied, feeds streaming
// in, and how to log in as a citizen, a checkpoint and an administrator.
func demoRun(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var f demoFlags
	fs := newFlags("demo", stderr)
	f.bind(fs)
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("demo: unexpected %q\n%s", rest[0], demoUsage)
	}
	if err := f.validate(); err != nil {
		return err
	}
	dir, cleanup, err := demoData(f.data)
	if err != nil {
		return err
	}
	defer cleanup()
	c := &config{Addr: f.addr, Data: dir, Region: service.DefaultIssuer, TokenTTL: service.DefaultTokenTTL,
		Policy: f.policy, Dev: true, Limits: healthcode.DefaultLimits()}
	c.RedAlert, _ = parseRedAlert(defaultRedAlert) // a constant that parses
	if err := c.validate(); err != nil {
		return err
	}
	// Listening comes first: a busy port is said before a long apply.
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close()
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc, _, closeStore, err := openServed(ctx, c, &providerFlags{}, getenv, log)
	if err != nil {
		return err
	}
	defer closeStore()
	city, err := newDemoCity(ctx, svc, f, stdout, stderr)
	if err != nil {
		return err
	}
	if f.data == "" {
		fmt.Fprintf(stdout, "data in %s (deleted when the demo stops; --data DIR keeps it)\n", dir)
	} else {
		fmt.Fprintf(stdout, "data in %s (kept: healthcode serve --dev --data %s serves it again)\n", dir, dir)
	}
	streamDone := make(chan struct{})
	stream, stop := context.WithCancel(ctx)
	defer func() { stop(); <-streamDone }()
	return runSite(ctx, site{svc: svc, log: log, ln: ln, every: defaultScheduleEvery}, func() {
		city.instructions(stdout, "http://"+ln.Addr().String())
		go func() { defer close(streamDone); city.stream(stream, stdout, log) }()
	})
}

// demoMark is the file that makes a data directory a demo's, which a
// demo may start afresh.
const demoMark = ".healthcode-demo"

// demoData returns the data directory of a demo and what removes it at
// the end: a new temporary directory for "", else dir, which must be new,
// empty or a demo's; a demo's database is deleted, to start afresh.
func demoData(dir string) (string, func(), error) {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "healthcode-demo-")
		if err != nil {
			return "", nil, fmt.Errorf("demo data directory: %w", err)
		}
		return tmp, func() { os.RemoveAll(tmp) }, nil
	}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := datadir.Ensure(dir); err != nil { // made private as serve makes it
			return "", nil, fmt.Errorf("demo data directory: %w", err)
		}
	case err != nil:
		return "", nil, fmt.Errorf("demo data directory: %w", err)
	case len(entries) == 0:
	default:
		if _, err := os.Stat(filepath.Join(dir, demoMark)); err != nil {
			return "", nil, fmt.Errorf("--data %s: holds files and is not a demo's (no %s): the demo starts afresh and would "+
				"delete its database; name a new or empty directory, or leave --data out for a temporary one", dir, demoMark)
		}
		for _, name := range []string{"healthcode.db", "healthcode.db-wal", "healthcode.db-shm"} {
			if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return "", nil, fmt.Errorf("demo data directory: %w", err)
			}
		}
	}
	mark := "This directory holds a healthcode demo's data: `healthcode demo --data` deletes its database to start afresh.\n"
	if err := os.WriteFile(filepath.Join(dir, demoMark), []byte(mark), 0o600); err != nil {
		return "", nil, fmt.Errorf("demo data directory: %w", err)
	}
	return dir, func() {}, nil
}

// chinaNow is the time of day in China, as the demo prints it.
func chinaNow() string { return time.Now().In(policy.ChinaTime).Format("15:04:05") }
