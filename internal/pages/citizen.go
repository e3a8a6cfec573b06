package pages

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"healthcode"
	"healthcode/internal/httpstatus"
	"healthcode/internal/service"
)

func (p *Pages) home(w http.ResponseWriter, r *http.Request, c *ctx) {
	if c.citizen != nil {
		http.Redirect(w, r, "/app", http.StatusSeeOther)
		return
	}
	p.render(w, r, http.StatusOK, "home", p.newPage(r, c, "title.home"))
}

func (p *Pages) loginForm(w http.ResponseWriter, r *http.Request, c *ctx) {
	pg := p.newPage(r, c, "title.login")
	pg.Form.Set("next", localPath(r.URL.Query().Get("next")))
	p.render(w, r, http.StatusOK, "login", pg)
}

// loginCode sends the one-time code and shows the form again, with the
// phone kept and, on a --dev server, the code itself.
func (p *Pages) loginCode(w http.ResponseWriter, r *http.Request, c *ctx) {
	pg := p.newPage(r, c, "title.login")
	pg.Form = keep(r.PostForm, []string{"phone", "next"})
	res, err := p.svc.RequestOTP(r.Context(), r.PostFormValue("phone"))
	if err != nil {
		httpstatus.RetryAfter(w, err)
		p.render(w, r, p.formError(r, c, pg, err), "login", pg)
		return
	}
	pg.Notice = pg.T("login.sent")
	pg.Data = res
	p.render(w, r, http.StatusOK, "login", pg)
}

func (p *Pages) login(w http.ResponseWriter, r *http.Request, c *ctx) {
	pg := p.newPage(r, c, "title.login")
	pg.Form = keep(r.PostForm, []string{"phone", "next"})
	res, err := p.svc.Login(r.Context(), r.PostFormValue("phone"), r.PostFormValue("code"))
	if err != nil {
		httpstatus.RetryAfter(w, err)
		status := p.formError(r, c, pg, err)
		if healthcode.ErrorCode(err) == healthcode.EUNAUTHORIZED {
			pg.Errors["code"], pg.Message = p.message(c, err), pg.T("err.fields")
		}
		p.render(w, r, status, "login", pg)
		return
	}
	p.setCookie(w, r, cookieSession, res.Token, time.Until(res.ExpiresAt))
	next := localPath(r.PostFormValue("next"))
	if next == "" {
		next = "/app"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (p *Pages) logout(w http.ResponseWriter, r *http.Request, c *ctx) {
	for _, name := range []string{cookieSession, cookieStaff} {
		if err := p.svc.Logout(r.Context(), p.cookie(r, name)); err != nil {
			p.failErr(w, r, c, err)
			return
		}
	}
	p.setCookie(w, r, cookieSession, "", -1)
	p.setCookie(w, r, cookieStaff, "", -1)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// app opens the caller's own code, or the application form when they have
// none yet.
func (p *Pages) app(w http.ResponseWriter, r *http.Request, c *ctx) {
	if ps, ok := p.managed(w, r, c); ok {
		http.Redirect(w, r, "/app/p/"+strconv.FormatInt(ps[0].ID, 10), http.StatusSeeOther)
	}
}

// managed reads the persons the caller manages, their own first; with
// none yet it sends them to the application form, with an error it shows
// the error page, and either way reports false.
func (p *Pages) managed(w http.ResponseWriter, r *http.Request, c *ctx) ([]*service.PersonView, bool) {
	ps, err := p.svc.Persons(r.Context(), c.citizen)
	if err != nil {
		p.failErr(w, r, c, err)
		return nil, false
	}
	if len(ps) == 0 {
		http.Redirect(w, r, "/app/apply", http.StatusSeeOther)
		return nil, false
	}
	return ps, true
}

func (p *Pages) persons(w http.ResponseWriter, r *http.Request, c *ctx) {
	ps, err := p.svc.Persons(r.Context(), c.citizen)
	if err != nil {
		p.failErr(w, r, c, err)
		return
	}
	pg := p.newPage(r, c, "title.persons")
	pg.Data = ps
	p.render(w, r, http.StatusOK, "persons", pg)
}

// codeView is what the code page shows.
type codeView struct {
	Person  *service.PersonView
	Code    *service.Code
	QR      string // inline SVG
	Health  *service.Health
	Persons []*service.PersonView // to switch between relatives' codes
	Now     time.Time
	Badge   testBadge // the nucleic-acid badge
	Region  string    // the region issuing the code: 杭州健康码
	Issuer  string    // who issues it, in the page's language
	Appeals []appealRow
}

func (p *Pages) code(w http.ResponseWriter, r *http.Request, c *ctx) {
	id, ok := p.personID(w, r, c)
	if !ok {
		return
	}
	ctx := r.Context()
	v := &codeView{Now: time.Now()}
	var err error
	if v.Person, err = p.svc.Person(ctx, c.citizen, id); err != nil {
		p.failErr(w, r, c, err)
		return
	}
	if v.Code, v.QR, err = p.signedQR(r, c, id); err != nil {
		p.failErr(w, r, c, err)
		return
	}
	if v.Health, err = p.svc.Health(ctx, c.citizen, id); err != nil {
		p.failErr(w, r, c, err)
		return
	}
	if v.Persons, err = p.svc.Persons(ctx, c.citizen); err != nil {
		p.failErr(w, r, c, err)
		return
	}
	appeals, err := p.svc.Appeals(r.Context(), c.citizen, id)
	if err != nil {
		p.failErr(w, r, c, err)
		return
	}
	v.Appeals = appealRows(appeals)
	pg := p.newPage(r, c, "title.code")
	if rel := v.Person.Relation; rel != healthcode.RelationSelf {
		// A parent's code is theirs, not "my health code".
		pg.Title = fmt.Sprintf(pg.T("title.code_of"), pg.T("rel."+string(rel)))
	}
	v.Badge, v.Region, v.Issuer = newTestBadge(v.Health.Tests, v.Now), p.svc.Issuer(), p.issuer(pg)
	pg.Data = v
	pg.Notice = pg.T(noticeKey(r.URL.Query().Get("done")))
	p.render(w, r, http.StatusOK, "code", pg)
}

// noticeKey names the success message of the action a redirect came from.
func noticeKey(done string) string {
	switch done {
	case "apply", "checkin", "modify", "reapply", "appeal", "correction", "foreign":
		return "done." + done
	}
	return "none"
}

// codeJSON gives the code page's script a fresh token before the shown
// one expires; the session cookie is HttpOnly, so the page cannot call the
// bearer API itself.
func (p *Pages) codeJSON(w http.ResponseWriter, r *http.Request, c *ctx) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	code, svg, err := p.signedQR(r, c, id)
	if err != nil {
		w.WriteHeader(httpstatus.OfForm(healthcode.ErrorCode(err)))
		return
	}
	writeJSON(w, map[string]any{"token": code.Token, "color": code.Color, "expires_at": code.ExpiresAt.Unix(),
		"lifetime": lifetime(code), "qr_svg": svg})
}

// lifetime is how many seconds a code is valid for, by the server's clock:
// the page renews it that long after receiving it, whatever the phone's
// clock says.
func lifetime(code *service.Code) int64 {
	return int64(code.ExpiresAt.Sub(code.IssuedAt).Seconds())
}

func (p *Pages) signedQR(r *http.Request, c *ctx, id int64) (*service.Code, string, error) {
	code, err := p.svc.Code(r.Context(), c.citizen, id)
	if err != nil {
		return nil, "", err
	}
	svg, err := inlineSVG(code.Token)
	return code, svg, err
}

func (p *Pages) history(w http.ResponseWriter, r *http.Request, c *ctx) {
	person, ok := p.person(w, r, c)
	if !ok {
		return
	}
	id := person.ID
	h, err := p.svc.History(r.Context(), c.citizen, id)
	if err != nil {
		p.failErr(w, r, c, err)
		return
	}
	pg := p.newPage(r, c, "title.history")
	pg.Data = historyOf(person, h, p.svc.LogVerifierKey(), c.citizen)
	p.render(w, r, http.StatusOK, "history", pg)
}

// checkInView is what the check-in page shows.
type checkInView struct {
	Person *service.PersonView
	Done   bool
}

func (p *Pages) checkInForm(w http.ResponseWriter, r *http.Request, c *ctx) {
	p.checkInPage(w, r, c, http.StatusOK, nil)
}

func (p *Pages) checkIn(w http.ResponseWriter, r *http.Request, c *ctx) {
	id, ok := p.personID(w, r, c)
	if !ok {
		return
	}
	in := service.CheckInInput{Symptoms: formBool(r, "symptoms"), Celsius: formNumber(r, "celsius")}
	if _, err := p.svc.CheckIn(r.Context(), c.citizen, id, in); err != nil {
		p.checkInPage(w, r, c, 0, err)
		return
	}
	http.Redirect(w, r, "/app/p/"+strconv.FormatInt(id, 10)+"?done=checkin", http.StatusSeeOther)
}

// formNumber reads an optional number field: nil when empty, NaN when it
// is not a number, so that the service reports it with every other bad
// field of the form at once.
func formNumber(r *http.Request, name string) *float64 {
	t := strings.TrimSpace(r.PostFormValue(name))
	if t == "" {
		return nil
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil {
		v = math.NaN()
	}
	return &v
}

func (p *Pages) checkInPage(w http.ResponseWriter, r *http.Request, c *ctx, status int, formErr error) {
	person, ok := p.person(w, r, c)
	if !ok {
		return
	}
	id := person.ID
	h, err := p.svc.Health(r.Context(), c.citizen, id)
	if err != nil {
		p.failErr(w, r, c, err)
		return
	}
	pg := p.newPage(r, c, "title.checkin")
	pg.Data = checkInView{Person: person, Done: h.CheckedInToday}
	if r.Method == http.MethodPost {
		pg.Form = keep(r.PostForm, []string{"symptoms", "celsius"})
	}
	if formErr != nil {
		status = p.formError(r, c, pg, formErr)
		if healthcode.ErrorCode(formErr) == healthcode.ECONFLICT {
			status = http.StatusConflict
		}
	}
	p.render(w, r, status, "checkin", pg)
}

// person reads the person of the path, whom the caller must manage; when
// there is none it shows the error page and reports false.
func (p *Pages) person(w http.ResponseWriter, r *http.Request, c *ctx) (*service.PersonView, bool) {
	id, ok := p.personID(w, r, c)
	if !ok {
		return nil, false
	}
	v, err := p.svc.Person(r.Context(), c.citizen, id)
	if err != nil {
		p.failErr(w, r, c, err)
		return nil, false
	}
	return v, true
}

// personID reads the {id} of the path; a bad one is a page not found.
func (p *Pages) personID(w http.ResponseWriter, r *http.Request, c *ctx) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		p.fail(w, r, c, http.StatusNotFound, translate(c.lang, "err.no_person"))
		return 0, false
	}
	return id, true
}
