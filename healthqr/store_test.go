package healthqr

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// privateDir is a new directory of mode 0700: t.TempDir's are 0755, which
// LoadOrCreate refuses.
func privateDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLoadOrCreateCreatesPrivateDirectoryAndFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	kr, err := LoadOrCreate(dir, testIssuer, t0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want os.FileMode
	}{
		{dir, 0o700 | os.ModeDir},
		{filepath.Join(dir, KeyFile), 0o600},
	}
	for _, tt := range tests {
		st, err := os.Stat(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode() & (os.ModePerm | os.ModeDir); got != tt.want {
			t.Errorf("mode of %s = %v, want %v", tt.path, got, tt.want)
		}
	}
	pub := kr.Public()
	if len(pub) != 1 {
		t.Fatalf("Public() = %+v, want one key", pub)
	}
	if got, want := pub[0].ValidTo, t0.AddDate(2, 0, 0); !got.Equal(want) {
		t.Errorf("valid_to = %v, want %v", got, want)
	}
	if _, err := kr.Sign(testClaims(t0)); err != nil {
		t.Errorf("Sign with the created key: %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only %s", len(entries), KeyFile)
	}
}

func TestLoadOrCreateReloadsExistingKey(t *testing.T) {
	dir := privateDir(t)
	first, err := LoadOrCreate(dir, testIssuer, t0)
	if err != nil {
		t.Fatal(err)
	}
	tok := mustSign(t, first, testClaims(t0.Add(time.Hour)))
	second, err := LoadOrCreate(dir, testIssuer, t0.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := second.Public(), first.Public(); len(got) != 1 || got[0] != want[0] {
		t.Errorf("reloaded keys = %+v, want %+v", got, want)
	}
	if _, err := second.Verify(tok, t0.Add(time.Hour)); err != nil {
		t.Errorf("reloaded keyring rejects token: %v", err)
	}
	if _, err := second.Sign(testClaims(t0.Add(25 * time.Hour))); err != nil {
		t.Errorf("reloaded keyring cannot sign: %v", err)
	}
}

func TestLoadOrCreateRotatesAndKeepsRetiredKey(t *testing.T) {
	dir := privateDir(t)
	first, err := LoadOrCreate(dir, testIssuer, t0)
	if err != nil {
		t.Fatal(err)
	}
	old := first.Public()[0]
	// A token issued in the retiring key's last minute.
	lastMinute := old.ValidTo.Add(-time.Minute)
	tok := mustSign(t, first, testClaims(lastMinute))

	kr, err := LoadOrCreate(dir, testIssuer, old.ValidTo)
	if err != nil {
		t.Fatal(err)
	}
	pub := kr.Public()
	if len(pub) != 2 {
		t.Fatalf("keys after rotation = %+v, want 2", pub)
	}
	if pub[0] != old {
		t.Errorf("retired key = %+v, want %+v", pub[0], old)
	}
	if _, err := kr.Verify(tok, lastMinute.Add(time.Minute+time.Second)); err != nil {
		t.Errorf("token of the retired key: %v", err)
	}
	c, err := kr.Verify(mustSign(t, kr, testClaims(old.ValidTo)), old.ValidTo)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.KeyID.String(), pub[1].KID; got != want {
		t.Errorf("new token signed by %s, want %s", got, want)
	}
}

func TestLoadOrCreateAddsKeyPerIssuer(t *testing.T) {
	dir := privateDir(t)
	if _, err := LoadOrCreate(dir, testIssuer, t0); err != nil {
		t.Fatal(err)
	}
	kr, err := LoadOrCreate(dir, "310000", t0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(kr.Public()), 2; got != want {
		t.Errorf("len(Public()) = %d, want %d", got, want)
	}
}

func TestLoadOrCreateRejectsBadInput(t *testing.T) {
	tests := []struct {
		name    string
		issuer  string
		content string // key file content; "" for none
		mode    os.FileMode
	}{
		{"bad issuer", "1100", "", 0},
		{"readable by others", testIssuer, `{"keys":[]}`, 0o644},
		{"not JSON", testIssuer, `keys`, 0o600},
		{"unknown field", testIssuer, `{"keys":[],"extra":1}`, 0o600},
		{"unknown alg", testIssuer, `{"keys":[{"kid":"00000000","alg":"RS256","issuer":"110000","public":"","valid_from":"2026-01-01T00:00:00Z","valid_to":"2027-01-01T00:00:00Z"}]}`, 0o600},
		{"bad public key", testIssuer, `{"keys":[{"kid":"00000000","alg":"Ed25519","issuer":"110000","public":"AAAA","valid_from":"2026-01-01T00:00:00Z","valid_to":"2027-01-01T00:00:00Z"}]}`, 0o600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := privateDir(t)
			if tt.content != "" {
				path := filepath.Join(dir, KeyFile)
				if err := os.WriteFile(path, []byte(tt.content), tt.mode); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, tt.mode); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := LoadOrCreate(dir, tt.issuer, t0); err == nil {
				t.Error("LoadOrCreate succeeded, want error")
			}
		})
	}
}

func TestLoadOrCreateDetectsTamperedKeyID(t *testing.T) {
	for _, tampered := range []string{"00000000", "deadbeef"} {
		t.Run(tampered, func(t *testing.T) { testTamperedKeyID(t, tampered) })
	}
}

func testTamperedKeyID(t *testing.T, tampered string) {
	dir := privateDir(t)
	kr, err := LoadOrCreate(dir, testIssuer, t0)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, KeyFile)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	kid := kr.Public()[0].KID
	data = []byte(strings.Replace(string(data), kid, tampered, 1))
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreate(dir, testIssuer, t0); err == nil {
		t.Error("LoadOrCreate accepted a key file with a wrong kid")
	}
}
