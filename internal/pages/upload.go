package pages

import (
	"errors"
	"io"
	"net/http"

	"healthcode/internal/service"
	"healthcode/internal/workflow"
)

// maxUpload bounds a form that carries one attachment: the largest file
// the service takes and the form's own fields. A slightly larger file
// still reaches the service, whose field error says how large it may be;
// only a far larger body is cut off here.
const maxUpload = workflow.MaxAttachment + maxForm

// uploads are the routes whose forms are multipart/form-data with a file,
// and their body bounds.
var uploads = map[string]int64{
	"POST /app/p/{id}/appeal":       maxUpload,
	"POST /officials/release-lists": maxReleaseList + maxForm,
}

// readForm bounds a POST's body and parses it; it reports false when it
// has answered: a body over the bound is refused as too large instead of
// as an expired form, which is what a form without its fields would be.
func (p *Pages) readForm(w http.ResponseWriter, r *http.Request, c *ctx, pattern string) bool {
	bound, upload := uploads[pattern]
	if !upload {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		return true
	}
	r.Body = http.MaxBytesReader(w, r.Body, bound)
	// In memory up to the bound: no temporary file is ever written.
	err := r.ParseMultipartForm(bound)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		p.fail(w, r, c, http.StatusRequestEntityTooLarge, translate(c.lang, "err.too_large"))
		return false
	}
	return true
}

// uploaded is the file of a form's field as the service takes it, nil
// when none was chosen (a browser sends an empty part without a name).
func uploaded(r *http.Request, field string) (*service.File, error) {
	f, h, err := r.FormFile(field)
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	if h.Filename == "" && len(data) == 0 {
		return nil, nil
	}
	return &service.File{Filename: h.Filename, Data: data}, nil
}
