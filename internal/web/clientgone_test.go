package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestAClientThatGaveUpIsNoErrorOfOurs: a request whose client went away
// before the answer is answered 499 and logged at debug level, not as a
// 500 with ERROR lines — under overload such lines by the thousand made
// the log itself the work (issue 16). A live request still gets its 401.
func TestAClientThatGaveUpIsNoErrorOfOurs(t *testing.T) {
	svc, log, logged := loggedService(t)
	srv := NewServer(log, svc)
	ask := func(ctx context.Context) int {
		req := httptest.NewRequest("GET", "/api/v1/persons", nil).WithContext(ctx)
		req.Header.Set("Authorization", "Bearer hcs_"+strings.Repeat("a", 43))
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec.Code
	}
	if got := ask(context.Background()); got != http.StatusUnauthorized {
		t.Fatalf("a live request with an unknown session: %d, want 401", got)
	}
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	if got := ask(gone); got != statusClientGone {
		t.Errorf("a request whose client gave up: %d, want %d", got, statusClientGone)
	}
	if strings.Contains(logged.String(), "level=ERROR") {
		t.Errorf("a client gone is logged as an error:\n%s", logged.String())
	}
}
