package web

import (
	"net/http"

	"healthcode/internal/service"
)

// Paper passes (docs/federation.md#paper-passes) and the checkpoints'
// look-up by ID number.

func (s *Server) handleIssuePass(w http.ResponseWriter, r *http.Request) {
	var in service.PassInput
	s.withBodyID(w, r, http.StatusCreated, &in, func(id int64) (any, error) { return s.svc.IssuePass(r.Context(), who(r), id, in) })
}

func (s *Server) handlePersonPasses(w http.ResponseWriter, r *http.Request) {
	s.withID(w, r, func(id int64) (any, error) {
		ps, err := s.svc.PersonPasses(r.Context(), who(r), id)
		return map[string]any{"passes": ps}, err
	})
}

func (s *Server) handlePass(w http.ResponseWriter, r *http.Request) {
	res, err := s.svc.PassSheet(r.Context(), who(r), r.PathValue("pass"))
	s.reply(w, r, http.StatusOK, res, err)
}

func (s *Server) handleRevokePass(w http.ResponseWriter, r *http.Request) {
	res, err := s.svc.RevokePass(r.Context(), who(r), r.PathValue("pass"))
	s.reply(w, r, http.StatusOK, res, err)
}

func (s *Server) handleLookup(w http.ResponseWriter, r *http.Request) {
	var in service.LookupInput
	if err := decode(r, &in); err != nil {
		writeError(w, s.log, r, err)
		return
	}
	res, err := s.svc.LookUpPerson(r.Context(), who(r), in)
	s.reply(w, r, http.StatusOK, res, err)
}
