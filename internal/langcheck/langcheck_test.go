package langcheck

import (
	"slices"
	"testing"
)

func TestLatinFindsEnglishInChinese(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"验证失败：Wrong code.", []string{"Wrong", "code"}},
		{"请出示 QR 码和 ID 卡，体温 36.5 °C，H或M加8位，A-Z", nil},
		{"zhejiang-hangzhou-2020/declared-contact/isolation", []string{"zhejiang-hangzhou", "declared-contact/isolation"}},
	}
	for _, tt := range tests {
		if got := Latin(tt.text, Tokens); !slices.Equal(got, tt.want) {
			t.Errorf("Latin(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestHanFindsChineseInEnglish(t *testing.T) {
	tests := []struct {
		text    string
		allowed []string
		want    []string
	}{
		{"Not found: 未找到", nil, []string{"未找到"}},
		{"Health code of 张三, 中文", []string{"张三", "中文"}, nil},
		{"Done。", nil, []string{"。"}},
		{"Choose “Apply for a relative”", nil, nil},
	}
	for _, tt := range tests {
		if got := Han(tt.text, tt.allowed...); !slices.Equal(got, tt.want) {
			t.Errorf("Han(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
