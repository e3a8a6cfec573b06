package web

import (
	"net/http"
	"strconv"
	"strings"

	"healthcode"
	"healthcode/internal/service"
)

// Officials' accounts, their logins and what they see of persons
// (docs/officials.md).

func (s *Server) handleOfficialLogin(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Login    string `json:"login"`
		Password string `json:"password"`
		Code     string `json:"code"`
	}
	if err := decode(r, &in); err != nil {
		writeError(w, s.log, r, err)
		return
	}
	res, err := s.svc.OfficialLogin(r.Context(), in.Login, in.Password, in.Code)
	s.reply(w, r, http.StatusOK, res, err)
}

// handleOfficialLogout ends the official's session whose token the
// request carries. Any other token, or none, ends nothing and is no
// error, as logging out twice is none.
func (s *Server) handleOfficialLogout(w http.ResponseWriter, r *http.Request) {
	if token, ok := bearer(r); ok && who(r) != nil && who(r).OfficialID != 0 {
		if err := s.svc.OfficialLogout(r.Context(), token); err != nil {
			writeError(w, s.log, r, err)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// appointed is a new account's answer: its TOTP secret, shown this once.
type appointed struct {
	Official   service.OfficialView `json:"official"`
	TOTPURI    string               `json:"totp_uri"`
	TOTPSecret string               `json:"totp_secret"`
}

func (s *Server) handleCreateOfficial(w http.ResponseWriter, r *http.Request) {
	var in service.OfficialSpec
	if err := decode(r, &in); err != nil {
		writeError(w, s.log, r, err)
		return
	}
	a, err := s.svc.CreateOfficial(r.Context(), who(r), in)
	if err != nil {
		writeError(w, s.log, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, appointed{service.OfficialViewOf(a.Official), a.TOTPURI, a.TOTPSecret})
}

func (s *Server) handleOfficials(w http.ResponseWriter, r *http.Request) {
	os, err := s.svc.ListOfficials(r.Context(), who(r))
	views := make([]service.OfficialView, len(os))
	for i := range os {
		views[i] = service.OfficialViewOf(&os[i])
	}
	s.reply(w, r, http.StatusOK, map[string]any{"officials": views}, err)
}

func (s *Server) handleDisableOfficial(w http.ResponseWriter, r *http.Request) {
	s.withID(w, r, func(id int64) (any, error) {
		o, err := s.svc.DisableOfficial(r.Context(), who(r), id)
		if err != nil {
			return nil, err
		}
		return service.OfficialViewOf(o), nil
	})
}

func (s *Server) handleOfficialPersons(w http.ResponseWriter, r *http.Request) {
	after, err1 := queryNumber(r, "after", 0)
	limit, err2 := queryNumber(r, "limit", 100)
	for _, err := range []error{err1, err2} {
		if err != nil {
			writeError(w, s.log, r, err)
			return
		}
	}
	ps, err := s.svc.PersonsInScope(r.Context(), who(r), after, int(min(limit, 1<<20)))
	s.reply(w, r, http.StatusOK, map[string]any{"persons": ps}, err)
}

// queryNumber reads a whole number of 0 or more from the query, def when
// it is absent.
func queryNumber(r *http.Request, field string, def int64) (int64, error) {
	v := strings.TrimSpace(r.URL.Query().Get(field))
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, healthcode.Errorf(healthcode.EINVALID, "%s must be a whole number, 0 or more.", field)
	}
	return n, nil
}

func (s *Server) handleOfficialPerson(w http.ResponseWriter, r *http.Request) {
	s.withID(w, r, func(id int64) (any, error) { return s.svc.OfficialPerson(r.Context(), who(r), id) })
}

func (s *Server) handleUnmask(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason   string `json:"reason"`
		Category string `json:"category"`
	}
	s.withBodyID(w, r, http.StatusOK, &in, func(id int64) (any, error) {
		return s.svc.UnmaskPerson(r.Context(), who(r), id, in.Reason, in.Category)
	})
}
