package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/internal/dcc"
	"healthcode/internal/dcc/dcctest"
	"healthcode/internal/service"
	ckpt "healthcode/internal/service/checkpoint"
)

func euEnv(t *testing.T, c dcctest.Case, at time.Time) *testEnv {
	t.Helper()
	eu := ckpt.NewEU(func() time.Time { return at })
	eu.SetTrust(c.TrustList(t))
	return newEnv(t, withConfig(service.Config{Issuer: "330100", EU: eu}))
}

func TestVerifyEUCertificate(t *testing.T) {
	de := dcctest.Load(t, "DE/2DCode/raw/1.json") // Erika Mustermann, born 1964-08-12, 2/2
	ctx := context.Background()
	cases := []struct {
		name       string
		env        func(t *testing.T) *testEnv
		token      string
		wantValid  bool
		wantReason string
	}{
		{name: "a valid vaccination at its clock", env: func(t *testing.T) *testEnv { return euEnv(t, de, de.At) },
			token: de.QR, wantValid: true},
		{name: "five years on, its signer key has expired", env: func(t *testing.T) *testEnv { return euEnv(t, de, de.At.AddDate(5, 0, 0)) },
			token: de.QR, wantReason: "eu_signer_expired"},
		{name: "without a trust list no HC1 code is valid", env: func(t *testing.T) *testEnv { return newEnv(t) },
			token: de.QR, wantReason: "eu_no_trust_list"},
		{name: "a certificate signed by a DSC not on the list", env: func(t *testing.T) *testEnv {
			other := dcctest.Load(t, "AT/2DCode/raw/1.json")
			return euEnv(t, other, de.At)
		}, token: de.QR, wantReason: "eu_bad_signature"},
		{name: "a corrupted code", env: func(t *testing.T) *testEnv { return euEnv(t, de, de.At) },
			token: "HC1:!!", wantReason: "eu_malformed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := c.env(t)
			v, err := e.svc.Verify(ctx, nil, verifyInput(c.token))
			if err != nil {
				t.Fatal(err)
			}
			if v.Kind != ckpt.KindEUDCC || v.Valid != c.wantValid || v.Reason != c.wantReason {
				t.Fatalf("Verify = kind %q valid %v reason %q; want %q %v %q", v.Kind, v.Valid, v.Reason, ckpt.KindEUDCC, c.wantValid, c.wantReason)
			}
			if v.Pass || v.Color != 0 {
				t.Errorf("an EU certificate got pass %v colour %q: a checkpoint reads its validity, not a colour", v.Pass, v.Color)
			}
			if !c.wantValid {
				return
			}
			cert := v.Certificate
			if cert.Type != dcc.Vaccination || cert.Dose != 2 || cert.Doses != 2 || cert.Date != "2021-05-29" ||
				cert.Country != "DE" || cert.ExpiresAt.IsZero() || v.Name != "E**** M*********" {
				t.Errorf("certificate = %+v, name %q", cert, v.Name)
			}
		})
	}
}

// TestEUVerdictHidesNameAndBirthDate: the answer and the log carry the
// masked name only, never the full name or the date of birth.
func TestEUVerdictHidesNameAndBirthDate(t *testing.T) {
	de := dcctest.Load(t, "DE/2DCode/raw/1.json")
	e := euEnv(t, de, de.At)
	for _, lang := range []string{"en", "zh"} {
		v, err := e.svc.Verify(context.Background(), nil, verifyInput(de.QR))
		if err != nil {
			t.Fatal(err)
		}
		v.Localize(lang)
		body, _ := json.Marshal(v)
		for _, secret := range []string{"Erika", "Mustermann", "MUSTERMANN", "1964"} {
			if bytes.Contains(body, []byte(secret)) || strings.Contains(e.logs.String(), secret) {
				t.Errorf("%s: %q is in the answer or the log: %s", lang, secret, body)
			}
		}
	}
}

func TestEUVerdictInTheCallersLanguage(t *testing.T) {
	e := newEnv(t)
	de := dcctest.Load(t, "DE/2DCode/raw/1.json")
	v, err := e.svc.Verify(context.Background(), nil, verifyInput(de.QR))
	if err != nil {
		t.Fatal(err)
	}
	v.Localize("zh")
	if want := healthcode.Translate("zh", "This checkpoint has no EU trust list: EU certificates cannot be checked here."); v.Message != want || !strings.Contains(v.Message, "欧盟") {
		t.Errorf("zh message = %q", v.Message)
	}
	v.Localize("en")
	if !strings.Contains(v.Message, "no EU trust list") || v.Certificate.Steps[0].Text != "HC1: prefix: passed" {
		t.Errorf("en message = %q, first step %q", v.Message, v.Certificate.Steps[0].Text)
	}
}

func TestEUCertificateTakesNoTemperature(t *testing.T) {
	de := dcctest.Load(t, "DE/2DCode/raw/1.json")
	e := euEnv(t, de, de.At)
	_, err := e.svc.Verify(context.Background(), checkpoint(t, e, "gate 1"), withTemperature(de.QR, 36.6))
	if healthcode.ErrorCode(err) != healthcode.EINVALID {
		t.Fatalf("Verify with a temperature = %v, want invalid", err)
	}
}
