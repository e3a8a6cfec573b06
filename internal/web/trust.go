package web

import (
	"net/http"
)

// handleTrust serves the signed trust list as this server fetched it, with
// its ETag; 404 when the server has none.
func (s *Server) handleTrust(w http.ResponseWriter, r *http.Request) {
	note, etag := s.svc.TrustList()
	if note == nil {
		http.Error(w, "no trust list", http.StatusNotFound)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "no-cache")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(note)
}

// handleTrustKeys serves every key this server accepts codes of, in the
// shape of GET /api/v1/keys; 404 without a trust list (the offline page
// then reads /api/v1/keys).
func (s *Server) handleTrustKeys(w http.ResponseWriter, r *http.Request) {
	if note, _ := s.svc.TrustList(); note == nil {
		http.Error(w, "no trust list", http.StatusNotFound)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"issuer": s.svc.Issuer(), "keys": s.svc.TrustedKeys()})
}

// handleLinkForeignCode links another region's code to a person.
func (s *Server) handleLinkForeignCode(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Token string `json:"token"`
	}
	s.withBodyID(w, r, http.StatusOK, &in, func(id int64) (any, error) { return s.svc.LinkForeignCode(r.Context(), who(r), id, in.Token) })
}
