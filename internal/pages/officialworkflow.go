package pages

import (
	"mime"
	"net/http"
	"strconv"

	"healthcode"
	"healthcode/internal/service"
	"healthcode/internal/workflow"
)

// workflowView is a workflow as an official reads it: what was filed,
// every step by role, and the steps the caller may take now.
type workflowView struct {
	W     *service.WorkflowView
	Forms []stepForm
	// Waiting says the caller's role takes the next step but not the
	// caller: the second pair of eyes must be another official's.
	Waiting bool
}

// stepForm is one step the caller may take, as a form.
type stepForm struct {
	Action string
	Seq    int              // the step's number: the workflow's Seq as shown, plus one
	Colour bool             // the step proposes a colour
	Only   healthcode.Color // the one colour it may propose; 0: any
	Note   bool             // the step must say why
}

func (p *Pages) officialWorkflow(w http.ResponseWriter, r *http.Request, c *ctx) {
	p.workflowPage(w, r, c, nil)
}

func (p *Pages) workflowPage(w http.ResponseWriter, r *http.Request, c *ctx, stepErr error) {
	id, ok := p.workflowID(w, r, c)
	if !ok {
		return
	}
	v, err := p.svc.Workflow(r.Context(), c.official, id)
	if err != nil {
		p.failErr(w, r, c, err)
		return
	}
	pg := p.newPage(r, c, "title.official_workflow")
	pg.Data = newWorkflowView(v, c.official)
	pg.Notice = pg.T(officialNotice(r.URL.Query().Get("done")))
	status := http.StatusOK
	if stepErr != nil {
		pg.Form = keep(r.PostForm, []string{"action", "note", "colour"})
		status = p.formError(r, c, pg, stepErr)
		if key := refusal(stepErr, r, pg.Data.(*workflowView)); key != "" {
			pg.Message = pg.T(key)
		}
	}
	p.render(w, r, status, "official_workflow", pg)
}

// refusal is the catalogue key of what the page says of a refused step,
// in the official's words rather than the API's, which name actions and
// roles as the API spells them: the workflow moved on, the step is the
// second pair of eyes on the caller's own, or it is not the caller's
// role's at all; "" leaves the service's message.
func refusal(err error, r *http.Request, v *workflowView) string {
	switch code := healthcode.ErrorCode(err); {
	case moved(err, r, v.W):
		return "workflow.moved_on"
	case code == healthcode.EFORBIDDEN && v.Waiting:
		return "official.own_step"
	case code == healthcode.EFORBIDDEN && v.W.NextRole != "" && len(v.Forms) == 0:
		return "official.not_your_step"
	case code == healthcode.ECONFLICT && !v.W.Open():
		return "workflow.moved_on"
	}
	return ""
}

func newWorkflowView(v *service.WorkflowView, who *healthcode.Principal) *workflowView {
	out := &workflowView{W: v}
	for _, st := range workflow.Steps(v.Kind, v.State) {
		for _, a := range v.Actions {
			if a == st.Action {
				out.Forms = append(out.Forms, stepForm{Action: a, Seq: v.Seq + 1, Colour: st.Colour, Only: st.Only, Note: st.Note})
			}
		}
	}
	out.Waiting = len(out.Forms) == 0 && v.Open() && v.NextRole == who.Role
	return out
}

// moved reports a step refused because the workflow moved on since the
// official's page was drawn: the step's number is no longer the next.
func moved(err error, r *http.Request, now *service.WorkflowView) bool {
	seq, perr := strconv.Atoi(r.PostFormValue("seq"))
	return healthcode.ErrorCode(err) == healthcode.ECONFLICT && perr == nil && seq != now.Seq+1
}

// step takes a step of the workflow as the caller.
func (p *Pages) step(w http.ResponseWriter, r *http.Request, c *ctx) {
	id, ok := p.workflowID(w, r, c)
	if !ok {
		return
	}
	seq, err := strconv.Atoi(r.PostFormValue("seq"))
	if err != nil {
		seq = -1 // refused as a workflow that moved on
	}
	in := service.StepInput{Seq: seq, Action: r.PostFormValue("action"), Note: r.PostFormValue("note"), Colour: r.PostFormValue("colour")}
	if _, err := p.svc.Act(r.Context(), c.official, id, in); err != nil {
		if healthcode.ErrorCode(err) == healthcode.ENOTFOUND {
			p.failErr(w, r, c, err)
			return
		}
		p.workflowPage(w, r, c, err)
		return
	}
	http.Redirect(w, r, "/officials/w/"+strconv.FormatInt(id, 10)+"?done=step", http.StatusSeeOther)
}

// attachment serves a filed file as a download of the type its bytes
// were checked to be, never shown in the site's own pages.
func (p *Pages) attachment(w http.ResponseWriter, r *http.Request, c *ctx) {
	id, ok := p.workflowID(w, r, c)
	if !ok {
		return
	}
	a, err := p.svc.WorkflowAttachment(r.Context(), c.official, id)
	if err != nil {
		p.failErr(w, r, c, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename}))
	h.Set("Content-Length", strconv.Itoa(len(a.Data)))
	w.Write(a.Data)
}

// workflowID reads the {id} of the path; a bad one is a page not found.
func (p *Pages) workflowID(w http.ResponseWriter, r *http.Request, c *ctx) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		p.fail(w, r, c, http.StatusNotFound, translate(c.lang, "err.no_workflow"))
		return 0, false
	}
	return id, true
}
