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
	EU          *euView        // a valid EU certificate's statement (kind eu)
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
// green PASS, red or yellow REFUSE, or INVALID with the reason; for an
// EU certificate, its type and validity (kind eu), no colour.
func (p *Pages) verify(w http.ResponseWriter, r *http.Request, c *ctx) {
	community := r.PostFormValue("mode") == "community"
	pg := p.newPage(r, c, "title.checkpoint")
	pg.Form = keep(r.PostForm, []string{"token", "temperature", "pass_checked"})
	pg.Data = p.scanner(r, c, community)
	// Only line ends are trimmed: a space is one of Base45's characters.
	in := service.VerifyInput{Token: strings.Trim(r.PostFormValue("token"), "\r\n\t"), Temperature: formNumber(r, "temperature")}
	scanned, err := formTime(r, "scanned_at") // sent only by the offline queue (static/offline.js)
	var res *service.Verification
	if err == nil {
		in.ScannedAt = scanned
		res, err = p.svc.Verify(r.Context(), c.staff, in)
	}
	if err != nil {
		status := p.formError(r, c, pg, err)
		if healthcode.ErrorCode(err) == healthcode.EFORBIDDEN {
			pg.Errors["temperature"] = pg.Message
		}
		p.render(w, r, status, "checkpoint", pg)
		return
	}
	res.Localize(pg.Lang)
	p.verdict(w, r, c, pg, in, res, community)
}

// verdict shows the verdict of a scan, counted in the staff's shift.
func (p *Pages) verdict(w http.ResponseWriter, r *http.Request, c *ctx, pg *page, in service.VerifyInput, res *service.Verification, community bool) {
	v := &verdictView{V: res, Community: community}
	if in.Temperature != nil {
		v.Temperature = strconv.FormatFloat(*in.Temperature, 'f', 1, 64)
	}
	v.judge(pg, community && r.PostFormValue("pass_checked") != "yes")
	p.showVerdict(w, r, c, pg, v)
}

// judge sets the verdict's kind and reason from the answer; noPass
// refuses a code that passes for want of the community's pass.
func (v *verdictView) judge(pg *page, noPass bool) {
	switch res := v.V; {
	case !res.Valid && res.Message != "":
		v.Kind = "invalid" // the template shows res.Message, from the catalogue
	case !res.Valid:
		v.Kind, v.Reason = "invalid", "reason."+res.Reason
	case isEU(res):
		v.Kind, v.EU = "eu", euVerdict(pg, res)
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
// it full screen. An EU certificate is neither passed nor refused here:
// not counted.
func (p *Pages) showVerdict(w http.ResponseWriter, r *http.Request, c *ctx, pg *page, v *verdictView) {
	if c.staff != nil && v.Kind != "eu" {
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

// formTime is the RFC 3339 time of the form's field name, nil when empty,
// or the problem naming the field.
func formTime(r *http.Request, name string) (*time.Time, error) {
	t := strings.TrimSpace(r.PostFormValue(name))
	if t == "" {
		return nil, nil
	}
	at, err := time.Parse(time.RFC3339, t)
	if err != nil {
		var p healthcode.Problems
		p.Add(name, "must be an RFC 3339 time such as 2026-12-03T08:15:00+08:00")
		return nil, p.Err()
	}
	return &at, nil
}
