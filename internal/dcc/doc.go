// Package dcc verifies EU Digital COVID Certificates ("HC1:" codes): the
// chain Base45 → zlib → COSE_Sign1 → CWT → DCC payload, against a trust list
// in the EU gateway's DSC list format. Every step's outcome is kept in the
// verdict, because a checkpoint and the conformance test both need to know
// where a certificate failed, not only that it did.
package dcc
