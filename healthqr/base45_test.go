package healthqr

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"
)

func TestBase45EncodesRFC9285Examples(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"AB", "BB8"},
		{"Hello!!", "%69 VD92EX0"},
		{"base-45", "UJCLQE7W581"},
		{"ietf!", "QED8WEX0"},
		{"\xff\xff", "FGW"},
		{"\x00", "00"},
		{"\xff", "U5"},
	}
	for _, tt := range tests {
		got := string(appendBase45(nil, []byte(tt.in)))
		if got != tt.want {
			t.Errorf("appendBase45(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if n := base45EncodedLen(len(tt.in)); n != len(tt.want) {
			t.Errorf("base45EncodedLen(%d) = %d, want %d", len(tt.in), n, len(tt.want))
		}
	}
}

func TestBase45DecodesRFC9285Examples(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"BB8", "AB"},
		{"%69 VD92EX0", "Hello!!"},
		{"UJCLQE7W581", "base-45"},
		{"QED8WEX0", "ietf!"},
		{"FGW", "\xff\xff"},
		{"U5", "\xff"},
	}
	for _, tt := range tests {
		dst := make([]byte, len(tt.in))
		n, err := decodeBase45(dst, tt.in)
		if err != nil {
			t.Errorf("decodeBase45(%q) error %v", tt.in, err)
			continue
		}
		if got := string(dst[:n]); got != tt.want {
			t.Errorf("decodeBase45(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestBase45RejectsInvalidText(t *testing.T) {
	tests := []struct {
		name, in string
		want     error
	}{
		{"lowercase character", "bb8", errBase45Char},
		{"character outside alphabet", "BB#", errBase45Char},
		{"non-ASCII byte", "BB\xc3", errBase45Char},
		{"invalid character in tail", "BB8A_", errBase45Char},
		{"single character", "B", errBase45Length},
		{"length 1 modulo 3", "BB8B", errBase45Length},
		{"group value 65536", "GGW", errBase45Value},
		{"group value 91124", "::::", errBase45Length},
		{"largest group value", ":::", errBase45Value},
		{"tail value 256", "BB8V5", errBase45Value},
		{"largest tail value", "BB8::", errBase45Value},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := make([]byte, len(tt.in))
			_, err := decodeBase45(dst, tt.in)
			if !errors.Is(err, tt.want) {
				t.Errorf("decodeBase45(%q) error = %v, want %v", tt.in, err, tt.want)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("decodeBase45(%q) error %v does not wrap ErrMalformed", tt.in, err)
			}
		})
	}
}

func TestBase45RoundTripsRandomBytes(t *testing.T) {
	for n := range 100 {
		src := make([]byte, n)
		rand.Read(src)
		enc := appendBase45(nil, src)
		dst := make([]byte, n+1)
		m, err := decodeBase45(dst, string(enc))
		if err != nil {
			t.Fatalf("decode of %d bytes: %v", n, err)
		}
		if got, want := dst[:m], src; !bytes.Equal(got, want) {
			t.Fatalf("round trip of %d bytes: got %x, want %x", n, got, want)
		}
	}
}
