package healthqr

import (
	"errors"
	"fmt"
	"testing"
)

func TestTokenLenIs145(t *testing.T) {
	if got, want := TokenLen, 145; got != want {
		t.Errorf("TokenLen = %d, want %d", got, want)
	}
	if got, want := binLen, 93; got != want {
		t.Errorf("binLen = %d, want %d", got, want)
	}
}

func TestNewCodeIDIsRandomAndRoundTrips(t *testing.T) {
	a, err := NewCodeID()
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewCodeID()
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Errorf("two NewCodeID calls returned %s twice", a)
	}
	got, err := ParseCodeID(a.String())
	if err != nil {
		t.Fatal(err)
	}
	if got != a {
		t.Errorf("ParseCodeID(%s) = %s, want %s", a, got, a)
	}
}

func TestCodeIDStringIsLowercaseHex(t *testing.T) {
	c := CodeID{0xab, 0xcd, 0xef, 0, 1, 2, 3, 4, 5, 6, 7, 0xff}
	if got, want := c.String(), "abcdef0001020304050607ff"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestParseCodeIDRejectsBadText(t *testing.T) {
	for _, in := range []string{"", "abcdef0001020304050607f", "abcdef0001020304050607ff00", "abcdef0001020304050607fg"} {
		if _, err := ParseCodeID(in); err == nil {
			t.Errorf("ParseCodeID(%q) succeeded, want error", in)
		}
	}
}

func TestKeyIDStringAndParse(t *testing.T) {
	k := KeyID{0x01, 0xab, 0x00, 0xff}
	if got, want := k.String(), "01ab00ff"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	got, err := ParseKeyID("01ab00ff")
	if err != nil || got != k {
		t.Errorf("ParseKeyID = %v, %v, want %v", got, err, k)
	}
	if _, err := ParseKeyID("01ab00f"); err == nil {
		t.Error("ParseKeyID of 7 characters succeeded")
	}
}

func TestReasonGivesStableCodes(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{ErrMalformed, "malformed"},
		{errPrefix, "malformed"},
		{errBase45Char, "malformed"},
		{ErrUnknownIssuer, "unknown_issuer"},
		{errKeyNotValid, "unknown_issuer"},
		{ErrBadSignature, "bad_signature"},
		{ErrNotYetValid, "not_yet_valid"},
		{ErrExpired, "expired"},
		{fmt.Errorf("checkpoint: %w", ErrExpired), "expired"},
		{errors.New("something else"), "invalid"},
	}
	for _, tt := range tests {
		if got := Reason(tt.err); got != tt.want {
			t.Errorf("Reason(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestParseIssuerAcceptsOnlySixDigits(t *testing.T) {
	tests := []struct {
		in     string
		want   uint32
		wantOK bool
	}{
		{"110000", 110000, true},
		{"000001", 1, true},
		{"999999", 999999, true},
		{"11000", 0, false},
		{"1100000", 0, false},
		{"11000a", 0, false},
		{"-11000", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseIssuer(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseIssuer(%q) = %d, %v, want %d, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}
