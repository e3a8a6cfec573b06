package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDemoGenerate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	var out, errs bytes.Buffer
	args := []string{"demo", "generate", "--people", "500", "--out", dir, "--seed", "3"}
	if err := run(context.Background(), args, func(string) string { return "" }, &out, &errs); err != nil {
		t.Fatalf("demo generate: %v\n%s", err, errs.String())
	}
	for _, f := range []string{"persons.csv", "lab.csv", "case.csv", "contact.csv", "trip.csv", "vaccination.csv"} {
		if !strings.Contains(out.String(), f) {
			t.Errorf("output does not name %s:\n%s", f, out.String())
		}
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if !strings.Contains(out.String(), "persons.csv") || !strings.Contains(out.String(), "500 rows") {
		t.Errorf("output does not count the persons:\n%s", out.String())
	}
	bad := [][]string{
		{"demo"},
		{"demo", "generate", "--out", dir},
		{"demo", "generate", "--people", "5", "--out", dir, "--region", "990100"},
		{"demo", "generate", "--people", "5", "--out", dir, "--now", "yesterday"},
	}
	for _, a := range bad {
		if err := run(context.Background(), a, func(string) string { return "" }, &out, &errs); err == nil {
			t.Errorf("%v: no error", a)
		}
	}
}
