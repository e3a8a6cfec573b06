package pages

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"healthcode"
	"healthcode/healthqr"
	"healthcode/internal/permission"
	"healthcode/internal/provider"
	"healthcode/internal/publiclog"
	"healthcode/internal/secret"
	"healthcode/internal/service"
	"healthcode/internal/store"
	"healthcode/policy"
)

// TestEveryRouteGuardsItself calls every route of the table as a stranger:
// citizen pages send them to log in, and every POST without the form
// token is refused before its handler runs, even when the form repeats a
// well-formed cookie value (once enough: any 43 characters passed).
func TestEveryRouteGuardsItself(t *testing.T) {
	p := newTestPages(t)
	planted := strings.Repeat("a", 43)
	for _, rt := range table {
		method, path, _ := strings.Cut(rt.pattern, " ")
		path = strings.NewReplacer("{id}", "1", "{code}", "x.y", "{$}", "").Replace(path)
		t.Run(rt.pattern, func(t *testing.T) {
			req := httptest.NewRequest(method, path, strings.NewReader("csrf="+planted))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: cookieCSRF, Value: planted})
			rec := httptest.NewRecorder()
			p.ServeHTTP(rec, req)
			switch {
			case method == http.MethodPost:
				if rec.Code != http.StatusForbidden {
					t.Errorf("POST with a wrong form token: status %d, want 403", rec.Code)
				}
			case rt.perm != anyone && permission.Of(healthcode.RoleCitizen)&rt.perm == rt.perm:
				if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
					t.Errorf("anonymous GET: status %d to %q, want 303 to /login", rec.Code, loc)
				}
			default:
				if rec.Code == http.StatusSeeOther && strings.HasPrefix(rec.Header().Get("Location"), "/login") {
					t.Errorf("an open page sends strangers to log in")
				}
			}
		})
	}
}

func TestLocalPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/v/abc.def", "/v/abc.def"},
		{"/app", "/app"},
		{"", ""},
		{"app", ""},
		{"//evil.example", ""},
		{`/\evil.example`, ""},
		{"https://evil.example/", ""},
		{"/a\r\nSet-Cookie: x", ""},
		{"/\t/evil.example", ""},
		{"/\x00/evil.example", ""},
		{"/\x7f/evil.example", ""},
		{"/app?lang=en", "/app?lang=en"},
	}
	for _, tt := range tests {
		if got := localPath(tt.in); got != tt.want {
			t.Errorf("localPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func newTestPages(t *testing.T) *Pages {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	p, err := New(log, newTestService(t, service.Config{}), "")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// newTestService is a service on a new SQLite file with the shipped
// policy packs and a signing key valid from a minute ago.
func newTestService(t *testing.T, cfg service.Config) *service.Service {
	t.Helper()
	db, err := store.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "hc.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	box, err := secret.New(bytes.Repeat([]byte{7}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	key, err := healthqr.GenerateKey("330100", time.Now().Add(-time.Minute), 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := healthqr.NewKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	policies, err := policy.ShippedRegistry("330100", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Identity == nil {
		cfg.Identity = provider.AcceptAnyone{}
	}
	if cfg.LogSigner == nil {
		if cfg.LogSigner, cfg.LogVerifier, err = publiclog.LoadOrCreateKey(filepath.Join(t.TempDir(), "keys"), "healthcode-test"); err != nil {
			t.Fatal(err)
		}
	}
	svc, err := service.New(cfg, db, box, keys, policies, provider.LogSender{Log: log}, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestPublicURLMakesCookiesHostOnlyAddsHSTSAndNamesThePosterAddress(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, bad := range []string{"hc.example.gov.cn", "ftp://hc.example.gov.cn", "https://hc.example.gov.cn/app", "https://"} {
		if _, err := New(log, newTestService(t, service.Config{}), bad); err == nil {
			t.Errorf("public address %q accepted", bad)
		}
	}
	p, err := New(log, newTestService(t, service.Config{}), "https://hc.example.gov.cn")
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest("GET", "http://10.0.0.7/login?lang=en", nil)) // as a proxy ending TLS forwards it
	cookies := rec.Result().Cookies()
	if len(cookies) < 2 {
		t.Fatalf("cookies %v on the login page, want the browser id and the language", cookies)
	}
	for _, ck := range cookies {
		// The prefix holds only for a Secure cookie of Path=/ without a Domain.
		if !strings.HasPrefix(ck.Name, "__Host-") || !ck.Secure || ck.Path != "/" || ck.Domain != "" {
			t.Errorf("cookie %+v behind an https public address: want __Host-, Secure, Path=/, no Domain", ck)
		}
	}
	if got := rec.Header().Get("Strict-Transport-Security"); got != "max-age=63072000" {
		t.Errorf("Strict-Transport-Security %q behind an https public address", got)
	}
	rec = httptest.NewRecorder()
	newTestPages(t).ServeHTTP(rec, httptest.NewRequest("GET", "http://10.0.0.7/login?lang=en", nil))
	for _, ck := range rec.Result().Cookies() {
		if strings.HasPrefix(ck.Name, "__Host-") || ck.Secure {
			t.Errorf("cookie %+v over plain HTTP: a browser would drop it", ck)
		}
	}
	if got := rec.Header().Get("Strict-Transport-Security"); got != "" {
		t.Errorf("Strict-Transport-Security %q over plain HTTP", got)
	}
	v, err := p.svc.CreateVenue(context.Background(), &healthcode.Principal{Role: healthcode.RoleAdmin, Name: "admin", Region: "330100"}, "西湖景区3号门", "330106")
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/venues/"+v.Code, nil)
	req.Host = "evil.example" // the poster's address must not follow a forged Host
	rec = httptest.NewRecorder()
	p.ServeHTTP(rec, req)
	if body := rec.Body.String(); !strings.Contains(body, "https://hc.example.gov.cn/v/") || strings.Contains(body, "evil.example") {
		t.Errorf("poster does not print the public address, or prints the request's Host")
	}
}
