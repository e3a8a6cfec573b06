package pages

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"healthcode"
	"healthcode/internal/httpstatus"
)

// The officials' pages (docs/officials.md): an official logs in with
// login, password and TOTP code, works the queue of their role and scope,
// reads persons' files masked and takes workflows' steps. The service
// decides every permission by role and scope; the pages only offer what
// it would allow.

func (p *Pages) officialLoginForm(w http.ResponseWriter, r *http.Request, c *ctx) {
	pg := p.newPage(r, c, "title.official_login")
	pg.Form.Set("next", localPath(r.URL.Query().Get("next")))
	if r.URL.Query().Get("done") == "logout" {
		pg.Notice = pg.T("done.official_logout")
	}
	p.render(w, r, http.StatusOK, "official_login", pg)
}

// officialLogin opens the official's session. A locked account says when
// to try again; every other failure says only that something was wrong,
// as the service does, so no one learns which logins exist.
func (p *Pages) officialLogin(w http.ResponseWriter, r *http.Request, c *ctx) {
	pg := p.newPage(r, c, "title.official_login")
	pg.Form = keep(r.PostForm, []string{"login", "next"})
	res, err := p.svc.OfficialLogin(r.Context(), strings.TrimSpace(r.PostFormValue("login")), r.PostFormValue("password"),
		strings.TrimSpace(r.PostFormValue("code")))
	if err != nil {
		httpstatus.RetryAfter(w, err)
		status := p.formError(r, c, pg, err)
		if healthcode.ErrorCode(err) == healthcode.ELIMIT {
			pg.Message = lockedFor(c.lang, healthcode.ErrorRetryAfter(err))
		}
		p.render(w, r, status, "official_login", pg)
		return
	}
	p.setCookie(w, r, cookieOfficial, res.Token, time.Until(res.ExpiresAt))
	next := localPath(r.PostFormValue("next"))
	if !officialPage(strings.SplitN(next, "?", 2)[0]) || next == "/officials/login" {
		next = "/officials"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// lockedFor says, in minutes rounded up, when a locked account opens.
func lockedFor(lang string, wait time.Duration) string {
	minutes := int((wait + time.Minute - 1) / time.Minute)
	return fmt.Sprintf(translate(lang, "official.locked"), max(minutes, 1))
}

func (p *Pages) officialLogout(w http.ResponseWriter, r *http.Request, c *ctx) {
	if err := p.svc.OfficialLogout(r.Context(), p.cookie(r, cookieOfficial)); err != nil {
		p.failErr(w, r, c, err)
		return
	}
	p.setCookie(w, r, cookieOfficial, "", -1)
	http.Redirect(w, r, "/officials/login?done=logout", http.StatusSeeOther)
}
