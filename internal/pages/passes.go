package pages

import (
	"net/http"
	"strconv"
	"strings"

	"healthcode"
	"healthcode/internal/service"
)

// passView is the printed A6 pass: its QR code, the masked name, the
// validity, the issuing community, and what to do with it in both
// languages whatever the page's (the holder may read either).
type passView struct {
	Pass *service.Pass
	QR   string // inline SVG this server drew
	// Instruction is the short instruction, Chinese then English.
	Instruction [2]string
}

// issuePass issues a paper pass for the person, as their community's
// worker, and opens the page to print.
func (p *Pages) issuePass(w http.ResponseWriter, r *http.Request, c *ctx) {
	id, ok := p.personID(w, r, c)
	if !ok {
		return
	}
	in := service.PassInput{IDNumber: strings.TrimSpace(r.PostFormValue("pass.id_number")), Temperature: formNumber(r, "pass.temperature")}
	ps, err := p.svc.IssuePass(r.Context(), c.official, id, in)
	if err != nil {
		// The number typed is the person's identity: it is never put back
		// into the page.
		r.PostForm.Del("pass.id_number")
		p.officialPersonPage(w, r, c, "pass", err, nil)
		return
	}
	http.Redirect(w, r, "/officials/passes/"+ps.PassID+"?done=pass", http.StatusSeeOther)
}

// passSheet is the pass to print (CSS @page pass: A6).
func (p *Pages) passSheet(w http.ResponseWriter, r *http.Request, c *ctx) {
	ps, err := p.svc.PassSheet(r.Context(), c.official, r.PathValue("pass"))
	if err != nil {
		p.failErr(w, r, c, err)
		return
	}
	svg, err := inlineSVG(ps.Token)
	if err != nil {
		p.failErr(w, r, c, err)
		return
	}
	pg := p.newPage(r, c, "title.pass")
	if r.URL.Query().Get("done") == "pass" {
		pg.Notice = pg.T("done.pass")
	}
	pg.Data = &passView{Pass: ps, QR: svg,
		Instruction: [2]string{translate("zh", "pass.instruction"), translate("en", "pass.instruction")}}
	p.render(w, r, http.StatusOK, "pass", pg)
}

// revokePass revokes a pass and returns to its holder's file.
func (p *Pages) revokePass(w http.ResponseWriter, r *http.Request, c *ctx) {
	ps, err := p.svc.RevokePass(r.Context(), c.official, r.PathValue("pass"))
	if err != nil {
		p.failErr(w, r, c, err)
		return
	}
	http.Redirect(w, r, "/officials/p/"+strconv.FormatInt(ps.PersonID, 10)+"?done=revoke", http.StatusSeeOther)
}

// lookup looks a person up by the ID number a checkpoint typed, or its
// card reader typed, and answers with a verdict page as a scan does.
func (p *Pages) lookup(w http.ResponseWriter, r *http.Request, c *ctx) {
	pg := p.newPage(r, c, "title.checkpoint")
	pg.Data = p.scanner(r, c, false)
	in := service.LookupInput{DocType: healthcode.DocType(r.PostFormValue("doc_type")), Number: strings.TrimSpace(r.PostFormValue("number")),
		Temperature: formNumber(r, "lookup_temperature")}
	res, err := p.svc.LookUpPerson(r.Context(), c.staff, in)
	if err != nil {
		status := p.formError(r, c, pg, err)
		if why, ok := pg.Errors["temperature"]; ok {
			pg.Errors["lookup_temperature"] = why
		}
		pg.Form = keep(r.PostForm, []string{"doc_type", "lookup_temperature"}) // never the number
		p.render(w, r, status, "checkpoint", pg)
		return
	}
	res.Localize(pg.Lang)
	v := &verdictView{V: res}
	if in.Temperature != nil {
		v.Temperature = strconv.FormatFloat(*in.Temperature, 'f', 1, 64)
	}
	v.judge(pg, false)
	p.showVerdict(w, r, c, pg, v)
}
