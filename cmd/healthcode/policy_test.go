package main

import (
	"bytes"
	"context"
	"fmt"
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

func TestPolicySimulateReportsWithoutWriting(t *testing.T) {
	s := startServer(t)
	token := s.login(t, "13812345679")
	var p person
	if code := s.call(t, "POST", "/api/v1/persons", token,
		application(residentID(t, "33010619900307124"), "李四", "13812345679", true), &p); code != 201 {
		t.Fatalf("apply: status %d", code)
	}
	var out, errs bytes.Buffer
	args := []string{"policy", "simulate", "--pack", "hubei-2020", "--all", "--data", s.data}
	if err := run(context.Background(), args, s.getenv, &out, &errs); err != nil {
		t.Fatalf("simulate: %v\n%s", err, errs.String())
	}
	// Declared contact: red for 14 days in Hangzhou, yellow in Hubei.
	for _, want := range []string{"simulated hubei-2020@2020.2", "1 persons governed, 1 would change colour", "red → yellow: 1"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if !strings.Contains(errs.String(), "1 persons") {
		t.Errorf("no progress on stderr: %q", errs.String())
	}
	var st struct {
		Color string `json:"color"`
	}
	s.call(t, "GET", fmt.Sprintf("/api/v1/persons/%d/status", p.ID), token, nil, &st)
	if st.Color != "red" {
		t.Errorf("status after the simulation = %s, want red: the simulation wrote", st.Color)
	}
}

func TestPolicyTestRunsAShippedPacksOwnTests(t *testing.T) {
	for _, name := range policy.Shipped() {
		stdout, stderr, err := runPolicy(t, "test", name)
		if err != nil || stderr != "" {
			t.Errorf("policy test %s: %v\n%s%s", name, err, stdout, stderr)
		}
		if !strings.Contains(stdout, "passed, 0 failed") {
			t.Errorf("policy test %s printed %q", name, stdout)
		}
	}
}

// TestPolicyTestFailsOnABrokenExpectation: a pack file's own tests, found
// beside it, run; a wrong expectation exits non-zero and says what was
// expected and what came.
func TestPolicyTestFailsOnABrokenExpectation(t *testing.T) {
	dir := t.TempDir()
	pack, err := os.ReadFile("../../policy/packs/zhejiang-hangzhou-2020.yaml")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "mine.yaml")
	tests := `tests:
  - name: declared contact
    facts:
      - {kind: declaration, at: "2026-03-01 10:00", contact_cases: true}
    expect:
      - {at: "2026-03-01 10:00", color: red, rule: declared-contact/isolation}
      - {at: "2026-03-02 10:00", color: yellow, rule: declared-symptoms/isolation}
  - name: clean
    facts:
      - {kind: declaration, at: "2026-03-01 10:00"}
    expect:
      - {at: "2026-03-01 10:00", color: green}
`
	if err := os.WriteFile(file, pack, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "mine.test.yaml"), []byte(tests), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := runPolicy(t, "test", file)
	if err == nil || !strings.Contains(err.Error(), "1 of 2 tests") {
		t.Fatalf("err = %v, want 1 of 2 tests failed\n%s", err, stdout)
	}
	for _, want := range []string{
		"  FAIL  declared contact\n",
		"mine.test.yaml:7: at 2026-03-02 10:00: expected yellow by rule declared-symptoms/isolation, got red by rule declared-contact/isolation (",
		"  ok    clean (1 instant)\n",
		"2 tests: 1 passed, 1 failed\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if _, _, err := runPolicy(t, "test", filepath.Join(dir, "none.yaml")); err == nil {
		t.Error("a missing pack: no error")
	}
	if err := os.Remove(filepath.Join(dir, "mine.test.yaml")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runPolicy(t, "test", file); err == nil || !strings.Contains(err.Error(), "mine.test.yaml") {
		t.Errorf("no test file beside the pack: %v, want it named", err)
	}
}
