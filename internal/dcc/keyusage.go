package dcc

import (
	"encoding/asn1"
	"fmt"
)

// The extended key usages by which a DSC limits the kinds it may sign
// (eHealth Network, "Technical Specifications for Digital Green
// Certificates", volume 1, section 5.1.1). Each kind has two OIDs: the
// specified one and one a number of states used by mistake, which verifiers
// accept.
var kindOIDs = map[Kind][]asn1.ObjectIdentifier{
	Test:        {{1, 3, 6, 1, 4, 1, 1847, 2021, 1, 1}, {1, 3, 6, 1, 4, 1, 0, 1847, 2021, 1, 1}},
	Vaccination: {{1, 3, 6, 1, 4, 1, 1847, 2021, 1, 2}, {1, 3, 6, 1, 4, 1, 0, 1847, 2021, 1, 2}},
	Recovery:    {{1, 3, 6, 1, 4, 1, 1847, 2021, 1, 3}, {1, 3, 6, 1, 4, 1, 0, 1847, 2021, 1, 3}},
}

// checkKeyUsage refuses a certificate of a kind its DSC names no OID for,
// when the DSC names any: a DSC without these OIDs may sign every kind.
func checkKeyUsage(s Signer, k Kind) error {
	allowed := map[Kind]bool{}
	for kind, oids := range kindOIDs {
		for _, oid := range oids {
			for _, u := range s.Cert.UnknownExtKeyUsage {
				if u.Equal(oid) {
					allowed[kind] = true
				}
			}
		}
	}
	if len(allowed) > 0 && !allowed[k] {
		return fmt.Errorf("the signer may not sign %s certificates", kindName(k))
	}
	return nil
}

func kindName(k Kind) string {
	if k == "" {
		return "these"
	}
	return string(k)
}

// kindOf says which statement the DCC makes, from its v, t or r array;
// none when it makes no statement or more than one (the schema allows one).
func kindOf(dcc map[string]any) Kind {
	var kind Kind
	for key, k := range map[string]Kind{"v": Vaccination, "t": Test, "r": Recovery} {
		if a, ok := dcc[key].([]any); ok && len(a) > 0 {
			if kind != "" {
				return ""
			}
			kind = k
		}
	}
	return kind
}
