package web

import (
	"net/http"
	"strconv"

	"golang.org/x/mod/sumdb/tlog"

	"healthcode"
)

// The public log's routes (docs/log.md). Hashes are in standard base64,
// as tlog.Hash prints them; entry bytes too, so that they reach the
// client exactly as they were hashed.

func (s *Server) handleLogHead(w http.ResponseWriter, r *http.Request) {
	head, err := s.svc.LogHead(r.Context())
	if err != nil {
		writeError(w, s.log, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(head.Note)
}

func (s *Server) handleLogKey(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte(s.svc.LogVerifierKey() + "\n"))
}

func (s *Server) handleLogEntry(w http.ResponseWriter, r *http.Request) {
	index, err := logNumber(r.PathValue("index"), "index")
	if err != nil {
		writeError(w, s.log, r, err)
		return
	}
	rec, leaf, err := s.svc.LogEntry(r.Context(), index)
	if err != nil {
		writeError(w, s.log, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"index": index, "entry": rec.Body, "leaf_hash": leaf})
}

func (s *Server) handleLogInclusion(w http.ResponseWriter, r *http.Request) {
	index, err1 := logNumber(r.URL.Query().Get("index"), "index")
	size, err2 := logNumber(r.URL.Query().Get("size"), "size")
	if err := firstErr(err1, err2); err != nil {
		writeError(w, s.log, r, err)
		return
	}
	p, err := s.svc.LogInclusion(r.Context(), index, size)
	s.reply(w, r, http.StatusOK, map[string]any{"index": index, "size": size, "hashes": hashes(p)}, err)
}

func (s *Server) handleLogConsistency(w http.ResponseWriter, r *http.Request) {
	from, err1 := logNumber(r.URL.Query().Get("from"), "from")
	to, err2 := logNumber(r.URL.Query().Get("to"), "to")
	if err := firstErr(err1, err2); err != nil {
		writeError(w, s.log, r, err)
		return
	}
	p, err := s.svc.LogConsistency(r.Context(), from, to)
	s.reply(w, r, http.StatusOK, map[string]any{"from": from, "to": to, "hashes": hashes(p)}, err)
}

func (s *Server) handleLogTile(w http.ResponseWriter, r *http.Request) {
	b, err := s.svc.LogTile(r.Context(), "tile/"+r.PathValue("path"))
	if err != nil {
		writeError(w, s.log, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Write(b)
}

// hashes lists a proof's hashes, [] rather than null for an empty one.
func hashes[P ~[]tlog.Hash](p P) []tlog.Hash {
	if p == nil {
		return []tlog.Hash{}
	}
	return p
}

func logNumber(v, field string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, healthcode.Errorf(healthcode.EINVALID, "%s must be a whole number, 0 or more.", field)
	}
	return n, nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
