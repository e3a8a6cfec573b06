// Package identity checks and masks identity documents and phone numbers. It
// is pure: no I/O, no clock — time comes in as an argument.
//
// Every check returns a plain error whose message is a short English reason
// the citizen can act on; callers put it under the name of the field.
package identity

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"healthcode"
)

// chinaTime is the zone in which the birth date on a resident ID is a
// calendar date. It is a fixed offset because China has had no daylight
// saving since 1991 and a fixed zone needs no tzdata on the host.
var chinaTime = time.FixedZone("UTC+8", 8*60*60)

var (
	errRequired    = healthcode.M("is required")
	errUnknownType = healthcode.M("unknown document type")
	errResidentID  = healthcode.M("must be 18 characters: 17 digits and a check character (0-9 or X)")
	errFuture      = healthcode.M("birth date is in the future")
	errCheckChar   = healthcode.M("check character is wrong: a character of the number is mistyped")
	errFirst17     = healthcode.M("must be 17 digits")
	errHKMacao     = healthcode.M("must be H or M followed by 8 digits, or 10 digits with the renewal count")
	errTaiwan      = healthcode.M("must be 8 digits")
	errPassportLen = healthcode.M("must be 5 to 17 characters")
	errPassportSet = healthcode.M("may contain only letters A-Z and digits")
	errPassportNum = healthcode.M("must contain at least one digit")
)

// provinces holds the GB/T 2260 province-level codes that may open a resident
// ID; a number outside it was mistyped or invented.
var provinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true,
}

// NormalizeDocument returns the canonical form of a document number of type
// t, or the reason it cannot be accepted. Spaces anywhere are dropped and
// ASCII letters upper-cased first, because citizens copy numbers with spaces
// and type a lower-case x; other letters are kept so that they are refused
// rather than silently folded into look-alike ASCII. now bounds a resident
// ID's birth date and is the caller's clock, which keeps this package pure.
func NormalizeDocument(t healthcode.DocType, number string, now time.Time) (string, error) {
	if !t.Valid() {
		return "", errUnknownType
	}
	s := compact(number)
	if s == "" {
		return "", errRequired
	}
	var err error
	switch t {
	case healthcode.DocResidentID:
		err = checkResidentID(s, now)
	case healthcode.DocHKMacaoPermit:
		err = checkHKMacao(s)
	case healthcode.DocTaiwanPermit:
		err = checkTaiwan(s)
	case healthcode.DocPassport:
		err = checkPassport(s)
	default:
		// DocType.Valid accepted a type this switch does not know: a new
		// type was added to healthcode without a rule here.
		err = errUnknownType
	}
	if err != nil {
		return "", err
	}
	return s, nil
}

// ResidentIDCheckChar returns the GB 11643-1999 check character (ISO 7064
// MOD 11-2) for the first 17 digits of a resident ID. It is exported so that
// tests and the synthetic-population generator can make valid numbers.
func ResidentIDCheckChar(first17 string) (byte, error) {
	if len(first17) != 17 || !allDigits(first17) {
		return 0, errFirst17
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(first17[i]-'0') * w
	}
	return "10X98765432"[sum%11], nil
}

// BirthDate returns the birth date encoded in a canonical resident ID, at
// midnight China time, so that age rules need not parse the number again.
// It checks only the shape and the date, not the province or check
// character: callers pass numbers NormalizeDocument has already accepted.
func BirthDate(residentID string) (time.Time, bool) {
	if !residentIDShape(residentID) {
		return time.Time{}, false
	}
	return parseDate(residentID[6:14])
}

func checkResidentID(s string, now time.Time) error {
	if !residentIDShape(s) {
		return errResidentID
	}
	if !provinces[s[:2]] {
		return healthcode.M("first two digits %s are not a valid province code", s[:2])
	}
	ymd := s[6:14]
	birth, ok := parseDate(ymd)
	if !ok {
		return healthcode.M("birth date %s is not a valid date", ymd)
	}
	if birth.Year() < 1900 {
		return healthcode.M("birth date %s is before 1900", ymd)
	}
	// Compare calendar dates in China time: a child born today in Beijing
	// must be accepted even while it is still yesterday in UTC.
	y, m, d := now.In(chinaTime).Date()
	if birth.After(time.Date(y, m, d, 0, 0, 0, 0, chinaTime)) {
		return errFuture
	}
	// The check character comes last so that a mistyped date is reported
	// as such rather than as a wrong check character.
	// The right character is never named: with it, anyone could turn a
	// made-up number into a valid-looking one, one try each.
	if want, _ := ResidentIDCheckChar(s[:17]); s[17] != want {
		return errCheckChar
	}
	return nil
}

func checkHKMacao(s string) error {
	if (len(s) != 9 && len(s) != 11) || (s[0] != 'H' && s[0] != 'M') || !allDigits(s[1:]) {
		return errHKMacao
	}
	return nil
}

func checkTaiwan(s string) error {
	if len(s) != 8 || !allDigits(s) {
		return errTaiwan
	}
	return nil
}

func checkPassport(s string) error {
	if n := utf8.RuneCountInString(s); n < 5 || n > 17 {
		return errPassportLen
	}
	digit := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'A' && c <= 'Z':
		default:
			return errPassportSet
		}
	}
	if !digit {
		return errPassportNum
	}
	return nil
}

// residentIDShape reports whether s is 17 digits and a check character,
// without judging what the digits mean.
func residentIDShape(s string) bool {
	if len(s) != 18 || !allDigits(s[:17]) {
		return false
	}
	c := s[17]
	return c == 'X' || (c >= '0' && c <= '9')
}

// parseDate parses eight digits YYYYMMDD as a date in China time, refusing
// dates such as 19990230 that time.Date would silently roll over.
func parseDate(ymd string) (time.Time, bool) {
	if len(ymd) != 8 || !allDigits(ymd) {
		return time.Time{}, false
	}
	y, _ := strconv.Atoi(ymd[:4])
	m, _ := strconv.Atoi(ymd[4:6])
	d, _ := strconv.Atoi(ymd[6:])
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, chinaTime)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// compact drops every space and upper-cases ASCII letters only, so that the
// result is idempotent and non-ASCII letters reach the validators intact.
func compact(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
