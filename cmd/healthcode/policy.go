package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"healthcode/policy"
)

const policyUsage = `usage:
  healthcode policy list                     the shipped policy packs, one name a line
  healthcode policy validate NAME|FILE...    check shipped packs or pack files
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
		if len(args) > 1 {
			return fmt.Errorf("policy list: unexpected arguments %v", args[1:])
		}
		for _, name := range policy.Shipped() {
			fmt.Fprintln(stdout, name)
		}
		return nil
	case "validate":
		return validatePacks(args[1:], stdout, stderr)
	case "simulate":
		return simulatePack(ctx, args[1:], getenv, stdout, stderr)
	}
	fmt.Fprintln(stderr, policyUsage)
	return fmt.Errorf("unknown policy subcommand %q", args[0])
}

// validatePacks loads every pack named, prints a line for each good one and
// the FILE:LINE: problem lines of each bad one.
func validatePacks(args []string, stdout, stderr io.Writer) error {
	if slices.ContainsFunc(args, isHelp) {
		fmt.Fprintln(stdout, policyUsage)
		return nil
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
		fs.StringVar(&at, "at", "now", "the instant to evaluate at, RFC 3339 (2026-03-14T10:00:00+08:00) or now")
		fs.BoolVar(&all, "all", false, "apply the candidate to every person, not only those in its regions")
		fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	})
	if err != nil {
		return err
	}
	if ref == "" {
		return errors.New("policy simulate: --pack is required")
	}
	instant := time.Now()
	if at != "now" {
		if instant, err = time.Parse(time.RFC3339, at); err != nil {
			return fmt.Errorf("policy simulate: --at: %w", err)
		}
	}
	candidate, err := policy.Load(ref)
	if err != nil {
		return err
	}
	store, where, err := openStore(ctx, c)
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
