package division

import (
	"strings"
	"testing"
)

func TestTheEmbeddedListParses(t *testing.T) {
	l, err := parse(tsv, englishTSV)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(l.byCode); n < 3000 || n > 3500 {
		t.Errorf("%d divisions, want the ~3200 provinces, cities and counties of GB/T 2260", n)
	}
}

func TestProvincesAreTheThirtyFour(t *testing.T) {
	p := Provinces()
	if len(p) != 34 {
		t.Fatalf("%d provinces, want 34", len(p))
	}
	if p[0].Code != "110000" || p[0].Zh != "北京市" || p[33].Code != "820000" {
		t.Errorf("first %+v, last %+v", p[0], p[33])
	}
}

func TestLookupKnownCodes(t *testing.T) {
	tests := []struct{ code, zh string }{
		{"330000", "浙江省"},
		{"330100", "杭州市"},
		{"330106", "西湖区"},
		{"330113", "临平区"}, // 2021: the list is newer than Hangzhou's redistricting
		{"420100", "武汉市"},
		{"429004", "仙桃市"},
		{"441900", "东莞市"},
		{"810000", "香港特别行政区"},
	}
	for _, tt := range tests {
		d, ok := Lookup(tt.code)
		if !ok || d.Zh != tt.zh {
			t.Errorf("Lookup(%s) = %+v, %v; want %s", tt.code, d, ok, tt.zh)
		}
	}
}

func TestValidRejectsCodesNotInTheList(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"330106", true},
		{"110105", true},
		{"330103", false}, // 下城区, merged into 上城区 in 2021
		{"130171", false}, // a development zone: the statistics bureau's code, not GB/T 2260's
		{"441900", true},  // a city without counties is chosen as the city
		{"990100", false},
		{"33010", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := Valid(tt.code); got != tt.want {
			t.Errorf("Valid(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestChildrenFollowTheHierarchy(t *testing.T) {
	tests := []struct {
		code       string
		min        int
		has, lacks string
	}{
		{"330000", 11, "330100", "330106"},
		{"330100", 13, "330106", "330100"},
		{"420000", 14, "429000", "420102"},
		{"441900", 0, "", ""},
		{"330106", 0, "", ""},
		{"710000", 0, "", ""},
		{"", 0, "", ""},
	}
	for _, tt := range tests {
		kids := Children(tt.code)
		if len(kids) < tt.min || (tt.min == 0 && len(kids) != 0) {
			t.Errorf("Children(%q): %d, want at least %d", tt.code, len(kids), tt.min)
		}
		codes := map[string]bool{}
		for i, k := range kids {
			if Parent(k.Code) != tt.code || (i > 0 && kids[i-1].Code >= k.Code) {
				t.Errorf("Children(%q)[%d] = %s: not a child, or out of order", tt.code, i, k.Code)
			}
			codes[k.Code] = true
		}
		if tt.has != "" && (!codes[tt.has] || codes[tt.lacks]) {
			t.Errorf("Children(%q) has %s: %v, has %s: %v", tt.code, tt.has, codes[tt.has], tt.lacks, codes[tt.lacks])
		}
	}
}

func TestEveryDivisionLiesInItsParent(t *testing.T) {
	for code := range table().byCode {
		if p := Parent(code); p != "" && !Valid(p) {
			t.Errorf("%s lies in %s, which is not in the list", code, p)
		}
	}
}

func TestNames(t *testing.T) {
	tests := []struct{ code, lang, name, path, short string }{
		{"330106", "zh", "西湖区", "浙江省杭州市西湖区", "西湖"},
		{"330106", "en", "Xihu District", "Xihu District, Hangzhou, Zhejiang", "Xihu"},
		{"330100", "zh", "杭州市", "浙江省杭州市", "杭州"},
		{"330100", "en", "Hangzhou", "Hangzhou, Zhejiang", "Hangzhou"},
		{"420106", "en", "武昌区", "武昌区, Wuhan, Hubei", "武昌"}, // no English name: the Chinese one
		{"110105", "zh", "朝阳区", "北京市朝阳区", "朝阳"},            // 市辖区 is no part of a name
		{"110105", "en", "朝阳区", "朝阳区, 北京市", "朝阳"},
		{"429004", "zh", "仙桃市", "湖北省仙桃市", "仙桃"},
		{"450000", "zh", "广西壮族自治区", "广西壮族自治区", "广西"},
		{"810000", "zh", "香港特别行政区", "香港特别行政区", "香港"},
		{"990000", "zh", "990000", "990000", "990000"},
		{"990000", "en", "990000", "990000", "990000"},
	}
	for _, tt := range tests {
		if got := Name(tt.code, tt.lang); got != tt.name {
			t.Errorf("Name(%s, %s) = %q, want %q", tt.code, tt.lang, got, tt.name)
		}
		if got := Path(tt.code, tt.lang); got != tt.path {
			t.Errorf("Path(%s, %s) = %q, want %q", tt.code, tt.lang, got, tt.path)
		}
		if got := Short(tt.code, tt.lang); got != tt.short {
			t.Errorf("Short(%s, %s) = %q, want %q", tt.code, tt.lang, got, tt.short)
		}
	}
}

func TestParseRejectsAMalformedLine(t *testing.T) {
	tests := []struct{ list, english, want string }{
		{"330106 西湖区\n", "", "divisions.tsv: line 1"},
		{"3301\t杭州\n", "", "divisions.tsv: line 1"},
		{"330106\t\n", "", "divisions.tsv: line 1"},
		{"330106\t西湖区\n", "330106 Xihu\n", "english.tsv: line 1"},
		{"330106\t西湖区\n", "330100\tHangzhou\n", "330100 is not in the list"},
	}
	for _, tt := range tests {
		if _, err := parse(tt.list, tt.english); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parse(%q, %q) = %v, want an error saying %q", tt.list, tt.english, err, tt.want)
		}
	}
}
