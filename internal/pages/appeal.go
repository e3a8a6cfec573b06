package pages

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"healthcode"
	"healthcode/internal/service"
	"healthcode/internal/workflow"
)

// filingView is what the appeal and the error-correction forms show.
type filingView struct {
	Person     *service.PersonView
	Correction bool // the error-correction form, else the appeal form
	Variants   []string
	MinReason  int
	MaxReason  int
}

func newFilingView(person *service.PersonView, correction bool) *filingView {
	return &filingView{Person: person, Correction: correction, MinReason: workflow.MinReason, MaxReason: workflow.MaxReason,
		Variants: []string{healthcode.VariantWrongColour, healthcode.VariantWrongData}}
}

func (p *Pages) appealForm(w http.ResponseWriter, r *http.Request, c *ctx) {
	p.filingPage(w, r, c, false, nil)
}

func (p *Pages) correctionForm(w http.ResponseWriter, r *http.Request, c *ctx) {
	p.filingPage(w, r, c, true, nil)
}

// appeal files the appeal (D1) with its attachment, if one was chosen.
func (p *Pages) appeal(w http.ResponseWriter, r *http.Request, c *ctx) {
	person, ok := p.person(w, r, c)
	if !ok {
		return
	}
	f, err := uploaded(r, "attachment")
	if err == nil {
		_, err = p.svc.FileAppeal(r.Context(), c.citizen, person.ID, service.AppealInput{Reason: r.PostFormValue("reason"), Attachment: f})
	}
	p.filed(w, r, c, person, false, err)
}

// correction files an error correction (D4), which the community takes up.
func (p *Pages) correction(w http.ResponseWriter, r *http.Request, c *ctx) {
	person, ok := p.person(w, r, c)
	if !ok {
		return
	}
	_, err := p.svc.StartWorkflow(r.Context(), c.citizen, service.StartInput{Kind: healthcode.WorkflowErrorCorrection,
		PersonID: person.ID, Form: healthcode.WorkflowForm{Variant: r.PostFormValue("variant"), Reason: r.PostFormValue("reason")}})
	p.filed(w, r, c, person, true, err)
}

// filed sends the browser back to the code page, which shows the filing,
// or shows the form again with what went wrong.
func (p *Pages) filed(w http.ResponseWriter, r *http.Request, c *ctx, person *service.PersonView, correction bool, err error) {
	if err != nil {
		p.filingPageOf(w, r, c, person, correction, err)
		return
	}
	done := "appeal"
	if correction {
		done = "correction"
	}
	http.Redirect(w, r, "/app/p/"+strconv.FormatInt(person.ID, 10)+"?done="+done, http.StatusSeeOther)
}

func (p *Pages) filingPage(w http.ResponseWriter, r *http.Request, c *ctx, correction bool, formErr error) {
	person, ok := p.person(w, r, c)
	if !ok {
		return
	}
	p.filingPageOf(w, r, c, person, correction, formErr)
}

func (p *Pages) filingPageOf(w http.ResponseWriter, r *http.Request, c *ctx, person *service.PersonView, correction bool,
	formErr error) {
	title := "title.appeal"
	if correction {
		title = "title.correction"
	}
	pg := p.newPage(r, c, title)
	pg.Data = newFilingView(person, correction)
	status := http.StatusOK
	if r.Method == http.MethodPost {
		pg.Form = keep(r.PostForm, []string{"reason", "variant"})
	} else if correction {
		pg.Form.Set("variant", healthcode.VariantWrongColour)
	}
	if formErr != nil {
		status = p.formError(r, c, pg, formErr)
		if healthcode.ErrorCode(formErr) == healthcode.ECONFLICT {
			status = http.StatusConflict
		}
		if pg.Errors["variant"] != "" { // the service names the API's values; the form offers choices
			pg.Errors["variant"] = pg.T("correction.variant.choose")
		}
	}
	p.render(w, r, status, "appeal", pg)
}

// appealRow is one appeal as the code page shows it: its state in words,
// the district's answer to a rejection, the colour an upheld one gave.
type appealRow struct {
	ID       int64
	State    string // the catalogue key of its state
	OpenedAt time.Time
	Deadline time.Time
	Open     bool
	Overdue  bool
	Outcome  healthcode.Color
	Note     string // the district's note on a rejection
}

// appealRows reads the appeals newest first, as the service lists them.
func appealRows(vs []service.WorkflowView) []appealRow {
	rows := make([]appealRow, len(vs))
	for i, v := range vs {
		row := appealRow{ID: v.ID, State: "appeal.state." + appealState(v.State), OpenedAt: v.OpenedAt, Deadline: v.Deadline,
			Open: v.Open(), Overdue: v.Overdue, Outcome: v.Outcome}
		if v.State == workflow.Rejected {
			row.Note = lastNote(v.Steps, workflow.ActReject)
		}
		rows[i] = row
	}
	return rows
}

// appealState is what a citizen reads of an appeal's state: filed and
// waiting, being decided (a colour proposed, not yet approved), upheld,
// rejected.
func appealState(state string) string {
	switch state {
	case workflow.Applied:
		return "applied"
	case workflow.Rejected:
		return "rejected"
	case "filed":
		return "filed"
	}
	return "deciding"
}

// lastNote is the note of the latest step of action.
func lastNote(steps []healthcode.WorkflowStep, action string) string {
	for i := len(steps) - 1; i >= 0; i-- {
		if steps[i].Action == action {
			return strings.TrimSpace(steps[i].Note)
		}
	}
	return ""
}
