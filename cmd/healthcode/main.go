// Command healthcode runs the health-code platform: the server and the
// operator's tools. main only wires; see run.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "healthcode:", err)
		os.Exit(1)
	}
}

const usage = `healthcode — the health-code platform

Usage:
  healthcode serve --identity-check https://…|file:PATH --sms https://… [--addr HOST:PORT] [--data DIR] [--db URL]
                   [--region CODE] [--token-ttl 60s] [--schedule-every 30s] [--public-url URL]
                   [--rate-limits CLASS.SCOPE=N/PERIOD,…] [--trusted-proxy CIDR,…]
  healthcode serve --dev [--addr HOST:PORT] [--data DIR] …   (no real-name check; codes logged: never in production)
  healthcode keys create-checkpoint|create-admin --name NAME [--region CODE] [--expires 720h|DATE] [--data DIR] [--db URL]
  healthcode keys create-feed --name NAME --kinds lab,case,… [--region CODE] [--expires 720h|DATE] [--data DIR] [--db URL]
  healthcode keys list [--json] [--data DIR] [--db URL]
  healthcode keys revoke NAME|ID [--data DIR] [--db URL]
  healthcode ingest KIND FILE… [--source NAME] [--all-or-nothing] [--data DIR] [--db URL]
  healthcode policy list
  healthcode policy validate NAME|FILE...
  healthcode demo generate --people N --out DIR [--seed S] [--region CITY] [--now TIME]

Run "healthcode COMMAND --help" for a command's flags.
`

// run is the whole program, callable from tests with their own arguments,
// environment and output.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("no command given")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], getenv, stdout, stderr)
	case "ingest":
		return ingestCmd(ctx, args[1:], getenv, stdout, stderr)
	case "keys":
		return keys(ctx, args[1:], getenv, stdout, stderr)
	case "policy":
		return policyCmd(ctx, args[1:], getenv, stdout, stderr)
	case "demo":
		return demoCmd(ctx, args[1:], getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
