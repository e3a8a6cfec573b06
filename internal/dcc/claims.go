package dcc

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// CWT claim keys (RFC 8392) and the HCERT claim (-260, then 1 for the DCC).
const (
	claimIss   = 1
	claimExp   = 4
	claimIat   = 6
	claimHcert = -260
	hcertDCC   = 1
)

// payloadMode decodes the DCC into JSON-shaped values, so that it can be
// compared with, and validated as, JSON. Some issuers tag date-times as
// CBOR times (tag 0 or 1); they become RFC 3339 strings, as in JSON.
var payloadMode = func() cbor.DecMode {
	m, err := cbor.DecOptions{
		DefaultMapType:  reflect.TypeOf(map[string]any{}),
		MaxNestedLevels: 16,
		TimeTagToAny:    cbor.TimeTagToRFC3339Nano,
	}.DecMode()
	if err != nil {
		panic(err) // the options are constant
	}
	return m
}()

func parseClaims(payload []byte) (*Claims, error) {
	var cwt map[int]cbor.RawMessage
	if err := cbor.Unmarshal(payload, &cwt); err != nil {
		return nil, fmt.Errorf("CWT claims: %w", err)
	}
	var c Claims
	if raw, ok := cwt[claimIss]; ok {
		if err := cbor.Unmarshal(raw, &c.Issuer); err != nil {
			return nil, fmt.Errorf("CWT iss: %w", err)
		}
	}
	var err error
	if c.IssuedAt, err = numericDate(cwt, claimIat); err != nil {
		return nil, err
	}
	if c.Expires, err = numericDate(cwt, claimExp); err != nil {
		return nil, err
	}
	var hcert map[int]cbor.RawMessage
	if err := cbor.Unmarshal(cwt[claimHcert], &hcert); err != nil || hcert[hcertDCC] == nil {
		return nil, errors.New("CWT has no hcert DCC claim (-260 → 1)")
	}
	if err := payloadMode.Unmarshal(hcert[hcertDCC], &c.Payload); err != nil {
		return nil, fmt.Errorf("DCC payload: %w", err)
	}
	return &c, nil
}

// numericDate reads a CWT NumericDate. RFC 8392 allows a float; a missing
// claim gives the zero time, which checkExpiry refuses.
func numericDate(cwt map[int]cbor.RawMessage, key int) (time.Time, error) {
	raw, ok := cwt[key]
	if !ok {
		return time.Time{}, nil
	}
	var f float64
	if err := cbor.Unmarshal(raw, &f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return time.Time{}, fmt.Errorf("CWT claim %d is not a NumericDate", key)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
}

func checkExpiry(c *Claims, at time.Time) error {
	switch {
	case c.Expires.IsZero():
		return errors.New("the certificate has no expiry (exp)")
	case at.After(c.Expires): // exp is the last valid instant, as upstream reads it
		return fmt.Errorf("expired at %s", c.Expires.Format(time.RFC3339))
	case !c.IssuedAt.IsZero() && at.Before(c.IssuedAt):
		return fmt.Errorf("issued in the future, at %s", c.IssuedAt.Format(time.RFC3339))
	}
	return nil
}

func checkSignerValidity(s Signer, at time.Time) error {
	if at.Before(s.Cert.NotBefore) || at.After(s.Cert.NotAfter) {
		return fmt.Errorf("the signer certificate is valid only from %s to %s",
			s.Cert.NotBefore.Format(time.RFC3339), s.Cert.NotAfter.Format(time.RFC3339))
	}
	return nil
}
