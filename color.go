package healthcode

import "fmt"

// Color is the colour of a health code. The zero value is not a colour; it
// marks a person who has never been evaluated.
type Color uint8

// The three colours, in increasing severity so that "most severe wins" is a
// plain comparison.
const (
	Green  Color = 1
	Yellow Color = 2
	Red    Color = 3
)

// String returns the colour's lower-case English name, as used in the API.
func (c Color) String() string {
	switch c {
	case Green:
		return "green"
	case Yellow:
		return "yellow"
	case Red:
		return "red"
	}
	return "none"
}

// Valid reports whether c is one of the three colours.
func (c Color) Valid() bool { return c >= Green && c <= Red }

// Passes reports whether a holder of this colour may pass a checkpoint (B1).
func (c Color) Passes() bool { return c == Green }

// ParseColor parses the name produced by String.
func ParseColor(s string) (Color, error) {
	switch s {
	case "green":
		return Green, nil
	case "yellow":
		return Yellow, nil
	case "red":
		return Red, nil
	}
	return 0, fmt.Errorf("unknown colour %q", s)
}

// MarshalText encodes the colour by name.
func (c Color) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText decodes a colour name.
func (c *Color) UnmarshalText(b []byte) error {
	v, err := ParseColor(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}
