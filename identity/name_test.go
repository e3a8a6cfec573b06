package identity_test

import (
	"strings"
	"testing"

	"healthcode/identity"
)

func TestValidateNameAcceptsRealNames(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"张三", "张三"},
		{"  欧阳小明 ", "欧阳小明"},
		{"阿依古丽·买买提", "阿依古丽·买买提"},
		{"John Smith", "John Smith"},
		{"Jean-Luc O'Neill", "Jean-Luc O'Neill"},
		{"李", "李"},
		{"\u3000王五\u3000", "王五"},
		{strings.Repeat("名", 64), strings.Repeat("名", 64)},
	}
	for _, tt := range tests {
		got, err := identity.ValidateName(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ValidateName(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestValidateNameRefusesWithReason(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", "is required"},
		{"only spaces", " \u3000 ", "is required"},
		{"65 characters", strings.Repeat("名", 65), "must be at most 64 characters"},
		{"newline", "张\n三", "must not contain control or invisible characters"},
		{"tab", "张\t三", "must not contain control or invisible characters"},
		{"nul", "张\x00三", "must not contain control or invisible characters"},
		{"right-to-left override", "张\u202e三", "must not contain control or invisible characters"},
		{"zero-width space", "张\u200b三", "must not contain control or invisible characters"},
		{"line separator", "张\u2028三", "must not contain control or invisible characters"},
		{"no letter", "123", "must contain at least one letter"},
		{"only a middle dot", "·", "must contain at least one letter"},
		{"invalid utf-8", "张\xff三", "contains unreadable characters; please type it again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := identity.ValidateName(tt.in)
			if err == nil {
				t.Fatalf("ValidateName(%q) = %q, want error %q", tt.in, got, tt.want)
			}
			if got != "" || err.Error() != tt.want {
				t.Errorf("ValidateName(%q) = %q, %q, want \"\", %q", tt.in, got, err, tt.want)
			}
		})
	}
}
