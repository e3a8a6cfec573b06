package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"healthcode/internal/store/pgtest"
)

// keysCmd runs `healthcode keys ARGS…` against the server's store.
func (s *testServer) keysCmd(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errs bytes.Buffer
	args = append(append([]string{"keys"}, args...), append([]string{"--data", s.data}, s.extra...)...)
	err = run(context.Background(), args, s.getenv, &out, &errs)
	return out.String(), errs.String(), err
}

func (s *testServer) mustKey(t *testing.T, args ...string) string {
	t.Helper()
	out, errs, err := s.keysCmd(t, args...)
	if err != nil {
		t.Fatalf("keys %v: %v\n%s", args, err, errs)
	}
	return strings.TrimSpace(out)
}

type listedKey struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Role      string     `json:"role"`
	Region    string     `json:"region"`
	Kinds     []string   `json:"kinds"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at"`
	State     string     `json:"state"`
}

func (s *testServer) listKeys(t *testing.T) []listedKey {
	t.Helper()
	out, errs, err := s.keysCmd(t, "list", "--json")
	if err != nil {
		t.Fatalf("keys list --json: %v\n%s", err, errs)
	}
	var ks []listedKey
	if err := json.Unmarshal([]byte(out), &ks); err != nil {
		t.Fatalf("keys list --json: %v in %q", err, out)
	}
	return ks
}

// verifyStatus is what a checkpoint's verify call answers with key: 401
// once the key no longer works.
func (s *testServer) verifyStatus(t *testing.T, key string) int {
	t.Helper()
	return s.call(t, "POST", "/api/v1/verify", key, map[string]any{"token": "x"}, nil)
}

// TestKeysListAndRevoke drives the key commands against a running server,
// which must stop taking a revoked key at once, on each store.
func TestKeysListAndRevoke(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testKeysListAndRevoke(t, startServer(t)) })
	t.Run("postgres", func(t *testing.T) { testKeysListAndRevoke(t, startServer(t, "--db", pgtest.NewDatabase(t))) })
}

func testKeysListAndRevoke(t *testing.T, s *testServer) {
	gate1 := s.mustKey(t, "create-checkpoint", "--name", "gate 1")
	gate1b := s.mustKey(t, "create-checkpoint", "--name", "gate 1")
	lab := s.mustKey(t, "create-feed", "--name", "lab", "--kinds", "lab,case", "--expires", "720h", "--region", "330000")
	before := time.Now()

	table, _, err := s.keysCmd(t, "list")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ID", "NAME", "EXPIRES", "REVOKED", "gate 1", "lab,case", "330000", "active"} {
		if !strings.Contains(table, want) {
			t.Errorf("keys list does not show %q:\n%s", want, table)
		}
	}
	ks := s.listKeys(t)
	if len(ks) != 3 || ks[2].Name != "lab" || ks[2].Role != "feed" || ks[2].ExpiresAt == nil ||
		ks[0].ExpiresAt != nil || ks[0].RevokedAt != nil || ks[0].State != "active" {
		t.Fatalf("keys list --json = %+v, want two checkpoint keys that never expire and a feed key that does", ks)
	}
	if json, _, _ := s.keysCmd(t, "list", "--json"); !strings.Contains(json, "+08:00") || strings.Contains(json, "Z\"") {
		t.Errorf("keys list --json does not show China time:\n%s", json)
	}
	if d := ks[2].ExpiresAt.Sub(before); d < 719*time.Hour || d > 721*time.Hour {
		t.Errorf("the feed key expires in %v, want 720h", d)
	}
	for _, secret := range []string{gate1, gate1b, lab} {
		if strings.Contains(table, secret) || strings.Contains(table, secret[4:12]) {
			t.Errorf("keys list shows a secret: %s", table)
		}
	}

	if code := s.verifyStatus(t, gate1); code != http.StatusOK {
		t.Fatalf("verify with gate 1 before revoking: %d", code)
	}
	_, errs, err := s.keysCmd(t, "revoke", "gate 1")
	if err == nil || !strings.Contains(err.Error(), "2 keys") || !strings.Contains(err.Error(), fmt.Sprintf("key %d ", ks[1].ID)) {
		t.Errorf("revoke of an ambiguous name: %v %s; want a refusal listing both keys", err, errs)
	}
	out := s.mustKey(t, "revoke", fmt.Sprint(ks[0].ID))
	if !strings.Contains(out, "revoked checkpoint key") {
		t.Errorf("revoke said %q", out)
	}
	if code := s.verifyStatus(t, gate1); code != http.StatusUnauthorized {
		t.Errorf("verify with the revoked key: %d, want 401", code)
	}
	if code := s.verifyStatus(t, gate1b); code != http.StatusOK {
		t.Errorf("verify with the other gate 1 key: %d, want 200", code)
	}
	if _, _, err := s.keysCmd(t, "revoke", fmt.Sprint(ks[0].ID)); err == nil || !strings.Contains(err.Error(), "revoked already") {
		t.Errorf("revoking twice: %v, want it to say the key was revoked already", err)
	}
	if ks := s.listKeys(t); ks[0].State != "revoked" || ks[0].RevokedAt == nil || ks[1].State != "active" {
		t.Errorf("after revoking: %+v, want the first revoked and the second active", ks)
	}
}

func TestKeysRefuseBadInput(t *testing.T) {
	s := startServer(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"create-checkpoint", "--name", "x", "--expires", "2001-01-01"}, "expires"},
		{[]string{"create-checkpoint", "--name", "x", "--expires", "soon"}, "want a duration"},
		{[]string{"create-checkpoint", "--name", "x", "--expires", "-1h"}, "future"},
		{[]string{"revoke"}, "name exactly one key"},
		{[]string{"revoke", "nobody"}, `"nobody"`},
		{[]string{"rotate"}, "usage"},
	}
	for _, tt := range tests {
		if _, _, err := s.keysCmd(t, tt.args...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("keys %v: %v, want an error mentioning %q", tt.args, err, tt.want)
		}
	}
}

func TestParseExpires(t *testing.T) {
	now := time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC) // 10:00 China time
	tests := []struct{ in, want string }{
		{"", "0001-01-01T00:00:00Z"},
		{"720h", "2026-04-09T02:00:00Z"},
		{"2026-12-31", "2026-12-31T16:00:00Z"}, // through that day, China time
		{"2026-12-31T18:00", "2026-12-31T10:00:00Z"},
		{"2026-12-31 18:00", "2026-12-31T10:00:00Z"},
		{"2026-12-31T18:00:00Z", "2026-12-31T18:00:00Z"},
	}
	for _, tt := range tests {
		got, err := parseExpires(tt.in, now)
		if err != nil || got.UTC().Format(time.RFC3339) != tt.want {
			t.Errorf("parseExpires(%q) = %v, %v; want %s", tt.in, got.UTC(), err, tt.want)
		}
	}
}

// TestFeedKeyKeepsToItsRegionOverHTTP: a Hangzhou lab's result about a
// Ningbo resident is rejected by line, the Hangzhou resident's lands.
func TestFeedKeyKeepsToItsRegionOverHTTP(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testFeedKeyKeepsToItsRegion(t, startServer(t)) })
	t.Run("postgres", func(t *testing.T) { testFeedKeyKeepsToItsRegion(t, startServer(t, "--db", pgtest.NewDatabase(t))) })
}

func testFeedKeyKeepsToItsRegion(t *testing.T, s *testServer) {
	hangzhou, ningbo := residentID(t, "33010619900307131"), residentID(t, "33020619900307131")
	for i, p := range []struct{ number, region string }{{hangzhou, "330106"}, {ningbo, "330206"}} {
		phone := fmt.Sprintf("1381234568%d", i)
		app := application(p.number, "周九", phone, false)
		app["region"] = p.region
		if code := s.call(t, "POST", "/api/v1/persons", s.login(t, phone), app, nil); code != http.StatusCreated {
			t.Fatalf("apply in %s: status %d", p.region, code)
		}
	}
	key := s.mustKey(t, "create-feed", "--name", "Hangzhou lab", "--kinds", "lab", "--region", "330100")
	csv := "source_ref,doc_number,at,sampled,result\n" +
		"r-1," + hangzhou + ",2026-03-10 15:00,2026-03-10 09:00,negative\n" +
		"r-2," + ningbo + ",2026-03-10 15:00,2026-03-10 09:00,negative\n"
	var rep struct {
		Added, Pending, Duplicates, Rejected int
		Rejections                           []struct {
			Line          int
			Field, Reason string
		}
	}
	if code := s.postFeed(t, key, "lab", csv, &rep); code != http.StatusOK || rep.Added != 1 || rep.Pending != 0 ||
		rep.Duplicates != 0 || rep.Rejected != 1 || len(rep.Rejections) != 1 {
		t.Fatalf("feed: status %d, %+v; want 200 with 1 added and 1 rejected", code, rep)
	}
	if r := rep.Rejections[0]; r.Line != 3 || r.Field != "doc_number" || !strings.Contains(r.Reason, "region 330100") {
		t.Errorf("rejection = %+v, want line 3, doc_number, outside region 330100", r)
	}
}
