package secret

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealOpensOnlyForItsPurpose(t *testing.T) {
	box, err := LoadOrCreate(t.TempDir())
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
	dir := t.TempDir()
	a, err := LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	again, err := LoadOrCreate(dir) // reads the key written by the first call
	if err != nil {
		t.Fatal(err)
	}
	other, err := LoadOrCreate(t.TempDir())
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
