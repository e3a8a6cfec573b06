package dcc

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"fmt"
)

// A Signer is one document signer certificate (DSC) of the trust list.
type Signer struct {
	Kid     []byte
	Country string
	Cert    *x509.Certificate
}

// A TrustList holds the DSCs a verifier accepts, found by kid. Several
// certificates may share a kid (it is only 8 bytes), so each is tried.
type TrustList struct {
	byKid map[string][]Signer
}

// Kid is the key identifier the EU specifications give a DSC: the first 8
// bytes of the SHA-256 of its DER encoding.
func Kid(der []byte) []byte {
	sum := sha256.Sum256(der)
	return sum[:8]
}

// NewTrustList builds a trust list from DER certificates, computing each kid.
func NewTrustList(country string, ders ...[]byte) (TrustList, error) {
	tl := TrustList{byKid: map[string][]Signer{}}
	for i, der := range ders {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return TrustList{}, fmt.Errorf("certificate %d: %w", i, err)
		}
		tl.add(Signer{Kid: Kid(der), Country: country, Cert: cert})
	}
	return tl, nil
}

// gatewayEntry is one element of the EU gateway's DSC list; encoding/json
// decodes the base64 fields into bytes.
type gatewayEntry struct {
	Kid     []byte `json:"kid"`
	Country string `json:"country"`
	RawData []byte `json:"rawData"`
}

// ParseTrustList reads a DSC list in the EU gateway's format. An entry whose
// kid is not the one its certificate yields is refused: accepting it would
// let the list's kid, not the certificate, decide which key signs.
func ParseTrustList(data []byte) (TrustList, error) {
	var entries []gatewayEntry
	if err := json.Unmarshal(data, &entries); err != nil {
		return TrustList{}, fmt.Errorf("trust list: %w", err)
	}
	tl := TrustList{byKid: map[string][]Signer{}}
	for i, e := range entries {
		cert, err := x509.ParseCertificate(e.RawData)
		if err != nil {
			return TrustList{}, fmt.Errorf("trust list entry %d: %w", i, err)
		}
		if !bytes.Equal(e.Kid, Kid(e.RawData)) {
			return TrustList{}, fmt.Errorf("trust list entry %d: kid does not match its certificate", i)
		}
		tl.add(Signer{Kid: e.Kid, Country: e.Country, Cert: cert})
	}
	return tl, nil
}

func (tl *TrustList) add(s Signer) {
	tl.byKid[string(s.Kid)] = append(tl.byKid[string(s.Kid)], s)
}

// Lookup returns the signers with the given kid.
func (tl TrustList) Lookup(kid []byte) []Signer {
	return tl.byKid[string(kid)]
}

// Len is the number of certificates in the list.
func (tl TrustList) Len() int {
	n := 0
	for _, s := range tl.byKid {
		n += len(s)
	}
	return n
}
