package secret

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealOpensOnlyForItsPurpose(t *testing.T) {
	box, err := LoadOrCreate(filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	sealed := box.Seal("phone", "13800138000")
	if bytes.Contains(sealed, []byte("13800138000")) {
		t.Fatal("sealed value contains the clear text")
	}
	got, err := box.Open("phone", sealed)
	if err != nil || got != "13800138000" {
		t.Errorf("Open = %q, %v; want the phone", got, err)
	}
	if _, err := box.Open("name", sealed); err == nil {
		t.Error("a phone opened as a name")
	}
	if bytes.Equal(sealed, box.Seal("phone", "13800138000")) {
		t.Error("two seals of one value are equal: nonce reused")
	}
}

func TestHashIsKeyedAndStable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	a, err := LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	again, err := LoadOrCreate(dir) // reads the key written by the first call
	if err != nil {
		t.Fatal(err)
	}
	other, err := LoadOrCreate(filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	h := a.Hash("id", "x")
	if !bytes.Equal(h, again.Hash("id", "x")) {
		t.Error("hash changed across loads of one key")
	}
	if bytes.Equal(h, other.Hash("id", "x")) {
		t.Error("two keys give one hash")
	}
	if bytes.Equal(h, a.Hash("phone", "x")) {
		t.Error("purposes share hashes")
	}
	info, err := os.Stat(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("key file mode = %v, want 0600", perm)
	}
}

func TestParseKeyRejectsBadKeys(t *testing.T) {
	for _, s := range []string{"zz", strings.Repeat("ab", KeySize-1)} {
		if _, err := ParseKey(s); err == nil {
			t.Errorf("ParseKey(%q) accepted", s)
		}
	}
}

// TestLoadOrCreateRefusesAKeyFileOthersMayRead: the key is written 0600,
// so a looser mode (a backup restored with cp) means it may have been read.
func TestLoadOrCreateRefusesAKeyFileOthersMayRead(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if _, err := LoadOrCreate(dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, FileName)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadOrCreate(dir)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("LoadOrCreate with a 0644 key file: %v, want a refusal naming the file and the fix", err)
	}
}
