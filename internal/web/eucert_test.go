package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"healthcode/internal/dcc/dcctest"
	"healthcode/internal/service"
	"healthcode/internal/service/checkpoint"
	"healthcode/internal/store"
)

// TestVerifyAnEUCertificate: POST /api/v1/verify answers an HC1 code with
// kind eu-dcc, its certificate and the reason in the caller's language,
// and logs neither the holder's name nor the birth date.
func TestVerifyAnEUCertificate(t *testing.T) {
	de := dcctest.Load(t, "DE/2DCode/raw/1.json")
	db, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "hc.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var logged syncBuffer
	log := slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
	eu := checkpoint.NewEU(func() time.Time { return de.At })
	eu.SetTrust(de.TrustList(t))
	withEU := NewServer(log, newService(t, db, service.Config{Issuer: "330100", Dev: true, EU: eu}, log, nil))
	cases := []struct {
		name, query string
		token       string
		want        []string
	}{
		{name: "valid", token: de.QR, want: []string{`"kind":"eu-dcc"`, `"valid":true`, `"type":"vaccination"`,
			`"dose":2`, `"doses":2`, `"name":"E**** M*********"`, `"text":"signature: passed"`}},
		{name: "valid, steps in Chinese", query: "?lang=zh", token: de.QR, want: []string{`"text":"签名：通过"`}},
		{name: "corrupted, in Chinese", query: "?lang=zh", token: de.QR[:len(de.QR)-4] + "AAAA",
			want: []string{`"valid":false`, `"reason":"eu_malformed"`, `"message":"无法识读的欧盟证书。"`, `"text":"解压缩：未通过"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body, _ := json.Marshal(map[string]string{"token": c.token})
			req := httptest.NewRequest("POST", "/api/v1/verify"+c.query, strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			withEU.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			for _, w := range c.want {
				if !strings.Contains(rec.Body.String(), w) {
					t.Errorf("answer lacks %s: %s", w, rec.Body)
				}
			}
			for _, secret := range []string{"Erika", "Mustermann", "MUSTERMANN", "1964-08-12"} {
				if strings.Contains(rec.Body.String(), secret) || strings.Contains(logged.String(), secret) {
					t.Errorf("%q is in the answer or the log", secret)
				}
			}
		})
	}
}
