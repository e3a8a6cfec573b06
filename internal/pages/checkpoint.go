package pages

import (
	"net/http"
	"strings"
	"time"

	"healthcode"
	"healthcode/internal/service"
)

// checkpointView is what the scanner page shows.
type checkpointView struct {
	Community bool // seed 002's one-way community entry: residents in only
}

// verdictView is the full-screen answer to a scan.
type verdictView struct {
	Kind      string // pass, refuse or invalid
	V         *service.Verification
	Reason    string // why refused or invalid, as a message key
	Community bool
}

func (p *Pages) checkpoint(w http.ResponseWriter, r *http.Request, c *ctx) {
	pg := p.newPage(r, c, "title.checkpoint")
	community := r.URL.Query().Get("mode") == "community"
	if community {
		pg.Title = pg.T("title.community")
	}
	pg.Data = checkpointView{Community: community}
	p.render(w, r, http.StatusOK, "checkpoint", pg)
}

// verify checks a scanned or typed code and answers with a verdict page:
// green PASS, red or yellow REFUSE, or INVALID with the reason.
func (p *Pages) verify(w http.ResponseWriter, r *http.Request, c *ctx) {
	community := r.PostFormValue("mode") == "community"
	pg := p.newPage(r, c, "title.checkpoint")
	pg.Form = keep(r.PostForm, []string{"token", "temperature", "pass_checked"})
	pg.Data = checkpointView{Community: community}
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
	switch {
	case !res.Valid:
		v.Kind, v.Reason = "invalid", "reason."+res.Reason
	case res.Fever:
		v.Kind, v.Reason = "refuse", "verdict.fever"
	case !res.Pass:
		v.Kind, v.Reason = "refuse", "verdict.color"
	case community && r.PostFormValue("pass_checked") != "yes":
		v.Kind, v.Reason = "refuse", "verdict.no_pass"
	default:
		v.Kind = "pass"
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
		pg.Data = checkpointView{}
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
