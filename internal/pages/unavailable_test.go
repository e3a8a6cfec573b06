package pages

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"healthcode/internal/service"
)

// TestPagesAskToTryAgainWhenTheDatabaseIsUnavailable: a logged-in citizen
// whose session cannot be checked is not sent to log in again but asked to
// wait, with 503 and Retry-After.
func TestPagesAskToTryAgainWhenTheDatabaseIsUnavailable(t *testing.T) {
	svc := newTestService(t, service.Config{Issuer: "330100", Dev: true})
	pg, err := New(slog.New(slog.NewTextHandler(io.Discard, nil)), svc, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	otp, err := svc.RequestOTP(ctx, "13900000071")
	if err != nil {
		t.Fatal(err)
	}
	login, err := svc.Login(ctx, "13900000071", otp.DevCode)
	if err != nil {
		t.Fatal(err)
	}
	late, cancel := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer cancel()
	for _, lang := range []string{"zh", "en"} {
		req := httptest.NewRequestWithContext(late, "GET", "/app/persons?lang="+lang, nil)
		req.AddCookie(&http.Cookie{Name: cookieSession, Value: login.Token})
		rec := httptest.NewRecorder()
		pg.ServeHTTP(rec, req)
		want := translate(lang, "err.unavailable")
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" ||
			!strings.Contains(rec.Body.String(), want) {
			t.Errorf("%s: %d, Retry-After %q; want 503 with Retry-After saying %q in:\n%.600s", lang, rec.Code,
				rec.Header().Get("Retry-After"), want, rec.Body)
		}
		if got := leaks(lang, rec.Body.String()); len(got) > 0 {
			t.Errorf("%s: the page says %q", lang, got)
		}
	}
}
