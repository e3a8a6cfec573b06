package dcc

import (
	"errors"
	"fmt"
)

// base45Alphabet is the table of RFC 9285, section 4.
const base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

var base45Value = func() (t [256]int) {
	for i := range t {
		t[i] = -1
	}
	for i := range len(base45Alphabet) {
		t[base45Alphabet[i]] = i
	}
	return t
}()

// DecodeBase45 decodes s as RFC 9285 Base45. It refuses characters outside
// the alphabet, a dangling single character and groups whose value does not
// fit their bytes, since a lenient decoder would accept corrupted codes.
func DecodeBase45(s string) ([]byte, error) {
	if len(s)%3 == 1 {
		return nil, errors.New("base45: length leaves a single character")
	}
	out := make([]byte, 0, len(s)/3*2+1)
	for i := 0; i < len(s); i += 3 {
		n := min(3, len(s)-i)
		v, weight := 0, 1
		for j := range n {
			d := base45Value[s[i+j]]
			if d < 0 {
				return nil, fmt.Errorf("base45: invalid character at %d", i+j)
			}
			v += d * weight
			weight *= 45
		}
		if n == 3 {
			if v > 0xffff {
				return nil, fmt.Errorf("base45: group at %d overflows two bytes", i)
			}
			out = append(out, byte(v>>8), byte(v))
			continue
		}
		if v > 0xff {
			return nil, fmt.Errorf("base45: group at %d overflows one byte", i)
		}
		out = append(out, byte(v))
	}
	return out, nil
}
