package dcc

import (
	"bytes"
	"testing"
)

func TestDecodeBase45(t *testing.T) {
	// The first four are the examples of RFC 9285, section 4.3.
	cases := []struct {
		name, in string
		want     []byte
		bad      bool
	}{
		{name: "two bytes", in: "BB8", want: []byte("AB")},
		{name: "rfc hello", in: "%69 VD92EX0", want: []byte("Hello!!")},
		{name: "rfc base-45", in: "UJCLQE7W581", want: []byte("base-45")},
		{name: "rfc ietf", in: "QED8WEX0", want: []byte("ietf!")},
		{name: "empty", in: "", want: []byte{}},
		{name: "largest pair", in: "FGW", want: []byte{0xff, 0xff}},
		{name: "lowercase is outside the alphabet", in: "bb8", bad: true},
		{name: "single trailing character", in: "BB8A", bad: true},
		{name: "group over 65535", in: "GGW", bad: true},
		{name: "trailing pair over 255", in: "BB8:6", bad: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := DecodeBase45(c.in)
			if c.bad {
				if err == nil {
					t.Fatalf("DecodeBase45(%q) = %x, want an error", c.in, got)
				}
				return
			}
			if err != nil || !bytes.Equal(got, c.want) {
				t.Fatalf("DecodeBase45(%q) = %x, %v; want %x", c.in, got, err, c.want)
			}
		})
	}
}
