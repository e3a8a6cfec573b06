package publiclog

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/mod/sumdb/note"

	"healthcode/internal/datadir"
)

// KeyFile is the name of the log's key file in the keys directory, beside
// the code-signing keys: the signer key and its verifier key, one a line,
// in note's text forms, mode 0600. Every server of a deployment needs the
// same file, as with the code-signing keys.
const KeyFile = "log.key"

// LoadOrCreateKey reads the log's key from dir, making one named name
// (the log's origin, e.g. "healthcode-330100") when there is none, and
// returns the signer and the verifier key's text.
func LoadOrCreateKey(dir, name string) (note.Signer, string, error) {
	if err := datadir.Ensure(dir); err != nil {
		return nil, "", fmt.Errorf("log key directory: %w", err)
	}
	path := filepath.Join(dir, KeyFile)
	b, err := datadir.ReadKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		b, err = createKey(dir, path, name)
	}
	if err != nil {
		return nil, "", err
	}
	skey, vkey, err := parseKeyFile(path, b)
	if err != nil {
		return nil, "", err
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, "", fmt.Errorf("log key file %s: %w", path, err)
	}
	return signer, vkey, nil
}

// ReadVerifierKey returns the verifier key of the log's key file in dir,
// making none: a missing file is an error, for a new key would verify
// nothing the log holds.
func ReadVerifierKey(dir string) (string, error) {
	path := filepath.Join(dir, KeyFile)
	b, err := datadir.ReadKeyFile(path)
	if err != nil {
		return "", fmt.Errorf("log key: %w", err)
	}
	_, vkey, err := parseKeyFile(path, b)
	return vkey, err
}

// parseKeyFile splits a key file into its signer and verifier keys and
// checks the verifier key.
func parseKeyFile(path string, b []byte) (skey, vkey string, err error) {
	lines := bytes.Fields(b)
	if len(lines) != 2 {
		return "", "", fmt.Errorf("log key file %s: want a signer key and a verifier key, one a line", path)
	}
	if _, err := note.NewVerifier(string(lines[1])); err != nil {
		return "", "", fmt.Errorf("log key file %s: %w", path, err)
	}
	return string(lines[0]), string(lines[1]), nil
}

func createKey(dir, path, name string) ([]byte, error) {
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		return nil, fmt.Errorf("log key: %w", err)
	}
	if err := datadir.Writable(dir); err != nil {
		return nil, fmt.Errorf("log key: %w", err)
	}
	b := []byte(skey + "\n" + vkey + "\n")
	// O_EXCL: two servers starting at once on one directory keep one key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return datadir.ReadKeyFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("log key: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return nil, fmt.Errorf("log key: %w", err)
	}
	return b, f.Close()
}
