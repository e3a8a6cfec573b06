package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"time"

	"healthcode"
	"healthcode/internal/ingest"
	"healthcode/internal/service"
)

// maxReleaseBody bounds a release list's body: 5 000 rows of JSON are
// well under it.
const maxReleaseBody = 2 << 20

// handleUploadReleaseList reads an isolation point's release list whole —
// CSV with the point and division in the query, or a JSON object holding
// them and the rows — and applies it.
func (s *Server) handleUploadReleaseList(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxReleaseBody+1))
	switch {
	case err != nil:
		writeError(w, s.log, r, healthcode.Errorf(healthcode.EINVALID, "The body could not be read."))
		return
	case len(body) > maxReleaseBody:
		writeError(w, s.log, r, healthcode.Errorf(healthcode.EINVALID, "A release list is at most %d MiB; split it.", maxReleaseBody>>20))
		return
	}
	list, err := releaseListOf(r, body)
	if err != nil {
		writeError(w, s.log, r, err)
		return
	}
	rep, err := s.svc.UploadReleaseList(r.Context(), who(r), list)
	if err != nil {
		writeError(w, s.log, r, err)
		return
	}
	lang := requestLang(r)
	for i := range rep.Results {
		rep.Results[i].Message = rep.Results[i].In(lang)
	}
	status := http.StatusCreated
	if rep.Repeat {
		status = http.StatusOK
	}
	writeJSON(w, status, rep)
}

// releaseListOf decodes the body by its Content-Type.
func releaseListOf(r *http.Request, body []byte) (service.ReleaseList, error) {
	sum := sha256.Sum256(body)
	list := service.ReleaseList{SHA256: sum[:]}
	reject := func(rej ingest.Rejection) { list.Rejected = append(list.Rejected, rej) }
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var dec *ingest.Decoder
	switch {
	case err == nil && (mt == "text/csv" || mt == "application/csv"):
		q := r.URL.Query()
		list.Point, list.Division = q.Get("point"), q.Get("division")
		dec = ingest.NewReleaseDecoder(bytes.NewReader(body), time.Now())
	case err == nil && mt == "application/json":
		var in struct {
			Point    string            `json:"point"`
			Division string            `json:"division"`
			Rows     []json.RawMessage `json:"rows"`
		}
		if err := decodeFrom(bytes.NewReader(body), &in); err != nil {
			return list, err
		}
		list.Point, list.Division = in.Point, in.Division
		dec = ingest.NewReleaseRowsDecoder(in.Rows, time.Now())
	default:
		return list, healthcode.Errorf(healthcode.EINVALID, "Release lists are text/csv, with point and division in the query, or application/json.")
	}
	list.Rows, err = dec.ReleaseRows(reject)
	return list, err
}

func (s *Server) handleReleaseLists(w http.ResponseWriter, r *http.Request) {
	ls, err := s.svc.ReleaseLists(r.Context(), who(r))
	s.reply(w, r, http.StatusOK, map[string]any{"lists": ls}, err)
}

func (s *Server) handleRecordFinding(w http.ResponseWriter, r *http.Request) {
	var in service.Finding
	s.withBodyID(w, r, http.StatusCreated, &in, func(id int64) (any, error) { return s.svc.RecordFinding(r.Context(), who(r), id, in) })
}

func (s *Server) handleCredit(w http.ResponseWriter, r *http.Request) {
	s.withID(w, r, func(id int64) (any, error) {
		cs, err := s.svc.CreditRecords(r.Context(), who(r), id)
		return map[string]any{"records": cs}, err
	})
}
