package pages

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"time"

	"healthcode"
	"healthcode/internal/ingest"
	"healthcode/internal/service"
)

// maxReleaseList bounds a release list's file as the API does: 5 000
// rows are well under it.
const maxReleaseList = 2 << 20

// releaseListsView is the isolation point's upload page: the form, the
// report of the list just uploaded, and the lists uploaded before.
type releaseListsView struct {
	Report   *service.ReleaseReport
	Results  []releaseResult
	Lists    []service.ReleaseView
	Problems []string // why a list was refused whole, in the page's language
}

// releaseResult is one row's outcome in the page's language.
type releaseResult struct {
	Row     int
	Outcome string
	Message string
}

func (p *Pages) releaseListsForm(w http.ResponseWriter, r *http.Request, c *ctx) {
	p.releaseListsPage(w, r, c, &releaseListsView{}, nil)
}

func (p *Pages) releaseListsPage(w http.ResponseWriter, r *http.Request, c *ctx, v *releaseListsView, formErr error) {
	var err error
	if v.Lists, err = p.svc.ReleaseLists(r.Context(), c.official); err != nil {
		p.failErr(w, r, c, err)
		return
	}
	pg := p.newPage(r, c, "title.release_lists")
	pg.Data = v
	status := http.StatusOK
	if r.Method == http.MethodPost {
		pg.Form = keep(r.PostForm, []string{"point", "division"})
	}
	if formErr != nil {
		status = p.formError(r, c, pg, formErr)
		v.Problems = rowProblems(pg)
	} else if v.Report != nil {
		pg.Notice = fmt.Sprintf(pg.T("release.done"), v.Report.Rows, v.Report.Released, v.Report.Pending, v.Report.Refused)
		if v.Report.Repeat {
			pg.Notice = pg.T("release.repeat")
		}
	}
	p.render(w, r, status, "release_lists", pg)
}

// uploadReleaseList applies an isolation point's CSV list (SPEC D2) and
// shows what became of each row.
func (p *Pages) uploadReleaseList(w http.ResponseWriter, r *http.Request, c *ctx) {
	list, err := releaseListOf(r)
	if err != nil {
		p.releaseListsPage(w, r, c, &releaseListsView{}, err)
		return
	}
	rep, err := p.svc.UploadReleaseList(r.Context(), c.official, list)
	if err != nil {
		p.releaseListsPage(w, r, c, &releaseListsView{}, err)
		return
	}
	v := &releaseListsView{Report: rep}
	for _, res := range rep.Results {
		v.Results = append(v.Results, releaseResult{Row: res.Row, Outcome: string(res.Outcome), Message: res.In(c.lang)})
	}
	p.releaseListsPage(w, r, c, v, nil)
}

// releaseListOf reads the form's CSV file as the API reads a text/csv
// body: the same decoder, the same checks in the service.
func releaseListOf(r *http.Request) (service.ReleaseList, error) {
	list := service.ReleaseList{Point: r.PostFormValue("point"), Division: r.PostFormValue("division")}
	f, err := uploaded(r, "file")
	if err != nil || f == nil {
		var p healthcode.Problems
		p.Add("file", "is required")
		return list, p.Err()
	}
	sum := sha256.Sum256(f.Data)
	list.SHA256 = sum[:]
	list.Rows, err = ingest.NewReleaseDecoder(bytes.NewReader(f.Data), time.Now()).ReleaseRows(func(rej ingest.Rejection) {
		list.Rejected = append(list.Rejected, rej)
	})
	return list, err
}

var rowField = regexp.MustCompile(`^row (\d+)(?:: (\w+))?$`)

// rowProblems are the field errors of a list refused whole, each row's
// and column's named in the page's language; a field of the form keeps
// its error next to it too.
func rowProblems(pg *page) []string {
	var out []string
	for field, why := range pg.Errors {
		m := rowField.FindStringSubmatch(field)
		switch {
		case m == nil:
			out = append(out, pg.T("release.field."+field)+": "+why)
		case m[2] == "":
			out = append(out, fmt.Sprintf(pg.T("release.row"), m[1])+": "+why)
		default:
			out = append(out, fmt.Sprintf(pg.T("release.row"), m[1])+" · "+pg.T("release.col."+m[2])+": "+why)
		}
	}
	sort.Strings(out)
	return out
}
