package healthqr

import (
	"bytes"
	"cmp"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"healthcode"
)

// ErrNoSigningKey is returned by Sign when the issuer has no private key
// valid at the claims' issued-at.
var ErrNoSigningKey = errors.New("healthqr: no signing key")

// Keyring holds signing and verification keys. It is safe for concurrent
// use. Reads (Sign, Verify, Public) take no lock: they load an immutable
// snapshot that Add replaces. The zero Keyring is empty and ready to use.
type Keyring struct {
	mu  sync.Mutex // serialises writers
	set atomic.Pointer[keySet]
}

// keySet is an immutable snapshot of a keyring.
type keySet struct {
	byIndex map[keyIndex]*keyEntry
	signers map[string][]*keyEntry // private keys per issuer, newest first
}

// keyIndex is the lookup key of Verify: no strings are built per call.
type keyIndex struct {
	issuer uint32
	kid    KeyID
}

type keyEntry struct {
	key    Key
	issuer uint32
	// from and to bound the issued-at seconds t the key covers:
	// from <= t < to. They are ValidFrom and ValidTo rounded up to whole
	// seconds, which is exact for whole-second t.
	from, to int64
}

func (e *keyEntry) validAt(t int64) bool { return e.from <= t && t < e.to }

func ceilUnix(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() != 0 {
		s++
	}
	return s
}

// NewKeyring returns a keyring holding keys.
func NewKeyring(keys ...Key) (*Keyring, error) {
	k := new(Keyring)
	for _, key := range keys {
		if err := k.Add(key); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// Add adds a public-only or private key. The key is copied. Adding a key
// already present is a no-op, except that a private key replaces the same
// key held public-only. A different key with the same issuer and key id is
// an error.
func (k *Keyring) Add(key Key) error {
	key, err := key.normalize()
	if err != nil {
		return err
	}
	issuer, _ := parseIssuer(key.Issuer)
	idx := keyIndex{issuer, key.ID}

	k.mu.Lock()
	defer k.mu.Unlock()
	old := k.snapshot()
	if e, ok := old.byIndex[idx]; ok {
		if !bytes.Equal(e.key.Public, key.Public) {
			return fmt.Errorf("healthqr: issuer %s already has a different key with id %s", key.Issuer, key.ID)
		}
		same := e.key.ValidFrom.Equal(key.ValidFrom) && e.key.ValidTo.Equal(key.ValidTo)
		if !same {
			return fmt.Errorf("healthqr: key %s already present with a different validity", key.ID)
		}
		if e.key.Private != nil || key.Private == nil {
			return nil
		}
	}
	next := &keySet{
		byIndex: maps.Clone(old.byIndex),
		signers: maps.Clone(old.signers),
	}
	if next.byIndex == nil {
		next.byIndex = make(map[keyIndex]*keyEntry)
		next.signers = make(map[string][]*keyEntry)
	}
	e := &keyEntry{key: key, issuer: issuer, from: ceilUnix(key.ValidFrom), to: ceilUnix(key.ValidTo)}
	next.byIndex[idx] = e
	if key.Private != nil {
		s := append(slices.Clone(next.signers[key.Issuer]), e)
		slices.SortStableFunc(s, func(a, b *keyEntry) int {
			return cmp.Or(b.key.ValidFrom.Compare(a.key.ValidFrom), b.key.ValidTo.Compare(a.key.ValidTo))
		})
		next.signers[key.Issuer] = s
	}
	k.set.Store(next)
	return nil
}

var emptySet = &keySet{}

func (k *Keyring) snapshot() *keySet {
	if s := k.set.Load(); s != nil {
		return s
	}
	return emptySet
}

// keys returns copies of all keys, ordered by issuer, ValidFrom and id.
func (k *Keyring) keys() []Key {
	s := k.snapshot()
	out := make([]Key, 0, len(s.byIndex))
	for _, e := range s.byIndex {
		out = append(out, e.key)
	}
	slices.SortFunc(out, func(a, b Key) int {
		return cmp.Or(cmp.Compare(a.Issuer, b.Issuer), a.ValidFrom.Compare(b.ValidFrom),
			bytes.Compare(a.ID[:], b.ID[:]))
	})
	return out
}

// Public returns the public half of every key, ordered by issuer, ValidFrom
// and key id, for GET /api/v1/keys.
func (k *Keyring) Public() []PublicKey {
	keys := k.keys()
	out := make([]PublicKey, len(keys))
	for i, key := range keys {
		out[i] = PublicKey{
			KID:       key.ID.String(),
			Alg:       Alg,
			Issuer:    key.Issuer,
			Key:       base64.StdEncoding.EncodeToString(key.Public),
			ValidFrom: key.ValidFrom,
			ValidTo:   key.ValidTo,
		}
	}
	return out
}

// Sign returns the token for c. It signs with the newest private key of
// c.Issuer valid at c.IssuedAt; the token carries that key's id and
// c.KeyID is ignored. Times are truncated to the second. Sign fails if the
// issuer is not 6 digits, the colour is invalid, a time is outside the
// uint32 Unix range, ExpiresAt is not after IssuedAt, or there is no
// signing key (ErrNoSigningKey).
func (k *Keyring) Sign(c Claims) (string, error) {
	issuer, ok := parseIssuer(c.Issuer)
	if !ok {
		return "", fmt.Errorf("healthqr: sign: issuer %q is not 6 digits", c.Issuer)
	}
	if !c.Color.Valid() {
		return "", fmt.Errorf("healthqr: sign: invalid colour %d", c.Color)
	}
	iat, ok1 := unixSeconds(c.IssuedAt)
	exp, ok2 := unixSeconds(c.ExpiresAt)
	if !ok1 || !ok2 {
		return "", errors.New("healthqr: sign: time outside the token's range")
	}
	if exp <= iat {
		return "", errors.New("healthqr: sign: expires-at is not after issued-at")
	}
	var signer *keyEntry
	for _, e := range k.snapshot().signers[c.Issuer] {
		if e.validAt(int64(iat)) {
			signer = e
			break
		}
	}
	if signer == nil {
		return "", fmt.Errorf("%w for issuer %s at %s", ErrNoSigningKey, c.Issuer,
			time.Unix(int64(iat), 0).UTC().Format(time.RFC3339))
	}
	c.KeyID = signer.key.ID

	var buf [len(Prefix) + binLen]byte
	copy(buf[:], Prefix)
	b := buf[len(Prefix):]
	signedPart(b, issuer, &c, iat, exp)
	copy(b[offSig:], ed25519.Sign(signer.key.Private, buf[:len(Prefix)+offSig]))

	out := make([]byte, 0, TokenLen)
	out = append(out, Prefix...)
	out = appendBase45(out, b)
	return string(out), nil
}

// Verify checks token at time now and returns its claims. Checks run in
// this order, and the first failure is returned (wrapping the sentinel):
//
//   - ErrMalformed: wrong length or prefix, invalid base45, unknown
//     version, invalid colour, expires-at not after issued-at;
//   - ErrUnknownIssuer: no key for the issuer and key id, or the key is
//     not valid at issued-at;
//   - ErrBadSignature;
//   - ErrNotYetValid: issued-at more than 30 s after now;
//   - ErrExpired: now >= expires-at.
//
// The signature is checked before the times, so a forged token never
// reports ErrExpired. On error the returned Claims are zero.
func (k *Keyring) Verify(token string, now time.Time) (Claims, error) {
	if len(token) != TokenLen {
		return Claims{}, errTokenLength
	}
	if token[:len(Prefix)] != Prefix {
		return Claims{}, errPrefix
	}
	var buf [len(Prefix) + binLen]byte
	copy(buf[:], Prefix)
	b := buf[len(Prefix):]
	if _, err := decodeBase45(b, token[len(Prefix):]); err != nil {
		return Claims{}, err
	}
	if b[offVersion] != Version {
		return Claims{}, errVersion
	}
	color := healthcode.Color(b[offColor])
	if !color.Valid() {
		return Claims{}, errColor
	}
	iat := int64(binary.BigEndian.Uint32(b[offIssued:]))
	exp := int64(binary.BigEndian.Uint32(b[offExpires:]))
	if exp <= iat {
		return Claims{}, errLifetime
	}

	idx := keyIndex{issuer: uint24(b[offIssuer:]), kid: KeyID(b[offKeyID:offSig])}
	e := k.snapshot().byIndex[idx]
	if e == nil {
		return Claims{}, ErrUnknownIssuer
	}
	if !e.validAt(iat) {
		return Claims{}, errKeyNotValid
	}
	if !ed25519.Verify(e.key.Public, buf[:len(Prefix)+offSig], b[offSig:]) {
		return Claims{}, ErrBadSignature
	}

	if iat > now.Add(maxClockSkew).Unix() {
		return Claims{}, ErrNotYetValid
	}
	if now.Unix() >= exp {
		return Claims{}, ErrExpired
	}
	return Claims{
		Issuer:    e.key.Issuer,
		CodeID:    CodeID(b[offCodeID:offColor]),
		Color:     color,
		IssuedAt:  time.Unix(iat, 0).UTC(),
		ExpiresAt: time.Unix(exp, 0).UTC(),
		KeyID:     idx.kid,
	}, nil
}
