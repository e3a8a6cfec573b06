package healthcode_test

import (
	"strings"
	"testing"
	"time"

	"healthcode"
)

func TestDefaultLimitsAreValid(t *testing.T) {
	for k, r := range healthcode.DefaultLimits() {
		if reason := r.Validate(); reason != "" {
			t.Errorf("%s=%s: %s", k, r, reason)
		}
	}
}

func TestParseLimitsOverridesDefaults(t *testing.T) {
	otpAddr := healthcode.LimitKey{Class: healthcode.LimitOTP, Scope: healthcode.ScopeAddr}
	feedKey := healthcode.LimitKey{Class: healthcode.LimitFeed, Scope: healthcode.ScopeKey}
	checkinKey := healthcode.LimitKey{Class: healthcode.LimitCheckIn, Scope: healthcode.ScopeKey}
	tests := []struct {
		spec string
		want map[healthcode.LimitKey]healthcode.Rate // keys to check; a zero Rate: not limited
		n    int                                     // how many limits in all
	}{
		{"", map[healthcode.LimitKey]healthcode.Rate{otpAddr: {20, time.Hour}}, len(healthcode.DefaultLimits())},
		{"otp.addr=50/1h", map[healthcode.LimitKey]healthcode.Rate{otpAddr: {50, time.Hour}}, len(healthcode.DefaultLimits())},
		{" feed.key=off , otp.addr=1/1s", map[healthcode.LimitKey]healthcode.Rate{feedKey: {}, otpAddr: {1, time.Second}}, len(healthcode.DefaultLimits()) - 1},
		{"checkin.key=10/1m", map[healthcode.LimitKey]healthcode.Rate{checkinKey: {10, time.Minute}}, len(healthcode.DefaultLimits()) + 1},
		{"off", map[healthcode.LimitKey]healthcode.Rate{otpAddr: {}}, 0},
	}
	for _, tt := range tests {
		got, err := healthcode.ParseLimits(tt.spec, healthcode.DefaultLimits())
		if err != nil {
			t.Errorf("ParseLimits(%q): %v", tt.spec, err)
			continue
		}
		if len(got) != tt.n {
			t.Errorf("ParseLimits(%q) has %d limits, want %d", tt.spec, len(got), tt.n)
		}
		for k, want := range tt.want {
			if got[k] != want {
				t.Errorf("ParseLimits(%q)[%s] = %v, want %v", tt.spec, k, got[k], want)
			}
		}
	}
}

func TestParseLimitsReportsEveryBadEntry(t *testing.T) {
	spec := "otp=5/1h,verify.addr=5/1h,otp.ip=5/1h,otp.addr=five/1h,otp.addr=5/1y,otp.addr=0/1h,otp.addr=5/1ms,login.phone=5/48h"
	_, err := healthcode.ParseLimits(spec, healthcode.DefaultLimits())
	if err == nil {
		t.Fatal("bad limits accepted")
	}
	for _, want := range []string{`"otp=5/1h"`, `unknown class "verify"`, `unknown scope "ip"`, `"otp.addr=five/1h"`,
		`"otp.addr=5/1y"`, `"otp.addr=0/1h"`, `"otp.addr=5/1ms"`, `"login.phone=5/48h"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s:\n%v", want, err)
		}
	}
}

func TestLimitsStringParsesBack(t *testing.T) {
	def := healthcode.DefaultLimits()
	got, err := healthcode.ParseLimits(def.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != def.String() {
		t.Errorf("round trip: %s, want %s", got, def)
	}
}

func TestRateStringIsShort(t *testing.T) {
	tests := []struct {
		r    healthcode.Rate
		want string
	}{
		{healthcode.Rate{N: 20, Per: time.Hour}, "20/1h"},
		{healthcode.Rate{N: 10, Per: 15 * time.Minute}, "10/15m"},
		{healthcode.Rate{N: 1, Per: 90 * time.Minute}, "1/1h30m"},
		{healthcode.Rate{N: 5, Per: 90 * time.Second}, "5/1m30s"},
		{healthcode.Rate{N: 5, Per: 30 * time.Second}, "5/30s"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("%#v: %q, want %q", tt.r, got, tt.want)
		}
	}
}
