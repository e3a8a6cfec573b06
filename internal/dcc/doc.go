// Package dcc verifies EU Digital COVID Certificates ("HC1:" codes): the
// chain Base45 → zlib → COSE_Sign1 → CWT → DCC payload, against a trust list
// in the EU gateway's DSC list format, the payload validated against the
// upstream JSON schema of its version (schema.go, schema/SOURCE.md). Every
// step's outcome is kept in the verdict, because a checkpoint and the
// conformance test both need to know where a certificate failed, not only
// that it did.
package dcc
