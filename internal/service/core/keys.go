package core

import (
	"healthcode"
	"healthcode/internal/secret"
)

// Purposes under which identity values are sealed and hashed.
const (
	PurposeID    = "id"
	PurposeName  = "name"
	PurposePhone = "phone"
)

// IdentityKey is what makes two documents the same person. A HK/Macao
// permit's two trailing digits count renewals, so they are left out: a
// renewed permit is the same person. number is in canonical form.
func IdentityKey(doc healthcode.DocType, number string) string {
	if doc == healthcode.DocHKMacaoPermit && len(number) == 11 {
		number = number[:9]
	}
	return string(doc) + ":" + number
}

// IDKey is the lookup hash of an identity: one person, one code. Feeds
// find the persons their rows are about by it.
func IDKey(box *secret.Box, doc healthcode.DocType, number string) []byte {
	return box.Hash(PurposeID, IdentityKey(doc, number))
}

// PhoneKey is the lookup hash of a phone: the key of its account, of its
// login code, of its guesses, and a person's phone hash.
func PhoneKey(box *secret.Box, phone string) []byte { return box.Hash(PurposePhone, phone) }
