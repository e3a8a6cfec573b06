package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"healthcode/internal/dcc"
	"healthcode/internal/dcc/dcctest"
)

func TestDCCFlags(t *testing.T) {
	de := dcctest.Load(t, "DE/2DCode/raw/1.json")
	dir := t.TempDir()
	good := filepath.Join(dir, "eu.json")
	if err := os.WriteFile(good, de.TrustListJSON(), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"not":"a list"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	at := de.At.Format(time.RFC3339)
	cases := []struct {
		name    string
		flags   dccFlags
		dev     bool
		wantErr string
		wantEU  bool
	}{
		{name: "none", flags: dccFlags{}},
		{name: "a trust list", flags: dccFlags{trust: good}, wantEU: true},
		{name: "a trust list and a dev clock", flags: dccFlags{trust: good, at: at}, dev: true, wantEU: true},
		{name: "a clock outside development", flags: dccFlags{trust: good, at: at}, wantErr: "--dcc-at: development only"},
		{name: "a clock not in RFC 3339", flags: dccFlags{trust: good, at: "2021-06-01"}, dev: true, wantErr: "--dcc-at"},
		{name: "a missing file", flags: dccFlags{trust: filepath.Join(dir, "none.json")}, wantErr: "--dcc-trust"},
		{name: "a file that is no DSC list", flags: dccFlags{trust: bad}, wantErr: "--dcc-trust"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eu, err := c.flags.open(c.dev)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("open = %v, want an error with %q", err, c.wantErr)
				}
				return
			}
			if err != nil || (eu != nil) != c.wantEU {
				t.Fatalf("open = %v, %v; want a verifier: %v", eu, err, c.wantEU)
			}
		})
	}
}

// TestDCCTrustReloadsOnHangup: SIGHUP rereads the file; a file that does
// not parse keeps the last good list.
func TestDCCTrustReloadsOnHangup(t *testing.T) {
	de := dcctest.Load(t, "DE/2DCode/raw/1.json")
	at := dcctest.Load(t, "AT/2DCode/raw/1.json")
	file := filepath.Join(t.TempDir(), "eu.json")
	write := func(data []byte) {
		if err := os.WriteFile(file, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(de.TrustListJSON())
	flags := dccFlags{trust: file}
	eu, err := flags.open(false)
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	flags.reloadOnHangup(ctx, eu, slog.New(slog.NewTextHandler(&logs, nil)))
	holds := func(c dcctest.Case) bool {
		tl, _ := eu.Trust()
		return len(tl.Lookup(dcc.Kid(c.Cert))) == 1
	}
	hangup := func(want func() bool) {
		t.Helper()
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		for range 200 {
			if want() {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatal("the trust list did not change after SIGHUP")
	}
	write(at.TrustListJSON())
	hangup(func() bool { return holds(at) && !holds(de) })
	write([]byte("not json"))
	hangup(func() bool { return strings.Contains(logs.String(), "keeping the last good one") })
	if !holds(at) {
		t.Fatal("a bad file replaced the last good list")
	}
}
