package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// trustRun runs a trust command in-process.
func trustRun(args ...string) (string, error) {
	var out, errs bytes.Buffer
	err := run(context.Background(), append([]string{"trust"}, args...), func(string) string { return "" }, &out, &errs)
	return out.String(), err
}

// TestTrustCommandsNameTheFieldInError: every refusal of the trust
// commands names the flag or list field at fault.
func TestTrustCommandsNameTheFieldInError(t *testing.T) {
	dir := t.TempDir()
	list, keys := filepath.Join(dir, "list.json"), filepath.Join(dir, "keys.json")
	if _, err := trustRun("init", list); err != nil {
		t.Fatal(err)
	}
	vkey, err := trustRun("keygen", "--out", filepath.Join(dir, "root.key"))
	if err != nil || !strings.HasPrefix(vkey, "healthcode-trust-root+") {
		t.Fatalf("keygen: %q %v", vkey, err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "root.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("root key file: %v %v, want mode 0600", fi.Mode(), err)
	}
	os.WriteFile(keys, []byte(`{"issuer":"420100","keys":[{"kid":"00000000","alg":"Ed25519","issuer":"420100","key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","valid_from":"2026-01-01T00:00:00Z","valid_to":"2027-01-01T00:00:00Z"}]}`), 0o600)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"bad region", []string{"add-region", list, "--region", "42", "--name", "x", "--url", "http://a", "--keys", keys}, "--region"},
		{"bad url", []string{"add-region", list, "--region", "420100", "--name", "x", "--url", "ftp://a", "--keys", keys}, "--url"},
		{"no name", []string{"add-region", list, "--region", "420100", "--url", "http://a", "--keys", keys}, "--name"},
		{"kid not the key's", []string{"add-region", list, "--region", "420100", "--name", "x", "--url", "http://a", "--keys", keys}, "keys[0]: kid"},
		{"revoke in no region", []string{"revoke-key", list, "--region", "420100", "--kid", "00000000"}, "--region"},
		{"sign without key", []string{"sign", list, "--out", filepath.Join(dir, "n")}, "--key"},
		{"verify with a bad root", []string{"verify", "--root", "nonsense", list}, "--root"},
	}
	for _, c := range cases {
		if _, err := trustRun(c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error naming %s", c.name, err, c.want)
		}
	}
	// A signed empty list verifies with its root and not with another.
	if _, err := trustRun("sign", list, "--key", filepath.Join(dir, "root.key"), "--out", filepath.Join(dir, "list.note")); err != nil {
		t.Fatal(err)
	}
	if out, err := trustRun("verify", "--root", strings.TrimSpace(vkey), filepath.Join(dir, "list.note")); err != nil || !strings.Contains(out, "sequence 1") {
		t.Errorf("verify: %q %v", out, err)
	}
	other, _ := trustRun("keygen", "--out", filepath.Join(dir, "other.key"))
	if _, err := trustRun("verify", "--root", strings.TrimSpace(other), filepath.Join(dir, "list.note")); err == nil {
		t.Error("a list verified with another root key")
	}
}
