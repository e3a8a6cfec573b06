package web

import (
	"encoding/base64"
	"mime"
	"net/http"
	"strconv"

	"healthcode"
	"healthcode/internal/service"
	"healthcode/internal/workflow"
)

// maxAppealBody holds an appeal with its largest attachment, base64.
const maxAppealBody = maxBody + workflow.MaxAttachment*4/3 + 4

// fileInput is an attached file as JSON carries it.
type fileInput struct {
	Filename      string `json:"filename"`
	ContentBase64 string `json:"content_base64"`
}

// file decodes an attachment; nil for none.
func (f *fileInput) file() (*service.File, error) {
	if f == nil {
		return nil, nil
	}
	data, err := base64.StdEncoding.DecodeString(f.ContentBase64)
	if err != nil {
		return nil, fieldError("attachment.content_base64", healthcode.M("must be the file in standard base64"))
	}
	return &service.File{Filename: f.Filename, Data: data}, nil
}

func (s *Server) handleFileAppeal(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason     string     `json:"reason"`
		Attachment *fileInput `json:"attachment"`
	}
	id, err := pathID(r)
	if err == nil {
		err = decodeUpTo(r, &in, maxAppealBody)
	}
	var f *service.File
	if err == nil {
		f, err = in.Attachment.file()
	}
	if err != nil {
		writeError(w, s.log, r, err)
		return
	}
	v, err := s.svc.FileAppeal(r.Context(), who(r), id, service.AppealInput{Reason: in.Reason, Attachment: f})
	s.reply(w, r, http.StatusCreated, v, err)
}

func (s *Server) handleAppeals(w http.ResponseWriter, r *http.Request) {
	s.withID(w, r, func(id int64) (any, error) {
		vs, err := s.svc.Appeals(r.Context(), who(r), id)
		return map[string]any{"appeals": vs}, err
	})
}

// handleEditAppeal answers every attempt to change a filed appeal (D1):
// there is nothing to change, for anyone.
func (s *Server) handleEditAppeal(w http.ResponseWriter, r *http.Request) {
	writeError(w, s.log, r, healthcode.Errorf(healthcode.ECONFLICT, "An appeal cannot be changed once filed; file a new one after its answer."))
}

func (s *Server) handleFileCorrection(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Variant string `json:"variant"`
		Reason  string `json:"reason"`
	}
	s.withBodyID(w, r, http.StatusOK, &in, func(id int64) (any, error) {
		return s.svc.StartWorkflow(r.Context(), who(r), service.StartInput{Kind: healthcode.WorkflowErrorCorrection, PersonID: id,
			Form: healthcode.WorkflowForm{Variant: in.Variant, Reason: in.Reason}})
	})
}

func (s *Server) handleStartWorkflow(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Kind     healthcode.WorkflowKind `json:"kind"`
		PersonID int64                   `json:"person_id"`
		healthcode.WorkflowForm
	}
	if err := decode(r, &in); err != nil {
		writeError(w, s.log, r, err)
		return
	}
	v, err := s.svc.StartWorkflow(r.Context(), who(r), service.StartInput{Kind: in.Kind, PersonID: in.PersonID, Form: in.WorkflowForm})
	s.reply(w, r, http.StatusCreated, v, err)
}

func (s *Server) handleQueue(w http.ResponseWriter, r *http.Request) {
	vs, err := s.svc.WorkQueue(r.Context(), who(r))
	s.reply(w, r, http.StatusOK, map[string]any{"workflows": vs}, err)
}

func (s *Server) handleWorkflow(w http.ResponseWriter, r *http.Request) {
	s.withWorkflowID(w, r, func(id int64) (any, error) { return s.svc.Workflow(r.Context(), who(r), id) })
}

func (s *Server) handleStep(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Seq    int    `json:"seq"`
		Action string `json:"action"`
		Note   string `json:"note"`
		Colour string `json:"colour"`
	}
	if err := decode(r, &in); err != nil {
		writeError(w, s.log, r, err)
		return
	}
	s.withWorkflowID(w, r, func(id int64) (any, error) {
		return s.svc.Act(r.Context(), who(r), id, service.StepInput{Seq: in.Seq, Action: in.Action, Note: in.Note, Colour: in.Colour})
	})
}

// handleAttachment serves a filed file as a download of the type its
// bytes were checked to be, never rendered in the API's origin.
func (s *Server) handleAttachment(w http.ResponseWriter, r *http.Request) {
	id, err := workflowID(r)
	var a *healthcode.Attachment
	if err == nil {
		a, err = s.svc.WorkflowAttachment(r.Context(), who(r), id)
	}
	if err != nil {
		writeError(w, s.log, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename}))
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(a.Data)))
	w.Write(a.Data)
}

func (s *Server) withWorkflowID(w http.ResponseWriter, r *http.Request, fn func(id int64) (any, error)) {
	id, err := workflowID(r)
	if err != nil {
		writeError(w, s.log, r, err)
		return
	}
	res, err := fn(id)
	s.reply(w, r, http.StatusOK, res, err)
}

func workflowID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fieldError("id", healthcode.M("must be a positive workflow id"))
	}
	return id, nil
}
