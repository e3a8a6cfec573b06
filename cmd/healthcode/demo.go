package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"healthcode/internal/demo"
)

const demoUsage = `usage: healthcode demo [run] [--people N] [--every 30s] [--feeds N] [--data DIR] [--addr HOST:PORT] [--seed S] [--policy REGION=PACK,…]
       healthcode demo generate --people N --out DIR [--seed S] [--region CITY] [--now TIME]`

// demoCmd runs a demonstration city (demo run, the default) or writes a
// synthetic population and its feeds to files (demo generate).
func demoCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	switch {
	case len(args) > 0 && isHelp(args[0]):
		fmt.Fprintf(stdout, "%s\n\ndemo run (the default) starts a city to look at; its flags:\n", demoUsage)
		fs := flag.NewFlagSet("healthcode demo", flag.ContinueOnError)
		fs.SetOutput(stdout)
		new(demoFlags).bind(fs)
		fs.PrintDefaults()
		return nil
	case len(args) > 0 && args[0] == "generate":
		return demoGenerate(args[1:], stdout, stderr)
	case len(args) > 0 && args[0] == "run":
		return demoRun(ctx, args[1:], getenv, stdout, stderr)
	case len(args) == 0 || strings.HasPrefix(args[0], "-"):
		return demoRun(ctx, args, getenv, stdout, stderr)
	}
	return fmt.Errorf("demo: unknown %q\n%s", args[0], demoUsage)
}

// demoGenerate writes the files: healthcode demo generate --people N --out DIR.
func demoGenerate(args []string, stdout, stderr io.Writer) error {
	const use = "usage: healthcode demo generate --people N --out DIR [--seed S] [--region CITY] [--now TIME]"
	fs := newFlags("demo generate", stderr)
	people := fs.Int("people", 0, "how many `N` people to invent")
	out := fs.String("out", "", "the `DIR` to write persons.csv and the feeds to")
	seed := fs.Uint64("seed", 1, "the same `S` gives the same files")
	region := fs.String("region", "330100", "the `CITY` the people live in: "+strings.Join(demo.Cities(), ", "))
	now := fs.String("now", "", "events lie in the 14 days before this `TIME`: "+timeUsage+"; default: now")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := unexpected("demo generate", rest); err != nil {
		return err
	}
	if *people < 1 || *out == "" {
		return errors.New(use)
	}
	at := time.Now()
	if *now != "" {
		if at, err = parseInstant("now", *now, at); err != nil {
			return fmt.Errorf("demo generate: %w", err)
		}
	}
	start := time.Now()
	files, err := demo.Write(*out, demo.Options{People: *people, Seed: *seed, City: *region, Now: at},
		progressOf(stderr, "generated", *people, start))
	if err != nil {
		return fmt.Errorf("demo generate: %w", err)
	}
	fmt.Fprintf(stdout, "%d synthetic people of %s (seed %d) in %s:\n", *people, *region, *seed, time.Since(start).Round(time.Millisecond))
	width := 0
	for _, f := range files {
		width = max(width, len(filepath.Join(*out, f.Name)))
	}
	for _, f := range files {
		fmt.Fprintf(stdout, "  %-*s %9d rows\n", width, filepath.Join(*out, f.Name), f.Rows)
	}
	return nil
}

// progressOf reports a long run's progress on one line of w, or nothing
// for a short run: nil then.
func progressOf(w io.Writer, done string, total int, start time.Time) func(int) {
	if total < 10*demo.ProgressEvery {
		return nil
	}
	return func(n int) {
		rate := float64(n) / max(time.Since(start).Seconds(), 1e-9)
		fmt.Fprintf(w, "\rdemo: %s %d of %d people, %.0f%%, %.0f people/s   ", done, n, total, 100*float64(n)/float64(total), rate)
		if n == total {
			fmt.Fprintln(w)
		}
	}
}
