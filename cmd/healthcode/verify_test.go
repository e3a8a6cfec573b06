package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/healthqr"
	"healthcode/internal/dcc/dcctest"
)

// exitCode is the status main would exit with for err.
func exitCode(err error) int {
	var st exitStatus
	switch {
	case err == nil:
		return 0
	case errors.As(err, &st):
		return st.code
	}
	return 1
}

func TestVerifyCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	de := dcctest.Load(t, "DE/2DCode/raw/1.json")
	euTrust := write("eu.json", de.TrustListJSON())
	at := de.At.Format(time.RFC3339)

	// Our own code: a key of region 330100 and a yellow token it signs.
	now := time.Now().Truncate(time.Second)
	key, err := healthqr.GenerateKey("330100", now.Add(-time.Hour), 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ring, _ := healthqr.NewKeyring(key)
	token, err := ring.Sign(healthqr.Claims{Issuer: "330100", Color: healthcode.Yellow, IssuedAt: now, ExpiresAt: now.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := json.Marshal(ring.Public())
	ourKeys := write("keys.json", pub)
	forged := token[:len(token)-2] + map[bool]string{true: "00", false: "11"}[strings.HasSuffix(token, "11")]

	cases := []struct {
		name      string
		args      []string
		stdin     string
		wantExit  int
		wantValid bool
		want      map[string]any // top-level fields of the JSON
	}{
		{name: "an EU vaccination at its clock", args: []string{"--trust", euTrust, "--at", at, de.QR}, wantExit: 0, wantValid: true,
			want: map[string]any{"kind": "eu-dcc", "name": "E**** M*********"}},
		{name: "the EU certificate read from standard input", args: []string{"--trust", euTrust, "--at", at, "-"}, stdin: de.QR + "\n",
			wantExit: 0, wantValid: true, want: map[string]any{"kind": "eu-dcc"}},
		{name: "the EU certificate today: its signer has expired", args: []string{"--trust", euTrust, de.QR}, wantExit: 1,
			want: map[string]any{"kind": "eu-dcc", "reason": "eu_signer_expired"}},
		{name: "an EU certificate without a trust list", args: []string{"--at", at, de.QR}, wantExit: 1,
			want: map[string]any{"reason": "eu_no_trust_list"}},
		{name: "an EU certificate against our keys instead", args: []string{"--trust", ourKeys, "--at", at, de.QR}, wantExit: 1,
			want: map[string]any{"reason": "eu_no_trust_list"}},
		{name: "our own code with our keys", args: []string{token, "--trust", ourKeys}, wantExit: 0, wantValid: true,
			want: map[string]any{"kind": "code", "color": "yellow", "issuer": "330100"}},
		{name: "our own code forged", args: []string{"--trust", ourKeys, forged}, wantExit: 1,
			want: map[string]any{"kind": "code", "reason": "bad_signature"}},
		{name: "our own code without keys", args: []string{token}, wantExit: 1, want: map[string]any{"reason": "unknown_issuer"}},
		{name: "our own code after it expired", args: []string{"--trust", ourKeys, "--at", now.Add(2 * time.Minute).Format(time.RFC3339), token},
			wantExit: 1, want: map[string]any{"reason": "expired"}},
		{name: "no code", args: []string{"--trust", euTrust}, wantExit: 2},
		{name: "two codes", args: []string{token, token}, wantExit: 2},
		{name: "a time not in RFC 3339", args: []string{"--at", "2021-06-01 10:00", de.QR}, wantExit: 2},
		{name: "a trust file of another format", args: []string{"--trust", write("x.json", []byte(`{"keys":[]}`)), de.QR}, wantExit: 2},
		{name: "a trust file whose kid lies", args: []string{"--trust", write("lie.json",
			bytes.Replace(de.TrustListJSON(), []byte(`"kid":"`), []byte(`"kid":"AA`), 1)), de.QR}, wantExit: 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := verifyCmd(c.args, strings.NewReader(c.stdin), &out, &errOut)
			if got := exitCode(err); got != c.wantExit {
				t.Fatalf("exit %d (%v), want %d; stdout %s", got, err, c.wantExit, out.String())
			}
			if c.wantExit == 2 {
				return
			}
			var got map[string]any
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, out.String())
			}
			if got["valid"] != c.wantValid {
				t.Errorf("valid = %v, want %v", got["valid"], c.wantValid)
			}
			for k, v := range c.want {
				if got[k] != v {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
			if cert, _ := got["certificate"].(map[string]any); c.wantValid && got["kind"] == "eu-dcc" && cert["type"] != "vaccination" {
				t.Errorf("certificate = %v, want type vaccination", cert)
			}
			if got["kind"] == "eu-dcc" && strings.Contains(out.String(), "1964-08-12") {
				t.Errorf("the date of birth is printed: %s", out.String())
			}
		})
	}
}
