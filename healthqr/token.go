package healthqr

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"healthcode"
)

// Token layout; see the package documentation.
const (
	// Prefix starts every token. It is covered by the signature.
	Prefix = "HCN1:"
	// Version is the value of the token's first binary byte.
	Version = 1
	// TokenLen is the length in characters of every token.
	TokenLen = len(Prefix) + binLen/2*3 + binLen%2*2

	offVersion = 0
	offIssuer  = 1
	offCodeID  = 4
	offColor   = 16
	offIssued  = 17
	offExpires = 21
	offKeyID   = 25
	offSig     = 29
	binLen     = offSig + 64 // 93 bytes

	// maxClockSkew is how far in the future issued-at may lie before
	// Verify reports ErrNotYetValid.
	maxClockSkew = 30 * time.Second
)

// Verification errors. Verify returns errors for which errors.Is reports
// exactly one of these; Reason turns them into stable short codes.
var (
	ErrMalformed     = errors.New("healthqr: malformed token")
	ErrUnknownIssuer = errors.New("healthqr: unknown issuer or key")
	ErrBadSignature  = errors.New("healthqr: bad signature")
	ErrNotYetValid   = errors.New("healthqr: token issued in the future")
	ErrExpired       = errors.New("healthqr: token expired")
)

// Detailed verification errors, built once so that Verify does not allocate.
var (
	errTokenLength = fmt.Errorf("%w: token is not %d characters", ErrMalformed, TokenLen)
	errPrefix      = fmt.Errorf("%w: token does not start with %q", ErrMalformed, Prefix)
	errVersion     = fmt.Errorf("%w: unsupported version", ErrMalformed)
	errColor       = fmt.Errorf("%w: invalid colour", ErrMalformed)
	errLifetime    = fmt.Errorf("%w: expires-at is not after issued-at", ErrMalformed)
	errKeyNotValid = fmt.Errorf("%w: key not valid at issued-at", ErrUnknownIssuer)
)

// Reason returns the stable short code of a verification error:
// "malformed", "unknown_issuer", "bad_signature", "not_yet_valid" or
// "expired". It returns "" for nil and "invalid" for any other error.
func Reason(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrMalformed):
		return "malformed"
	case errors.Is(err, ErrUnknownIssuer):
		return "unknown_issuer"
	case errors.Is(err, ErrBadSignature):
		return "bad_signature"
	case errors.Is(err, ErrNotYetValid):
		return "not_yet_valid"
	case errors.Is(err, ErrExpired):
		return "expired"
	}
	return "invalid"
}

// CodeID identifies one issued health code. It is opaque and random.
type CodeID [12]byte

// NewCodeID returns a random CodeID from crypto/rand.
func NewCodeID() (CodeID, error) {
	var c CodeID
	if _, err := rand.Read(c[:]); err != nil {
		return CodeID{}, fmt.Errorf("healthqr: code id: %w", err)
	}
	return c, nil
}

// String returns the 24-character lowercase hex form of c.
func (c CodeID) String() string { return hex.EncodeToString(c[:]) }

// ParseCodeID parses the 24-character hex form produced by String.
func ParseCodeID(s string) (CodeID, error) {
	var c CodeID
	if err := decodeHexExact(c[:], s); err != nil {
		return CodeID{}, fmt.Errorf("healthqr: code id %q: %w", s, err)
	}
	return c, nil
}

// KeyID identifies a signing key: the first 4 bytes of SHA-256 of the raw
// 32-byte Ed25519 public key.
type KeyID [4]byte

// String returns the 8-character lowercase hex form of k.
func (k KeyID) String() string { return hex.EncodeToString(k[:]) }

// ParseKeyID parses the 8-character hex form produced by String.
func ParseKeyID(s string) (KeyID, error) {
	var k KeyID
	if err := decodeHexExact(k[:], s); err != nil {
		return KeyID{}, fmt.Errorf("healthqr: key id %q: %w", s, err)
	}
	return k, nil
}

func decodeHexExact(dst []byte, s string) error {
	if len(s) != 2*len(dst) {
		return fmt.Errorf("want %d hex characters, got %d", 2*len(dst), len(s))
	}
	_, err := hex.Decode(dst, []byte(s))
	return err
}

// Claims is the content of a token. Times have one-second resolution and
// are returned in UTC.
type Claims struct {
	Issuer    string // 6-digit administrative division code
	CodeID    CodeID
	Color     healthcode.Color
	IssuedAt  time.Time
	ExpiresAt time.Time
	KeyID     KeyID
}

// parseIssuer converts a 6-digit issuer code to its numeric form.
func parseIssuer(s string) (uint32, bool) {
	if len(s) != 6 {
		return 0, false
	}
	var n uint32
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + uint32(s[i]-'0')
	}
	return n, true
}

// unixSeconds converts t to a token timestamp.
func unixSeconds(t time.Time) (uint32, bool) {
	s := t.Unix()
	if s < 0 || s > 1<<32-1 {
		return 0, false
	}
	return uint32(s), true
}

// putUint24 writes v as 3 big-endian bytes.
func putUint24(b []byte, v uint32) { b[0], b[1], b[2] = byte(v>>16), byte(v>>8), byte(v) }

// uint24 reads 3 big-endian bytes.
func uint24(b []byte) uint32 { return uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]) }

// signedPart fills the first offSig binary bytes of a token.
func signedPart(b []byte, issuer uint32, c *Claims, iat, exp uint32) {
	b[offVersion] = Version
	putUint24(b[offIssuer:], issuer)
	copy(b[offCodeID:offColor], c.CodeID[:])
	b[offColor] = byte(c.Color)
	binary.BigEndian.PutUint32(b[offIssued:], iat)
	binary.BigEndian.PutUint32(b[offExpires:], exp)
	copy(b[offKeyID:offSig], c.KeyID[:])
}
