package ingest

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"healthcode"
	"healthcode/identity"
)

// chinaTime is the zone of times written without an offset, and the zone
// every decoded time is returned in. A fixed offset: China has had no
// daylight saving since 1991 and a fixed zone needs no tzdata.
var chinaTime = time.FixedZone("CST", 8*60*60)

// maxText bounds source_ref and every free-text value, in characters.
const maxText = 128

// origin is where a cell's text came from, which decides the types it may
// be read as: a CSV cell is text that any column may parse, while a JSON
// value must be of a type that makes sense for its column.
type origin uint8

const (
	fromCSV origin = iota
	jsonString
	jsonNumber
	jsonBool
	jsonComposite // an object or an array: never accepted
)

// cell is one raw value of a row, before checking.
type cell struct {
	text string // trimmed of surrounding white space
	from origin
	line int  // the physical line the value starts on
	set  bool // present and not blank (JSON null is absent)
}

// accepts reports whether a JSON value of type o may be read as t, and
// otherwise the reason it may not.
func accepts(t valueType, o origin) error {
	switch o {
	case fromCSV, jsonString:
		return nil
	case jsonComposite:
		return healthcode.M("must be a string, number or boolean, not an object or array")
	}
	switch t {
	case vText, vArea, vInt:
		if o == jsonNumber {
			return nil
		}
		return healthcode.M("must be a string or a number, not a boolean")
	case vBool:
		return nil
	case vDocNumber:
		return healthcode.M("must be a JSON string: as a number it would lose leading zeros and letters")
	}
	return healthcode.M("must be a JSON string")
}

// check reads one present cell as column c, into out. prev holds the
// values of the columns before it, for doc_number (which needs doc_type)
// and the order of times. It returns nil or the reason the value is bad.
func check(c *column, x *cell, prev *values, now time.Time, out *value) error {
	if r := accepts(c.typ, x.from); r != nil {
		return r
	}
	s := x.text
	switch c.typ {
	case vText:
		if r := checkText(s); r != nil {
			return r
		}
		out.s = s
	case vArea:
		if allDigits(s) {
			if r := healthcode.RegionProblem(s); r != nil {
				return r
			}
		} else if r := checkText(s); r != nil {
			return r
		}
		out.s = s
	case vEnum:
		for _, e := range c.enum {
			if strings.EqualFold(s, e) {
				out.s = e
				return nil
			}
		}
		return healthcode.M("must be one of %s", strings.Join(c.enum, ", "))
	case vDocType:
		for _, t := range healthcode.DocTypes {
			if strings.EqualFold(s, string(t)) {
				out.s = string(t)
				return nil
			}
		}
		return healthcode.M("must be one of resident_id, hk_macao_permit, taiwan_permit, passport")
	case vDocNumber:
		t := healthcode.DocType(prev.str("doc_type")) // every kind with a number has a type before it
		n, err := identity.NormalizeDocument(t, s, now)
		if err != nil {
			return err
		}
		out.s = n
	case vTime, vStart, vEnd:
		t, ok := parseTime(s, c.typ)
		if !ok {
			if c.typ == vTime {
				return healthcode.M("must be a time: RFC 3339 (2026-03-14T10:00:00+08:00) or 2026-03-14 10:00[:00] in China time")
			}
			return healthcode.M("must be a time: RFC 3339 (2026-03-14T10:00:00+08:00), 2026-03-14 10:00[:00] in China time, or a date 2026-03-14")
		}
		if c.notAfter != "" && t.After(prev.time(c.notAfter)) && !prev.time(c.notAfter).IsZero() {
			return healthcode.M("must not be after %s", c.notAfter)
		}
		if c.notBefore != "" && t.Before(prev.time(c.notBefore)) {
			return healthcode.M("must not be before %s", c.notBefore)
		}
		out.t = t
	case vBool:
		switch {
		case s == "1" || strings.EqualFold(s, "true") || strings.EqualFold(s, "yes"):
			out.b = true
		case s == "0" || strings.EqualFold(s, "false") || strings.EqualFold(s, "no"):
			out.b = false
		default:
			return healthcode.M("must be true or false (or 1/0, yes/no)")
		}
	case vInt:
		n, err := strconv.Atoi(s)
		if err != nil || n < c.min || n > c.max {
			return healthcode.M("must be a whole number from %d to %d", c.min, c.max)
		}
		out.n = n
	}
	return nil
}

// checkText checks free text: valid UTF-8, one line, at most maxText
// characters.
func checkText(s string) error {
	if !utf8.ValidString(s) {
		return healthcode.M("is not valid UTF-8")
	}
	n := 0
	for _, r := range s {
		if unicode.IsControl(r) {
			return healthcode.M("must not contain control characters such as line breaks or tabs")
		}
		n++
	}
	if n > maxText {
		return healthcode.M("must be at most %d characters", maxText)
	}
	return nil
}

// parseTime reads the time forms of the feed contract. Every time comes
// back in China time, so that equal instants are equal values. A date
// alone is accepted for vStart (00:00 that day) and vEnd (the end of the
// day, i.e. 00:00 the next day).
func parseTime(s string, t valueType) (time.Time, bool) {
	var (
		v   time.Time
		err error
	)
	switch {
	case len(s) == 10 && t != vTime:
		v, err = time.ParseInLocation(time.DateOnly, s, chinaTime)
		if err == nil && t == vEnd {
			v = v.AddDate(0, 0, 1)
		}
	case len(s) == 16 && s[10] == ' ':
		v, err = time.ParseInLocation("2006-01-02 15:04", s, chinaTime)
	case len(s) == 19 && s[10] == ' ':
		v, err = time.ParseInLocation(time.DateTime, s, chinaTime)
	case len(s) > 19 && s[10] == 'T':
		v, err = time.Parse(time.RFC3339, s)
	default:
		return time.Time{}, false
	}
	if err != nil {
		return time.Time{}, false
	}
	return v.In(chinaTime), true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
