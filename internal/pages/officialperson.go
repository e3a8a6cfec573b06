package pages

import (
	"net/http"
	"strconv"
	"strings"

	"healthcode"
	"healthcode/internal/permission"
	"healthcode/internal/service"
)

// officialPersonView is a person's file as an official sees it: masked,
// with the forms the caller's role may use on it.
type officialPersonView struct {
	File      *service.PersonFile
	Division  string
	Workflows []service.WorkflowView
	Credit    []healthcode.CreditRecord
	History   []historyLine
	// The forms offered: unmasking, starting a workflow (a community's),
	// recording a finding (a district's).
	Unmask, Start, Find bool
	// Issue offers the paper-pass form and Passes lists the person's
	// passes with revoke buttons, to the person's community worker.
	Issue      bool
	Passes     []service.Pass
	Categories []string
	Variants   []string
	Clear      *service.Identity // the identity in clear, on the answer to an unmasking only
}

// historyLine is a colour change by the role that made it, never a name.
type historyLine struct {
	healthcode.HistoryEntry
	By string // catalogue key
}

// personForms are the person page's forms, by the hidden field "form"
// each posts; their fields are named form.field so that one form's
// errors never land on another's.
var personForms = map[string][]string{
	"unmask":     {"reason", "category"},
	"release":    {"isolation_start", "isolation_end", "note"},
	"correction": {"variant", "reason"},
	"finding":    {"finding", "evidence"},
	"pass":       {"temperature"}, // never the ID number, which is the person's identity
}

func (p *Pages) officialPerson(w http.ResponseWriter, r *http.Request, c *ctx) {
	p.officialPersonPage(w, r, c, "", nil, nil)
}

// officialPersonPage shows the file; form and formErr put an error on the
// form that failed, clear shows the identity an unmasking opened. A
// person the caller may not see is an error page, never the file.
func (p *Pages) officialPersonPage(w http.ResponseWriter, r *http.Request, c *ctx, form string, formErr error,
	clear *service.Identity) {
	id, ok := p.personID(w, r, c)
	if !ok {
		return
	}
	v, err := p.personFile(r, c, id)
	if err != nil {
		p.failErr(w, r, c, err)
		return
	}
	v.Clear = clear
	pg := p.newPage(r, c, "title.official_person")
	pg.Data = v
	pg.Notice = pg.T(officialNotice(r.URL.Query().Get("done")))
	status := http.StatusOK
	if formErr != nil {
		pg.Form = keep(r.PostForm, prefixed(form, personForms[form]))
		status = p.formError(r, c, pg, formErr)
		errs := map[string]string{}
		for k, why := range pg.Errors {
			errs[form+"."+k] = why
		}
		pg.Errors = errs
		// The service names the API's values; the forms offer choices.
		if errs["correction.variant"] != "" {
			errs["correction.variant"] = pg.T("correction.variant.choose")
		}
		if errs["unmask.category"] != "" {
			errs["unmask.category"] = pg.T("official.unmask_choose")
		}
	}
	p.render(w, r, status, "official_person", pg)
}

// officialNotice names the success message of the officials' action a
// redirect came from.
func officialNotice(done string) string {
	switch done {
	case "finding", "start", "step", "revoke":
		return "done.official_" + done
	}
	return "none"
}

func prefixed(form string, fields []string) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = form + "." + f
	}
	return out
}

func (p *Pages) personFile(r *http.Request, c *ctx, id int64) (*officialPersonView, error) {
	file, err := p.svc.OfficialPerson(r.Context(), c.official, id)
	if err != nil {
		return nil, err
	}
	v := &officialPersonView{File: file, Division: file.Region, Categories: healthcode.UnmaskCategories,
		Variants: []string{healthcode.VariantWrongColour, healthcode.VariantWrongData}}
	if file.Community != "" {
		v.Division = file.Community
	}
	if v.Workflows, err = p.svc.PersonWorkflows(r.Context(), c.official, id); err != nil {
		return nil, err
	}
	if v.Credit, err = p.svc.CreditRecords(r.Context(), c.official, id); err != nil {
		return nil, err
	}
	for _, e := range file.History {
		v.History = append(v.History, historyLine{HistoryEntry: e, By: officialAuthor(e.Author)})
	}
	v.Unmask = permission.Can(c.official, permission.UnmaskPersons, v.Division)
	v.Start = permission.Can(c.official, permission.StartWorkflows, v.Division)
	v.Find = permission.Can(c.official, permission.RecordFindings, v.Division)
	if v.Issue = permission.Can(c.official, permission.IssuePasses, v.Division); v.Issue {
		if v.Passes, err = p.svc.PersonPasses(r.Context(), c.official, id); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// officialAuthor names who made a change as an official reads it: the
// policy, the citizen, an official, or a feed or device's key.
func officialAuthor(author string) string {
	switch {
	case author == healthcode.AuthorSystem:
		return "history.by.system"
	case strings.HasPrefix(author, "account:"):
		return "history.by.citizen"
	case strings.HasPrefix(author, "official:"):
		return "history.by.official"
	}
	return "history.by.staff"
}

// unmask shows the person's identity in clear, once, on this answer: the
// service records the unmasking and its reason, and the page is never
// stored (no-store, as every page).
func (p *Pages) unmask(w http.ResponseWriter, r *http.Request, c *ctx) {
	id, ok := p.personID(w, r, c)
	if !ok {
		return
	}
	clear, err := p.svc.UnmaskPerson(r.Context(), c.official, id, r.PostFormValue("unmask.reason"), r.PostFormValue("unmask.category"))
	if err != nil {
		p.officialPersonPage(w, r, c, "unmask", err, nil)
		return
	}
	p.officialPersonPage(w, r, c, "", nil, clear)
}

// startWorkflow files a home release or an error correction for the
// person, as their community, and opens the new workflow.
func (p *Pages) startWorkflow(w http.ResponseWriter, r *http.Request, c *ctx) {
	id, ok := p.personID(w, r, c)
	if !ok {
		return
	}
	form := r.PostFormValue("form")
	in := service.StartInput{PersonID: id}
	switch form {
	case "release":
		in.Kind = healthcode.WorkflowHomeRelease
		in.Form = healthcode.WorkflowForm{IsolationStart: r.PostFormValue("release.isolation_start"),
			IsolationEnd: r.PostFormValue("release.isolation_end"), Note: r.PostFormValue("release.note")}
	case "correction":
		in.Kind = healthcode.WorkflowErrorCorrection
		in.Form = healthcode.WorkflowForm{Variant: r.PostFormValue("correction.variant"), Reason: r.PostFormValue("correction.reason")}
	default:
		p.fail(w, r, c, http.StatusBadRequest, translate(c.lang, "err.no_form"))
		return
	}
	v, err := p.svc.StartWorkflow(r.Context(), c.official, in)
	if err != nil {
		p.officialPersonPage(w, r, c, form, err, nil)
		return
	}
	http.Redirect(w, r, "/officials/w/"+strconv.FormatInt(v.ID, 10)+"?done=start", http.StatusSeeOther)
}

// recordFinding records a false declaration found (B7), as the district.
func (p *Pages) recordFinding(w http.ResponseWriter, r *http.Request, c *ctx) {
	id, ok := p.personID(w, r, c)
	if !ok {
		return
	}
	in := service.Finding{Finding: r.PostFormValue("finding.finding"), Evidence: r.PostFormValue("finding.evidence")}
	if _, err := p.svc.RecordFinding(r.Context(), c.official, id, in); err != nil {
		p.officialPersonPage(w, r, c, "finding", err, nil)
		return
	}
	http.Redirect(w, r, "/officials/p/"+strconv.FormatInt(id, 10)+"?done=finding", http.StatusSeeOther)
}
