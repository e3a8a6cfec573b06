package federation

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// An issuer (or whoever answers at its URL) that redirects the live-status
// call must not send the token on to another address: the list names the
// one URL a region is asked at (SSRF, token leak).
func TestAskDoesNotFollowRedirects(t *testing.T) {
	var hit atomic.Int32
	inside := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hit.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"valid":true,"color":"green","name":"张*"}`))
	}))
	defer inside.Close()
	peer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, inside.URL+"/internal", http.StatusTemporaryRedirect)
	}))
	defer peer.Close()
	for _, client := range []*http.Client{nil, {}} {
		a := &Asker{Client: client, Timeout: time.Second}
		live, err := a.Ask(context.Background(), &Region{Region: "330000", URL: peer.URL}, "tok", time.Now)
		if err == nil {
			t.Errorf("a redirected live call answered %+v; want no live answer", live)
		}
	}
	if n := hit.Load(); n != 0 {
		t.Errorf("the redirect's target was asked %d times; want 0", n)
	}
}
