package dcc

import (
	"errors"
	"fmt"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"
)

// CBOR tags an HCERT may carry around the COSE_Sign1 array.
const (
	tagCWT   = 61
	tagSign1 = 18
)

func verifyCOSE(v *Verdict, data []byte, trust TrustList, at time.Time, schema bool) {
	msg, err := parseSign1(data)
	if err != nil {
		v.fail(StepCOSE, err)
		return
	}
	v.pass(StepCOSE)
	claims, err := parseClaims(msg.Payload)
	if err != nil {
		v.fail(StepClaims, err)
		return
	}
	v.pass(StepClaims)
	v.Claims = claims
	v.Kind = kindOf(claims.Payload)
	if schema {
		check(v, StepSchema, ValidateSchema(claims.Payload))
	}
	signer, err := verifySignature(msg, trust)
	if err != nil {
		v.fail(StepSignature, err)
		return
	}
	v.pass(StepSignature)
	v.Country = signer.Country
	check(v, StepKeyUsage, checkKeyUsage(signer, v.Kind))
	check(v, StepSigner, checkSignerValidity(signer, at))
	check(v, StepExpiry, checkExpiry(claims, at))
}

func check(v *Verdict, s Step, err error) {
	if err != nil {
		v.fail(s, err)
		return
	}
	v.pass(s)
}

// parseSign1 decodes a COSE_Sign1 that may be untagged, tagged 18, or
// wrapped in the CWT tag 61 (then with or without tag 18): go-cose accepts
// only the first two.
func parseSign1(data []byte) (*cose.Sign1Message, error) {
	var tag cbor.RawTag
	if err := cbor.Unmarshal(data, &tag); err == nil && tag.Number == tagCWT {
		data = tag.Content
	}
	if err := cbor.Unmarshal(data, &tag); err == nil && tag.Number == tagSign1 {
		var msg cose.Sign1Message
		if err := msg.UnmarshalCBOR(data); err != nil {
			return nil, fmt.Errorf("COSE_Sign1: %w", err)
		}
		return &msg, nil
	}
	var msg cose.UntaggedSign1Message
	if err := msg.UnmarshalCBOR(data); err != nil {
		return nil, fmt.Errorf("COSE_Sign1: %w", err)
	}
	return (*cose.Sign1Message)(&msg), nil
}

// verifySignature finds the DSC by kid and checks the signature. The kid
// of the protected header wins: an unprotected kid could be altered by
// anyone, so it is used only when the protected header has none.
func verifySignature(msg *cose.Sign1Message, trust TrustList) (Signer, error) {
	kid := headerBytes(msg.Headers.Protected, cose.HeaderLabelKeyID)
	if kid == nil {
		kid = headerBytes(msg.Headers.Unprotected, cose.HeaderLabelKeyID)
	}
	if kid == nil {
		return Signer{}, errors.New("no kid in the headers")
	}
	alg, err := algorithm(msg)
	if err != nil {
		return Signer{}, err
	}
	signers := trust.Lookup(kid)
	if len(signers) == 0 {
		return Signer{}, fmt.Errorf("kid %x is not in the trust list", kid)
	}
	for _, s := range signers {
		verifier, err := cose.NewVerifier(alg, s.Cert.PublicKey)
		if err != nil {
			err = fmt.Errorf("signer key: %w", err)
			if len(signers) == 1 {
				return Signer{}, err
			}
			continue
		}
		if msg.Verify(nil, verifier) == nil {
			return s, nil
		}
	}
	return Signer{}, errors.New("the signature does not verify")
}

// algorithm returns the signature algorithm. Some issuers put alg only in
// the unprotected header, which go-cose refuses; the value is then copied
// into the decoded protected map. That does not change what is verified:
// go-cose builds the Sig_structure from the raw protected bytes, and the
// verifier is bound to the key type of the DSC, so a forged alg can only
// make verification fail.
func algorithm(msg *cose.Sign1Message) (cose.Algorithm, error) {
	if alg, err := msg.Headers.Protected.Algorithm(); err == nil {
		return alg, nil
	} else if !errors.Is(err, cose.ErrAlgorithmNotFound) {
		return 0, fmt.Errorf("protected alg: %w", err)
	}
	alg, err := cose.ProtectedHeader(msg.Headers.Unprotected).Algorithm()
	if err != nil {
		return 0, fmt.Errorf("alg: %w", err)
	}
	if msg.Headers.Protected == nil {
		msg.Headers.Protected = cose.ProtectedHeader{}
	}
	msg.Headers.Protected[cose.HeaderLabelAlgorithm] = alg
	return alg, nil
}

func headerBytes(h map[any]any, label int64) []byte {
	if b, ok := h[label].([]byte); ok {
		return b
	}
	return nil
}
