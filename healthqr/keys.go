package healthqr

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"
)

// Key is an Ed25519 key of one issuer. Private is nil for a public-only key
// (for example another region's key, learned from its key endpoint). A key
// verifies tokens whose issued-at t satisfies ValidFrom <= t < ValidTo.
type Key struct {
	ID        KeyID
	Issuer    string // 6-digit administrative division code
	Private   ed25519.PrivateKey
	Public    ed25519.PublicKey
	ValidFrom time.Time
	ValidTo   time.Time
}

// PublicKey is the published form of a key, as served at GET /api/v1/keys.
type PublicKey struct {
	KID       string    `json:"kid"`
	Alg       string    `json:"alg"` // always "Ed25519"
	Issuer    string    `json:"issuer"`
	Key       string    `json:"key"` // standard base64 of the 32 raw bytes
	ValidFrom time.Time `json:"valid_from"`
	ValidTo   time.Time `json:"valid_to"`
}

// Alg is the value of PublicKey.Alg.
const Alg = "Ed25519"

// KeyIDOf returns the key id of an Ed25519 public key: the first 4 bytes of
// SHA-256 of its 32 raw bytes.
func KeyIDOf(pub ed25519.PublicKey) KeyID {
	sum := sha256.Sum256(pub)
	return KeyID(sum[:4])
}

// GenerateKey returns a new private key for issuer, valid from now (truncated
// to the second) for validity.
func GenerateKey(issuer string, now time.Time, validity time.Duration) (Key, error) {
	if _, ok := parseIssuer(issuer); !ok {
		return Key{}, fmt.Errorf("healthqr: issuer %q is not 6 digits", issuer)
	}
	if validity < time.Second {
		return Key{}, fmt.Errorf("healthqr: key validity %v is too short", validity)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return Key{}, fmt.Errorf("healthqr: generate key: %w", err)
	}
	from := now.Truncate(time.Second).UTC()
	return Key{
		ID:        KeyIDOf(pub),
		Issuer:    issuer,
		Private:   priv,
		Public:    pub,
		ValidFrom: from,
		ValidTo:   from.Add(validity),
	}, nil
}

// normalize checks k and returns a copy that shares no memory with it, with
// Public derived from Private and ID derived from Public when they are unset.
func (k Key) normalize() (Key, error) {
	if _, ok := parseIssuer(k.Issuer); !ok {
		return Key{}, fmt.Errorf("healthqr: key issuer %q is not 6 digits", k.Issuer)
	}
	if k.Private != nil {
		if len(k.Private) != ed25519.PrivateKeySize {
			return Key{}, errors.New("healthqr: private key has the wrong length")
		}
		k.Private = ed25519.NewKeyFromSeed(k.Private.Seed())
		pub := k.Private.Public().(ed25519.PublicKey)
		if k.Public != nil && !bytes.Equal(k.Public, pub) {
			return Key{}, errors.New("healthqr: public key does not match private key")
		}
		k.Public = pub
	} else {
		if len(k.Public) != ed25519.PublicKeySize {
			return Key{}, errors.New("healthqr: public key has the wrong length")
		}
		k.Public = bytes.Clone(k.Public)
	}
	id := KeyIDOf(k.Public)
	if k.ID != (KeyID{}) && k.ID != id {
		return Key{}, fmt.Errorf("healthqr: key id %s does not match public key (want %s)", k.ID, id)
	}
	k.ID = id
	if !k.ValidTo.After(k.ValidFrom) {
		return Key{}, fmt.Errorf("healthqr: key %s: valid_to is not after valid_from", k.ID)
	}
	return k, nil
}
