package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"healthcode"
)

// expired is a context whose deadline passed: what a request sees when the
// database does not answer in time.
func expired(t *testing.T) context.Context {
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	t.Cleanup(cancel)
	return ctx
}

func TestReadyzSaysWhetherTheDatabaseAnswers(t *testing.T) {
	f := newFixture(t, time.Minute)
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, body := f.do(t, "GET", path, "", nil); code != http.StatusOK {
			t.Errorf("GET %s = %d %s, want 200", path, code, body)
		}
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, httptest.NewRequestWithContext(expired(t), "GET", "/readyz", nil))
	wantUnavailable(t, rec)
	// Liveness asks nothing of the database: an outage restarts no server.
	rec = httptest.NewRecorder()
	f.h.ServeHTTP(rec, httptest.NewRequestWithContext(expired(t), "GET", "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("GET /healthz while the database does not answer = %d, want 200", rec.Code)
	}
}

func TestAnUnavailableDatabaseAnswers503WithRetryAfter(t *testing.T) {
	f := newFixture(t, time.Minute)
	for _, tt := range []struct{ method, path, token, body string }{
		{"GET", "/api/v1/persons", f.citizen, ""},                          // the session is looked up
		{"POST", "/api/v1/feeds/lab", f.feed, ""},                          // the key is looked up
		{"POST", "/api/v1/verify", "", `{"token": "` + f.codeToken + `"}`}, // a read without a login
		{"POST", "/api/v1/auth/otp", "", `{"phone": "13900000009"}`},       // a write without a login
	} {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req := httptest.NewRequestWithContext(expired(t), tt.method, tt.path, strings.NewReader(tt.body))
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, req)
			wantUnavailable(t, rec)
		})
	}
}

func wantUnavailable(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	var body errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", rec.Body, err)
	}
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" ||
		body.Error.Code != healthcode.EUNAVAILABLE {
		t.Errorf("got %d, Retry-After %q, %+v; want 503 unavailable with Retry-After", rec.Code,
			rec.Header().Get("Retry-After"), body)
	}
}
