package pages

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"healthcode"
	"healthcode/internal/permission"
	"healthcode/internal/service"
)

// checkpointView is what the scanner page shows.
type checkpointView struct {
	Community bool // seed 002's one-way community entry: residents in only
	// Temperature says the staff logged in may record temperatures, so
	// the page offers the field and names them as the checkpoint they
	// are (an admin's session records none); anyone not logged in is told
	// what a login gives.
	Temperature bool
	Shift       *service.Shift // the staff session's tally; nil without one
}

// verdictView is the full-screen answer to a scan.
type verdictView struct {
	Kind        string // pass, refuse or invalid
	V           *service.Verification
	Reason      string // why refused or invalid, as a message key
	Temperature string // °C to a tenth, when one was measured and recorded
	Community   bool
	Shift       *service.Shift // the tally with this verdict counted; nil without a staff session
}

func (p *Pages) checkpoint(w http.ResponseWriter, r *http.Request, c *ctx) {
	pg := p.newPage(r, c, "title.checkpoint")
	community := r.URL.Query().Get("mode") == "community"
	if community {
		pg.Title = pg.T("title.community")
	}
	pg.Data = p.scanner(r, c, community)
	p.render(w, r, http.StatusOK, "checkpoint", pg)
}

// scanner is the scanner page's view for the caller.
func (p *Pages) scanner(r *http.Request, c *ctx, community bool) checkpointView {
	v := checkpointView{Community: community, Temperature: permission.Can(c.staff, permission.RecordTemperature, "")}
	if c.staff != nil {
		s, err := p.svc.Shift(r.Context(), p.cookie(r, cookieStaff))
		v.Shift = p.shift(r, s, err)
	}
	return v
}

// shift is the tally, or nil when it cannot be read now: the scanner and
// its verdicts matter more than their count.
func (p *Pages) shift(r *http.Request, s *service.Shift, err error) *service.Shift {
	if err != nil {
		p.log.WarnContext(r.Context(), "shift tally", "err", err)
		return nil
	}
	return s
}

// verify checks a scanned or typed code and answers with a verdict page:
// green PASS, red or yellow REFUSE, or INVALID with the reason.
func (p *Pages) verify(w http.ResponseWriter, r *http.Request, c *ctx) {
	community := r.PostFormValue("mode") == "community"
	pg := p.newPage(r, c, "title.checkpoint")
	pg.Form = keep(r.PostForm, []string{"token", "temperature", "pass_checked"})
	pg.Data = p.scanner(r, c, community)
	// Only line ends are trimmed: a space is one of Base45's characters.
	in := service.VerifyInput{Token: strings.Trim(r.PostFormValue("token"), "\r\n\t"), Temperature: formNumber(r, "temperature")}
	res, err := p.svc.Verify(r.Context(), c.staff, in)
	if err != nil {
		status := p.formError(r, c, pg, err)
		if healthcode.ErrorCode(err) == healthcode.EFORBIDDEN {
			pg.Errors["temperature"] = pg.Message
		}
		p.render(w, r, status, "checkpoint", pg)
		return
	}
	v := &verdictView{V: res, Community: community}
	if in.Temperature != nil {
		v.Temperature = strconv.FormatFloat(*in.Temperature, 'f', 1, 64)
	}
	v.judge(community && r.PostFormValue("pass_checked") != "yes")
	p.showVerdict(w, r, c, pg, v)
}

// judge sets the verdict's kind and reason from the answer; noPass
// refuses a code that passes for want of the community's pass.
func (v *verdictView) judge(noPass bool) {
	switch res := v.V; {
	case !res.Valid:
		v.Kind, v.Reason = "invalid", "reason."+res.Reason
	case res.Fever:
		v.Kind, v.Reason = "refuse", "verdict.fever"
	case !res.Pass:
		v.Kind, v.Reason = "refuse", "verdict.color"
	case noPass:
		v.Kind, v.Reason = "refuse", "verdict.no_pass"
	default:
		v.Kind = "pass"
	}
}

// showVerdict counts the verdict in the staff session's tally and shows
// it full screen.
func (p *Pages) showVerdict(w http.ResponseWriter, r *http.Request, c *ctx, pg *page, v *verdictView) {
	if c.staff != nil {
		s, err := p.svc.CountVerdict(r.Context(), p.cookie(r, cookieStaff), v.Kind == "pass")
		v.Shift = p.shift(r, s, err)
	}
	pg.Data = v
	pg.Title = pg.T("verdict." + v.Kind)
	p.render(w, r, http.StatusOK, "verdict", pg)
}

// staffLogin opens a staff session with a checkpoint's or an admin's API
// key, so the scanner may record temperatures and see why a code is red,
// and an admin may make venue codes. The HttpOnly cookie holds the
// session's token, never the key: logging out ends it.
func (p *Pages) staffLogin(w http.ResponseWriter, r *http.Request, c *ctx) {
	key := strings.TrimSpace(r.PostFormValue("key"))
	res, who, err := p.svc.StaffLogin(r.Context(), key)
	if err != nil || !staffKey(who) {
		pg := p.newPage(r, c, "title.checkpoint")
		pg.Data = p.scanner(r, c, false)
		pg.Errors["key"], pg.Message = pg.T("err.key"), pg.T("err.fields")
		p.render(w, r, http.StatusUnauthorized, "checkpoint", pg)
		return
	}
	p.setCookie(w, r, cookieStaff, res.Token, time.Until(res.ExpiresAt))
	next := localPath(r.PostFormValue("next"))
	if next == "" {
		next = "/checkpoint"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}
