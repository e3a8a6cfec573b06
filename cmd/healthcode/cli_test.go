package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"healthcode"
)

// TestHelpAnswersOnStdoutAndExitsZero: asking any command for help is an
// answer, not a failure, and touches nothing (no file opened, no data
// directory made).
func TestHelpAnswersOnStdoutAndExitsZero(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, args := range [][]string{
		{"--help"}, {"-h"}, {"help"},
		{"serve", "--help"}, {"serve", "-h"},
		{"keys", "--help"}, {"keys", "create-admin", "--help"}, {"keys", "list", "--help"}, {"keys", "revoke", "--help"},
		{"ingest", "--help"}, {"ingest", "lab", "--help"}, {"ingest", "lab", "a.csv", "--help"},
		{"policy", "--help"}, {"policy", "validate", "--help"}, {"policy", "simulate", "--help"},
		{"demo", "--help"}, {"demo", "generate", "--help"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			if err := run(context.Background(), args, func(string) string { return "" }, &out, &errOut); err != nil {
				t.Fatalf("err = %v, want nil (exit 0)", err)
			}
			if !strings.Contains(strings.ToLower(out.String()), "usage") {
				t.Errorf("stdout has no usage:\n%s", out.String())
			}
			if errOut.Len() > 0 {
				t.Errorf("stderr = %q, want nothing", errOut.String())
			}
			if _, err := os.Stat("data"); err == nil {
				t.Error("asking for help made ./data")
			}
		})
	}
}

func TestVersionNamesTheBuild(t *testing.T) {
	for _, arg := range []string{"--version", "version"} {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), []string{arg}, func(string) string { return "" }, &out, &errOut); err != nil {
			t.Fatalf("%s: %v", arg, err)
		}
		if !strings.HasPrefix(out.String(), "healthcode ") || !strings.Contains(out.String(), "go1.") {
			t.Errorf("%s: %q, want healthcode VERSION …, goVERSION", arg, out.String())
		}
	}
}

// TestIngestRefusesBeforeOpeningTheStore: a mistyped kind or file is
// named, and no data directory is made for it.
func TestIngestRefusesBeforeOpeningTheStore(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("lab.csv", []byte("x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"ingest", "labs", "lab.csv"}, "labs"},
		{[]string{"ingest", "lab", "missing.csv"}, "missing.csv"},
	} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), tt.args, func(string) string { return "" }, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want one naming %q", tt.args, err, tt.want)
		}
		if _, err := os.Stat("data"); err == nil {
			t.Fatalf("%v made ./data", tt.args)
		}
	}
}

func TestErrorsAreSentences(t *testing.T) {
	inner := &healthcode.Error{Code: healthcode.EINVALID, Message: "Check the fields.",
		Fields: []healthcode.FieldError{{Field: "region", Reason: "must be 6 digits"}}}
	got := sentence(fmt.Errorf("keys: %w", inner))
	want := "keys: Check the fields.\n  region: must be 6 digits"
	if got != want {
		t.Errorf("sentence = %q, want %q", got, want)
	}
	if got := sentence(errors.New("plain")); got != "plain" {
		t.Errorf("sentence of a plain error = %q", got)
	}
}
