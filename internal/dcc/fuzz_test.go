package dcc

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzVerify feeds Verify arbitrary QR texts: whatever arrives at a
// checkpoint, the answer is a verdict, never a panic or a hang.
//
//	go test -run '^$' -fuzz FuzzVerify -fuzztime 30s ./internal/dcc/
func FuzzVerify(f *testing.F) {
	for _, s := range []string{"", "HC1:", "HC1:6BF", "HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH-R6IOOK.IR9B+9D-MH",
		"HC1:" + string(make([]byte, 64)), "not a certificate"} {
		f.Add(s)
	}
	at := time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, qr string) {
		v := Verify(qr, TrustList{}, at)
		if v.Valid {
			t.Errorf("%q verified against an empty trust list", qr)
		}
	})
}

// FuzzParseTrustList: a trust list that arrives malformed is an error,
// never a panic.
func FuzzParseTrustList(f *testing.F) {
	for _, s := range []string{"", "[]", `[{"kid":"AAAAAAAAAAA=","country":"DE","rawData":"MIIB"}]`, `{"a":1}`, "[null]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ParseTrustList(data)
	})
}

// FuzzValidateSchema: whatever payload a signed certificate carries, the
// schema step answers, never panics. Only a valid signature's payload
// reaches it in Verify, but a DSC's owner may sign anything.
//
//	go test -run '^$' -fuzz FuzzValidateSchema -fuzztime 30s ./internal/dcc/
func FuzzValidateSchema(f *testing.F) {
	for _, s := range []string{vaccination, `{}`, `{"ver":"1.0.0"}`, `{"ver":"1.3.0","v":[{}],"t":[{}]}`, `{"ver":"9.9.9"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var p map[string]any
		if json.Unmarshal(data, &p) != nil {
			return
		}
		_ = ValidateSchema(p)
	})
}
