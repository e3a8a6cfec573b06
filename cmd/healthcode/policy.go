package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"healthcode/policy"
)

const policyUsage = `usage:
  healthcode policy list                     the shipped policy packs, one name a line
  healthcode policy validate NAME|FILE...    check shipped packs or pack files
  healthcode policy test NAME|FILE [TESTS...] [--run TEST]
                                             run a pack's timeline tests: its own (NAME.test.yaml beside it)
                                             or the test files named; exits 1 if any fails
  healthcode policy simulate --pack NAME|FILE [--at TIME] [--all] [--json] [--data DIR] [--db URL]
                                             who would change colour under a candidate pack; writes nothing`

// policyCmd runs the policy pack tools.
func policyCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, policyUsage)
		return errors.New("policy: no subcommand given")
	}
	if isHelp(args[0]) {
		fmt.Fprintln(stdout, policyUsage)
		return nil
	}
	switch args[0] {
	case "list":
		rest, err := parseArgs(newFlags("policy list", stderr), args[1:])
		if err != nil {
			return err
		}
		if err := unexpected("policy list", rest); err != nil {
			return err
		}
		for _, name := range policy.Shipped() {
			fmt.Fprintln(stdout, name)
		}
		return nil
	case "validate":
		return validatePacks(args[1:], stdout, stderr)
	case "simulate":
		return simulatePack(ctx, args[1:], getenv, stdout, stderr)
	case "test":
		return testPack(args[1:], stdout, stderr)
	}
	fmt.Fprintln(stderr, policyUsage)
	return fmt.Errorf("unknown policy subcommand %q", args[0])
}

// validatePacks loads every pack named, prints a line for each good one and
// the FILE:LINE: problem lines of each bad one.
func validatePacks(args []string, stdout, stderr io.Writer) error {
	args, err := parseArgs(newFlags("policy validate", stderr), args)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		fmt.Fprintln(stderr, policyUsage)
		return errors.New("policy validate: name a shipped pack or a pack file")
	}
	failed := 0
	for _, arg := range args {
		p, err := policy.Load(arg)
		if err != nil {
			fmt.Fprintln(stderr, err)
			failed++
			continue
		}
		fmt.Fprintf(stdout, "%s %s: ok (%d categories, %d blocks)\n", p.Name, p.Version, len(p.Categories), len(p.Blocks))
	}
	if failed > 0 {
		return fmt.Errorf("policy validate: %d of %d packs are not valid", failed, len(args))
	}
	return nil
}

// simulatePack evaluates a candidate pack over the stored population and
// prints who would change colour, with progress on stderr.
func simulatePack(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var ref, at string
	var all, asJSON bool
	c, err := parse("policy simulate", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&ref, "pack", "", "the candidate: a shipped `NAME` or a pack FILE")
		fs.StringVar(&at, "at", "now", "the `TIME` to evaluate at: now, "+timeUsage)
		fs.BoolVar(&all, "all", false, "apply the candidate to every person, not only those in its regions")
		fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	})
	if err != nil {
		return err
	}
	if ref == "" {
		return errors.New("policy simulate: --pack is required")
	}
	instant, err := parseInstant("at", at, time.Now())
	if err != nil {
		return fmt.Errorf("policy simulate: %w", err)
	}
	instant = instant.In(policy.ChinaTime) // the report shows it as given
	candidate, err := policy.Load(ref)
	if err != nil {
		return err
	}
	store, where, err := openExisting(ctx, c)
	if err != nil {
		return err
	}
	defer store.Close()
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc, err := openService(c, store, getenv, log, nil)
	if err != nil {
		return err
	}
	start := time.Now()
	fmt.Fprintf(stderr, "simulating %s over %s\n", candidate.PolicyName(), where)
	report, err := svc.SimulatePack(ctx, candidate, instant, all, func(done int) {
		fmt.Fprintf(stderr, "\r%d persons, %.0f/s", done, float64(done)/max(time.Since(start).Seconds(), 1e-9))
	})
	fmt.Fprintln(stderr)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(report)
	}
	_, err = io.WriteString(stdout, report.Text())
	return err
}

// testPack runs a pack's timeline tests and prints each test's outcome,
// and every expectation that did not hold as a sentence with its line.
func testPack(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("policy test", stderr)
	only := fs.String("run", "", "run only the test of this `NAME`")
	args, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		fmt.Fprintln(stderr, policyUsage)
		return errors.New("policy test: name a shipped pack or a pack file, then any test files")
	}
	p, err := policy.Load(args[0])
	if err != nil {
		return err
	}
	files, err := testFiles(p, args[0], args[1:])
	if err != nil {
		return err
	}
	var names []string
	if *only != "" {
		names = []string{*only}
	}
	total, failed := 0, 0
	for _, tf := range files {
		outcomes := tf.Run(p, names...)
		fmt.Fprintf(stdout, "%s, %s:\n", p.PolicyName(), tf.File)
		for _, o := range outcomes {
			total++
			if o.Passed() {
				fmt.Fprintf(stdout, "  ok    %s (%s)\n", o.Name, plural(o.Checked, "instant", "instants"))
				continue
			}
			failed++
			fmt.Fprintf(stdout, "  FAIL  %s\n", o.Name)
			for _, f := range o.Failures {
				fmt.Fprintf(stdout, "        %s:%d: %s\n", tf.File, f.Line, f.Text)
			}
		}
	}
	if total == 0 && *only != "" {
		return fmt.Errorf("policy test: no test named %q", *only)
	}
	fmt.Fprintf(stdout, "%d tests: %d passed, %d failed\n", total, total-failed, failed)
	if failed > 0 {
		return fmt.Errorf("policy test: %d of %d tests of %s failed", failed, total, p.PolicyName())
	}
	return nil
}

// testFiles loads the test files named, or else the pack's own: a shipped
// pack's, or NAME.test.yaml beside a pack file.
func testFiles(p *policy.Pack, ref string, paths []string) ([]*policy.TestFile, error) {
	if len(paths) == 0 {
		if slices.Contains(policy.Shipped(), ref) {
			tf, err := policy.LoadShippedTests(p)
			return []*policy.TestFile{tf}, err
		}
		own := strings.TrimSuffix(ref, filepath.Ext(ref)) + policy.TestSuffix
		if _, err := os.Stat(own); err != nil {
			return nil, fmt.Errorf("policy test: no test files named, and no %s beside the pack", own)
		}
		paths = []string{own}
	}
	var files []*policy.TestFile
	var errs []error
	for _, path := range paths {
		tf, err := policy.LoadTests(path, p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		files = append(files, tf)
	}
	return files, errors.Join(errs...)
}
