package healthcode_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"healthcode"
)

func TestErrorCodeSurvivesWrapping(t *testing.T) {
	err := fmt.Errorf("apply: %w", healthcode.Errorf(healthcode.ECONFLICT, "One person, one code."))
	if got := healthcode.ErrorCode(err); got != healthcode.ECONFLICT {
		t.Errorf("code = %q, want conflict", got)
	}
	if got := healthcode.ErrorMessage(err); got != "One person, one code." {
		t.Errorf("message = %q", got)
	}
}

func TestInternalErrorsStayInternal(t *testing.T) {
	err := errors.New("pq: password authentication failed for user admin")
	if got, want := healthcode.ErrorCode(err), healthcode.EINTERNAL; got != want {
		t.Errorf("code = %q, want %q", got, want)
	}
	if got := healthcode.ErrorMessage(err); got != "Internal error." {
		t.Errorf("message = %q leaks the internal error", got)
	}
}

func TestProblemsReportEveryField(t *testing.T) {
	var p healthcode.Problems
	if p.Err() != nil {
		t.Fatal("no problems gave an error")
	}
	p.Add("identity.number", "check character is wrong")
	p.Add("region", "must be 6 digits")
	err := p.Err()
	if healthcode.ErrorCode(err) != healthcode.EINVALID || len(healthcode.ErrorFields(err)) != 2 {
		t.Errorf("got %v, want invalid with two fields", err)
	}
}

func TestValidateRegion(t *testing.T) {
	tests := []struct{ code, want string }{
		{"330106", ""},
		{"110000", ""},
		{"33010", "6-digit"},
		{"33010a", "6-digit"},
		{"990000", "unknown province"},
	}
	for _, tt := range tests {
		got := healthcode.ValidateRegion(tt.code)
		if (tt.want == "") != (got == "") || (tt.want != "" && !strings.Contains(got, tt.want)) {
			t.Errorf("ValidateRegion(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
}

func TestRegionWithin(t *testing.T) {
	tests := []struct {
		region, parent string
		want           bool
	}{
		{"330106", "330000", true},
		{"330106", "330100", true},
		{"330106", "330106", true},
		{"330206", "330100", false},
		{"420100", "330000", false},
	}
	for _, tt := range tests {
		if got := healthcode.RegionWithin(tt.region, tt.parent); got != tt.want {
			t.Errorf("RegionWithin(%s, %s) = %v, want %v", tt.region, tt.parent, got, tt.want)
		}
	}
}

func TestColorNamesRoundTrip(t *testing.T) {
	for _, c := range []healthcode.Color{healthcode.Green, healthcode.Yellow, healthcode.Red} {
		b, _ := c.MarshalText()
		var got healthcode.Color
		if err := got.UnmarshalText(b); err != nil || got != c {
			t.Errorf("%v round-trips to %v, %v", c, got, err)
		}
	}
	if !healthcode.Green.Passes() || healthcode.Yellow.Passes() || healthcode.Red.Passes() {
		t.Error("only green passes")
	}
}

func TestErrorsAreShownInTheReadersLanguage(t *testing.T) {
	var p healthcode.Problems
	p.Add("declaration.cough", "is required: answer true or false")
	p.Addf("kinds", "unknown feed kind %q; known: %s", "lab2", "lab")
	p.AddErr("region", healthcode.RegionProblem("990000"))
	err := fmt.Errorf("apply: %w", p.Err())
	tests := []struct {
		lang, message string
		reasons       []string
	}{
		{"en", "declaration.cough: Please answer yes or no (and 2 more problems)",
			[]string{"Please answer yes or no", `unknown feed kind "lab2"; known: lab`, "99 is not the code of a province"}},
		{"zh", "declaration.cough：请选择“是”或“否”（另有 2 处问题）",
			[]string{"请选择“是”或“否”", `未知的数据类型 "lab2"；可用的类型：lab`, "地区代码的前两位 99 不是有效的省份代码"}},
	}
	for _, tt := range tests {
		if got := healthcode.ErrorIn(err, tt.lang); got != tt.message {
			t.Errorf("ErrorIn(%s) = %q, want %q", tt.lang, got, tt.message)
		}
		for i, f := range healthcode.ErrorFields(err) {
			if got := f.In(tt.lang); got != tt.reasons[i] {
				t.Errorf("%s in %s = %q, want %q", f.Field, tt.lang, got, tt.reasons[i])
			}
		}
	}
	// The English of the log and of ErrorMessage stays the id's own words.
	if got := healthcode.ErrorMessage(err); !strings.HasPrefix(got, "declaration.cough: is required: answer true or false") {
		t.Errorf("ErrorMessage = %q", got)
	}
	if got := healthcode.ErrorIn(errors.New("pq: secret"), "zh"); got != "系统内部错误，请稍后再试。" {
		t.Errorf("an internal error in Chinese = %q", got)
	}
}

func TestLangPicksWhatTheClientAsks(t *testing.T) {
	tests := []struct{ lang, accept, want string }{
		{"", "", "en"},
		{"zh", "", "zh"},
		{"EN", "zh-CN", "en"},
		{"fr", "zh-TW,zh;q=0.9", "zh"},
		{"", "fr-FR, en-GB;q=0.8, zh;q=0.5", "en"},
		{"", "fr", "en"},
		{"", "en;q=0.3, zh-CN;q=0.9", "zh"}, // by weight, not by order
		{"", "zh;q=0, en", "en"},            // zero: not acceptable
		{"", "zh-Hant-TW", "zh"},
		{"", "garbage;;q=x", "en"},
	}
	for _, tt := range tests {
		if got := healthcode.Lang(tt.lang, tt.accept); got != tt.want {
			t.Errorf("Lang(%q, %q) = %q, want %q", tt.lang, tt.accept, got, tt.want)
		}
	}
}
