package pages

import (
	"net/http"
	"strconv"

	"healthcode/internal/permission"
	"healthcode/internal/service"
)

// personsPage is how many persons one page of the scope's list shows.
const personsPage = 50

// officialHomeView is the official's start page: their queue, overdue
// first, and the persons of their scope, page by page.
type officialHomeView struct {
	Queue   []service.WorkflowView
	Persons []service.PersonSummary
	Next    int64 // the after= of the next page of persons; 0: the last page
	After   int64
	Uploads bool // the caller uploads release lists
}

func (p *Pages) officialHome(w http.ResponseWriter, r *http.Request, c *ctx) {
	after, err := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	if err != nil || after < 0 {
		after = 0
	}
	v := &officialHomeView{After: after, Uploads: permission.Can(c.official, permission.UploadReleaseLists, "")}
	if v.Queue, err = p.svc.WorkQueue(r.Context(), c.official); err != nil {
		p.failErr(w, r, c, err)
		return
	}
	if v.Persons, err = p.svc.PersonsInScope(r.Context(), c.official, after, personsPage); err != nil {
		p.failErr(w, r, c, err)
		return
	}
	if len(v.Persons) == personsPage {
		v.Next = v.Persons[len(v.Persons)-1].ID
	}
	pg := p.newPage(r, c, "title.officials")
	pg.Data = v
	p.render(w, r, http.StatusOK, "official_home", pg)
}
