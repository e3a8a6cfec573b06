package main

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/healthqr"
	"healthcode/internal/dcc/dcctest"
	"healthcode/internal/federation"

	"golang.org/x/mod/sumdb/note"
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
	served, _ := json.Marshal(map[string]any{"issuer": "330100", "keys": ring.Public()})
	servedKeys := write("served.json", served) // as GET /api/v1/keys answers
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
		{name: "our own code with the keys as GET /api/v1/keys serves them", args: []string{"--trust", servedKeys, token}, wantExit: 0,
			wantValid: true, want: map[string]any{"kind": "code", "issuer": "330100"}},
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

// TestVerifyCommandReadsASignedTrustList checks another region's code
// offline against the operator's signed trust list: accepted while its
// key is, refused once revoked, and the list itself refused unsigned by
// the root given, without a root, or expired.
func TestVerifyCommandReadsASignedTrustList(t *testing.T) {
	dir := t.TempDir()
	now := time.Now().Truncate(time.Second)
	signKey := func(region string) (*healthqr.Keyring, healthqr.PublicKey) {
		k, err := healthqr.GenerateKey(region, now.Add(-time.Hour), 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		ring, _ := healthqr.NewKeyring(k)
		return ring, ring.Public()[0]
	}
	token := func(ring *healthqr.Keyring, region string) string {
		tok, err := ring.Sign(healthqr.Claims{Issuer: region, Color: healthcode.Red, IssuedAt: now, ExpiresAt: now.Add(time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	shanghai, shPub := signKey("310000")
	wuhan, whPub := signKey("420100")
	newRoot := func(name string) (note.Signer, string) {
		skey, vkey, err := note.GenerateKey(rand.Reader, name)
		if err != nil {
			t.Fatal(err)
		}
		s, err := note.NewSigner(skey)
		if err != nil {
			t.Fatal(err)
		}
		return s, vkey
	}
	root, rootVKey := newRoot("trust.example")
	_, otherVKey := newRoot("other.example")
	list := func(expires time.Time) string {
		l := federation.List{Version: 1, Sequence: 7, IssuedAt: now.Add(-time.Minute), ExpiresAt: expires, Regions: []federation.Region{
			{Region: "310000", Name: "上海市", URL: "https://sh.example", Keys: []healthqr.PublicKey{shPub}},
			{Region: "420100", Name: "武汉市", URL: "https://wh.example", Keys: []healthqr.PublicKey{whPub}, Revoked: []string{whPub.KID}},
		}}
		msg, err := l.Sign(root)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, fmt.Sprintf("trust-%d.note", expires.Unix()))
		if err := os.WriteFile(p, msg, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good, expired := list(now.Add(time.Hour)), list(now.Add(-time.Second))
	cases := []struct {
		name       string
		args       []string
		wantExit   int
		wantReason string
	}{
		{"a trusted region's code", []string{"--trust", good, "--trust-root", rootVKey, token(shanghai, "310000")}, 0, ""},
		{"a code whose key the list revoked", []string{"--trust", good, "--trust-root", rootVKey, token(wuhan, "420100")}, 1, "revoked_key"},
		{"the list checked against another root", []string{"--trust", good, "--trust-root", otherVKey, token(shanghai, "310000")}, 2, ""},
		{"the list without a root", []string{"--trust", good, token(shanghai, "310000")}, 2, ""},
		{"an expired list", []string{"--trust", expired, "--trust-root", rootVKey, token(shanghai, "310000")}, 2, ""},
		{"the expired list at a time it held", []string{"--trust", expired, "--trust-root", rootVKey,
			"--at", now.Add(-2 * time.Second).Format(time.RFC3339), token(shanghai, "310000")}, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := verifyCmd(c.args, strings.NewReader(""), &out, &errOut)
			if got := exitCode(err); got != c.wantExit {
				t.Fatalf("exit %d (%v), want %d; stdout %s", got, err, c.wantExit, out.String())
			}
			if c.wantExit == 2 {
				return
			}
			var got verifyVerdict
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got.Reason != c.wantReason || got.Valid != (c.wantExit == 0) {
				t.Errorf("valid %v reason %q, want reason %q", got.Valid, got.Reason, c.wantReason)
			}
			if c.wantExit == 0 && (got.Issuer != "310000" || got.Color != healthcode.Red) {
				t.Errorf("verdict %+v, want a red code of 310000", got)
			}
		})
	}
}
