package web

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// The verify handler is measured on each store against a bare handler
// doing the least a verifier must: decode the request, one Ed25519 verify,
// encode a reply. Target: the real handler at ≥ 50 % of the bare one's
// throughput.
//
//	go test -run '^$' -bench 'Verify' -benchmem ./internal/web/

func BenchmarkVerifyHandler(b *testing.B) {
	for _, kind := range storeKinds {
		b.Run(kind.name, func(b *testing.B) {
			benchVerifyHandler(b, newFixtureOn(b, kind.open(b)(b), time.Hour))
		})
	}
}

// benchVerifyHandler verifies the fixture's citizen's code, from one
// goroutine and then from as many as GOMAXPROCS.
func benchVerifyHandler(b *testing.B, f *fixture) {
	body, _ := json.Marshal(map[string]string{"token": f.codeToken})
	serve := func() {
		req := httptest.NewRequest("POST", "/api/v1/verify", bytes.NewReader(body))
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || !bytes.Contains(rec.Body.Bytes(), []byte(`"pass":true`)) {
			b.Fatalf("verify: %d %s", rec.Code, rec.Body)
		}
	}
	b.Run("serial", func(b *testing.B) {
		for b.Loop() {
			serve()
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				serve()
			}
		})
	})
}

func BenchmarkBareVerifyHandler(b *testing.B) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	msg := make([]byte, 34)
	sig := ed25519.Sign(priv, msg)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Token string `json:"token"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		ok := ed25519.Verify(pub, msg, sig)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]bool{"valid": ok, "pass": ok})
	})
	body, _ := json.Marshal(map[string]string{"token": string(bytes.Repeat([]byte("A"), 145))})
	serve := func() {
		req := httptest.NewRequest("POST", "/api/v1/verify", bytes.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
	b.Run("serial", func(b *testing.B) {
		for b.Loop() {
			serve()
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				serve()
			}
		})
	})
}
