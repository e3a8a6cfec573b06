package healthqr

import "fmt"

// base45Alphabet is the RFC 9285 alphabet. It is exactly the character set
// of the QR alphanumeric mode, in the same order.
const base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// base45Value maps a byte to its base45 value, or -1 when the byte is not in
// the alphabet.
var base45Value = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(base45Alphabet); i++ {
		t[base45Alphabet[i]] = int8(i)
	}
	return t
}()

// Base45 decoding errors. They wrap ErrMalformed because in this package
// base45 text only ever arrives inside a token.
var (
	errBase45Length = fmt.Errorf("%w: base45 length leaves a single character", ErrMalformed)
	errBase45Char   = fmt.Errorf("%w: character outside the base45 alphabet", ErrMalformed)
	errBase45Value  = fmt.Errorf("%w: base45 group value out of range", ErrMalformed)
)

// base45EncodedLen returns the length of the base45 encoding of n bytes.
func base45EncodedLen(n int) int { return n/2*3 + n%2*2 }

// appendBase45 appends the RFC 9285 encoding of src to dst. Every two bytes
// [a, b] become n = a*256 + b = c + d*45 + e*45*45, written as c d e; a
// final odd byte n = c + d*45 is written as c d.
func appendBase45(dst, src []byte) []byte {
	for ; len(src) >= 2; src = src[2:] {
		n := int(src[0])<<8 | int(src[1])
		dst = append(dst, base45Alphabet[n%45], base45Alphabet[n/45%45], base45Alphabet[n/(45*45)])
	}
	if len(src) == 1 {
		n := int(src[0])
		dst = append(dst, base45Alphabet[n%45], base45Alphabet[n/45])
	}
	return dst
}

// decodeBase45 decodes src into dst and returns the number of bytes written.
// dst must hold at least len(src)/3*2+1 bytes. It rejects characters outside
// the alphabet, a length of 1 modulo 3, three-character groups above 65535
// and two-character tails above 255, so every accepted text is the unique
// encoding of its bytes.
func decodeBase45(dst []byte, src string) (int, error) {
	if len(src)%3 == 1 {
		return 0, errBase45Length
	}
	n := 0
	for ; len(src) >= 3; src = src[3:] {
		c, d, e := base45Value[src[0]], base45Value[src[1]], base45Value[src[2]]
		if c|d|e < 0 {
			return 0, errBase45Char
		}
		v := int(c) + int(d)*45 + int(e)*45*45
		if v > 0xffff {
			return 0, errBase45Value
		}
		dst[n], dst[n+1] = byte(v>>8), byte(v)
		n += 2
	}
	if len(src) == 2 {
		c, d := base45Value[src[0]], base45Value[src[1]]
		if c|d < 0 {
			return 0, errBase45Char
		}
		v := int(c) + int(d)*45
		if v > 0xff {
			return 0, errBase45Value
		}
		dst[n] = byte(v)
		n++
	}
	return n, nil
}
