// Package pages serves the HTML pages people use: the citizen's code app
// (log in, apply, show the code, check in, modify, re-apply, relatives,
// history, help) and the checkpoint scanner for staff. Pages are rendered
// on the server with html/template and work with JavaScript off; scripts
// only add the clock, the code's automatic refresh, camera scanning and
// the checkpoint's offline checking (static/offline.js, docs/federation.md).
// Pages call the service directly; forms POST, and success redirects (303).
package pages

import (
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"

	"healthcode/internal/service"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Pages is the HTTP handler of every page.
type Pages struct {
	svc    *service.Service
	log    *slog.Logger
	tmpl   templates
	mux    *http.ServeMux
	cross  *http.CrossOriginProtection
	public url.URL // the site's address as people reach it; empty: as each request says
}

// New returns the pages of svc, ready to mount at "/". public is the
// site's address as people reach it (https://hc.example.gov.cn), or ""
// to take it from each request, for a server people reach directly: an
// https address makes cookies Secure and __Host- prefixed and adds HSTS
// behind a proxy that ends TLS, and it is the address printed on venue
// posters, which a forged Host header must not change.
func New(log *slog.Logger, svc *service.Service, public string) (*Pages, error) {
	t, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	p := &Pages{svc: svc, log: log, tmpl: t, mux: http.NewServeMux(), cross: http.NewCrossOriginProtection()}
	if public != "" {
		u, err := url.Parse(public)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") ||
			u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return nil, fmt.Errorf("public address %q: want http(s)://HOST[:PORT], no path", public)
		}
		p.public = url.URL{Scheme: u.Scheme, Host: u.Host}
	}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	p.mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	p.mux.Handle("GET /static/checkpoint-sw.js", http.StripPrefix("/static/", serviceWorker(http.FileServerFS(static))))
	p.routes()
	return p, nil
}

// ServeHTTP sets the headers every page needs and routes the request.
func (p *Pages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// Scripts, styles and images come only from this server; the code's
	// QR is inline SVG and the camera is read in the page.
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; "+
		"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	if p.https(r) {
		// Two years, this host only: other hosts of the domain may not
		// serve HTTPS; a proxy may add includeSubDomains where they do.
		h.Set("Strict-Transport-Security", "max-age=63072000")
	}
	p.mux.ServeHTTP(w, r)
}

func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

// serviceWorker serves the checkpoint's service worker (static/checkpoint-sw.js,
// docs/federation.md "Offline checkpoint"). A worker's scope may not reach
// above its own folder unless the answer allows it: this one, kept with
// the other assets, may control /checkpoint and nothing else. It is
// revalidated on each load, so a new release's worker comes at once.
func serviceWorker(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Service-Worker-Allowed", "/checkpoint")
		w.Header().Set("Cache-Control", "no-cache")
		h.ServeHTTP(w, r)
	})
}
