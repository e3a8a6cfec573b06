package pages

import (
	"net/http"
	"strconv"
)

// foreignCodeForm asks for another region's code to link to the person
// (docs/federation.md, "The issuing region's authority").
func (p *Pages) foreignCodeForm(w http.ResponseWriter, r *http.Request, c *ctx) {
	p.foreignCodePage(w, r, c, nil)
}

// linkForeignCode links the code pasted (or scanned into the field) and
// goes back to the code page, which shows the colour it brought.
func (p *Pages) linkForeignCode(w http.ResponseWriter, r *http.Request, c *ctx) {
	person, ok := p.person(w, r, c)
	if !ok {
		return
	}
	if _, err := p.svc.LinkForeignCode(r.Context(), c.citizen, person.ID, r.PostFormValue("token")); err != nil {
		p.foreignCodePage(w, r, c, err)
		return
	}
	http.Redirect(w, r, "/app/p/"+strconv.FormatInt(person.ID, 10)+"?done=foreign", http.StatusSeeOther)
}

func (p *Pages) foreignCodePage(w http.ResponseWriter, r *http.Request, c *ctx, formErr error) {
	person, ok := p.person(w, r, c)
	if !ok {
		return
	}
	pg := p.newPage(r, c, "title.foreign")
	pg.Data = person
	status := http.StatusOK
	if formErr != nil {
		status = p.formError(r, c, pg, formErr)
	}
	p.render(w, r, status, "foreign_code", pg)
}
