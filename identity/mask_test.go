package identity_test

import (
	"testing"

	"healthcode/identity"
)

func TestMaskNameHidesAllButEnoughToMatch(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"", ""},
		{"李", "*"},
		{"张三", "*三"},
		{"张小三", "张*三"},
		{"欧阳小明", "欧**明"},
		{"阿依古丽·买买提", "阿******提"},
		{" 张三 ", "*三"},
		{"张 三", "*三"}, // a space must not reveal a Chinese name whole
		{"欧阳 小明", "欧**明"},
		{"John Smith", "J*** S****"},
		{"John  Smith ", "J*** S****"},
		{"Mary Ann O'Neill", "M*** A** O******"},
		{"Zoë Ångström", "Z** Å*******"},
		{"John", "J**n"},
	}
	for _, tt := range tests {
		if got := identity.MaskName(tt.in); got != tt.want {
			t.Errorf("MaskName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTailShowsLastFourCharacters(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"11010519491231002X", "002X"},
		{"H12345678", "5678"},
		{"1234", "1234"},
		{"123", "123"},
		{"", ""},
		{"护照一二三四五", "二三四五"},
		{"ab\xff", "ab\xff"},
	}
	for _, tt := range tests {
		if got := identity.Tail(tt.in); got != tt.want {
			t.Errorf("Tail(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskPhoneKeepsPrefixAndLastFour(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"13812345678", "138****5678"},
		{"01012345678", "010****5678"},
		{"85291234567", "852****4567"},
		{"+85291234567", "********4567"},
		{"1381234567", "******4567"},
		{"5678", "5678"},
		{"", ""},
		{"电话12345", "***2345"},
	}
	for _, tt := range tests {
		if got := identity.MaskPhone(tt.in); got != tt.want {
			t.Errorf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
