package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/publiclog"
	"healthcode/internal/store"
)

// logHead waits for the server's sequencer to sign a head of at least
// size entries and returns it; the sequencer runs every 200 ms, so this
// waits a few rounds at most.
func (s *testServer) logHead(t *testing.T, size int64) []byte {
	t.Helper()
	vkey, err := publiclog.ReadVerifierKey(filepath.Join(s.data, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	for range 500 {
		res, err := http.Get(s.url + "/api/v1/log/head")
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if tree, err := publiclog.OpenHead(b, vkey); res.StatusCode == http.StatusOK && err == nil && tree.N >= size {
			return b
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the server signed no head of %d entries", size)
	return nil
}

func (s *testServer) logVerify(args ...string) (string, error) {
	var out, errs bytes.Buffer
	args = append(append([]string{"log", "verify"}, args...), append([]string{"--data", s.data}, s.extra...)...)
	err := run(context.Background(), args, s.getenv, &out, &errs)
	return out.String(), err
}

// The server publishes heads of what operators do; healthcode log verify
// checks the log against them, and names the entry someone with the
// database rewrote.
func TestLogVerifyChecksTheServedLogAndNamesARewrite(t *testing.T) {
	s := startServer(t)
	s.mustKey(t, "create-checkpoint", "--name", "gate 1")
	s.mustKey(t, "create-admin", "--name", "ops")
	head := filepath.Join(t.TempDir(), "head")
	if err := os.WriteFile(head, s.logHead(t, 3), 0o600); err != nil { // the policy at the start, two keys
		t.Fatal(err)
	}
	out, err := s.logVerify("--from", head)
	if err != nil || !strings.Contains(out, "3 entries") || !strings.Contains(out, "holds the saved head") {
		t.Fatalf("log verify = %q, %v; want 3 entries checked, with the saved head", out, err)
	}

	ctx := context.Background()
	db, err := store.OpenSQLite(ctx, filepath.Join(s.data, "healthcode.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(ctx, func(tx healthcode.Tx) error {
		if err := store.Exec(ctx, tx, `DROP TRIGGER log_entries_no_update`); err != nil {
			return err
		}
		return store.Exec(ctx, tx, `UPDATE log_entries SET body = replace(body, '"role":"operator"', '"role":"system"') WHERE id = (SELECT entry FROM log_leaves WHERE leaf = 1)`)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.logVerify(); err == nil || !strings.Contains(err.Error(), "log entry 1 does not match") {
		t.Errorf("log verify after entry 1 was rewritten: %v; want it named", err)
	}
}

func witness(t *testing.T, url, state string) (string, error) {
	t.Helper()
	var out, errs bytes.Buffer
	err := run(context.Background(), []string{"log", "witness", url, "--state", state}, func(string) string { return "" }, &out, &errs)
	return out.String(), err
}

// A witness pins the region's key, keeps its head and accepts the next
// only when it extends it; a server with the same key but another history
// at the same address (a rewritten log, signed again) is refused.
func TestLogWitnessKeepsHeadsAndRefusesARewrittenLog(t *testing.T) {
	s := startServer(t)
	state := filepath.Join(t.TempDir(), "witness.json")
	s.mustKey(t, "create-checkpoint", "--name", "gate 1")
	s.logHead(t, 2) // the policy in force at the start, and the key
	if out, err := witness(t, s.url, state); err != nil || !strings.Contains(out, "pinned the log's key") {
		t.Fatalf("first run: %q, %v", out, err)
	}
	s.mustKey(t, "create-admin", "--name", "ops")
	s.mustKey(t, "create-admin", "--name", "ops 2")
	s.logHead(t, 4)
	if out, err := witness(t, s.url, state); err != nil || !strings.Contains(out, "4 entries") || !strings.Contains(out, "extending") {
		t.Fatalf("second run: %q, %v", out, err)
	}
	if out, err := witness(t, s.url, state); err != nil || !strings.Contains(out, "the same as the head seen before") {
		t.Fatalf("a run with nothing new: %q, %v", out, err)
	}

	// The forger's server: the region's log key, another history.
	data := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(filepath.Join(data, "keys"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(data, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"log.key", "signing-keys.json"} {
		b, err := os.ReadFile(filepath.Join(s.data, "keys", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(data, "keys", f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	forger := startServerIn(t, data)
	for _, name := range []string{"gate 1", "ops", "ops 2", "ops 3"} {
		forger.mustKey(t, "create-admin", "--name", name)
	}
	forger.logHead(t, 5)
	b, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(state, bytes.ReplaceAll(b, []byte(s.url), []byte(forger.url)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := witness(t, forger.url, state); err == nil || !strings.Contains(err.Error(), "does not extend") {
		t.Errorf("witness of the rewritten log: %v; want it refused", err)
	}
}

func TestLogReportCountsWhatOperatorsDid(t *testing.T) {
	s := startServer(t)
	s.mustKey(t, "create-checkpoint", "--name", "gate 1")
	s.mustKey(t, "create-feed", "--name", "lab", "--kinds", "lab")
	s.mustKey(t, "revoke", "gate 1")
	s.logHead(t, 4) // and the policy in force at the start
	report := func(args ...string) (string, error) {
		var out, errs bytes.Buffer
		args = append(append([]string{"log", "report"}, args...), "--data", s.data)
		err := run(context.Background(), args, s.getenv, &out, &errs)
		return out.String(), err
	}
	out, err := report("--alert-red", "1/1h")
	if err != nil || !strings.Contains(out, "4 entries") || !regexpLine(out, `^operator +0 +0 +0 +2 +1 +0 +1 +0 +0 +0 +0 +0$`) {
		t.Errorf("log report = %q, %v; want the operator's 2 keys made and 1 revoked, the policy set, no alert", out, err)
	}
	if _, err := report("--alert-red", "many"); err == nil {
		t.Error("--alert-red many was accepted")
	}
}

// regexpLine reports whether a line of out matches pattern.
func regexpLine(out, pattern string) bool {
	return regexp.MustCompile(`(?m)` + pattern).MatchString(out)
}
