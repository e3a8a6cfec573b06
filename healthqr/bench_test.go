package healthqr

import (
	"crypto/ed25519"
	"testing"
	"time"
)

func BenchmarkSign(b *testing.B) {
	kr := testRing(b, fixedKey(testIssuer, 7))
	c := testClaims(t0.Add(time.Hour))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := kr.Sign(c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	kr := testRing(b, fixedKey(testIssuer, 7), fixedKey(testIssuer, 8), fixedKey("310000", 9))
	iat := t0.Add(time.Hour)
	tok := mustSign(b, kr, testClaims(iat))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := kr.Verify(tok, iat); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEd25519VerifyBare is one ed25519.Verify of a 29-byte message,
// the floor for BenchmarkVerify.
func BenchmarkEd25519VerifyBare(b *testing.B) {
	key := fixedKey(testIssuer, 7)
	pub := key.Private.Public().(ed25519.PublicKey)
	msg := make([]byte, offSig)
	sig := ed25519.Sign(key.Private, msg)
	b.ReportAllocs()
	for b.Loop() {
		if !ed25519.Verify(pub, msg, sig) {
			b.Fatal("verify failed")
		}
	}
}

func BenchmarkPNG(b *testing.B) {
	tok := testToken(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := PNG(tok, 256); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSVG(b *testing.B) {
	tok := testToken(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SVG(tok); err != nil {
			b.Fatal(err)
		}
	}
}
