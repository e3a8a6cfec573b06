package dcc

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Prefix is the context identifier of version 1 of the HCERT specification.
const Prefix = "HC1:"

// maxPayload bounds decompression: a QR code holds under 3 kB, so anything
// that inflates past this is a zip bomb, not a certificate.
const maxPayload = 64 << 10

// Verify checks an "HC1:" code against the trust list at the given time.
func Verify(qr string, trust TrustList, at time.Time) Verdict {
	return verify(qr, trust, at, true)
}

// verify is Verify with the schema step optional, for the benchmark that
// measures what the step costs.
func verify(qr string, trust TrustList, at time.Time, schema bool) Verdict {
	var v Verdict
	b45, err := Unprefix(qr)
	if err != nil {
		v.fail(StepUnprefix, err)
		return *v.finish()
	}
	v.pass(StepUnprefix)
	raw, err := DecodeBase45(b45)
	if err != nil {
		v.fail(StepBase45, err)
		return *v.finish()
	}
	v.pass(StepBase45)
	cose := raw
	if isZlib(raw) {
		if cose, err = Decompress(raw); err != nil {
			v.fail(StepDecompress, err)
			return *v.finish()
		}
		v.pass(StepDecompress)
	} else {
		// HCERT makes compression a SHOULD; issuers did ship uncompressed codes.
		v.record(StepDecompress, NotRun, "not compressed")
	}
	verifyCOSE(&v, cose, trust, at, schema)
	return *v.finish()
}

// VerifyCOSE checks a COSE_Sign1 (optionally CWT-tagged) certificate.
func VerifyCOSE(cose []byte, trust TrustList, at time.Time) Verdict {
	var v Verdict
	verifyCOSE(&v, cose, trust, at, true)
	return *v.finish()
}

// Unprefix strips the HC1: context identifier.
func Unprefix(qr string) (string, error) {
	rest, ok := strings.CutPrefix(qr, Prefix)
	if !ok {
		return "", errors.New("the code does not start with " + Prefix)
	}
	return rest, nil
}

// Decompress inflates a zlib stream, refusing one that inflates past
// maxPayload.
func Decompress(data []byte) ([]byte, error) {
	r, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("zlib: %w", err)
	}
	out, err := io.ReadAll(io.LimitReader(r, maxPayload+1))
	if err != nil {
		return nil, fmt.Errorf("zlib: %w", err)
	}
	if len(out) > maxPayload {
		return nil, errors.New("zlib: payload too large")
	}
	return out, nil
}

// isZlib tells a zlib header (RFC 1950: deflate method, header checksum)
// from the CBOR of an uncompressed COSE message, which starts with a tag
// or an array.
func isZlib(b []byte) bool {
	return len(b) >= 2 && b[0]&0x0f == 8 && (uint16(b[0])<<8|uint16(b[1]))%31 == 0
}
