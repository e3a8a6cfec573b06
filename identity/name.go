package identity

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"healthcode"
)

var (
	errNameUnreadable = healthcode.M("contains unreadable characters; please type it again")
	errNameTooLong    = healthcode.M("must be at most 64 characters")
	errNameControl    = healthcode.M("must not contain control or invisible characters")
	errNameNoLetter   = healthcode.M("must contain at least one letter")
)

// ValidateName returns the name with surrounding spaces trimmed, or the
// reason it cannot be accepted. It is deliberately permissive — Chinese,
// Latin, the middle dot "·" of minority and foreign names, and inner spaces
// all pass — because a name must match the document, not a pattern. It
// refuses control and invisible formatting characters (such as
// right-to-left overrides and zero-width joiners) because they could make
// the name shown to checkpoint staff differ from the one stored.
func ValidateName(name string) (string, error) {
	n := strings.TrimSpace(name)
	if n == "" {
		return "", errRequired
	}
	if !utf8.ValidString(n) {
		return "", errNameUnreadable
	}
	if utf8.RuneCountInString(n) > 64 {
		return "", errNameTooLong
	}
	letter := false
	for _, r := range n {
		if unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) {
			return "", errNameControl
		}
		if unicode.IsLetter(r) {
			letter = true
		}
	}
	if !letter {
		return "", errNameNoLetter
	}
	return n, nil
}
