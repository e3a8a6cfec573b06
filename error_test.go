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
