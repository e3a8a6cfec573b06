// Command healthcode runs the health-code platform: the server and the
// operator's tools. main only wires; see run.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"

	"healthcode"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		var st exitStatus
		if errors.As(err, &st) && st.quiet {
			os.Exit(st.code)
		}
		fmt.Fprintln(os.Stderr, "healthcode:", sentence(err))
		if errors.As(err, &st) {
			os.Exit(st.code)
		}
		os.Exit(1)
	}
}

const usage = `healthcode — the health-code platform

Usage:
  healthcode serve --identity-check https://…|file:PATH --sms https://… [--addr HOST:PORT] [--data DIR] [--db URL]
                   [--region CODE] [--token-ttl 60s] [--schedule-every 30s] [--public-url URL]
                   [--rate-limits CLASS.SCOPE=N/PERIOD,…] [--trusted-proxy CIDR,…]
                   [--trust-root VKEY[,VKEY] --trust URL|FILE [--trust-refresh 5m] [--foreign-timeout 1.5s]
                   [--federation-mode peer|hub|national] [--federation-hub URL] [--national-region CODE]]
  healthcode serve --dev [--addr HOST:PORT] [--data DIR] …   (no real-name check; codes logged: never in production)
  healthcode keys create-checkpoint|create-admin --name NAME [--region CODE] [--expires 720h|DATE] [--data DIR] [--db URL]
  healthcode keys create-feed --name NAME --kinds lab,case,… [--region CODE] [--expires 720h|DATE] [--data DIR] [--db URL]
  healthcode keys list [--json] [--data DIR] [--db URL]
  healthcode keys revoke NAME|ID [--data DIR] [--db URL]
  healthcode officials create --login LOGIN --role ROLE --scope CODE [--data DIR] [--db URL]   (prints the password and TOTP secret once)
  healthcode officials list [--json] [--data DIR] [--db URL]
  healthcode officials disable LOGIN [--data DIR] [--db URL]
  healthcode ingest KIND FILE… [--source NAME] [--all-or-nothing] [--data DIR] [--db URL]
  healthcode log verify [--from HEAD_FILE] [--key VKEY] [--data DIR] [--db URL]
  healthcode log witness URL [--state FILE] [--key VKEY]   (checks a region's head extends the last one seen)
  healthcode log report [--since TIME] [--alert-red N/PERIOD] [--data DIR] [--db URL]
  healthcode policy list
  healthcode policy validate NAME|FILE...
  healthcode policy test NAME|FILE [TESTS...] [--run TEST]
  healthcode policy simulate --pack NAME|FILE [--at TIME] [--all] [--json] [--data DIR] [--db URL]
  healthcode verify [--trust FILE] [--at TIME] CODE|-   (an HCN1 or HC1 code, offline; JSON; exit 0 valid, 1 invalid, 2 usage)
  healthcode trust keygen|init|add-region|revoke-key|remove-region|sign|show|verify …   (the signed trust list of other regions)
  healthcode demo [--people 10000] [--every 30s] [--feeds N] [--data DIR] [--addr HOST:PORT]   (a city to look at: see the README)
  healthcode demo generate --people N --out DIR [--seed S] [--region CITY] [--now TIME]
  healthcode --version

Flags may stand before or after a command's arguments ("--" ends them).
Times are RFC 3339 (2026-03-14T10:00:00+08:00) or China time without a
zone (2026-03-14 10:00, 2026-03-14), and are shown in China time.
Run "healthcode COMMAND --help" for a command's flags.
`

// run is the whole program, callable from tests with their own arguments,
// environment and output.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("no command given")
	}
	// Help asked for is an answer, not a failure: on stdout, exit 0.
	if slices.ContainsFunc(args[1:], isHelp) {
		stderr = stdout
	}
	err := dispatch(ctx, args, getenv, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

// isHelp reports whether a command-line argument asks for help.
func isHelp(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }

func dispatch(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], getenv, stdout, stderr)
	case "ingest":
		return ingestCmd(ctx, args[1:], getenv, stdout, stderr)
	case "keys":
		return keys(ctx, args[1:], getenv, stdout, stderr)
	case "officials":
		return officialsCmd(ctx, args[1:], getenv, stdout, stderr)
	case "policy":
		return policyCmd(ctx, args[1:], getenv, stdout, stderr)
	case "log":
		return logCmd(ctx, args[1:], getenv, stdout, stderr)
	case "trust":
		return trustCmd(ctx, args[1:], stdout, stderr)
	case "demo":
		return demoCmd(ctx, args[1:], getenv, stdout, stderr)
	case "verify":
		return verifyCmd(args[1:], os.Stdin, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, version())
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// version names the build: the module's version, and the commit and its
// time when built from a checkout.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "healthcode (unknown build)"
	}
	v := "healthcode " + info.Main.Version
	var rev, at, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = ", modified"
			}
		}
	}
	if rev != "" {
		v += fmt.Sprintf(" (commit %.12s %s%s)", rev, at, dirty)
	}
	return v + ", " + info.GoVersion
}

// sentence is err as the command line says it: a domain error by its
// message and the fields it names, not in its Go form ("code=… message=…").
func sentence(err error) string {
	var he *healthcode.Error
	if !errors.As(err, &he) {
		return err.Error()
	}
	said := he.Message
	for _, f := range he.Fields {
		said += "\n  " + f.Field + ": " + f.Reason
	}
	return strings.Replace(err.Error(), he.Error(), said, 1)
}
