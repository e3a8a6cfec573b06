package identity_test

import (
	"strings"
	"testing"

	"healthcode/identity"
)

func TestNormalizePhoneAcceptsPrefixesAndSeparators(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"13812345678", "13812345678"},
		{"19912345678", "19912345678"},
		{" 138 1234 5678 ", "13812345678"},
		{"138-1234-5678", "13812345678"},
		{"+8613812345678", "13812345678"},
		{"+86 138 1234 5678", "13812345678"},
		{"+86-138-1234-5678", "13812345678"},
		{"8613812345678", "13812345678"},
		{"86 13812345678", "13812345678"},
		{"008613812345678", "13812345678"},
		{"0086 138 1234 5678", "13812345678"},
	}
	for _, tt := range tests {
		got, err := identity.NormalizePhone(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizePhone(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestNormalizePhoneRefusesWithReason(t *testing.T) {
	const notMobile = "must be a mainland mobile number: 11 digits starting with 13-19"
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", "is required"},
		{"only separators", " - ", "is required"},
		{"too short", "1381234567", notMobile},
		{"too long", "138123456789", notMobile},
		{"second digit 2", "12812345678", notMobile},
		{"second digit 0", "10012345678", notMobile},
		{"landline", "01012345678", notMobile},
		{"hong kong", "+85291234567", notMobile},
		{"prefix only", "+86", notMobile},
		{"two prefixes", "+868613812345678", notMobile},
		{"letters", "1381234567a", notMobile},
		{"full-width digits", "１３８１２３４５６７８", notMobile},
		{"dots", "138.1234.5678", notMobile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := identity.NormalizePhone(tt.in)
			if err == nil {
				t.Fatalf("NormalizePhone(%q) = %q, want error %q", tt.in, got, tt.want)
			}
			if got != "" || err.Error() != tt.want {
				t.Errorf("NormalizePhone(%q) = %q, %q, want \"\", %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{
		"13812345678", "+86 138 1234 5678", "0086-138-1234-5678", "8613812345678",
		"12812345678", "+85291234567", "+86", "", "１３８１２３４５６７８", "\xff13812345678",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkPhoneMask(t, in)
		got, err := identity.NormalizePhone(in)
		if err != nil {
			if got != "" || err.Error() == "" {
				t.Fatalf("NormalizePhone(%q) = %q, %q: want \"\" and a reason", in, got, err)
			}
			return
		}
		again, err := identity.NormalizePhone(got)
		if err != nil || again != got {
			t.Fatalf("NormalizePhone(%q) = %q, but that normalises to %q, %v", in, got, again, err)
		}
		if len(got) != 11 || got[0] != '1' || got[1] < '3' || strings.Trim(got, "0123456789") != "" {
			t.Fatalf("NormalizePhone(%q) = %q, want 11 digits starting with 13-19", in, got)
		}
		checkPhoneMask(t, got)
	})
}

// checkPhoneMask checks that MaskPhone shows no more than the last four
// characters of in, plus the three-digit prefix of an 11-digit number.
func checkPhoneMask(t *testing.T, in string) {
	t.Helper()
	m := identity.MaskPhone(in)
	tail := identity.Tail(in)
	if !strings.HasSuffix(m, tail) {
		t.Fatalf("MaskPhone(%q) = %q, want it to end in %q", in, m, tail)
	}
	head := strings.TrimSuffix(m, tail)
	if len(in) == 11 && strings.Trim(in, "0123456789") == "" {
		if want := in[:3] + "****"; head != want {
			t.Fatalf("MaskPhone(%q) = %q, want %q%s", in, m, want, tail)
		}
		return
	}
	if strings.Trim(head, "*") != "" {
		t.Fatalf("MaskPhone(%q) = %q, shows more than the last 4 characters", in, m)
	}
}
