// Package password hashes officials' passwords with argon2id
// (golang.org/x/crypto/argon2, RFC 9106) and checks them, in the PHC
// string format other tools read:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
//
// salt and hash in unpadded standard base64. The parameters are OWASP's
// minimum for argon2id; a stored hash carries its own, so raising them
// later leaves old hashes checkable.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// The parameters of new hashes (OWASP Password Storage Cheat Sheet).
const (
	Memory  = 19456 // KiB
	Time    = 2
	Threads = 1
	SaltLen = 16
	KeyLen  = 32
)

// MinLength is the fewest characters a password may have.
const MinLength = 12

// maxMemory bounds the memory a stored hash may ask for, so a forged
// row cannot make a check exhaust the server.
const maxMemory = 1 << 20 // KiB: 1 GiB

var b64 = base64.RawStdEncoding

// slots bound the hashes computed at once to the cores: each holds about
// 20 MB for its 17 ms, so a burst of logins (an unknown login costs one
// too) would otherwise hold memory in proportion to the burst; more at
// once than cores would finish none sooner. The rest wait their turn.
var slots = make(chan struct{}, runtime.GOMAXPROCS(0))

// idKey is argon2.IDKey in one of the slots.
func idKey(pw, salt []byte, t, m uint32, p uint8, n uint32) []byte {
	slots <- struct{}{}
	defer func() { <-slots }()
	return argon2.IDKey(pw, salt, t, m, p, n)
}

// ErrMalformed is returned for a stored hash that is not a PHC argon2id
// string this package can check.
var ErrMalformed = errors.New("password: not an argon2id PHC string")

// TooShort reports whether pw has fewer than MinLength characters.
func TooShort(pw string) bool { return utf8.RuneCountInString(pw) < MinLength }

// Hash returns the PHC string of pw under a fresh random salt.
func Hash(pw string) string {
	salt := make([]byte, SaltLen)
	rand.Read(salt) // never fails: crypto/rand aborts the program instead
	return encode(Memory, Time, Threads, salt, idKey([]byte(pw), salt, Time, Memory, Threads, KeyLen))
}

func encode(m uint32, t uint32, p uint8, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, m, t, p, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Check reports whether pw is the password of the PHC string phc,
// comparing in constant time. Errors: ErrMalformed.
func Check(phc, pw string) (bool, error) {
	h, err := parse(phc)
	if err != nil {
		return false, err
	}
	key := idKey([]byte(pw), h.salt, h.t, h.m, h.p, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(key, h.key) == 1, nil
}

// dummy is a hash of nothing anyone types, checked for an unknown login
// so that it takes as long to refuse as a wrong password. Made at the
// first such login, not when the package loads: every command of the
// binary would otherwise spend a hash's 20 MB and 18 ms at start.
var dummy = sync.OnceValue(func() string { return Hash("\x00 no official has this password \x00") })

// CheckNone spends the time of one Check and reports false: the answer
// for a login that does not exist, so timing does not tell logins apart.
func CheckNone(pw string) bool {
	Check(dummy(), pw) // only for the time it takes
	return false
}

type parsed struct {
	m, t      uint32
	p         uint8
	salt, key []byte
}

func parse(phc string) (parsed, error) {
	var h parsed
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return h, ErrMalformed
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return h, ErrMalformed
	}
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &h.m, &h.t, &h.p); err != nil || n != 3 ||
		h.m < 8 || h.m > maxMemory || h.t < 1 || h.t > 16 || h.p < 1 {
		return h, ErrMalformed
	}
	var err1, err2 error
	h.salt, err1 = b64.DecodeString(parts[4])
	h.key, err2 = b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(h.salt) < 8 || len(h.key) < 16 || len(h.key) > 64 {
		return h, ErrMalformed
	}
	return h, nil
}
