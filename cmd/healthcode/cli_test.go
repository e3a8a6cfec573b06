package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

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
		{"policy", "test", "--help"}, {"policy", "test", "hubei-2020", "--help"},
		{"demo", "--help"}, {"demo", "generate", "--help"},
		{"log", "--help"}, {"log", "verify", "--help"}, {"log", "witness", "--help"}, {"log", "report", "--help"},
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

// TestFlagsStandAnywhereAmongArguments: one parser reads every command's
// flags before, between or after its positional arguments; after "--"
// everything is positional.
func TestFlagsStandAnywhereAmongArguments(t *testing.T) {
	for _, tt := range []struct {
		args       []string
		wantRest   []string
		wantSource string
	}{
		{[]string{"lab", "a.csv", "--source", "x"}, []string{"lab", "a.csv"}, "x"},
		{[]string{"--source", "x", "lab", "a.csv"}, []string{"lab", "a.csv"}, "x"},
		{[]string{"lab", "--source=x", "a.csv", "b.csv"}, []string{"lab", "a.csv", "b.csv"}, "x"},
		{[]string{"lab", "--", "--source", "x"}, []string{"lab", "--source", "x"}, "cli"},
		{[]string{"--source", "x", "--", "-a.csv"}, []string{"-a.csv"}, "x"},
	} {
		fs := newFlags("test", io.Discard)
		source := fs.String("source", "cli", "")
		rest, err := parseArgs(fs, tt.args)
		if err != nil || !slices.Equal(rest, tt.wantRest) || *source != tt.wantSource {
			t.Errorf("parseArgs(%q) = %q, source %q, %v; want %q, source %q", tt.args, rest, *source, err, tt.wantRest, tt.wantSource)
		}
	}
}

// TestCommandsThatReadADeploymentDoNotMakeOne: a mistyped --data names
// the directory instead of leaving an empty deployment behind.
func TestCommandsThatReadADeploymentDoNotMakeOne(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, args := range [][]string{
		{"keys", "list", "--data", "typo"},
		{"keys", "revoke", "gate", "--data", "typo"},
		{"policy", "simulate", "--pack", "hubei-2020", "--data", "typo"},
		{"ingest", "lab", "lab.csv", "--data", "typo"},
		{"log", "verify", "--data", "typo"},
		{"log", "report", "--data", "typo"},
	} {
		if err := os.WriteFile("lab.csv", []byte("doc_type,doc_number,sampled_at,result\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, func(string) string { return "" }, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "no database in typo") {
			t.Errorf("%q: %v, want the missing deployment named", args, err)
		}
		if _, err := os.Stat("typo"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%q made the directory typo: %v", args, err)
		}
	}
}

// TestCommandsTakeFlagsAfterArguments runs real commands with their flags
// on either side of their arguments.
func TestCommandsTakeFlagsAfterArguments(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, args := range [][]string{
		{"policy", "test", "--run", "no record found is green", "hubei-2020"},
		{"policy", "test", "hubei-2020", "--run", "no record found is green"},
		{"keys", "create-admin", "--name", "first", "--data", "d1"},
		{"keys", "list", "--data", "d1"},
		{"keys", "--help"},
	} {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), args, func(string) string { return "" }, &out, &errOut); err != nil {
			t.Errorf("%q: %v\n%s", args, err, errOut.String())
		}
	}
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"keys", "revoke", "nobody", "--data", "d1"}, func(string) string { return "" }, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "nobody") {
		t.Errorf("keys revoke nobody --data d1: %v, want the key named as not found", err)
	}
	err = run(context.Background(), []string{"policy", "test", "hubei-2020", "--run", "nothing"}, func(string) string { return "" }, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), `no test named "nothing"`) {
		t.Errorf("policy test --run nothing: %v, want the name said", err)
	}
	err = run(context.Background(), []string{"keys", "list", "extra"}, func(string) string { return "" }, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "unexpected arguments: extra") {
		t.Errorf("keys list extra: %v, want the extra argument named", err)
	}
}

func TestTimesAreReadInChinaTime(t *testing.T) {
	now := time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)
	for _, tt := range []struct{ in, want string }{
		{"now", "2026-03-10T02:00:00Z"},
		{"2026-03-14 10:00", "2026-03-14T02:00:00Z"},
		{"2026-03-14", "2026-03-13T16:00:00Z"},
		{"2026-03-14T10:00:00+08:00", "2026-03-14T02:00:00Z"},
	} {
		got, err := parseInstant("at", tt.in, now)
		if err != nil || got.UTC().Format(time.RFC3339) != tt.want {
			t.Errorf("parseInstant(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
	if _, err := parseInstant("at", "14 March", now); err == nil || !strings.Contains(err.Error(), "--at") {
		t.Errorf("a bad time: %v, want an error naming --at", err)
	}
}
