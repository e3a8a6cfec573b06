package password

import (
	"crypto/ed25519"
	"testing"
)

// BenchmarkCheck is what one official's login costs in CPU, against one
// Ed25519 verify (a scan's floor) in the same run: the ratio says how many
// scans a login is worth, and why logins are rate-limited and locked out.
//
//	go test -run '^$' -bench Check -benchmem ./internal/password/
func BenchmarkCheck(b *testing.B) {
	b.Run("ed25519-verify", func(b *testing.B) {
		pub, priv, err := ed25519.GenerateKey(nil)
		if err != nil {
			b.Fatal(err)
		}
		msg := []byte("a health code token's signed bytes")
		sig := ed25519.Sign(priv, msg)
		for b.Loop() {
			if !ed25519.Verify(pub, msg, sig) {
				b.Fatal("bad signature")
			}
		}
	})
	b.Run("argon2id-check", func(b *testing.B) {
		phc := Hash("correct horse battery staple")
		for b.Loop() {
			if ok, err := Check(phc, "correct horse battery staple"); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
}

// BenchmarkCheckBurst checks 32 logins at once: the slots hold the memory
// of the hashes in flight to the cores' worth however large the burst.
// B/op is the memory per check, as in BenchmarkCheck.
//
//	go test -run '^$' -bench CheckBurst -benchmem ./internal/password/
func BenchmarkCheckBurst(b *testing.B) {
	phc := Hash("correct horse battery staple")
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if ok, err := Check(phc, "correct horse battery staple"); !ok || err != nil {
				b.Error(ok, err)
			}
		}
	})
}
