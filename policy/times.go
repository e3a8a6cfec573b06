package policy

import (
	"fmt"
	"time"
)

// chinaLayouts are the forms of a time without a zone, read as China time:
// what a person in China writes, and what the command line shows.
var chinaLayouts = []string{
	"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02",
}

// ChinaLayout is how times are shown to people in China time.
const ChinaLayout = "2006-01-02 15:04"

// ParseTime reads an instant written as RFC 3339 (2026-03-01T10:00:00+08:00)
// or in China time without a zone: "2026-03-01 10:00", "2026-03-01 10:00:30"
// or a date alone, "2026-03-01", its midnight. Pack tests, the evaluate API
// and the command line all read times so.
func ParseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range chinaLayouts {
		if t, err := time.ParseInLocation(layout, s, ChinaTime); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time: write 2026-03-01 10:00 or 2026-03-01 (China time), or RFC 3339 such as 2026-03-01T10:00:00+08:00", s)
}

// IsDate reports whether s, read by ParseTime, is a date without a time of
// day.
func IsDate(s string) bool {
	_, err := time.ParseInLocation("2006-01-02", s, ChinaTime)
	return err == nil
}

// FormatChina shows t in China time, to the minute, or to the second when
// it has seconds.
func FormatChina(t time.Time) string {
	t = t.In(ChinaTime)
	if t.Second() != 0 || t.Nanosecond() != 0 {
		return t.Format("2006-01-02 15:04:05")
	}
	return t.Format(ChinaLayout)
}
