package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"healthcode/internal/publiclog"
)

const logUsage = "usage: healthcode log verify [--from HEAD_FILE] [--key VKEY] [--data DIR] [--db URL]\n" +
	"       healthcode log witness URL [--state FILE] [--key VKEY]\n" +
	"       healthcode log report [--since TIME] [--alert-red N/PERIOD] [--data DIR] [--db URL]"

// logCmd runs "healthcode log verify", "log witness" and "log report".
func logCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	switch {
	case len(args) > 0 && isHelp(args[0]):
		fmt.Fprintln(stdout, logUsage)
		return nil
	case len(args) > 0 && args[0] == "witness":
		return logWitness(ctx, args[1:], stdout, stderr)
	case len(args) > 0 && args[0] == "report":
		return logReport(ctx, args[1:], getenv, stdout, stderr)
	case len(args) == 0 || args[0] != "verify":
		return errors.New(logUsage)
	}
	return logVerify(ctx, args[1:], getenv, stdout, stderr)
}

// logVerify checks the whole public log against its latest signed head,
// and against a head saved earlier.
func logVerify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var from, vkey string
	c, err := parse("log verify", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "a head saved earlier, as GET /api/v1/log/head served it (`FILE`): the log must still hold what it signed")
		fs.StringVar(&vkey, "key", "", "the log's verifier `KEY`, as GET /api/v1/log/key serves it; empty: the one in the keys directory")
	})
	if err != nil {
		return err
	}
	store, _, err := openExisting(ctx, c)
	if err != nil {
		return err
	}
	defer store.Close()
	if vkey == "" {
		if vkey, err = publiclog.ReadVerifierKey(c.keysDir()); err != nil {
			return err
		}
	}
	var saved [][]byte
	if from != "" {
		b, err := os.ReadFile(from)
		if err != nil {
			return fmt.Errorf("saved head: %w", err)
		}
		saved = append(saved, b)
	}
	tree, err := publiclog.Verify(ctx, store, vkey, saved...)
	if err != nil {
		return fmt.Errorf("log verify: %w", err)
	}
	if err := publiclog.VerifyHistory(ctx, store, tree); err != nil {
		return fmt.Errorf("log verify: %w", err)
	}
	fmt.Fprintf(stdout, "the public log checks: %d entries, root %s, signed by its key; the colour history matches it", tree.N, tree.Hash)
	if from != "" {
		fmt.Fprintf(stdout, ", and it holds the saved head")
	}
	fmt.Fprintln(stdout)
	return nil
}
