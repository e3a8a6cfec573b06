package policy

import (
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func TestParseDurationAcceptsDaysHoursAndMinutes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"14d", 14 * 24 * time.Hour},
		{"36h", 36 * time.Hour},
		{"90m", 90 * time.Minute},
		{"1d12h", 36 * time.Hour},
		{"1d30m", 24*time.Hour + 30*time.Minute},
		{"2d3h4m", 51*time.Hour + 4*time.Minute},
		{"0d", 0},
		{"0", 0},
		{"007d", 7 * 24 * time.Hour},
	} {
		got, err := ParseDuration(tc.in)
		if err != nil || got.D() != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tc.in, got.D(), err, tc.want)
		}
	}
}

func TestParseDurationRejectsOtherForms(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"", "empty duration"},
		{"-1d", "cannot be negative"},
		{"14", "needs a unit"},
		{"1d12", "needs a unit"},
		{"d", "expected a whole number"},
		{"1.5d", `unit "."`},
		{"10s", `unit "s"`},
		{"2w", `unit "w"`},
		{"1h1d", `unit "d"`},
		{"1d1d", `unit "d"`},
		{" 1d", "expected a whole number"},
		{"1D", `unit "D"`},
		{"99999999999999d", "too long"},
	} {
		_, err := ParseDuration(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseDuration(%q) = %v; want an error containing %q", tc.in, err, tc.want)
		}
	}
}

func TestDurationMarshalsAsItParses(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0d"},
		{14 * 24 * time.Hour, "14d"},
		{36 * time.Hour, "1d12h"},
		{90 * time.Minute, "1h30m"},
		{24*time.Hour + 5*time.Minute, "1d5m"},
	} {
		out, err := yaml.Marshal(struct{ D Duration }{Duration(tc.d)})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(strings.TrimPrefix(string(out), "d:")); got != tc.want {
			t.Errorf("marshal %v = %q, want %q", tc.d, got, tc.want)
		}
		back, err := ParseDuration(tc.want)
		if err != nil || back.D() != tc.d {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tc.want, back.D(), err, tc.d)
		}
	}
}

func TestDurationRefusesToMarshalWhatItCannotWrite(t *testing.T) {
	for _, d := range []time.Duration{-time.Hour, 90 * time.Second} {
		if _, err := yaml.Marshal(struct{ D Duration }{Duration(d)}); err == nil {
			t.Errorf("marshal %v: no error", d)
		}
	}
}

func TestDurationYAMLErrorsCarryTheLine(t *testing.T) {
	var v struct{ A, B Duration }
	err := yaml.Unmarshal([]byte("a: 1d\nb: 3x\n"), &v)
	if err == nil || !strings.Contains(err.Error(), "line 2:") || v.A.D() != 24*time.Hour {
		t.Errorf("got %v, a=%v; want a line-2 error and a decoded", err, v.A.D())
	}
}
