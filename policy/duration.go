package policy

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// durationUnits are the units of a Duration, in the order they must appear.
// A day is 24 hours, whatever the calendar says: the seeds count isolation
// in whole days.
var durationUnits = []struct {
	suffix byte
	size   time.Duration
}{{'d', 24 * time.Hour}, {'h', time.Hour}, {'m', time.Minute}}

// ParseDuration parses a duration written as whole numbers of days, hours
// and minutes, in that order and each at most once: "14d", "36h", "90m",
// "1d12h". "0" is the zero duration. Fractions, negative numbers, numbers
// without a unit and other units are errors.
func ParseDuration(s string) (Duration, error) {
	if s == "0" {
		return 0, nil
	}
	if s == "" {
		return 0, fmt.Errorf("empty duration: write e.g. 14d, 36h, 90m or 1d12h")
	}
	if s[0] == '-' {
		return 0, fmt.Errorf("duration %q: durations cannot be negative", s)
	}
	var total time.Duration
	next := 0 // index in durationUnits of the first unit still allowed
	rest := s
	for rest != "" {
		n := 0
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 0 {
			return 0, fmt.Errorf("duration %q: expected a whole number at %q (write e.g. 14d, 36h, 90m or 1d12h)", s, rest)
		}
		if n == len(rest) {
			return 0, fmt.Errorf("duration %q: %s needs a unit: d (days), h (hours) or m (minutes)", s, rest)
		}
		unit := -1
		for i := next; i < len(durationUnits); i++ {
			if durationUnits[i].suffix == rest[n] {
				unit = i
			}
		}
		if unit < 0 {
			return 0, fmt.Errorf("duration %q: unit %q: use whole d (days), h (hours) and m (minutes), in that order", s, rest[n:n+1])
		}
		v, err := strconv.ParseInt(rest[:n], 10, 64)
		size := durationUnits[unit].size
		if err != nil || v > int64((1<<63-1)-total)/int64(size) {
			return 0, fmt.Errorf("duration %q is too long", s)
		}
		total += time.Duration(v) * size
		next = unit + 1
		rest = rest[n+1:]
	}
	return Duration(total), nil
}

// format writes d as ParseDuration reads it: "1d12h", "0d" when zero.
func (d Duration) format() (string, error) {
	v := time.Duration(d)
	if v < 0 || v%time.Minute != 0 {
		return "", fmt.Errorf("duration %v is not a whole number of minutes ≥ 0", v)
	}
	if v == 0 {
		return "0d", nil
	}
	var b strings.Builder
	for _, u := range durationUnits {
		if n := v / u.size; n > 0 {
			fmt.Fprintf(&b, "%d%c", n, u.suffix)
			v -= n * u.size
		}
	}
	return b.String(), nil
}

// UnmarshalYAML reads a duration from a scalar such as "14d". A bad value
// is reported as a *yaml.TypeError with its line, so that decoding goes on
// and every problem of a pack is found.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: a duration must be a single value such as 14d", n.Line)}}
	}
	v, err := ParseDuration(n.Value)
	if err != nil {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %v", n.Line, err)}}
	}
	*d = v
	return nil
}

// MarshalYAML writes the duration as ParseDuration reads it.
func (d Duration) MarshalYAML() (any, error) { return d.format() }
