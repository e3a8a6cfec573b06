package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"healthcode/policy"
)

// parseArgs parses fs's flags wherever they stand among the positional
// arguments and returns those in order: "ingest lab a.csv --data d" is
// "ingest lab --data d a.csv". After "--" every argument is positional,
// for a file whose name starts with a dash. Every command parses its
// arguments with it.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return rest, nil
		}
		if consumed := len(args) - fs.NArg(); consumed > 0 && args[consumed-1] == "--" {
			return append(rest, fs.Args()...), nil
		}
		rest, args = append(rest, fs.Arg(0)), fs.Args()[1:]
	}
}

// newFlags is a command's flag set, its messages on stderr.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("healthcode "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s [flags]%s\n\nflags (before or after the arguments):\n", fs.Name(), synopsis[name])
		fs.PrintDefaults()
	}
	return fs
}

// synopsis names the positional arguments of the commands that take any.
var synopsis = map[string]string{
	"policy test":     " PACK|FILE [TESTS…]",
	"policy validate": " FILE…",
	"ingest":          " KIND FILE…",
	"keys revoke":     " NAME|ID",
	"log witness":     " URL",
}

// parseInstant reads a time the command line is given: "now", RFC 3339, or
// China time without a zone ("2026-03-01 10:00", "2026-03-01").
func parseInstant(flagName, v string, now time.Time) (time.Time, error) {
	if v == "now" {
		return now, nil
	}
	t, err := policy.ParseTime(v)
	if err != nil {
		return time.Time{}, fmt.Errorf("--%s: %w", flagName, err)
	}
	return t, nil
}

// timeUsage describes the times every command accepts.
const timeUsage = "RFC 3339 (2026-03-14T10:00:00+08:00), or China time: 2026-03-14 10:00 or 2026-03-14"

// unexpected refuses positional arguments a command does not take.
func unexpected(name string, args []string) error {
	if len(args) == 0 {
		return nil
	}
	return fmt.Errorf("%s: unexpected arguments: %s", name, strings.Join(args, " "))
}

// plural is n with the word its count takes: "1 instant", "3 instants".
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
