// Package healthqr signs and verifies the compact health-code token shown as
// a QR code, manages the signing keys and renders QR images.
//
// # Token format, version 1
//
// This section is the specification; a verifier in another region can be
// written from it alone.
//
// A token is 145 characters: the ASCII prefix "HCN1:" followed by the
// Base45 encoding (RFC 9285) of a 93-byte binary record. Every character is
// in the QR alphanumeric set "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
// (Base45 uses that alphabet, in that order, value 0 to 44), so the token
// is carried in a QR alphanumeric segment. Base45: each pair of bytes
// [a, b] is n = a*256 + b, written as the three characters c, d, e with
// n = c + d*45 + e*45*45; a final single byte n = c + d*45 is written as c,
// d. Decoders must reject characters outside the alphabet, a length of 1
// modulo 3, three-character groups whose value exceeds 65535 and a final
// two-character group whose value exceeds 255; the encoding is then unique,
// so changing any character changes the bytes or is rejected.
//
// The binary record; integers are unsigned big-endian:
//
//	offset size field
//	     0    1 version      = 1
//	     1    3 issuer       6-digit administrative division code as a number
//	                         (e.g. "110000" -> 0x01ADB0); printed back with
//	                         leading zeros to 6 digits
//	     4   12 code id      opaque random bytes; shown as 24 lowercase hex digits
//	    16    1 colour       1 green, 2 yellow, 3 red
//	    17    4 issued-at    Unix time, seconds
//	    21    4 expires-at   Unix time, seconds
//	    25    4 key id       first 4 bytes of SHA-256 of the signer's 32-byte
//	                         Ed25519 public key
//	    29   64 signature    Ed25519 (RFC 8032, pure, no context) over the
//	                         34 bytes "HCN1:" || record[0:29]
//
// Public keys are published at GET /api/v1/keys as a JSON object
// {"issuer": the region's 6 digits, "keys": [...]} whose keys are objects
// {"kid": 8 lowercase hex digits, "alg": "Ed25519", "issuer": 6 digits,
// "key": standard base64 (with padding) of the 32 raw public-key bytes,
// "valid_from", "valid_to": RFC 3339 times}. A key covers the tokens whose
// issued-at t satisfies valid_from <= t < valid_to.
//
// A verifier applies these checks in order and reports the first failure
// with its reason code:
//
//  1. "malformed": the text is not 145 characters, does not start with
//     "HCN1:", is not valid Base45, the version is not 1, the colour is not
//     1, 2 or 3, or expires-at <= issued-at;
//  2. "unknown_issuer": no key with this issuer and key id, or issued-at is
//     outside the key's validity;
//  3. "bad_signature": the Ed25519 signature does not verify;
//  4. "not_yet_valid": issued-at is more than 30 seconds after the
//     verifier's clock;
//  5. "expired": now >= expires-at.
//
// The signature is checked before the times, so a forged token never reads
// "expired". On success the claims are the decoded fields.
//
// # Keys
//
// A Keyring holds the keys of this and other regions; LoadOrCreate keeps this
// region's keys in a 0600 JSON file and rotates in a new key when none is
// valid. Retired keys are kept so that their tokens still verify.
//
// # QR images
//
// PNG and SVG draw a token at error-correction level M with a 4-module quiet
// zone. A token makes a version 6 symbol (41x41 modules).
package healthqr
