package dcc

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// vaccination is a 1.3.0 payload valid against every embedded schema
// from 1.3.0 on; each case edits a copy.
const vaccination = `{"ver":"1.3.0","nam":{"fn":"Musterfrau","fnt":"MUSTERFRAU","gn":"Erika","gnt":"ERIKA"},
"dob":"1964-08-12","v":[{"tg":"840539006","vp":"1119349007","mp":"EU/1/20/1528","ma":"ORG-100030215",
"dn":2,"sd":2,"dt":"2021-05-29","co":"DE","is":"Robert Koch-Institut","ci":"URN:UVCI:01DE/IZ12345A/5CWLU12RNOB9RXSEOP6FG8#W"}]}`

func payload(t *testing.T, edit func(map[string]any)) map[string]any {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal([]byte(vaccination), &p); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(p)
	}
	return p
}

func TestValidateSchema(t *testing.T) {
	cases := []struct {
		name string
		edit func(map[string]any)
		bad  string // a part of the error; "" for valid
	}{
		{name: "a valid 1.3.0 vaccination"},
		{name: "another patch of a known minor uses that minor's newest", edit: func(p map[string]any) { p["ver"] = "1.3.9" }},
		{name: "a newer minor of major 1 uses the newest schema", edit: func(p map[string]any) { p["ver"] = "1.4.0" }},
		{name: "a missing ver", edit: func(p map[string]any) { delete(p, "ver") }, bad: `ver "" is not a schema version`},
		{name: "a malformed ver", edit: func(p map[string]any) { p["ver"] = "1.3" }, bad: "is not a schema version"},
		{name: "another major version", edit: func(p map[string]any) { p["ver"] = "2.0.0" }, bad: "no schema for version 2.0.0"},
		{name: "older than the first schema", edit: func(p map[string]any) { p["ver"] = "0.1.0" }, bad: "no schema for version 0.1.0"},
		{name: "no date of birth", edit: func(p map[string]any) { delete(p, "dob") }, bad: "schema 1.3.0"},
		{name: "dose number zero", edit: func(p map[string]any) { p["v"].([]any)[0].(map[string]any)["dn"] = 0 }, bad: "at /v/0/dn"},
		{name: "a vaccination and a test at once", edit: func(p map[string]any) {
			p["t"] = []any{map[string]any{"tg": "840539006"}}
		}, bad: "schema 1.3.0"},
		{name: "a date-time where 1.3.0 says date is an annotation, not an error", edit: func(p map[string]any) {
			p["v"].([]any)[0].(map[string]any)["dt"] = "2021-05-29T10:00:00+02:00"
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := ValidateSchema(payload(t, c.edit))
			switch {
			case c.bad == "" && err != nil:
				t.Fatalf("ValidateSchema: %v, want valid", err)
			case c.bad != "" && (err == nil || !strings.Contains(err.Error(), c.bad)):
				t.Fatalf("ValidateSchema: %v, want an error with %q", err, c.bad)
			}
		})
	}
}

func TestSchemaChoiceByVersion(t *testing.T) {
	cases := map[string]string{"1.0.0": "1.0.0", "1.0.4": "1.0.1", "1.2.1": "1.2.1", "1.3.0": "1.3.0",
		"1.3.7": "1.3.3", "1.9.0": "1.3.3", "2.0.0": "", "0.9.9": ""}
	for in, want := range cases {
		v, _ := parseSemver(in)
		got, ok := pickSchema(v)
		if (want == "") == ok || (ok && got.String() != want) {
			t.Errorf("pickSchema(%s) = %s, %v; want %q", in, got, ok, want)
		}
	}
}

// BenchmarkVerify measures what the schema step adds to verifying a
// real certificate: compare ns/op of the two sub-benchmarks.
//
//	go test -run '^$' -bench BenchmarkVerify -benchtime 2000x -count 5 ./internal/dcc/
func BenchmarkVerify(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(fixtures, "common", "2DCode", "raw", "CO1.json"))
	if err != nil {
		b.Skipf("no EU test data: %v", err)
	}
	var c tcase
	if err := json.Unmarshal(data, &c); err != nil {
		b.Fatal(err)
	}
	tl, at := c.trust(b), c.clock(b)
	if v := Verify(c.PREFIX, tl, at); !v.Valid {
		b.Fatalf("the benchmark's certificate does not verify: %s", v.Reason)
	}
	for _, sc := range []struct {
		name   string
		schema bool
	}{{"without schema", false}, {"with schema", true}} {
		b.Run(sc.name, func(b *testing.B) {
			for b.Loop() {
				// Without the step the verdict cannot be valid; the
				// last step must still pass.
				if v := verify(c.PREFIX, tl, at, sc.schema); v.Outcome(StepExpiry) != Passed {
					b.Fatal(v.Reason)
				}
			}
		})
	}
}

// TestSchemaErrorNamesNoValue: a schema error reaches logs and screens, so
// it names the field and the rule, never the date of birth it refused.
func TestSchemaErrorNamesNoValue(t *testing.T) {
	err := ValidateSchema(payload(t, func(p map[string]any) { p["dob"] = "1964-13-99x" }))
	if err == nil || strings.Contains(err.Error(), "1964") || !strings.Contains(err.Error(), "/dob") {
		t.Fatalf("ValidateSchema = %v; want an error naming /dob without its value", err)
	}
}
