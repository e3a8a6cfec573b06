// Package web serves healthcode over HTTP: the JSON API under /api/v1, its
// OpenAPI document, and (in later issues) the pages. Handlers are thin:
// decode, call the service, encode.
package web

import (
	"log/slog"
	"net/http"
	"time"

	"healthcode/internal/service"
)

// Server is the HTTP face of a service.
type Server struct {
	svc *service.Service
	log *slog.Logger
	mux *http.ServeMux
}

// NewServer returns the handler for every route of routes.go.
func NewServer(log *slog.Logger, svc *service.Service) http.Handler {
	s := &Server{svc: svc, log: log, mux: http.NewServeMux()}
	s.routes()
	return s
}

// ServeHTTP logs each request by its route pattern, never its body or
// query, so no identity can reach the logs through a URL or a form.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		if v := recover(); v != nil {
			s.log.ErrorContext(r.Context(), "panic serving request", "pattern", r.Pattern, "panic", v)
			writeError(rec, s.log, r, errInternal)
		}
		level := slog.LevelDebug
		if rec.status >= 500 {
			level = slog.LevelError
		}
		s.log.Log(r.Context(), level, "request", "method", r.Method, "pattern", r.Pattern,
			"status", rec.status, "duration", time.Since(start))
	}()
	s.mux.ServeHTTP(rec, r)
}

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
