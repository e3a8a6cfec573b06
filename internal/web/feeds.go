package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"healthcode/internal/httpstatus"
	"healthcode/internal/ingest"
	"healthcode/internal/service"
)

// feedBatch is how many rows go into one transaction with the
// re-evaluation of the persons they touch.
const feedBatch = 1000

// maxRejections bounds the rejections a response lists; the count is
// always whole.
const maxRejections = 1000

// feedOutcome is what every feed's answer tells besides what was stored:
// the rejected rows, and a failure that stopped the feed.
type feedOutcome struct {
	Rejected   int                `json:"rejected"`
	Rejections []ingest.Rejection `json:"rejections"`      // the first maxRejections
	Error      *errorDetail       `json:"error,omitempty"` // a problem with the file as a whole, or a failed batch
}

func (o *feedOutcome) reject(rej ingest.Rejection) {
	o.Rejected++
	if len(o.Rejections) < maxRejections {
		o.Rejections = append(o.Rejections, rej)
	}
}

// writeFeedReport answers with rep, whose outcome o is: 200, or, when err
// stopped the feed, err's status with the error in o.
func (s *Server) writeFeedReport(w http.ResponseWriter, r *http.Request, rep any, o *feedOutcome, err error) {
	lang := requestLang(r)
	for i := range o.Rejections {
		o.Rejections[i].Reason = o.Rejections[i].In(lang)
	}
	if err == nil {
		writeJSON(w, http.StatusOK, rep)
		return
	}
	code := noteError(w, s.log, r, "feed failed", err, "kind", r.PathValue("kind"))
	d := errorOf(r, code, err)
	o.Error = &d
	writeJSON(w, httpstatus.Of(code), rep)
}

// feedReport is the answer to a feed upload.
type feedReport struct {
	service.IngestResult
	feedOutcome
}

// handleFeed streams a feed body: rows are decoded as they arrive and
// stored a batch at a time, each batch committed together with the new
// colours of the persons it touches. Batches stored before a problem with
// the file stay stored: the report says how far it got, and re-sending the
// file is harmless.
func (s *Server) handleFeed(w http.ResponseWriter, r *http.Request) {
	kind := r.PathValue("kind")
	if err := s.svc.FeedAllowed(who(r), kind); err != nil {
		writeError(w, s.log, r, err)
		return
	}
	// A feed can be millions of rows: lift the server's read and write
	// deadlines, meant for small requests, for this authenticated stream.
	rc := http.NewResponseController(w)
	if err := errors.Join(rc.SetReadDeadline(time.Time{}), rc.SetWriteDeadline(time.Time{})); err != nil {
		s.log.WarnContext(r.Context(), "feed: cannot lift deadlines", "err", err)
	}
	format, err := ingest.DetectFormat(r.Header.Get("Content-Type"))
	if err != nil {
		writeError(w, s.log, r, err)
		return
	}
	dec, err := ingest.NewDecoder(kind, format, r.Body, time.Now())
	if err != nil {
		writeError(w, s.log, r, err)
		return
	}
	if kind == "designation" {
		s.designationFeed(w, r, dec)
		return
	}
	rep := &feedReport{feedOutcome: feedOutcome{Rejections: []ingest.Rejection{}}}
	res, _, failed := service.IngestStream(r.Context(), dec, service.Stream{
		Batch: feedBatch,
		Store: func(ctx context.Context, rows []ingest.Row) (service.IngestResult, error) {
			return s.svc.Ingest(ctx, who(r), kind, rows)
		},
		Rejected: rep.reject,
	})
	rep.IngestResult = res
	s.writeFeedReport(w, r, rep, &rep.feedOutcome, failed)
}

// designationReport is the answer to a designation feed.
type designationReport struct {
	service.DesignationResult
	feedOutcome
}

// designationFeed reads a designation feed whole, then stores and applies
// it: a headquarters sends a few areas, each of which may colour many
// people. Good rows are applied even when others were rejected.
func (s *Server) designationFeed(w http.ResponseWriter, r *http.Request, dec *ingest.Decoder) {
	rep := &designationReport{feedOutcome: feedOutcome{Rejections: []ingest.Rejection{}}}
	rows, err := dec.Designations(rep.reject)
	if err == nil {
		rep.DesignationResult, err = s.svc.Designate(r.Context(), who(r), rows)
	}
	s.writeFeedReport(w, r, rep, &rep.feedOutcome, err)
}
