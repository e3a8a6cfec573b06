package web

import (
	_ "embed"
	"encoding/base64"
	"net/http"
	"strconv"
	"time"

	"healthcode"
	"healthcode/healthqr"
	"healthcode/internal/service"
)

//go:embed openapi.yaml
var openapiYAML []byte

// handleHealth says the process is alive and serving; it asks nothing of
// the database, so that a database outage does not get servers restarted.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleReady says whether this server can serve requests now: 503 with
// Retry-After while its database cannot be reached.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.Ready(r.Context()); err != nil {
		writeError(w, s.log, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Write(openapiYAML)
}

func (s *Server) handleRequestOTP(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Phone string `json:"phone"`
	}
	if err := decode(r, &in); err != nil {
		writeError(w, s.log, r, err)
		return
	}
	res, err := s.svc.RequestOTP(r.Context(), in.Phone)
	s.reply(w, r, http.StatusAccepted, res, err)
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Phone string `json:"phone"`
		Code  string `json:"code"`
	}
	if err := decode(r, &in); err != nil {
		writeError(w, s.log, r, err)
		return
	}
	res, err := s.svc.Login(r.Context(), in.Phone, in.Code)
	s.reply(w, r, http.StatusOK, res, err)
}

// handleLogout ends the session whose token authorised the request.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	token, _ := bearer(r) // the route's allow-list has checked it
	if err := s.svc.Logout(r.Context(), token); err != nil {
		writeError(w, s.log, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleKeys(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"issuer": s.svc.Issuer(), "keys": s.svc.Keys()})
}

func (s *Server) handleVerify(w http.ResponseWriter, r *http.Request) {
	// scanned_at is read as text first, so a time that does not parse is
	// named as the field it is (encoding/json's time errors name none).
	var wire struct {
		service.VerifyInput
		ScannedAt *string `json:"scanned_at,omitempty"`
	}
	if err := decode(r, &wire); err != nil {
		writeError(w, s.log, r, err)
		return
	}
	in := wire.VerifyInput
	if wire.ScannedAt != nil {
		at, err := time.Parse(time.RFC3339, *wire.ScannedAt)
		if err != nil {
			writeError(w, s.log, r, fieldError("scanned_at", healthcode.M("must be an RFC 3339 time such as 2026-12-03T08:15:00+08:00")))
			return
		}
		in.ScannedAt = &at
	}
	res, err := s.svc.Verify(r.Context(), who(r), in)
	if err == nil {
		res.Localize(requestLang(r))
	}
	s.reply(w, r, http.StatusOK, res, err)
}

func (s *Server) handlePersons(w http.ResponseWriter, r *http.Request) {
	res, err := s.svc.Persons(r.Context(), who(r))
	s.reply(w, r, http.StatusOK, map[string]any{"persons": res}, err)
}

func (s *Server) handleApply(w http.ResponseWriter, r *http.Request) {
	var in service.ApplyInput
	if err := decode(r, &in); err != nil {
		writeError(w, s.log, r, err)
		return
	}
	res, err := s.svc.Apply(r.Context(), who(r), in)
	s.reply(w, r, http.StatusCreated, res, err)
}

func (s *Server) handleConsent(w http.ResponseWriter, r *http.Request) {
	var in service.ConsentInput
	if err := decode(r, &in); err != nil {
		writeError(w, s.log, r, err)
		return
	}
	res, err := s.svc.RequestConsent(r.Context(), who(r), in)
	s.reply(w, r, http.StatusAccepted, res, err)
}

func (s *Server) handlePerson(w http.ResponseWriter, r *http.Request) {
	s.withID(w, r, func(id int64) (any, error) { return s.svc.Person(r.Context(), who(r), id) })
}

func (s *Server) handleModify(w http.ResponseWriter, r *http.Request) {
	var in service.ModifyInput
	s.withBodyID(w, r, http.StatusOK, &in, func(id int64) (any, error) { return s.svc.Modify(r.Context(), who(r), id, in) })
}

func (s *Server) handleReapply(w http.ResponseWriter, r *http.Request) {
	var in service.ApplyInput
	s.withBodyID(w, r, http.StatusOK, &in, func(id int64) (any, error) { return s.svc.Reapply(r.Context(), who(r), id, in) })
}

func (s *Server) handleCheckIn(w http.ResponseWriter, r *http.Request) {
	var in service.CheckInInput
	id, err := pathID(r)
	if err == nil {
		err = decode(r, &in)
	}
	if err != nil {
		writeError(w, s.log, r, err)
		return
	}
	res, err := s.svc.CheckIn(r.Context(), who(r), id, in)
	s.reply(w, r, http.StatusCreated, res, err)
}

func (s *Server) handleVisit(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Venue string `json:"venue"`
	}
	s.withBodyID(w, r, http.StatusOK, &in, func(id int64) (any, error) {
		v, err := s.svc.Visit(r.Context(), who(r), id, in.Venue)
		return map[string]any{"venue": v}, err
	})
}

func (s *Server) handleVenue(w http.ResponseWriter, r *http.Request) {
	v, err := s.svc.Venue(r.PathValue("code"))
	s.reply(w, r, http.StatusOK, v, err)
}

func (s *Server) handleCreateVenue(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name   string `json:"name"`
		Region string `json:"region"`
	}
	if err := decode(r, &in); err != nil {
		writeError(w, s.log, r, err)
		return
	}
	v, err := s.svc.CreateVenue(r.Context(), who(r), in.Name, in.Region)
	s.reply(w, r, http.StatusCreated, v, err)
}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	s.withID(w, r, func(id int64) (any, error) { return s.svc.Status(r.Context(), who(r), id) })
}

func (s *Server) handleHistory(w http.ResponseWriter, r *http.Request) {
	s.withID(w, r, func(id int64) (any, error) { return s.svc.History(r.Context(), who(r), id) })
}

// codeResponse carries the token with its QR images, so one request gives
// a page everything it shows.
type codeResponse struct {
	*service.Code
	QRPNG string `json:"qr_png"` // data: URL
	QRSVG string `json:"qr_svg"`
}

func (s *Server) handleCode(w http.ResponseWriter, r *http.Request) {
	s.withID(w, r, func(id int64) (any, error) {
		c, err := s.svc.Code(r.Context(), who(r), id)
		if err != nil {
			return nil, err
		}
		png, err := healthqr.PNG(c.Token, qrSize)
		if err != nil {
			return nil, err
		}
		svg, err := healthqr.SVG(c.Token)
		if err != nil {
			return nil, err
		}
		return codeResponse{Code: c, QRPNG: "data:image/png;base64," + base64.StdEncoding.EncodeToString(png), QRSVG: string(svg)}, nil
	})
}

// qrSize is the PNG's width in pixels: sharp on a phone held up to a scanner.
const qrSize = 384

func (s *Server) handleCodePNG(w http.ResponseWriter, r *http.Request) {
	s.codeImage(w, r, "image/png", func(token string) ([]byte, error) { return healthqr.PNG(token, qrSize) })
}

func (s *Server) handleCodeSVG(w http.ResponseWriter, r *http.Request) {
	s.codeImage(w, r, "image/svg+xml", healthqr.SVG)
}

func (s *Server) codeImage(w http.ResponseWriter, r *http.Request, contentType string, render func(string) ([]byte, error)) {
	id, err := pathID(r)
	if err != nil {
		writeError(w, s.log, r, err)
		return
	}
	c, err := s.svc.Code(r.Context(), who(r), id)
	if err != nil {
		writeError(w, s.log, r, err)
		return
	}
	img, err := render(c.Token)
	if err != nil {
		writeError(w, s.log, r, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Code-Expires-At", c.ExpiresAt.Format(http.TimeFormat))
	w.Write(img)
}

func (s *Server) withID(w http.ResponseWriter, r *http.Request, fn func(id int64) (any, error)) {
	s.answerID(w, r, http.StatusOK, fn)
}

// answerID answers fn's result for the path's person id with status.
func (s *Server) answerID(w http.ResponseWriter, r *http.Request, status int, fn func(id int64) (any, error)) {
	id, err := pathID(r)
	if err != nil {
		writeError(w, s.log, r, err)
		return
	}
	res, err := fn(id)
	s.reply(w, r, status, res, err)
}

// withBodyID decodes body, then answers fn's result for the path's person
// id with status (201 where fn creates what it returns).
func (s *Server) withBodyID(w http.ResponseWriter, r *http.Request, status int, body any, fn func(id int64) (any, error)) {
	if err := decode(r, body); err != nil {
		writeError(w, s.log, r, err)
		return
	}
	s.answerID(w, r, status, fn)
}

func (s *Server) reply(w http.ResponseWriter, r *http.Request, status int, res any, err error) {
	if err != nil {
		writeError(w, s.log, r, err)
		return
	}
	writeJSON(w, status, res)
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fieldError("id", healthcode.M("must be a positive person id"))
	}
	return id, nil
}

func who(r *http.Request) *healthcode.Principal { return healthcode.PrincipalFromContext(r.Context()) }

func (s *Server) handleSimulate(w http.ResponseWriter, r *http.Request) {
	var in service.SimulateInput
	if err := decode(r, &in); err != nil {
		writeError(w, s.log, r, err)
		return
	}
	res, err := s.svc.Simulate(r.Context(), who(r), in, nil)
	s.reply(w, r, http.StatusOK, res, err)
}

func (s *Server) handleEvaluatePolicy(w http.ResponseWriter, r *http.Request) {
	var in service.EvaluateInput
	if err := decode(r, &in); err != nil {
		writeError(w, s.log, r, err)
		return
	}
	res, err := s.svc.EvaluatePack(r.Context(), who(r), in)
	s.reply(w, r, http.StatusOK, res, err)
}
