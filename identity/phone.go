package identity

import (
	"strings"
	"unicode"

	"healthcode"
)

var errPhone = healthcode.M("must be a mainland mobile number: 11 digits starting with 13-19")

// NormalizePhone returns a mainland mobile number as its 11 digits, or the
// reason it cannot be accepted. The country code (+86, 0086 or 86), spaces
// and hyphens are dropped because people copy numbers from contact cards
// that carry them; only mobiles are accepted because codes are sent by SMS.
func NormalizePhone(s string) (string, error) {
	p := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' {
			return -1
		}
		return r
	}, s)
	if p == "" {
		return "", errRequired
	}
	// Longest prefix first, so that 0086 is not read as 0 followed by 086.
	// A bare 86 is safe to strip because no mobile number starts with 8.
	for _, cc := range []string{"+86", "0086", "86"} {
		if rest, ok := strings.CutPrefix(p, cc); ok {
			p = rest
			break
		}
	}
	if !isMobile(p) {
		return "", errPhone
	}
	return p, nil
}

// isMobile reports whether p is a canonical mainland mobile number.
func isMobile(p string) bool {
	return len(p) == 11 && allDigits(p) && p[0] == '1' && p[1] >= '3'
}
