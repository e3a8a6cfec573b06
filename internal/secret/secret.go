// Package secret keeps identity data unreadable at rest: ID numbers, names
// and phones are sealed with AES-256-GCM and found again by HMAC-SHA256, so
// the database alone never reveals who anyone is.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"healthcode/internal/datadir"
)

// KeySize is the length of a key: 32 bytes for AES-256 and 32 for HMAC.
const KeySize = 64

// FileName is the key file kept in the data directory.
const FileName = "secret.key"

// Box seals and hashes identity values. It is safe for concurrent use.
type Box struct {
	aead   cipher.AEAD
	macKey []byte
}

// New returns a Box for a KeySize-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secret key: %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key[:32])
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	return &Box{aead: aead, macKey: append([]byte(nil), key[32:]...)}, nil
}

// ParseKey decodes a key written as hex, as in the key file or
// HEALTHCODE_SECRET_KEY.
func ParseKey(s string) ([]byte, error) {
	key, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("secret key is not hex: %w", err)
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("secret key: %d bytes, want %d (%d hex characters)", len(key), KeySize, 2*KeySize)
	}
	return key, nil
}

// LoadOrCreate reads the key file in dir, creating it with a new random key
// on first start. Losing this file makes every stored identity unreadable:
// back it up with the database. dir must be private (0700, created so when
// missing) and the key file 0600; see package datadir.
func LoadOrCreate(dir string) (*Box, error) {
	if err := datadir.Ensure(dir); err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	path := filepath.Join(dir, FileName)
	b, err := datadir.ReadKeyFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return create(dir, path)
	} else if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	key, err := ParseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return New(key)
}

func create(dir, path string) (*Box, error) {
	if err := datadir.Writable(dir); err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	key := make([]byte, KeySize)
	rand.Read(key)
	// O_EXCL: two processes starting at once must not write two keys.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create secret key: %w", err)
	}
	_, werr := f.WriteString(hex.EncodeToString(key) + "\n")
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		return nil, fmt.Errorf("write secret key: %w", err)
	}
	return New(key)
}

// Seal encrypts value. The purpose ("id", "name", "phone") is bound as
// additional data, so a sealed name cannot be passed off as a phone.
func (b *Box) Seal(purpose, value string) []byte {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(value)+b.aead.Overhead())
	rand.Read(nonce) // never fails: since Go 1.24 a failure crashes the program
	return b.aead.Seal(nonce, nonce, []byte(value), []byte(purpose))
}

// Open decrypts what Seal produced for the same purpose.
func (b *Box) Open(purpose string, sealed []byte) (string, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("open sealed value: too short")
	}
	plain, err := b.aead.Open(nil, sealed[:n], sealed[n:], []byte(purpose))
	if err != nil {
		return "", fmt.Errorf("open sealed %s: %w", purpose, err)
	}
	return string(plain), nil
}

// Hash returns the keyed lookup hash of value for purpose. Equal inputs give
// equal hashes, which is what makes "one person, one code" enforceable
// without storing the number.
func (b *Box) Hash(purpose, value string) []byte {
	m := hmac.New(sha256.New, b.macKey)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return m.Sum(nil)
}
