package main

import (
	"bytes"
	"flag"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"healthcode"
)

func TestRateLimitAndTrustedProxyFlags(t *testing.T) {
	otpAddr := healthcode.LimitKey{Class: healthcode.LimitOTP, Scope: healthcode.ScopeAddr}
	tests := []struct {
		env       map[string]string
		args      []string
		wantOTP   healthcode.Rate // otp.addr
		wantProxy int
		wantErr   []string
	}{
		{nil, nil, healthcode.Rate{N: 20, Per: time.Hour}, 0, nil},
		{map[string]string{"HEALTHCODE_RATE_LIMITS": "otp.addr=50/1h", "HEALTHCODE_TRUSTED_PROXY": "10.0.0.0/8"}, nil,
			healthcode.Rate{N: 50, Per: time.Hour}, 1, nil},
		{map[string]string{"HEALTHCODE_RATE_LIMITS": "otp.addr=50/1h"}, []string{"--rate-limits", "otp.addr=off", "--trusted-proxy", "10.0.0.1,fd00::/8"},
			healthcode.Rate{}, 2, nil},
		{nil, []string{"--rate-limits", "otp.ip=5/1h,login.addr=lots", "--trusted-proxy", "proxy.example"}, healthcode.Rate{}, 0,
			[]string{"--rate-limits", `unknown scope "ip"`, `"login.addr=lots"`, "--trusted-proxy", `"proxy.example"`}},
	}
	for _, tt := range tests {
		var f front
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(&bytes.Buffer{})
		f.bind(fs, func(name string) string { return tt.env[name] })
		if err := fs.Parse(tt.args); err != nil {
			t.Fatal(err)
		}
		err := f.validate()
		if tt.wantErr != nil {
			for _, want := range tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("args %q: error %v, want one naming %s", tt.args, err, want)
				}
			}
			continue
		}
		if err != nil || f.limits[otpAddr] != tt.wantOTP || len(f.proxies) != tt.wantProxy {
			t.Errorf("env %v, args %q: otp.addr %v, %d proxies, err %v; want %v, %d", tt.env, tt.args,
				f.limits[otpAddr], len(f.proxies), err, tt.wantOTP, tt.wantProxy)
		}
	}
}

// TestServeAppliesTheRateLimitFlag: the real program, given a limit of 2
// codes an hour per address, refuses the 3rd with a 429.
func TestServeAppliesTheRateLimitFlag(t *testing.T) {
	s := startServer(t, "--rate-limits", "otp.addr=2/1h")
	for i, want := range []int{http.StatusAccepted, http.StatusAccepted, http.StatusTooManyRequests} {
		if got := s.call(t, "POST", "/api/v1/auth/otp", "", map[string]string{"phone": fmt.Sprintf("1390000000%d", i)}, nil); got != want {
			t.Errorf("request %d: status %d, want %d", i+1, got, want)
		}
	}
	if !strings.Contains(s.logs.String(), "otp.addr=2/1h") {
		t.Errorf("the start-up log does not list the limits in force")
	}
}
