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

// demoCmd generates a synthetic population and its feed files, for
// benchmarks and demonstrations: healthcode demo generate --people N --out DIR.
func demoCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	const use = "usage: healthcode demo generate --people N --out DIR [--seed S] [--region CITY] [--now TIME]"
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintln(stdout, use)
		return nil
	}
	if len(args) == 0 || args[0] != "generate" {
		return errors.New(use)
	}
	fs := flag.NewFlagSet("healthcode demo generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	people := fs.Int("people", 0, "how many `N` people to invent")
	out := fs.String("out", "", "the `DIR` to write persons.csv and the feeds to")
	seed := fs.Uint64("seed", 1, "the same `S` gives the same files")
	region := fs.String("region", "330100", "the `CITY` the people live in: "+strings.Join(demo.Cities(), ", "))
	now := fs.String("now", demo.DefaultNow.Format(time.RFC3339), "events lie in the 14 days before this `TIME` (RFC 3339)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("demo generate: unexpected %q; %s", fs.Arg(0), use)
	}
	if *people < 1 || *out == "" {
		return errors.New(use)
	}
	at, err := time.Parse(time.RFC3339, *now)
	if err != nil {
		return fmt.Errorf("demo generate: --now: %w", err)
	}
	start := time.Now()
	var progress func(int)
	if *people >= 10*demo.ProgressEvery {
		progress = func(done int) {
			rate := float64(done) / max(time.Since(start).Seconds(), 1e-9)
			fmt.Fprintf(stderr, "\rdemo: %d of %d people, %.0f%%, %.0f people/s   ", done, *people, 100*float64(done)/float64(*people), rate)
		}
	}
	files, err := demo.Write(*out, demo.Options{People: *people, Seed: *seed, City: *region, Now: at}, progress)
	if progress != nil {
		fmt.Fprintln(stderr)
	}
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
