package dcc

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// fixtures is the public EU test data beside the repository (../shared from
// the repository root, as README.md refers to it), seen from this package.
const fixtures = "../../../shared/fixtures/dgc-testdata"

// explained lists the mismatches that are not upstream's known issues,
// keyed "COUNTRY/case FLAG", each with why our verdict is the right one.
// The table counts cases run and matched, then mismatched flags explained
// here or known upstream, and flags with no step to run (schema, picture).
var explained = map[string]string{
	"IS/3 EXPECTEDKEYUSAGE":               "its DSC names no key-usage OID, which permits every kind (spec 5.1.1; common/CO15 expects true)",
	"PL/1.0.0/6 EXPECTEDKEYUSAGE":         "signed by a DSC not in its trust list; we check key usage only after the signature",
	"PL/1.2.1/6 EXPECTEDKEYUSAGE":         "signed by a DSC not in its trust list; we check key usage only after the signature",
	"PL/1.3.0/6 EXPECTEDKEYUSAGE":         "signed by a DSC not in its trust list; we check key usage only after the signature",
	"PL/1.0.0/6 EXPECTEDEXPIRATIONCHECK":  "signed by a DSC not in its trust list; we check expiry only after the signature",
	"PL/1.2.1/6 EXPECTEDEXPIRATIONCHECK":  "signed by a DSC not in its trust list; we check expiry only after the signature",
	"PL/1.3.0/6 EXPECTEDEXPIRATIONCHECK":  "signed by a DSC not in its trust list; we check expiry only after the signature",
	"PL/1.3.0/1 EXPECTEDVALIDJSON":        "the case's JSON has another person's name and birth date than the signed payload",
	"PL/1.3.0/5 EXPECTEDVALIDJSON":        "the case's JSON has another person's name than the signed payload",
	"PT/1.3.0/4 EXPECTEDVALIDJSON":        "the case's JSON writes sc as +00:00, the signed payload as Z",
	"PL/1.0.0/7 EXPECTEDSCHEMAVALIDATION": "its test device (ma 9999) is outside the value set; value sets are not part of the JSON schema (schema.go)",
	"PL/1.0.0/8 EXPECTEDSCHEMAVALIDATION": "its country (co XY) is outside the value set; value sets are not part of the JSON schema (schema.go)",
	"PL/1.0.0/9 EXPECTEDSCHEMAVALIDATION": "its vaccine manufacturer (ma ORG-99999999) is outside the value set; value sets are not part of the JSON schema (schema.go)",
	"PL/1.2.1/7 EXPECTEDSCHEMAVALIDATION": "its test device (ma 9999) is outside the value set; value sets are not part of the JSON schema (schema.go)",
	"PL/1.2.1/8 EXPECTEDSCHEMAVALIDATION": "its country (co XY) is outside the value set; value sets are not part of the JSON schema (schema.go)",
	"PL/1.2.1/9 EXPECTEDSCHEMAVALIDATION": "its vaccine manufacturer (ma ORG-99999999) is outside the value set; value sets are not part of the JSON schema (schema.go)",
	"PL/1.3.0/7 EXPECTEDSCHEMAVALIDATION": "its test device (ma 9999) is outside the value set; value sets are not part of the JSON schema (schema.go)",
	"PL/1.3.0/8 EXPECTEDSCHEMAVALIDATION": "its country (co XY) is outside the value set; value sets are not part of the JSON schema (schema.go)",
	"PL/1.3.0/9 EXPECTEDSCHEMAVALIDATION": "its vaccine manufacturer (ma ORG-99999999) is outside the value set; value sets are not part of the JSON schema (schema.go)",
}

// knownIssueFlag maps upstream's test names (tests/known_issues.csv) to the
// flag each one checks.
var knownIssueFlag = map[string]string{
	"test_cose_schema":        "EXPECTEDSCHEMAVALIDATION",
	"test_cose_json":          "EXPECTEDVALIDJSON",
	"test_cbor_json":          "EXPECTEDDECODE",
	"test_verification_check": "EXPECTEDVERIFY",
	"test_expiration_check":   "EXPECTEDEXPIRATIONCHECK",
	"test_expected_key_usage": "EXPECTEDKEYUSAGE",
}

// tcase is one test case; the fields are kept raw because their spelling
// and presence vary between countries (see SOURCE.md).
type tcase struct {
	country, name string
	PREFIX        string
	BASE45        string
	COMPRESSED    string
	COSE          string
	CBOR          string
	JSON          json.RawMessage
	TESTCTX       struct {
		CERTIFICATE            string
		VALIDATIONCLOCK        string
		ValidationClockInstant string `json:"validationClockInstant"`
	}
	EXPECTEDRESULTS map[string]any
}

type tally struct{ run, matched, explained, known, notRun int }

func TestConformanceWithEUTestData(t *testing.T) {
	if _, err := os.Stat(fixtures); err != nil {
		t.Skipf("no EU test data at %s: %v", fixtures, err)
	}
	known := loadKnownIssues(t)
	byCountry := map[string]*tally{}
	for _, c := range loadCases(t) {
		tl := byCountry[c.country]
		if tl == nil {
			tl = &tally{}
			byCountry[c.country] = tl
		}
		tl.run++
		ok := true
		for flag, want := range c.expected() {
			got, ran := c.check(t, flag)
			if !ran {
				tl.notRun++
				continue
			}
			if got == want {
				continue
			}
			ok = false
			key := c.country + "/" + c.name + " " + flag
			switch {
			case known[c.country+"/"+c.name+" "+flag] || known[c.country+"/ "+flag]:
				tl.known++
			case explained[key] != "":
				tl.explained++
			default:
				t.Errorf("%s: got %v, want %v", key, got, want)
			}
		}
		if ok {
			tl.matched++
		}
	}
	logTable(t, byCountry)
}

// expected returns the case's boolean flags. The misspelt EXPTECTEDEXPIRED
// is ignored, as upstream's harness ignores it: its cases (BG, ES) are
// within their validity at their clock, so the flag never meant what it says.
func (c *tcase) expected() map[string]bool {
	out := map[string]bool{}
	for k, v := range c.EXPECTEDRESULTS {
		b, ok := v.(bool)
		switch {
		case !ok:
		case strings.HasPrefix(k, "EXPECTED") && k != "EXPECTEDRESULTS":
			out[k] = b
		}
	}
	return out
}

// check runs the step a flag names from the case's own input for it, as
// upstream's harness does, and says whether it could run at all.
func (c *tcase) check(t *testing.T, flag string) (got, ran bool) {
	if in := c.input(flag); in == "" {
		return false, false
	}
	switch flag {
	case "EXPECTEDUNPREFIX":
		b45, err := Unprefix(c.PREFIX)
		return err == nil && (c.BASE45 == "" || b45 == c.BASE45), true
	case "EXPECTEDB45DECODE":
		raw, err := DecodeBase45(c.BASE45)
		return err == nil && (c.COMPRESSED == "" || bytes.Equal(raw, unhex(c.COMPRESSED))), true
	case "EXPECTEDCOMPRESSION":
		cose, err := Decompress(unhex(c.COMPRESSED))
		return err == nil && (c.COSE == "" || bytes.Equal(cose, unhex(c.COSE))), true
	case "EXPECTEDVERIFY":
		v := c.verifyCOSE(t)
		return v.Outcome(StepSignature) == Passed, true
	case "EXPECTEDKEYUSAGE":
		v := c.verifyCOSE(t)
		return v.Outcome(StepKeyUsage) == Passed, true
	case "EXPECTEDEXPIRATIONCHECK":
		v := c.verifyCOSE(t)
		return v.Outcome(StepExpiry) == Passed, true
	case "EXPECTEDDECODE":
		v := c.verifyCOSE(t)
		return v.Outcome(StepClaims) == Passed && c.matchesCBOR(v.Claims), true
	case "EXPECTEDSCHEMAVALIDATION":
		v := c.verifyCOSE(t)
		return v.Outcome(StepSchema) == Passed, true
	case "EXPECTEDVALIDJSON":
		v := Verify(c.PREFIX, c.trust(t), c.clock(t))
		return v.Outcome(StepClaims) == Passed && c.matchesJSON(v.Claims), true
	}
	// The picture, encoding and object flags concern QR reading and
	// issuing, not verification.
	return false, false
}

// input is the field a flag's step reads; a case without it cannot run it.
func (c *tcase) input(flag string) string {
	switch flag {
	case "EXPECTEDUNPREFIX", "EXPECTEDVALIDJSON":
		return c.PREFIX
	case "EXPECTEDB45DECODE":
		return c.BASE45
	case "EXPECTEDCOMPRESSION":
		return c.COMPRESSED
	}
	return c.COSE
}

func (c *tcase) verifyCOSE(t *testing.T) Verdict {
	return VerifyCOSE(unhex(c.COSE), c.trust(t), c.clock(t))
}

func (c *tcase) trust(t testing.TB) TrustList {
	der, err := base64.StdEncoding.DecodeString(c.TESTCTX.CERTIFICATE)
	if err != nil {
		t.Fatalf("%s/%s: certificate: %v", c.country, c.name, err)
	}
	tl, err := NewTrustList(c.country, der)
	if err != nil {
		tl, _ = NewTrustList(c.country) // an unreadable DSC trusts nothing
	}
	return tl
}

// clock parses VALIDATIONCLOCK in the ISO-8601 forms the data uses; a
// clock without a zone is read as UTC.
func (c *tcase) clock(t testing.TB) time.Time {
	s := c.TESTCTX.VALIDATIONCLOCK
	if s == "" {
		s = c.TESTCTX.ValidationClockInstant
	}
	for _, layout := range []string{
		"2006-01-02T15:04:05.999999999Z07:00",
		"2006-01-02T15:04:05.999999999Z0700",
		"2006-01-02T15:04:05.999999999",
	} {
		if at, err := time.Parse(layout, s); err == nil {
			return at
		}
	}
	if s != "" {
		t.Errorf("%s/%s: unreadable VALIDATIONCLOCK %q", c.country, c.name, s)
	}
	return time.Time{}
}

func (c *tcase) matchesCBOR(claims *Claims) bool {
	if c.CBOR == "" {
		return true
	}
	// Some countries put the whole CWT claims set in CBOR, others the DCC.
	var want map[string]any
	if cwt, err := parseClaims(unhex(c.CBOR)); err == nil {
		want = cwt.Payload
	} else if err := payloadMode.Unmarshal(unhex(c.CBOR), &want); err != nil {
		return false
	}
	return reflect.DeepEqual(jsonShape(claims.Payload), jsonShape(want))
}

func (c *tcase) matchesJSON(claims *Claims) bool {
	if len(c.JSON) == 0 {
		return true
	}
	var want any
	if err := json.Unmarshal(c.JSON, &want); err != nil {
		return false
	}
	return reflect.DeepEqual(jsonShape(claims.Payload), want)
}

// jsonShape round-trips a value through JSON so that CBOR integers and
// JSON numbers compare equal.
func jsonShape(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

func unhex(s string) []byte {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil
	}
	return b
}

// loadCases reads every case: each *.json below a country folder, plus the
// extensionless root file QR; the root 6.json is a claims set, not a case.
func loadCases(t *testing.T) []tcase {
	var cases []tcase
	err := filepath.WalkDir(fixtures, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(fixtures, path)
		parts := strings.Split(filepath.ToSlash(rel), "/")
		isCase := rel == "QR" || (len(parts) > 1 && parts[0] != "tests" &&
			strings.EqualFold(parts[len(parts)-2], "raw") && strings.HasSuffix(rel, ".json"))
		if !isCase {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		// The name keeps a schema-version folder: PL and PT reuse numbers.
		name := parts[len(parts)-1]
		if len(parts) > 4 {
			name = strings.Join(parts[1:len(parts)-3], "/") + "/" + name
		}
		c := tcase{country: parts[0], name: strings.TrimSuffix(name, ".json")}
		if rel == "QR" {
			c.country = "HR"
		}
		if err := json.Unmarshal(data, &c); err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		cases = append(cases, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

// loadKnownIssues reads upstream's known-bad list as "COUNTRY/case FLAG"
// ("COUNTRY/ FLAG" when the issue covers all of a country's cases).
func loadKnownIssues(t *testing.T) map[string]bool {
	f, err := os.Open(filepath.Join(fixtures, "tests", "known_issues.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, r := range rows[1:] {
		known[r[1]+"/"+r[2]+" "+knownIssueFlag[r[0]]] = true
	}
	return known
}

func logTable(t *testing.T, byCountry map[string]*tally) {
	countries := make([]string, 0, len(byCountry))
	for c := range byCountry {
		countries = append(countries, c)
	}
	sort.Strings(countries)
	var b strings.Builder
	var sum tally
	fmt.Fprintf(&b, "\n%-8s %5s %8s %10s %6s %8s\n", "country", "run", "matched", "explained", "known", "not run")
	for _, c := range countries {
		n := byCountry[c]
		fmt.Fprintf(&b, "%-8s %5d %8d %10d %6d %8d\n", c, n.run, n.matched, n.explained, n.known, n.notRun)
		sum.run, sum.matched, sum.explained, sum.known, sum.notRun = sum.run+n.run,
			sum.matched+n.matched, sum.explained+n.explained, sum.known+n.known, sum.notRun+n.notRun
	}
	fmt.Fprintf(&b, "%-8s %5d %8d %10d %6d %8d\n", "total", sum.run, sum.matched, sum.explained, sum.known, sum.notRun)
	t.Log(b.String())
}
