package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"healthcode/policy"
)

// runPolicy runs "healthcode policy ARGS..." and returns its outputs.
func runPolicy(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), append([]string{"policy"}, args...), func(string) string { return "" }, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestPolicyListPrintsTheShippedNames(t *testing.T) {
	stdout, _, err := runPolicy(t, "list")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if !slices.Equal(got, policy.Shipped()) || len(got) == 0 {
		t.Errorf("list printed %q, want %q", got, policy.Shipped())
	}
}

func TestPolicyValidateAcceptsAShippedPack(t *testing.T) {
	name := policy.Shipped()[0]
	p, err := policy.LoadShipped(name)
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := runPolicy(t, "validate", name)
	if err != nil || stderr != "" {
		t.Fatalf("validate %s: %v\n%s", name, err, stderr)
	}
	if !strings.HasPrefix(stdout, name+" "+p.Version+": ok (") {
		t.Errorf("validate %s printed %q", name, stdout)
	}
}

func TestPolicyValidateReportsTheLineOfEachProblem(t *testing.T) {
	file := filepath.Join(t.TempDir(), "broken.yaml")
	pack := "name: broken\nversion: \"1\"\ntitle: {zh: 坏, en: Broken}\nregions: [\"330100\"]\n" +
		"categories:\n  - id: fever\n    title: {zh: 发热, en: Fever}\n    seed: 发热转黄码\n" +
		"    when: {fact: temperature, fever: true}\n    phases:\n      - color: orange\n" +
		"        measure: {zh: 就医, en: See a doctor}\n"
	if err := os.WriteFile(file, []byte(pack), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := runPolicy(t, "validate", file)
	if err == nil || stdout != "" {
		t.Fatalf("validate broken: err %v, stdout %q", err, stdout)
	}
	want := file + `:11: categories[0].phases[0].color: must be green, yellow or red, got "orange"`
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr %q, want it to contain %q", stderr, want)
	}
}

func TestPolicyRefusesUnknownSubcommands(t *testing.T) {
	for _, args := range [][]string{{}, {"simulate"}, {"validate"}, {"validate", "no-such-pack"}} {
		if _, _, err := runPolicy(t, args...); err == nil {
			t.Errorf("policy %v: no error", args)
		}
	}
	if _, _, err := runPolicy(t, "frobnicate"); err == nil || !strings.Contains(err.Error(), `unknown policy subcommand "frobnicate"`) {
		t.Errorf("policy frobnicate: %v", err)
	}
}
