// Package web serves healthcode over HTTP: the JSON API under /api/v1, its
// OpenAPI document, and the pages handed to it (WithPages). Handlers are thin:
// decode, call the service, encode.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"healthcode"

	"healthcode/internal/service"
)

// Server is the HTTP face of a service.
type Server struct {
	svc *service.Service
	log *slog.Logger
	mux *http.ServeMux
	// proxies are the trusted reverse proxies (WithTrustedProxies).
	proxies []netip.Prefix
}

// Option adds to a Server.
type Option func(*Server)

// WithPages serves h (the HTML pages) for every path the API does not
// route, behind the same logging and recovery.
func WithPages(h http.Handler) Option {
	return func(s *Server) { s.mux.Handle("/", h) }
}

// NewServer returns the handler for every route of routes.go, and of the
// options.
func NewServer(log *slog.Logger, svc *service.Service, opts ...Option) http.Handler {
	s := &Server{svc: svc, log: log, mux: http.NewServeMux()}
	s.routes()
	for _, o := range opts {
		o(s)
	}
	return s
}

// ServeHTTP logs each request by its route pattern, never its body or
// query, so no identity can reach the logs through a URL or a form.
//
// Every answer forbids content sniffing and, unless its handler sets a
// policy of its own (the pages do), loads nothing and may not be framed:
// JSON, YAML and code images are data, and an SVG opened as a document
// must run nothing.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", apiCSP)
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		if v := recover(); v != nil {
			s.log.ErrorContext(r.Context(), "panic serving request", "pattern", r.Pattern, "panic", v)
			writeError(rec, s.log, r, errInternal)
		}
		level := slog.LevelDebug
		if rec.status >= 500 && !errors.Is(r.Context().Err(), context.Canceled) { // a client gone is no fault of ours
			level = slog.LevelError
		}
		s.log.Log(r.Context(), level, "request", "method", r.Method, "pattern", r.Pattern,
			"status", rec.status, "duration", time.Since(start))
	}()
	// Rate limits count by this address, on the API and the pages alike.
	r = r.WithContext(healthcode.NewContextWithClientAddr(r.Context(), s.clientAddr(r)))
	s.mux.ServeHTTP(rec, r)
}

// apiCSP is the content security policy of the API's answers.
const apiCSP = "default-src 'none'; frame-ancestors 'none'"

type statusRecorder struct {
	http.ResponseWriter
	status int
}

// Unwrap lets http.ResponseController reach the connection, to lift
// deadlines for feeds.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}
